/**
 * Migration 5: distributed tracing (issue 12, part 8). The W3C `traceparent` of the
 * request that placed an order, on its outbox row (the relay's publish continues that
 * trace, even after a restart) and on the order row (the trace page links to the trace).
 * NULL when tracing is off.
 */
export const traceparentSchema: string[] = [
  "ALTER TABLE orders ADD COLUMN traceparent TEXT",
  "ALTER TABLE outbox ADD COLUMN traceparent TEXT",
];
