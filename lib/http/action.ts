import type { z } from "zod";
import { isWarrenError } from "../errors";
import { partLogger } from "../observability/logger";
import { type FieldErrors, fieldErrorsOf } from "./issues";

/**
 * The one shape every server action answers with (read by `useActionState`):
 * expected failures are state, never thrown. `code` is the HTTP-like status
 * of a refusal or failure (400, 401, 403, 404, 503 …), so the UI can say
 * "sign in" rather than "not allowed" without reading the message.
 */
export interface ActionState {
  status: "idle" | "ok" | "error";
  message: string;
  fieldErrors?: FieldErrors;
  code?: number;
  /** When the answer was made: lets a form show the same message twice as new. */
  at?: number;
}

export const idleState: ActionState = { status: "idle", message: "" };

/**
 * redirect(), notFound() and dynamic-rendering bailouts work by throwing an
 * error with a NEXT_-style digest: answers, not failures, so they pass
 * through. (Checked by digest, as next/navigation's unstable_rethrow does,
 * without importing React into plain-Node callers.)
 */
function isNextControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return (
    typeof digest === "string" &&
    (digest.startsWith("NEXT_") || digest === "DYNAMIC_SERVER_USAGE" || digest.startsWith("BAILOUT_TO_CLIENT"))
  );
}

export function errorState(error: unknown, what: string): ActionState {
  if (isNextControlFlow(error)) throw error;
  if (isWarrenError(error)) return { status: "error", message: error.message, code: error.status, at: Date.now() };
  partLogger("actions").error({ err: error }, `[actions] unexpected error in ${what}`);
  return { status: "error", message: `${what} failed unexpectedly; see the server log.`, code: 500, at: Date.now() };
}

/**
 * After nextjs/saas-starter's `validatedAction`: parse the input with the
 * action's schema (field errors on failure, with `nothingDone` as the
 * message), then run; a WarrenError becomes an error state with its code.
 */
export function validatedAction<S extends z.ZodType, R extends ActionState, I = FormData>(
  schema: S,
  read: (input: I) => unknown,
  options: { what: string; nothingDone: string },
  run: (data: z.output<S>) => Promise<R>,
): (previous: R, input: I) => Promise<R> {
  return async (_previous, input) => {
    const parsed = schema.safeParse(read(input));
    if (!parsed.success) {
      // Every extra field of R is optional: an error state is an R.
      return {
        status: "error",
        message: options.nothingDone,
        fieldErrors: fieldErrorsOf(parsed.error),
        code: 400,
        at: Date.now(),
      } as R;
    }
    try {
      return await run(parsed.data);
    } catch (error) {
      return errorState(error, options.what) as R;
    }
  };
}

/** A string field of a form, "" when absent or a file. */
export function formText(formData: FormData, key: string): string {
  const value = formData instanceof FormData ? formData.get(key) : null;
  return typeof value === "string" ? value : "";
}
