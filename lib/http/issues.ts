import type { z } from "zod";
import { WarrenError } from "../errors";

export type FieldErrors = Record<string, string[]>;

/**
 * Zod issues as `{ field: [messages] }`, the one shape forms and JSON 400s
 * show: keyed by the issue's path ("items.0.name"), or `fallback` for an issue
 * about the whole value.
 */
export function fieldErrorsOf(error: z.ZodError, fallback = "form"): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : fallback;
    const list = out[key] ?? [];
    list.push(issue.message);
    out[key] = list;
  }
  return out;
}

/** Parses or throws a 400 carrying the field errors. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, fallback = "body"): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new WarrenError("bad_request", "Invalid request.", { fieldErrors: fieldErrorsOf(parsed.error, fallback) });
}
