import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

/**
 * The cross-origin check, the size-limited body reader and the error mapping
 * live in one wrapper (lib/http/route.ts). A state-changing handler written
 * without it would be a door without a lock: this keeps the class closed.
 */
function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return routeFiles(path);
    return entry === "route.ts" ? [path] : [];
  });
}

// Bench-only routes answer 404 outside bench mode and change nothing (owned by the bench).
const EXEMPT = [/app\/api\/bench\//];

describe("route handlers", () => {
  it("every state-changing handler goes through route()", () => {
    const unwrapped: string[] = [];
    for (const file of routeFiles("app/api")) {
      if (EXEMPT.some((pattern) => pattern.test(file))) continue;
      const source = readFileSync(file, "utf8");
      for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
        const declared = new RegExp(`export (async )?function ${method}\\b|export const ${method}\\b`).test(source);
        if (!declared) continue;
        if (!new RegExp(`export const ${method} = route\\(`).test(source)) unwrapped.push(`${file} ${method}`);
      }
    }
    assert.deepEqual(unwrapped, []);
  });

  it("no route reads a body itself", () => {
    const readers = routeFiles("app/api").filter((file) =>
      /request\.(json|text|arrayBuffer|formData|body)\b/.test(readFileSync(file, "utf8")),
    );
    assert.deepEqual(readers, []);
  });
});
