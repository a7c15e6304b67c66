import { cachedStatement, type Db } from "./db";

export interface OutboxBacklog {
  /** Orders accepted (durable) and not yet confirmed by the broker. */
  waiting: number;
  /** When the oldest of them was accepted; null when none waits. */
  oldestAt: number | null;
}

/** What the health panel and the broker-down banner say about orders kept while the broker is away. */
export function outboxBacklog(db: Db): OutboxBacklog {
  const row = cachedStatement<[], { n: number; oldest: number | null }>(
    db,
    "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox",
  ).get();
  return { waiting: row?.n ?? 0, oldestAt: row?.oldest ?? null };
}
