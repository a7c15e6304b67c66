import type { AuditEntry } from "./log";

/**
 * Details only operators see: bodies of published messages, where a request came from, and the
 * filters of message searches, moves and exports (they quote what the operator looked for).
 */
const OPERATOR_ONLY = new Set(["preview", "body", "client", "filter", "selection"]);

export function redactEntries(entries: AuditEntry[], privileged = false): AuditEntry[] {
  if (privileged) return entries;
  return entries.map((entry) => {
    if (!entry.details) return entry;
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry.details)) {
      details[key] = OPERATOR_ONLY.has(key) ? "(operators only)" : value;
    }
    return { ...entry, details };
  });
}
