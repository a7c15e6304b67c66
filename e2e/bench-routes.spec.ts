import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "@playwright/test";

// The e2e server runs the normal production build: the benchmark's routes are compiled only into
// a bench build (WARREN_BENCH_BUILD=1 → .next-bench), so they are absent here whatever the env says.
test.describe("bench-only routes", () => {
  test("the production build contains no bench route", () => {
    expect(existsSync(resolve(".next/BUILD_ID")), "the e2e server's build").toBe(true);
    expect(existsSync(resolve(".next/server/app/api/bench"))).toBe(false);
  });

  for (const path of ["/api/bench/noop", "/api/bench/stats"]) {
    test(`${path} answers 404`, async ({ request }) => {
      expect((await request.get(path)).status()).toBe(404);
      expect((await request.post(path)).status()).toBe(404);
    });
  }
});
