import "server-only";
import { listConnections } from "../broker-admin/connections";
import { currentWarren } from "../process/current";

/** One producer identity within a reason group. */
export interface Sender {
  /** The message's `app_id`: the producer's own name for itself (the broker does not check it). */
  appId: string | null;
  /** The message's `user_id`: checked by the broker against the publishing connection's user. */
  userId: string | null;
  count: number;
  firstAt: number;
  lastAt: number;
  lastMinute: number;
  lastHour: number;
  /**
   * Client-provided names of the connections open NOW as `userId` (management API): the candidates.
   * null when unknown (no user_id, or the management API unreachable).
   */
  liveConnections: string[] | null;
}

/** Who sends the bad messages of one reason group. */
export interface SenderGroup {
  group: string;
  count: number;
  firstAt: number;
  lastAt: number;
  lastMinute: number;
  /** Average per minute over the last hour. */
  perMinuteLastHour: number;
  senders: Sender[];
}

export interface SendersReport {
  at: number;
  groups: SenderGroup[];
  /** Whether live connections could be matched (the management API answered). */
  connections: "management" | "limited";
}

const LIMIT = 500;

/**
 * Who sends bad messages, from what Warren's consumer noted when it dead-lettered each one
 * (lib/store dead_letter_sources): per reason group, first and last seen, the rate, and the
 * producer's `app_id` and `user_id`. The publishing connection's name is not in a message; the
 * management API only knows connections that are open now, so a user's live connections are
 * listed as candidates, never as proof.
 */
export async function deadLetterSenders(): Promise<SendersReport> {
  const { store, management } = currentWarren();
  const at = Date.now();
  const rows = await store.payments.deadLetterSources({ minuteAgo: at - 60_000, hourAgo: at - 3_600_000 }, LIMIT);
  const users = new Set(rows.map((r) => r.userId).filter((u): u is string => u !== null));
  const byUser = new Map<string, string[]>();
  let connections: SendersReport["connections"] = "management";
  if (users.size > 0) {
    const list = await listConnections(management, management.vhost);
    connections = list.mode;
    for (const c of list.connections) {
      if (!c.user || !users.has(c.user)) continue;
      // A connection's own name is its peer address (ip:port), which only operators see (on
      // /connections); this list is public, so an unnamed connection shows as such.
      byUser.set(c.user, [...(byUser.get(c.user) ?? []), c.clientName ?? "(a connection without a client name)"]);
    }
  }
  const groups = new Map<string, SenderGroup>();
  for (const row of rows) {
    const group = groups.get(row.group) ?? {
      group: row.group,
      count: 0,
      firstAt: row.firstAt,
      lastAt: row.lastAt,
      lastMinute: 0,
      perMinuteLastHour: 0,
      senders: [],
    };
    group.count += row.count;
    group.firstAt = Math.min(group.firstAt, row.firstAt);
    group.lastAt = Math.max(group.lastAt, row.lastAt);
    group.lastMinute += row.lastMinute;
    group.perMinuteLastHour += row.lastHour / 60;
    group.senders.push({
      appId: row.appId,
      userId: row.userId,
      count: row.count,
      firstAt: row.firstAt,
      lastAt: row.lastAt,
      lastMinute: row.lastMinute,
      lastHour: row.lastHour,
      liveConnections:
        row.userId === null || connections === "limited" ? null : [...new Set(byUser.get(row.userId) ?? [])].sort(),
    });
    groups.set(row.group, group);
  }
  return {
    at,
    groups: [...groups.values()]
      .map((g) => ({ ...g, perMinuteLastHour: Math.round(g.perMinuteLastHour * 100) / 100 }))
      .sort((a, b) => b.lastAt - a.lastAt),
    connections,
  };
}
