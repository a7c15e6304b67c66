import type { ChannelModel } from "amqplib";
import { z } from "zod";
import { fieldErrorsOf } from "../http/issues";
import {
  isManagementUnavailable,
  type ManagementClient,
  type ManagementQueueRow,
  type QueuePageQuery,
} from "./management";
import { probeQueue } from "./probe";

/** Columns the queues table can sort by, and the management API key behind each. */
export const SORT_KEYS = {
  name: "name",
  type: "type",
  state: "state",
  ready: "messages_ready",
  unacked: "messages_unacknowledged",
  total: "messages",
  consumers: "consumers",
  publish: "message_stats.publish_details.rate",
  deliver: "message_stats.deliver_get_details.rate",
  ack: "message_stats.ack_details.rate",
} as const;
export type SortColumn = keyof typeof SORT_KEYS;
export const SORT_COLUMNS = Object.keys(SORT_KEYS) as SortColumn[];
export const PAGE_SIZES = [25, 50, 100, 250, 500] as const;

const one = (value: unknown) => (Array.isArray(value) ? value[0] : value);

/** The queues page's query string; every field is checked, with a message a person can act on. */
export const queueListQuerySchema = z.object({
  page: z.preprocess(
    one,
    z.coerce
      .number({ message: "page must be a whole number from 1" })
      .int("page must be a whole number from 1")
      .min(1, "page must be a whole number from 1")
      .max(1_000_000, "page is too large")
      .default(1),
  ),
  size: z.preprocess(
    one,
    z.coerce
      .number()
      .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), {
        message: `page size must be one of ${PAGE_SIZES.join(", ")}`,
      })
      .default(50),
  ),
  name: z.preprocess(
    one,
    z.string().trim().max(200, "the name filter is limited to 200 characters").optional().default(""),
  ),
  sort: z.preprocess(
    one,
    z
      .enum(SORT_COLUMNS as [SortColumn, ...SortColumn[]], {
        message: `sort must be one of ${SORT_COLUMNS.join(", ")}`,
      })
      .default("name"),
  ),
  dir: z.preprocess(one, z.enum(["asc", "desc"], { message: "dir must be asc or desc" }).default("asc")),
  vhost: z.preprocess(
    one,
    z
      .string()
      .refine((v) => v !== "*", { message: "pick one vhost" })
      .refine((v) => Buffer.byteLength(v) <= 255, { message: "vhost names are at most 255 bytes" })
      .default("/"),
  ),
});
export type QueueListQuery = z.infer<typeof queueListQuerySchema>;

export function parseQueueListQuery(
  source: URLSearchParams | Record<string, string | string[] | undefined>,
): { ok: true; query: QueueListQuery } | { ok: false; fieldErrors: Record<string, string[]>; query: QueueListQuery } {
  const raw = source instanceof URLSearchParams ? Object.fromEntries(source.entries()) : source;
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "" && v !== undefined));
  const parsed = queueListQuerySchema.safeParse(cleaned);
  if (parsed.success) return { ok: true, query: parsed.data };
  const fieldErrors = fieldErrorsOf(parsed.error, "query");
  // The page still renders, with defaults for the fields that were wrong.
  const fallback = queueListQuerySchema.parse(
    Object.fromEntries(Object.entries(cleaned).filter(([key]) => !(key in fieldErrors))),
  );
  return { ok: false, fieldErrors, query: fallback };
}

export interface DeadLetterTarget {
  exchange: string;
  routingKey: string | null;
  /** Where it comes from: the queue's own x-arguments, or the effective policy. */
  source: "arguments" | "policy";
}

export interface QueueRow {
  name: string;
  type: string | null;
  state: string | null;
  ready: number | null;
  unacked: number | null;
  total: number | null;
  consumers: number | null;
  publishRate: number | null;
  deliverRate: number | null;
  ackRate: number | null;
  deadLetter: DeadLetterTarget | null;
  policy: string | null;
  /** One of Warren's own queues (its order queue or DLQ). */
  warren: boolean;
  /** Only when state is "unreachable": the broker's last answer about this queue. */
  lastSeen?: { at: number; ready: number | null; consumers: number | null } | null;
  /** Set when the rates are not the broker's: e.g. "derived" from Warren's samples (statistics off). */
  rateSource?: "derived" | "prometheus";
}

export interface QueueListResult {
  mode: "management" | "limited";
  /** Why the page is limited, when it is. */
  limitedReason: string | null;
  query: QueueListQuery;
  rows: QueueRow[];
  /** Queues matching the filter, and in the vhost. */
  filteredCount: number;
  totalCount: number;
  pageCount: number;
  fetchedInMs: number;
  /** The vhost Warren's link uses: only its queues have a detail page here. */
  warrenVhost: string;
}

export const LIMITED_MODE_MESSAGE = "limited mode: enable rabbitmq_management for all queues and rates";

const str = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

/** The dead-letter target: queue arguments win over a policy, as in RabbitMQ itself. */
export function deadLetterTargetOf(row: Pick<ManagementQueueRow, "arguments" | "effective_policy_definition">) {
  const args = row.arguments ?? {};
  const exchangeArg = str(args["x-dead-letter-exchange"]) ?? (args["x-dead-letter-exchange"] === "" ? "" : null);
  if (exchangeArg !== null) {
    return {
      exchange: exchangeArg,
      routingKey: str(args["x-dead-letter-routing-key"]),
      source: "arguments",
    } satisfies DeadLetterTarget;
  }
  const policy = Array.isArray(row.effective_policy_definition) ? {} : (row.effective_policy_definition ?? {});
  const exchangePolicy = policy["dead-letter-exchange"];
  if (typeof exchangePolicy === "string") {
    return {
      exchange: exchangePolicy,
      routingKey: str(policy["dead-letter-routing-key"]),
      source: "policy",
    } satisfies DeadLetterTarget;
  }
  return null;
}

export function toQueueRow(row: ManagementQueueRow, own: ReadonlySet<string>): QueueRow {
  // The broker leaves out the stats of what never happened on a queue: zero, not unknown. But with
  // statistics collection off it leaves out the counts too: then the rates are unknown, not zero.
  const statsOff = row.messages_ready === undefined && row.message_stats === undefined;
  const stats = row.message_stats ?? {};
  const rateOf = (value: unknown) => (statsOff ? null : (num(value) ?? 0));
  return {
    name: row.name,
    type: str(row.type),
    state: str(row.state),
    ready: num(row.messages_ready),
    unacked: num(row.messages_unacknowledged),
    total: num(row.messages),
    consumers: num(row.consumers),
    publishRate: rateOf(stats.publish_details?.rate),
    deliverRate: rateOf(stats.deliver_get_details?.rate),
    ackRate: rateOf(stats.ack_details?.rate),
    deadLetter: deadLetterTargetOf(row),
    policy: str(row.policy),
    warren: own.has(row.name),
  };
}

export interface QueueListSources {
  management: ManagementClient;
  /** The live AMQP connection, for the fallback; null while reconnecting. */
  amqp: () => ChannelModel | null;
  /** Warren's own queues: listed in limited mode, marked in the full list. */
  ownQueues: string[];
  /** The live sampler's last answer about a queue, shown while the broker cannot be asked. */
  lastSeen?: (name: string) => QueueRow["lastSeen"];
}

/** One page of queues: from the management API, or Warren's own queues over AMQP when it is away. */
export async function listQueues(query: QueueListQuery, sources: QueueListSources): Promise<QueueListResult> {
  const started = performance.now();
  // Warren's own queues live in its vhost only.
  const own = new Set(query.vhost === sources.management.vhost ? sources.ownQueues : []);
  const pageQuery: QueuePageQuery = {
    page: query.page,
    pageSize: query.size,
    name: query.name,
    sort: SORT_KEYS[query.sort],
    reverse: query.dir === "desc",
    vhost: query.vhost,
  };
  try {
    const page = await sources.management.listQueues(pageQuery);
    return {
      mode: "management",
      limitedReason: null,
      query: { ...query, page: page.page ?? query.page },
      rows: page.items.map((item) => toQueueRow(item, own)),
      filteredCount: page.filtered_count,
      totalCount: page.total_count,
      pageCount: Math.max(1, page.page_count),
      fetchedInMs: Math.round(performance.now() - started),
      warrenVhost: sources.management.vhost,
    };
  } catch (error) {
    if (!isManagementUnavailable(error)) throw error;
    const rows = await limitedRows(sources);
    const needle = query.name.toLowerCase();
    const filtered = rows.filter((row) => row.name.toLowerCase().includes(needle));
    filtered.sort(compareBy(query.sort, query.dir));
    return {
      mode: "limited",
      limitedReason: error.message,
      query: { ...query, page: 1, vhost: sources.management.vhost },
      rows: filtered,
      filteredCount: filtered.length,
      totalCount: rows.length,
      pageCount: 1,
      fetchedInMs: Math.round(performance.now() - started),
      warrenVhost: sources.management.vhost,
    };
  }
}

async function limitedRows(sources: QueueListSources): Promise<QueueRow[]> {
  const model = sources.amqp();
  return Promise.all(
    sources.ownQueues.map(async (name): Promise<QueueRow> => {
      const probed = model ? await probeQueue(model, name) : null;
      return {
        name,
        type: null,
        // No connection is "unreachable", which says nothing about whether the queue exists.
        state: probed ? (probed.exists ? "running" : "missing") : "unreachable",
        ...(probed ? {} : { lastSeen: sources.lastSeen?.(name) ?? null }),
        ready: probed?.ready ?? null,
        unacked: null,
        total: null,
        consumers: probed?.consumers ?? null,
        publishRate: null,
        deliverRate: null,
        ackRate: null,
        deadLetter: null,
        policy: null,
        warren: true,
      };
    }),
  );
}

const ROW_FIELD: Record<SortColumn, keyof QueueRow> = {
  name: "name",
  type: "type",
  state: "state",
  ready: "ready",
  unacked: "unacked",
  total: "total",
  consumers: "consumers",
  publish: "publishRate",
  deliver: "deliverRate",
  ack: "ackRate",
};

function compareBy(column: SortColumn, dir: "asc" | "desc") {
  const field = ROW_FIELD[column];
  const sign = dir === "asc" ? 1 : -1;
  return (a: QueueRow, b: QueueRow) => {
    const x = a[field];
    const y = b[field];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * sign;
  };
}
