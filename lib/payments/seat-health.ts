import type { ConsumerStatus } from "./consumer";
import { WAITING_FOR_STATE } from "./pipeline-state";
import type { SeatHolderHealth } from "./seats";
import { isStandbyReason } from "./standby";

/** How long a seat's holder may be unable to pay before a process without a seat fills in for it. */
export const UNABLE_GRACE_MS = 5000;

/**
 * Whether a consumer holding a seat can pay, as its seat answers a process without one
 * (lib/payments/seats.ts): not once its database's durability is lost, nor while its broker link,
 * channel or database has been away for more than a few seconds (a reconnect of a second is not worth
 * a handover), nor while it has held the seat for that long without taking it up (still waiting for
 * the stored pipeline state, or still paused as a standby because that state cannot be read). An
 * operator's pause is paying: every process is paused alike.
 */
export function seatHolderHealth(
  status: ConsumerStatus,
  durabilityLost: { why: string } | null,
  now = Date.now(),
): SeatHolderHealth {
  if (durabilityLost) return { paying: false, why: `database: ${durabilityLost.why}` };
  const long = (since: number) => now - since > UNABLE_GRACE_MS;
  if (status.storeUnavailable && long(status.storeUnavailable.since)) {
    return { paying: false, why: `database unavailable: ${status.storeUnavailable.error}` };
  }
  if (status.state === "reconnecting" && long(status.since)) {
    return { paying: false, why: `reconnecting: ${status.reason ?? "the broker"}` };
  }
  if (status.state === "paused" && long(status.since)) {
    if (status.reason === WAITING_FOR_STATE) return { paying: false, why: WAITING_FOR_STATE };
    if (isStandbyReason(status.reason)) {
      return { paying: false, why: "holds a seat but has not taken it up (the stored pipeline state cannot be read)" };
    }
  }
  return { paying: true };
}
