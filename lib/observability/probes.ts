import { channel } from "node:diagnostics_channel";

/**
 * Timings the parts report as they happen, for histograms. Named diagnostics
 * channels rather than a metrics object passed to every constructor: the
 * names are process-wide (Next.js loads instrumentation and route handlers in
 * separate module graphs, each with its own copy of this module), a publish
 * with no subscriber costs a boolean check, and the process's metrics
 * registry subscribes to them for as long as it lives.
 */
export const PROBES = {
  /** A write transaction committed (no fsync: see lib/store/durable.ts). `tx` names which. */
  commit: "warren:db.commit",
  /** One fdatasync of the WAL. */
  fsync: "warren:db.fsync",
  /** An order the broker confirmed: from its acceptance to the confirm. */
  orderConfirmed: "warren:orders.confirmed",
} as const;

export interface CommitProbe {
  tx: string;
  seconds: number;
}

export interface DurationProbe {
  seconds: number;
}

const commitChannel = channel(PROBES.commit);
const fsyncChannel = channel(PROBES.fsync);
const confirmedChannel = channel(PROBES.orderConfirmed);

export const probe = {
  commit(tx: string, startedAt: bigint): void {
    if (commitChannel.hasSubscribers) commitChannel.publish({ tx, seconds: secondsSince(startedAt) } as CommitProbe);
  },
  fsync(startedAt: bigint): void {
    if (fsyncChannel.hasSubscribers) fsyncChannel.publish({ seconds: secondsSince(startedAt) } as DurationProbe);
  },
  orderConfirmed(acceptedAtMs: number, confirmedAtMs: number): void {
    if (confirmedChannel.hasSubscribers) {
      confirmedChannel.publish({ seconds: Math.max(0, confirmedAtMs - acceptedAtMs) / 1000 } as DurationProbe);
    }
  },
};

/** A start mark for `probe.commit` / `probe.fsync`. */
export const startTimer = (): bigint => process.hrtime.bigint();

function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}
