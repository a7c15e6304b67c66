import "server-only";
import { findWarren } from "../process/current";
import { readiness } from "./readiness";

/**
 * `/api/health` as readiness that tells the truth: ready only while this
 * process can publish and (where it runs a consumer) pay, with what cannot
 * work, why and since when otherwise. Before start and after close there is
 * no process to be ready.
 */
export function healthStatus() {
  const warren = findWarren();
  if (!warren) {
    return {
      ok: false,
      ready: false,
      broker: "down" as const,
      consumer: false,
      consumerState: null,
      notReady: [
        { cannot: "publish" as const, why: "Warren is starting or shutting down", since: Date.now(), forMs: 0 },
      ],
      queue: null,
    };
  }
  const { publishLink, consumeLink, publisher, consumer, env, closing } = warren;
  const state = readiness({
    publishLink: publishLink.status(),
    consumeLink: consumeLink.status(),
    publishChannel: publisher.channelState,
    consumer: consumer ? consumer.status() : null,
    unroutable: publisher.lastUnroutable,
    storeLost: warren.store.durabilityLost?.(),
  });
  const ready = state.ready && !closing;
  return {
    ok: ready,
    ready,
    broker: publishLink.state,
    consumer: consumer?.stats.running ?? false,
    consumerState: consumer ? consumer.status() : null,
    notReady: closing
      ? [...state.notReady, { cannot: "publish" as const, why: "shutting down", since: Date.now(), forMs: 0 }]
      : state.notReady,
    queue: env.ORDER_QUEUE,
  };
}
