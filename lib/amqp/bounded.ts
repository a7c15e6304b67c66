import type { Channel, ChannelModel } from "amqplib";

export class StepTimeout extends Error {
  constructor(step: string, ms: number) {
    super(`${step} did not finish within ${ms} ms`);
    this.name = "StepTimeout";
  }
}

/**
 * Races a step against a timer. `onLate` gets the value of a step that settles
 * after the timeout, so whatever it opened (a connection, a channel) is closed
 * instead of leaking.
 */
export function bounded<T>(step: Promise<T>, ms: number, name: string, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new StepTimeout(name, ms));
    }, ms);
    step.then(
      (value) => {
        if (late) onLate?.(value);
        else {
          clearTimeout(timer);
          resolve(value);
        }
      },
      (error: unknown) => {
        if (late) return;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

interface WithStream {
  connection?: { stream?: { destroy(): void } };
}

/**
 * Closes a connection without ever waiting forever: amqplib's `close()` waits
 * for the broker's close-ok, and when the socket dies first that promise never
 * settles. Ask politely for a moment, then drop the socket.
 */
export function dropConnection(model: ChannelModel, graceMs = 1000): Promise<void> {
  model.on("error", () => {});
  const destroy = () => (model as unknown as WithStream).connection?.stream?.destroy();
  return bounded(model.close(), graceMs, "connection close").then(destroy, destroy);
}

/** The same for a channel: its close-ok can be lost with the connection, and then `close()` never settles. */
export function dropChannel(channel: Channel, graceMs = 1000): Promise<void> {
  channel.on("error", () => {});
  return bounded(channel.close(), graceMs, "channel close").then(
    () => {},
    () => {},
  );
}

/** Exponential backoff with jitter; attempts are never capped, only the delay is. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
