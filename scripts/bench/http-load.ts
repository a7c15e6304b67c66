import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { ROOT } from "./servers";
import { processCpuMs, round } from "./util";

export interface CannonResult {
  label: string;
  connections: number;
  seconds: number;
  ok: number;
  non2xx: number;
  errors: number;
  perSecond: number;
  latencyP50: number | null;
  latencyP99: number | null;
  startedAt: number;
  /** Server CPU (ms) per answered request, when the server's pid is known. */
  cpuMsPerRequest: number | null;
}

export interface Target {
  label: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

/** N concurrent keep-alive clients, closed loop, for a fixed duration. */
export async function cannon(
  target: Target,
  connections: number,
  durationMs: number,
  serverPid?: number,
): Promise<CannonResult> {
  const cpuBefore = processCpuMs(serverPid);
  const startedAt = Date.now();
  const result = await autocannon({
    url: target.url,
    method: target.method ?? "GET",
    headers: target.headers,
    body: target.body,
    connections,
    duration: durationMs / 1000,
    timeout: 15,
  });
  const seconds = (Date.now() - startedAt) / 1000;
  const cpuAfter = processCpuMs(serverPid);
  const ok = result["2xx"];
  const answered = ok + result.non2xx;
  return {
    label: target.label,
    connections,
    seconds: round(seconds, 2) ?? 0,
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    perSecond: round(ok / seconds) ?? 0,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    startedAt,
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || answered === 0 ? null : round((cpuAfter - cpuBefore) / answered, 3),
  };
}

/** The order as JSON, the way `curl -d '{"item":"book"}'` or the tutorial's clients send it. */
export function ordersApiTarget(baseUrl: string): Target {
  return {
    label: "POST /api/orders",
    url: `${baseUrl}/api/orders`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: "book", quantity: 1 }),
  };
}

export function seedTarget(baseUrl: string): Target {
  return {
    label: "seed POST /orders",
    url: `${baseUrl}/orders`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: "book" }),
  };
}

/** The action id of `placeOrderAction`, from a build's server reference manifest (`.next` by default). */
export function placeOrderActionId(distDir = ".next"): string {
  const file = `${distDir}/server/server-reference-manifest.json`;
  const manifest = JSON.parse(readFileSync(resolve(ROOT, file), "utf8")) as {
    node: Record<string, { exportedName?: string; filename?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === "placeOrderAction");
  if (!found) throw new Error(`placeOrderAction is not in ${file}`);
  return found[0];
}

const decodeEntities = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/**
 * The order form's server action, posted exactly as Chromium posts it from
 * the page (checked against a captured request): `Next-Action: <id>`,
 * `Accept: text/x-component`, the Sec-Fetch-* headers the browser adds, and
 * the body React's `encodeReply([previousState, fields])` makes of the form's
 * submit handler's plain object: `text/plain` JSON. (Without JavaScript the
 * form posts multipart to the same action; that path is not measured here.)
 * The page's form must carry the action id, as the progressive-enhancement
 * fallback renders it into hidden inputs.
 */
export async function serverActionTarget(baseUrl: string, distDir: string): Promise<Target> {
  const actionId = placeOrderActionId(distDir);
  const html = await (await fetch(`${baseUrl}/`)).text();
  const hidden: Array<[string, string]> = [];
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\s*\/?>/g)) {
    hidden.push([decodeEntities(match[1] ?? ""), decodeEntities(match[2] ?? "")]);
  }
  const ref = hidden.find(([name]) => name.includes(":0"));
  if (!ref?.[1].includes(actionId)) {
    throw new Error(`the page's form does not carry action ${actionId} (found ${JSON.stringify(hidden)})`);
  }
  const previousState = { status: "idle", message: "" };
  const body = JSON.stringify([previousState, { item: "book", quantity: "1" }]);
  const routerState = encodeURIComponent(
    JSON.stringify(["", { children: ["__PAGE__", {}, null, null, 0] }, null, null, 16]),
  );
  return {
    label: "server action (form)",
    url: `${baseUrl}/`,
    method: "POST",
    headers: {
      accept: "text/x-component",
      "next-action": actionId,
      "next-router-state-tree": routerState,
      "content-type": "text/plain;charset=UTF-8",
      origin: baseUrl,
      referer: `${baseUrl}/`,
      // Set by the browser itself on every fetch from the page (React's action call included).
      "sec-fetch-site": "same-origin",
      "sec-fetch-mode": "cors",
      "sec-fetch-dest": "empty",
    },
    body,
  };
}
