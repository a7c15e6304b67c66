import { WarrenError } from "../errors";
import type { Warren } from "./warren";

/**
 * The ONE globalThis slot of a Warren process. Next.js loads instrumentation
 * and route handlers in separate module graphs (each with its own copy of
 * every module), so module state would exist twice; this slot is shared.
 */
const slot = globalThis as typeof globalThis & { __warren?: Warren };

/**
 * The running process, as built by instrumentation.ts (web) or lib/payments/worker.ts (worker).
 * Between close() and the exit there is none: a request then gets a 503 to retry (elsewhere).
 */
export function currentWarren(): Warren {
  const warren = slot.__warren;
  if (!warren) {
    throw new WarrenError("broker_unavailable", "Warren is not running in this process (starting or shutting down).");
  }
  return warren;
}

/** The running process, or null (before start, after close). */
export function findWarren(): Warren | null {
  return slot.__warren ?? null;
}

/** Holds `warren` as this process's one instance; refuses a second one. */
export function holdWarren(warren: Warren): void {
  if (slot.__warren && slot.__warren !== warren) throw new Error("a Warren process is already running here");
  slot.__warren = warren;
}

export function releaseWarren(warren: Warren): void {
  if (slot.__warren === warren) slot.__warren = undefined;
}
