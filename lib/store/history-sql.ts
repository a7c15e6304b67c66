import type { HistoryBucket, HistorySample, RateSource } from "./store";

/**
 * The queue history's SQL, one text for both adapters ($n placeholders; SQLite binds them as
 * @pN). A row is a bucket: `n` samples averaged, the depth's peaks in *_max. Averages merge
 * exactly (weighted by n, nulls not counted) whether rows are rolled up or read in wider buckets.
 */
const AVERAGED = ["ready", "unacked", "consumers", "publish", "deliver", "ack"] as const;

const weighted = (column: string) =>
  `SUM(${column} * n) / NULLIF(SUM(CASE WHEN ${column} IS NULL THEN 0 ELSE n END), 0)`;

/** SELECT list of one bucket per (queue, at / $step) group. */
const bucketColumns = `SUM(n) AS n, ${AVERAGED.map((c) => `${weighted(c)} AS ${c}`).join(", ")},
  MAX(ready_max) AS ready_max, MAX(unacked_max) AS unacked_max, MAX(rate_source) AS rate_source`;

/** On a bucket that already exists (a late row): merge, weighting each side by its samples. */
const mergeColumn = (c: string) =>
  `${c} = CASE WHEN excluded.${c} IS NULL THEN queue_history.${c} WHEN queue_history.${c} IS NULL THEN excluded.${c}
    ELSE (queue_history.${c} * queue_history.n + excluded.${c} * excluded.n) / (queue_history.n + excluded.n) END`;
const maxColumn = (c: string) =>
  `${c} = CASE WHEN queue_history.${c} IS NULL OR excluded.${c} > queue_history.${c} THEN excluded.${c} ELSE queue_history.${c} END`;

/** $1 queue, $2 resolution, $3 at, then the fields: a first sample in a slot wins, a second is ignored. */
const recordSql = `INSERT INTO queue_history
  (queue, resolution, at, n, ready, ready_max, unacked, unacked_max, consumers, publish, deliver, ack, rate_source)
  VALUES ($1, $2, $3, 1, $4, $4, $5, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (queue, resolution, at) DO NOTHING`;

export const recordParams = (s: HistorySample, resolutionMs: number) => [
  s.queue,
  resolutionMs,
  Math.floor(s.at / resolutionMs) * resolutionMs,
  s.ready,
  s.unacked,
  s.consumers,
  s.publish,
  s.deliver,
  s.ack,
  s.rateSource,
];

/** $1 next resolution, $2 this resolution, $3 cutoff (a multiple of $1): this tier's old rows as next-tier buckets. */
const rollupSql = `INSERT INTO queue_history
  (queue, resolution, at, n, ready, unacked, consumers, publish, deliver, ack, ready_max, unacked_max, rate_source)
  SELECT queue, CAST($1 AS BIGINT), (at / CAST($1 AS BIGINT)) * CAST($1 AS BIGINT) AS bucket, ${bucketColumns}
  FROM queue_history WHERE resolution = CAST($2 AS BIGINT) AND at < CAST($3 AS BIGINT)
  GROUP BY queue, bucket
  ON CONFLICT (queue, resolution, at) DO UPDATE SET
  ${AVERAGED.map(mergeColumn).join(",\n  ")},
  ${maxColumn("ready_max")}, ${maxColumn("unacked_max")},
  rate_source = COALESCE(excluded.rate_source, queue_history.rate_source),
  n = queue_history.n + excluded.n`;

/** $1 resolution, $2 cutoff. */
const deleteOlderSql = "DELETE FROM queue_history WHERE resolution = $1 AND at < $2";

/** $1 queue, $2 step, $3 from, $4 to. */
const readSql = `SELECT (at / CAST($2 AS BIGINT)) * CAST($2 AS BIGINT) AS bucket, ${bucketColumns}
  FROM queue_history WHERE queue = $1 AND resolution <= CAST($2 AS BIGINT) AND at >= CAST($3 AS BIGINT) AND at < CAST($4 AS BIGINT)
  GROUP BY bucket ORDER BY bucket`;

export interface BucketRow {
  bucket: number;
  n: number;
  ready: number | null;
  unacked: number | null;
  consumers: number | null;
  publish: number | null;
  deliver: number | null;
  ack: number | null;
  ready_max: number | null;
  unacked_max: number | null;
  rate_source: string | null;
}

const RATE_SOURCES = new Set<string>(["broker", "derived", "prometheus"]);

export function toBucket(row: BucketRow): HistoryBucket {
  return {
    at: Number(row.bucket),
    samples: Number(row.n),
    ready: row.ready,
    unacked: row.unacked,
    consumers: row.consumers,
    publish: row.publish,
    deliver: row.deliver,
    ack: row.ack,
    readyMax: row.ready_max,
    unackedMax: row.unacked_max,
    rateSource: row.rate_source && RATE_SOURCES.has(row.rate_source) ? (row.rate_source as RateSource) : null,
  };
}

/** $1 queue, $2 pinned (0/1), $3 at. Pinned stays pinned once set. */
const trackSql = `INSERT INTO history_queues (queue, pinned, viewed_at) VALUES ($1, $2, $3)
  ON CONFLICT (queue) DO UPDATE SET viewed_at = excluded.viewed_at,
  pinned = CASE WHEN history_queues.pinned > excluded.pinned THEN history_queues.pinned ELSE excluded.pinned END`;

/** Unpinned queues, most recently viewed first: the ones past the bound are dropped. */
const viewedSql = "SELECT queue FROM history_queues WHERE pinned = 0 ORDER BY viewed_at DESC, queue";

const forgetSql = ["DELETE FROM queue_history WHERE queue = $1", "DELETE FROM history_queues WHERE queue = $1"];

const trackedSql = "SELECT queue FROM history_queues ORDER BY pinned DESC, viewed_at DESC, queue";

const countsSql = (oneQueue: boolean) =>
  `SELECT resolution, COUNT(*) AS n FROM queue_history ${oneQueue ? "WHERE queue = $1" : ""} GROUP BY resolution`;

/** The texts both adapters run ($n placeholders). */
export const historySql = {
  record: recordSql,
  rollup: rollupSql,
  deleteOlder: deleteOlderSql,
  read: readSql,
  track: trackSql,
  viewed: viewedSql,
  forget: forgetSql,
  tracked: trackedSql,
  counts: countsSql,
};

/** The unpinned queues past the bound (rows as `viewed` orders them): the ones `track` forgets. */
export const droppedQueues = (viewed: { queue: string }[], maxViewed: number) =>
  viewed.slice(maxViewed).map((row) => row.queue);

/** `counts` rows as rows per resolution. */
export const countsByResolution = (rows: { resolution: number; n: number }[]): Record<number, number> =>
  Object.fromEntries(rows.map((row) => [row.resolution, row.n]));
