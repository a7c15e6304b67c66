/**
 * How every "standing by" reason of a payment consumer begins (lib/payments/seats.ts): the queue page
 * and the pipeline watcher tell a consumer standing by for a seat from one paused by an operator by it.
 * Its own module, free of Node's APIs, because the queue page's client code imports it.
 */
export const STANDING_BY = "standing by";

/** Whether a pause reason is a standby's (a seat not free), not an operator's or the process's own. */
export function isStandbyReason(reason: string | null | undefined): boolean {
  return reason?.startsWith(STANDING_BY) ?? false;
}
