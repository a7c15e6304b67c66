import "server-only";
import { env } from "../config/env";
import { findWarren } from "./current";
import { log, logFor } from "./log";
import { createWarren, type Role, type Warren, type WarrenOptions } from "./warren";

export { currentWarren, findWarren } from "./current";
export { type Log, log } from "./log";
export type { LiveParts, Role, Warren } from "./warren";

/**
 * This process's Warren, built from the environment on the first call.
 * `register()` may run more than once (and in its own module graph): a second
 * call gets the running process instead of a second one.
 */
export function startWarren(role: Role, options: Partial<WarrenOptions> = {}): Warren {
  return findWarren() ?? createWarren(env(), role, { log, logFor, ...options });
}
