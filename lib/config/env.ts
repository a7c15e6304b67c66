import { isIP } from "node:net";
import { z } from "zod";
import { LOG_LEVELS } from "../observability/log-levels";
import { DEFAULT_PREFETCH } from "../payments/prefetch";
import { describeNodes, splitNodeList } from "./node-list";

/** The entries of WARREN_ALERT_WEBHOOKS (comma- or space-separated). */
export const webhookEntries = (value: string | undefined): string[] =>
  (value ?? "").split(/[\s,]+/).filter((entry) => entry !== "");

function isIpOrCidr(entry: string): boolean {
  const [address, bits, extra] = entry.split("/");
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (!family) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32);
}

/**
 * Every setting Warren reads from the environment, parsed once. A wrong value
 * fails at start with the variable's name and what was expected, rather than
 * surfacing later as a confusing broker or database error.
 */
/**
 * One URL or a comma-separated list of cluster nodes, each checked on its own
 * so the error names the position of the bad entry (and never its password).
 */
const nodeList = (pattern: RegExp, expected: string) =>
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const entries = splitNodeList(value);
      entries.forEach((entry, index) => {
        let problem: string | null = null;
        if (entry === "") problem = "empty (two commas in a row, or a comma at an end)";
        else if (!pattern.test(entry)) problem = `expected ${expected}`;
        else {
          try {
            new URL(entry);
          } catch {
            problem = `not a valid URL; expected ${expected}`;
          }
        }
        if (problem) {
          const where = entries.length > 1 ? `entry ${index + 1} of ${entries.length}: ` : "";
          ctx.addIssue({ code: "custom", message: `${where}${problem}` });
        }
      });
    });

const amqpUrl = nodeList(
  /^amqps?:\/\/[^\s]+$/,
  "an amqp:// or amqps:// URL, e.g. amqp://guest:guest@127.0.0.1:5672 (several nodes: comma-separated)",
);

const httpUrl = nodeList(
  /^https?:\/\/[^\s]+$/,
  "an http:// or https:// URL, e.g. http://127.0.0.1:15672 (several nodes: comma-separated)",
);

/** One http(s) URL (no node list): where spans are sent, or a trace viewer's page. */
const singleHttpUrl = (example: string) =>
  z
    .string()
    .trim()
    .regex(/^https?:\/\/\S+$/, `expected an http:// or https:// URL, e.g. ${example}`);

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value), {
    message: "expected a postgres:// or postgresql:// URL, e.g. postgres://warren@127.0.0.1:5432/warren",
  });

const queueName = z
  .string()
  .trim()
  .min(1, "expected a non-empty queue name")
  .max(200, "expected a queue name of at most 200 characters")
  .regex(/^[A-Za-z0-9._:-]+$/, "expected letters, digits, '.', '_', ':' or '-' only");

const integer = (min: number, max: number, example: number) =>
  z.coerce
    .number({ message: `expected an integer from ${min} to ${max}, e.g. ${example}` })
    .int(`expected an integer from ${min} to ${max}, e.g. ${example}`)
    .min(min, `expected an integer from ${min} to ${max}, e.g. ${example}`)
    .max(max, `expected an integer from ${min} to ${max}, e.g. ${example}`);

const flag = z
  .enum(["0", "1", "true", "false", "yes", "no", "on", "off"], {
    message: "expected 1/0, true/false, yes/no or on/off",
  })
  .transform((value) => ["1", "true", "yes", "on"].includes(value));

export const envSchema = z.object({
  AMQP_URL: amqpUrl.default("amqp://guest:guest@127.0.0.1:5672"),
  WARREN_DB_PATH: z.string().trim().min(1, "expected a file path").default("data/warren.db"),
  /** PostgreSQL for web processes and workers on several machines; unset: the SQLite file at WARREN_DB_PATH. */
  DATABASE_URL: postgresUrl.optional(),
  ORDER_QUEUE: queueName.default("order_queue"),
  PREFETCH: integer(1, 10_000, DEFAULT_PREFETCH).default(DEFAULT_PREFETCH),
  PORT: integer(1, 65_535, 3000).default(3000),
  WARREN_CONSUMER: flag.default(true),
  RABBITMQ_MANAGEMENT_URL: httpUrl.default("http://127.0.0.1:15672"),
  /** Management API user and password; default to the AMQP_URL's. */
  RABBITMQ_MANAGEMENT_USER: z.string().min(1, "expected a user name").optional(),
  RABBITMQ_MANAGEMENT_PASSWORD: z.string().optional(),
  /**
   * `rabbitmq_prometheus`'s base URL (e.g. http://127.0.0.1:15692); optional. When the management API
   * gives no rates (statistics off), queue rates come from its /metrics/per-object counters.
   */
  RABBITMQ_PROMETHEUS_URL: singleHttpUrl("http://127.0.0.1:15692").optional(),
  SAMPLE_INTERVAL_MS: integer(100, 60_000, 1000).default(1000),
  /** Enables operator sign-in; without it every action is disabled. */
  WARREN_ADMIN_PASSWORD: z.string().min(8, "expected a password of at least 8 characters").optional(),
  /**
   * Accepted for old setups and not used: sessions are server-side (the cookie holds a random token
   * whose hash is looked up in the store), so web processes share sessions through the database and
   * need no shared signing key.
   */
  WARREN_SESSION_SECRET: z.string().min(16, "expected at least 16 characters").optional(),
  /** A session ends after this many seconds without a request, and after the absolute maximum in any case. */
  WARREN_SESSION_IDLE_S: integer(60, 7 * 86_400, 1800).default(1800),
  WARREN_SESSION_MAX_S: integer(300, 30 * 86_400, 28_800).default(28_800),
  /**
   * Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs,
   * e.g. "127.0.0.1,10.0.0.0/8"); from anyone else the header is ignored.
   */
  WARREN_TRUSTED_PROXIES: z
    .string()
    .trim()
    .refine(
      (value) =>
        value
          .split(",")
          .map((entry) => entry.trim())
          .filter(Boolean)
          .every((entry) => isIpOrCidr(entry)),
      { message: "expected comma-separated IP addresses or CIDRs, e.g. 127.0.0.1,10.0.0.0/8" },
    )
    .optional(),
  /** Message fields masked for viewers in message views and previews (comma-separated, e.g. "card,email"). */
  WARREN_MASK_FIELDS: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.,\s-]*$/, "expected comma-separated field names, e.g. card,email")
    .optional(),
  /** Live SSE streams one client may hold, and one process may serve in all (429 beyond). */
  WARREN_MAX_SSE_PER_CLIENT: integer(1, 100_000, 8).default(8),
  WARREN_MAX_SSE_TOTAL: integer(1, 1_000_000, 500).default(500),
  /** Extra public hosts allowed to post server actions (comma-separated), for a reverse proxy. */
  WARREN_ALLOWED_ORIGINS: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:,\s-]*$/, "expected comma-separated host names, e.g. warren.example.com,ops.example.com")
    .optional(),
  /** Turns every operator action off, whoever is signed in. */
  WARREN_READ_ONLY: flag.default(false),
  /** The health panel lists confirmed orders still unpaid after this many seconds. */
  WARREN_STUCK_AFTER_S: integer(1, 86_400, 30).default(30),
  /** How often the books (lib/books) check that every accepted order is accounted for. */
  WARREN_BOOKS_INTERVAL_MS: integer(250, 600_000, 5000).default(5000),
  /** Orders confirmed this recently count as in flight, not missing from the books. */
  WARREN_BOOKS_SETTLE_MS: integer(0, 3_600_000, 10_000).default(10_000),
  /** How often the books' counters are checked against the ledger's totals (a removed payment row shows then). */
  WARREN_BOOKS_VERIFY_MS: integer(0, 86_400_000, 60_000).default(60_000),
  /**
   * Next.js's key for server actions (read by `next build`, embedded in the build): every web process
   * behind one load balancer must run a build made with the same key (or the same build). Checked here
   * so a malformed key is named at start instead of failing each action.
   */
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: z
    .string()
    .trim()
    .refine(
      (value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && [16, 24, 32].includes(Buffer.from(value, "base64").length),
      { message: "expected a base64 AES key of 16, 24 or 32 bytes, e.g. from `openssl rand -base64 32`" },
    )
    .optional(),
  /**
   * Payment consumers of one pipeline (queue and store) that pay at once on one machine; the rest stand
   * by and take a seat freed by a stopped or dead one (lib/payments/seats.ts). Unset: one per core. 0: no limit.
   */
  WARREN_CONSUMERS_PER_HOST: integer(0, 1024, 2).optional(),
  /** How often each process re-reads the stored pause/resume/prefetch (the control fanout wakes it sooner). */
  WARREN_PIPELINE_POLL_MS: integer(100, 600_000, 5000).default(5000),
  /** How often the alerts leader (one web process of the group) evaluates the alert rules (lib/alerts). */
  WARREN_ALERT_INTERVAL_MS: integer(250, 600_000, 5000).default(5000),
  /**
   * Webhooks told when an alert fires and when it resolves (comma- or space-separated). `https://…` gets
   * generic JSON; `slack+https://…` gets Slack's `{text}`. Never logged: only a redacted form is shown.
   */
  WARREN_ALERT_WEBHOOKS: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      webhookEntries(value).forEach((entry, index) => {
        if (!/^(slack\+)?https?:\/\/\S+$/.test(entry) || !URL.canParse(entry.replace(/^slack\+/, ""))) {
          ctx.addIssue({
            code: "custom",
            message: `entry ${index + 1}: expected an http(s):// URL, or slack+https://… for Slack's format`,
          });
        }
      });
    })
    .optional(),
  /** Per-request timeout of a webhook call, and the first retry's delay (doubling, capped at 5 min). */
  WARREN_ALERT_WEBHOOK_TIMEOUT_MS: integer(100, 60_000, 5000).default(5000),
  WARREN_ALERT_RETRY_MS: integer(10, 300_000, 1000).default(1000),
  /** Fire when more than this many messages were dead-lettered in the last minute. */
  WARREN_ALERT_DLQ_PER_MIN: integer(1, 1_000_000, 10).default(10),
  /** Fire when a confirmed order is neither paid nor dead-lettered after this many seconds. */
  WARREN_ALERT_STUCK_S: integer(1, 86_400, 60).default(60),
  /** Fire when the oldest order waiting in the outbox (not yet confirmed by the broker) is older than this. */
  WARREN_ALERT_OUTBOX_AGE_S: integer(1, 86_400, 60).default(60),
  /** The guard: pause the payment consumers when more than WARREN_ALERT_GUARD_DLQ_PER_MIN are dead-lettered a minute. */
  WARREN_ALERT_GUARD: flag.default(false),
  WARREN_ALERT_GUARD_DLQ_PER_MIN: integer(1, 1_000_000, 100).default(100),
  /** The least severe log lines written (pino levels). */
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  /** `npm run worker` serves GET /metrics on this port (0: any free port, printed at start). */
  WORKER_METRICS_PORT: integer(0, 65_535, 9464).default(9464),
  /** When set, GET /api/metrics (and the worker's /metrics) need `Authorization: Bearer <token>`. */
  WARREN_METRICS_TOKEN: z.string().min(16, "expected at least 16 characters").optional(),
  /**
   * Distributed tracing (lib/tracing): spans go to this OTLP/HTTP collector (`/v1/traces` is added).
   * Unset: tracing is off and no OpenTelemetry SDK is loaded.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: singleHttpUrl("http://127.0.0.1:4318").optional(),
  /** The service name on this process's spans; default warren-web or warren-worker. */
  OTEL_SERVICE_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "expected a name of letters, digits, '.', '_' or '-', e.g. warren-web")
    .optional(),
  /** The trace page links each order's trace here: a URL with `{traceId}`, e.g. Jaeger's http://127.0.0.1:16686/trace/{traceId}. */
  WARREN_TRACE_URL: singleHttpUrl("http://127.0.0.1:16686/trace/{traceId}")
    .refine((value) => value.includes("{traceId}"), { message: "expected a URL containing {traceId}" })
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment; throws a ConfigError naming each bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings as unset so `FOO= npm start` falls back to the default.
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((key) => [key, source[key] === "" ? undefined : source[key]]),
  );
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const got = cleaned[name];
    return `${name}: ${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(redact(name, got))})`}`;
  });
  throw new ConfigError(problems);
}

/** Never echo a password back, even in a start-up error. */
function redact(name: string, value: string): string {
  if (
    name === "WARREN_ADMIN_PASSWORD" ||
    name === "WARREN_SESSION_SECRET" ||
    name === "NEXT_SERVER_ACTIONS_ENCRYPTION_KEY" ||
    name === "RABBITMQ_MANAGEMENT_PASSWORD" ||
    name === "WARREN_METRICS_TOKEN" ||
    name === "WARREN_ALERT_WEBHOOKS"
  ) {
    return "***";
  }
  if (name === "AMQP_URL" || name === "RABBITMQ_MANAGEMENT_URL") return describeNodes(value);
  if (name === "DATABASE_URL" || name === "OTEL_EXPORTER_OTLP_ENDPOINT")
    return value.replace(/\/\/([^:/@]+):([^@]*)@/g, "//$1:***@");
  return value;
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
