import type { ChannelState } from "../amqp/channel";
import type { LinkStatus } from "../amqp/link";
import type { ConsumerStatus } from "../payments/consumer";
import { WAITING_FOR_STATE } from "../payments/pipeline-state";

export interface ChannelStatus {
  state: ChannelState;
  since: number;
  lastError: string | null;
}

export interface ReadinessInput {
  publishLink: LinkStatus;
  consumeLink: LinkStatus;
  publishChannel: ChannelStatus;
  /** Null where this process runs no consumer (WARREN_CONSUMER=0). */
  consumer: ConsumerStatus | null;
  /** The last publish to the orders exchange the broker returned as unroutable, cleared by a routed one. */
  unroutable: { at: number; exchange: string; routingKey: string } | null;
  /** The store can make nothing durable any more (a failed WAL sync, its file deleted): until a restart. */
  storeLost?: { why: string; since: number } | null;
  now?: number;
}

export interface NotReady {
  /** What cannot work: "publish" (orders wait in the outbox) or "consume" (nothing is paid). */
  cannot: "publish" | "consume";
  why: string;
  since: number;
  forMs: number;
}

export interface Readiness {
  ready: boolean;
  notReady: NotReady[];
}

/**
 * Ready means this process can publish AND (where it consumes) pay right now.
 * An operator's pause is a choice, not a fault: it is reported by the
 * consumer's state but keeps the process ready (a restart would undo it).
 * A consumer held until it has read the stored pause/resume state, or whose
 * database is away (unreachable, full, unwritable: its deliveries wait), pays
 * nothing, whatever its subscription says: not ready.
 */
export function readiness(input: ReadinessInput): Readiness {
  const now = input.now ?? Date.now();
  const notReady: NotReady[] = [];
  const add = (cannot: NotReady["cannot"], why: string, since: number) =>
    notReady.push({ cannot, why, since, forMs: Math.max(0, now - since) });

  const link = (cannot: NotReady["cannot"], status: LinkStatus) => {
    if (status.state === "up") return true;
    const verb = status.state === "connecting" ? "connecting to the broker" : "broker unreachable";
    add(cannot, `${verb}${status.lastError ? `: ${status.lastError}` : ""}`, status.since);
    return false;
  };

  if (link("publish", input.publishLink) && input.publishChannel.state !== "open") {
    add(
      "publish",
      `publish channel reopening${input.publishChannel.lastError ? `: ${input.publishChannel.lastError}` : ""}`,
      input.publishChannel.since,
    );
  }
  if (input.unroutable) {
    add("publish", `unroutable: no queue bound to ${input.unroutable.exchange}`, input.unroutable.at);
  }
  if (input.storeLost) {
    // Orders are refused (not stored) and nothing more is acked, whatever the broker is doing.
    add("publish", `database: ${input.storeLost.why}`, input.storeLost.since);
    if (input.consumer) add("consume", `database: ${input.storeLost.why}`, input.storeLost.since);
  }
  if (input.consumer && link("consume", input.consumeLink)) {
    const { state, since, reason, storeUnavailable } = input.consumer;
    if (state === "reconnecting" || state === "stopped") {
      add("consume", `consumer ${state}${reason ? `: ${reason}` : ""}`, since);
    } else if (state === "paused" && reason === WAITING_FOR_STATE) {
      add("consume", `${WAITING_FOR_STATE} (the database has not answered yet)`, since);
    }
    if (storeUnavailable) add("consume", `database unavailable: ${storeUnavailable.error}`, storeUnavailable.since);
  }
  return { ready: notReady.length === 0, notReady };
}
