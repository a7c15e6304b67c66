import { expect, test } from "@playwright/test";

// The e2e server runs without WARREN_BENCH=1: the benchmark's routes must not exist there.
test.describe("bench-only routes", () => {
  for (const path of ["/api/bench/noop", "/api/bench/stats"]) {
    test(`${path} answers 404 unless the server was started with WARREN_BENCH=1`, async ({ request }) => {
      const get = await request.get(path);
      expect(get.status()).toBe(404);
      expect(await get.text()).not.toContain("samplesTaken");
      if (path.endsWith("noop")) expect((await request.post(path)).status()).toBe(404);
    });
  }
});
