import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { BUILD_CANARY_ENV, BUILD_CANARY_MARKER, BUILD_CANARY_SECRETS } from "../scripts/lib/build-canary.mjs";
import { scanForSecrets } from "./bundle-scan";
import { expect, test } from "./fixtures";

const STATIC = join(".next", "static");

test.describe("the client bundle carries no secret of the build's environment", () => {
  test("secrets set at build time (broker URL, operator password, session secret, management password) are not in .next/static", () => {
    // Only a build made with the known secrets in its environment can show they stayed out. `npm test` makes one;
    // a build made by hand cannot, and says so here (CI never skips).
    const marker = existsSync(BUILD_CANARY_MARKER);
    test.skip(
      !marker && !process.env.CI,
      "this build was not made by `npm test` (no build canaries in its environment): run npm test, or CI",
    );
    expect(marker, `${BUILD_CANARY_MARKER}: the build was not made with the canary environment`).toBe(true);
    const { variables } = JSON.parse(readFileSync(BUILD_CANARY_MARKER, "utf8")) as { variables: string[] };
    expect(variables.sort()).toEqual(Object.keys(BUILD_CANARY_ENV).sort());

    const { files, leaks } = scanForSecrets(STATIC, BUILD_CANARY_SECRETS);
    expect(files).toBeGreaterThan(3);
    expect(leaks).toEqual([]);
  });

  test("control: the same scanner finds a value deliberately leaked into a copy of a real chunk, in every spelling", () => {
    const { files } = scanForSecrets(STATIC, []);
    expect(files).toBeGreaterThan(3);
    const dir = mkdtempSync(join(tmpdir(), "warren-bundle-control-"));
    try {
      // A real client chunk, with the secret inlined the way a `process.env.X` read in client code would be.
      const js = findChunk();
      writeFileSync(
        join(dir, basename(js)),
        `${readFileSync(js, "utf8")};const leaked=${JSON.stringify(BUILD_CANARY_SECRETS[1])};`,
      );
      writeFileSync(join(dir, "nested-base64.txt"), Buffer.from(BUILD_CANARY_SECRETS[2] ?? "").toString("base64"));
      writeFileSync(join(dir, "url.txt"), `?p=${encodeURIComponent(BUILD_CANARY_ENV.AMQP_URL ?? "")}`);

      const { leaks } = scanForSecrets(dir, BUILD_CANARY_SECRETS);
      expect(leaks.map((l) => [basename(l.file), l.secret, l.form]).sort()).toEqual(
        [
          [basename(js), BUILD_CANARY_SECRETS[1], "plain"],
          ["nested-base64.txt", BUILD_CANARY_SECRETS[2], "base64"],
          ["url.txt", BUILD_CANARY_SECRETS[0], "plain"],
        ].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The largest JavaScript file of the client bundle: a real chunk as the browser gets it. */
function findChunk(): string {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : path.endsWith(".js") ? [path] : [];
    });
  const chunks = walk(STATIC).sort((a, b) => statSync(b).size - statSync(a).size);
  const first = chunks[0];
  if (!first) throw new Error("no JavaScript chunk in .next/static");
  return first;
}
