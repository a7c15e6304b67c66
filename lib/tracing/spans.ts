import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from "@opentelemetry/api";
import { tracingOn } from "./state";

/**
 * Warren's own spans, one W3C trace per order across processes:
 *
 *   POST /api/orders (Next's server span, or `orders.accept` itself as the entry)
 *     └ orders.accept                   the order door; its traceparent is stored on the outbox row
 *         └ publish orders              the relay's publish (every attempt), `traceparent` injected into the headers
 *             └ process <queue>         the consumer, one span per delivery, continued from the headers
 *                 └ ledger commit       the batch's one transaction + WAL sync, one child span per delivery
 *
 * Explicit spans rather than @opentelemetry/instrumentation-amqplib: the relay publishes
 * from a stored row (after a restart, from another process), so the parent must come
 * from the row, not from whatever context is active; the consumer takes a window of
 * deliveries into one commit, which the instrumentation would show as N unrelated
 * callbacks ending before the commit even starts. And the instrumentation patches
 * amqplib at require time, which does not happen for a package Next keeps external.
 *
 * Every helper returns at once (null, or runs `fn` bare) when tracing is off.
 */
const tracer = () => trace.getTracer("warren");

/** Anything with `get(name)`: a fetch Headers, Next's ReadonlyHeaders. */
export interface HeaderSource {
  get(name: string): string | null;
}

const headerGetter: TextMapGetter<HeaderSource> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: () => ["traceparent", "tracestate"],
};

/** AMQP header values arrive as strings, or as Buffers from producers that send bytes. */
const amqpGetter: TextMapGetter<Record<string, unknown>> = {
  get(carrier, key) {
    const value = carrier[key];
    if (typeof value === "string") return value;
    if (Buffer.isBuffer(value) && value.length <= 512) return value.toString("latin1");
    return undefined;
  },
  keys: (carrier) => Object.keys(carrier),
};

function traceparentOf(ctx: Context): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ?? null;
}

/** The trace context stored with an order, as a parent. */
function storedContext(traceparent: string | null): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

function fail(span: Span, error: unknown) {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs the order door in an `orders.accept` span. Its parent is the active span (Next's
 * HTTP span, which already continued the request's `traceparent`), else the request's
 * own `traceparent` header: then this span is the request's server span.
 */
export async function withAcceptSpan<T>(
  headers: HeaderSource | null | undefined,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return fn(null);
  const active = context.active();
  const entry = trace.getSpan(active) === undefined;
  const parent = entry && headers ? propagation.extract(active, headers, headerGetter) : active;
  const span = tracer().startSpan(
    "orders.accept",
    { kind: entry ? SpanKind.SERVER : SpanKind.INTERNAL, attributes },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The active span's `traceparent`, to store with an order (null when tracing is off). */
export function activeTraceparent(): string | null {
  if (!tracingOn()) return null;
  return trace.getSpan(context.active()) ? traceparentOf(context.active()) : null;
}

export interface PublishSpan {
  /** The message headers carrying this span's context (`traceparent`, `tracestate`). */
  headers: Record<string, string>;
  end(error?: unknown): void;
}

/**
 * A PRODUCER span for one publish attempt of an outbox row, a child of the
 * context stored with the row (the request that placed the order), whichever
 * process or restart publishes it. Null when tracing is off.
 */
export function startPublishSpan(
  traceparent: string | null,
  { exchange, routingKey, messageId }: { exchange: string; routingKey: string; messageId: string },
): PublishSpan | null {
  if (!tracingOn()) return null;
  const parent = storedContext(traceparent);
  const span = tracer().startSpan(
    `publish ${exchange}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "rabbitmq",
        "messaging.operation.type": "send",
        "messaging.destination.name": exchange,
        "messaging.rabbitmq.destination.routing_key": routingKey,
        "messaging.message.id": messageId,
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  return {
    headers,
    end(error) {
      if (error !== undefined) fail(span, error);
      span.end();
    },
  };
}

/** What the consumer knows of a delivery when its span starts. */
export interface DeliveryInfo {
  headers: Record<string, unknown> | undefined;
  messageId: unknown;
  redelivered: boolean;
  receivedAt: number;
}

/**
 * The spans of one delivery batch: a CONSUMER span per delivery, continuing the
 * trace in its `traceparent` header (Warren's relay or any producer that sends
 * one; a message without one starts a trace of its own), and at commit time one
 * `ledger commit` child span per delivery (see `commit`).
 */
export interface BatchTrace {
  /**
   * Starts the `ledger commit` span of each of these deliveries (indices into the
   * batch). The batch is ONE transaction, so the N spans share its start and end;
   * each sits in its own order's trace (a span with N links would sit in one trace
   * only, leaving the other N-1 orders' traces without their commit), and
   * `warren.batch.size` says how many orders the commit carried.
   */
  commit(indices: number[]): { end(error?: unknown): void };
  /** Ends each delivery's span with what became of it (ack, requeue, drop, dead-letter). */
  settle(index: number, verdict: string): void;
}

export function startBatchTrace(queue: string, deliveries: DeliveryInfo[]): BatchTrace | null {
  if (!tracingOn()) return null;
  const spans = deliveries.map((delivery) => {
    const parent = delivery.headers ? propagation.extract(ROOT_CONTEXT, delivery.headers, amqpGetter) : ROOT_CONTEXT;
    const span = tracer().startSpan(
      `process ${queue}`,
      {
        kind: SpanKind.CONSUMER,
        startTime: delivery.receivedAt,
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": queue,
          "messaging.batch.message_count": deliveries.length,
          "messaging.rabbitmq.redelivered": delivery.redelivered,
          ...(typeof delivery.messageId === "string" ? { "messaging.message.id": delivery.messageId } : {}),
        },
      },
      parent,
    );
    return { span, context: trace.setSpan(parent, span) };
  });
  return {
    commit(indices) {
      const started = indices.flatMap((index) => {
        const owner = spans[index];
        if (!owner) return [];
        return [
          tracer().startSpan(
            "ledger commit",
            { kind: SpanKind.INTERNAL, attributes: { "warren.batch.size": indices.length } },
            owner.context,
          ),
        ];
      });
      return {
        end(error) {
          for (const span of started) {
            if (error !== undefined) fail(span, error);
            span.end();
          }
        },
      };
    },
    settle(index, verdict) {
      const span = spans[index]?.span;
      if (!span) return;
      span.setAttribute("warren.verdict", verdict);
      if (verdict === "dead-letter" || verdict === "drop")
        span.setStatus({ code: SpanStatusCode.ERROR, message: verdict });
      span.end();
    },
  };
}
