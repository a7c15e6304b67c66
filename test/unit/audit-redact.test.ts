import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditEntry } from "../../lib/audit/log";
import { redactEntries } from "../../lib/audit/redact";

const entry = (details: Record<string, unknown>): AuditEntry =>
  ({ id: 1, at: 1, actor: "operator#a", action: "queue.search", target: "q", result: "ok", details }) as AuditEntry;

describe("audit redaction", () => {
  it("hides what an operator searched for, moved or exported from everyone else", () => {
    const [seen] = redactEntries([
      entry({ filter: 'card = "4111"', selection: { filter: 'email = "bob@x"' }, read: 10, client: "1.2.3.4" }),
    ]);
    assert.deepEqual(seen?.details, {
      filter: "(operators only)",
      selection: "(operators only)",
      read: 10,
      client: "(operators only)",
    });
    const [own] = redactEntries([entry({ filter: "x" })], true);
    assert.deepEqual(own?.details, { filter: "x" });
  });
});
