import { createHash } from "node:crypto";
import { webhookEntries } from "../config/env";
import type { AlertDelivery, AlertTarget } from "../store/store";

export type WebhookFormat = "json" | "slack";

/** A webhook as configured: the URL to call (secret parts included) and how it is shown (never a secret). */
export interface Webhook extends AlertTarget {
  url: string;
  format: WebhookFormat;
}

/**
 * A webhook URL as it may be shown in logs and pages: the scheme and the host, and "/…" when it has
 * a path or a query. No user, password, path segment or query: chat and hook services carry their
 * token anywhere in the path (webhook.site/<uuid>, ntfy.sh/<topic>, hooks.slack.com/services/…).
 * A token in the host name (<token>.m.pipedream.net) shows only its last two labels.
 */
export function redactWebhook(url: string): string {
  try {
    const parsed = new URL(url);
    const labels = parsed.hostname.split(".");
    const ip = /^[\d.]+$/.test(parsed.hostname) || parsed.hostname.startsWith("[");
    const host = labels.length > 3 && !ip ? `….${labels.slice(-2).join(".")}` : parsed.host;
    const rest = parsed.pathname.replace(/\/+$/, "") || parsed.search ? "/…" : "";
    return `${parsed.protocol}//${host}${rest}`;
  } catch {
    return "(an unparseable URL)";
  }
}

/** WARREN_ALERT_WEBHOOKS as webhooks; a `slack+` prefix picks Slack's `{text}` format. */
export function parseWebhooks(value: string | undefined): Webhook[] {
  return webhookEntries(value).map((entry) => {
    const slack = entry.startsWith("slack+");
    const url = slack ? entry.slice("slack+".length) : entry;
    return {
      id: createHash("sha256").update(entry).digest("hex").slice(0, 16),
      label: `${slack ? "slack " : ""}${redactWebhook(url)}`,
      url,
      format: slack ? "slack" : "json",
    };
  });
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** The body sent for one notification. Both formats carry the same id, so a receiver can drop a repeat. */
export function webhookBody(delivery: AlertDelivery, format: WebhookFormat, pageUrl: string | null): unknown {
  const { incident, event } = delivery;
  const id = `warren-alert-${incident.id}-${event}`;
  if (format === "slack") {
    const head = event === "fired" ? ":rotating_light: *FIRING*" : ":white_check_mark: *RESOLVED*";
    const detail = event === "fired" ? incident.summary : `${incident.summary} — ${incident.resolution ?? "resolved"}`;
    return { text: `${head} [Warren] ${incident.rule}: ${detail}${pageUrl ? ` <${pageUrl}|alerts>` : ""} (${id})` };
  }
  return {
    id,
    source: "warren",
    event,
    alert: {
      key: incident.key,
      rule: incident.rule,
      summary: incident.summary,
      firedAt: iso(incident.firedAt),
      resolvedAt: iso(incident.resolvedAt),
      resolution: incident.resolution,
    },
    url: pageUrl,
  };
}

/** Replaces the webhook's URL (and any of its parts) in a message with its redacted label. */
function scrub(message: string, hook: Webhook): string {
  let out = message.split(hook.url).join(hook.label);
  try {
    const parsed = new URL(hook.url);
    for (const secret of [parsed.password, parsed.username, parsed.search, parsed.pathname]) {
      if (secret && secret !== "/") out = out.split(secret).join("…");
    }
  } catch {
    // nothing more to hide
  }
  return out;
}

/** Posts one notification; resolves on a 2xx, throws an Error whose message names no secret otherwise. */
export async function postWebhook(
  hook: Webhook,
  delivery: AlertDelivery,
  { timeoutMs, pageUrl, signal }: { timeoutMs: number; pageUrl: string | null; signal?: AbortSignal },
): Promise<void> {
  // fetch refuses a URL with credentials in it: they travel as Basic auth instead.
  const target = new URL(hook.url);
  const auth =
    target.username || target.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`
      : null;
  target.username = "";
  target.password = "";
  let response: Response;
  try {
    response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "idempotency-key": `warren-alert-${delivery.incident.id}-${delivery.event}`,
        ...(auth ? { authorization: auth } : {}),
      },
      body: JSON.stringify(webhookBody(delivery, hook.format, pageUrl)),
      // The timeout, or the process stopping: a stop never waits for a webhook that does not answer.
      signal: signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]) : AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new Error(scrub(`could not reach ${hook.label}: ${why}`, hook));
  }
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`${hook.label} answered HTTP ${response.status}`);
}
