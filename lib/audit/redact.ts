import type { AuditEntry } from "./log";

/** Details only operators see: bodies of published messages and where a request came from. */
const OPERATOR_ONLY = new Set(["preview", "body", "client"]);

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
