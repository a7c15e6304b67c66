import type { z } from "zod";

/** Zod issues grouped by their first path segment, as forms and JSON 400s show them. */
export function issuesByField(error: z.ZodError, fallback = "form"): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? fallback);
    const list = out[key] ?? [];
    list.push(issue.message);
    out[key] = list;
  }
  return out;
}
