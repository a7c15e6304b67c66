import { readFileSync } from "node:fs";
import http from "node:http";
import amqp from "amqplib";
import { splitNodeList } from "../../lib/config/node-list";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an unsorted list; null when empty. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export interface Summary {
  n: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function summarize(values: number[]): Summary {
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length === 0 ? null : Math.max(...values)),
  };
}

export function round(value: number | null, digits = 1): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function ratio(value: number | null, baseline: number | null): number | null {
  if (value === null || baseline === null || baseline === 0) return null;
  return round(value / baseline, 2);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 25) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return false;
}

export interface SseEvent {
  event: string;
  data: string;
  at: number;
}

/**
 * A minimal EventSource for Node: one raw HTTP GET per client, parsing
 * `event:`/`data:` blocks. Light enough to hold 1,000 of them in one process.
 */
export class SseClient {
  private request: http.ClientRequest | null = null;
  private buffer = "";
  opened = false;
  closed = false;
  events = 0;

  constructor(
    private readonly url: string,
    private readonly onEvent: (event: SseEvent) => void,
  ) {}

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get(this.url, { agent: false, headers: { accept: "text/event-stream" } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`SSE ${this.url} answered ${res.statusCode}`));
          return;
        }
        this.opened = true;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => this.feed(chunk));
        res.on("end", () => {
          this.closed = true;
        });
        res.on("error", () => {
          this.closed = true;
        });
        resolve();
      });
      request.on("error", (error) => {
        this.closed = true;
        reject(error);
      });
      this.request = request;
    });
  }

  private feed(chunk: string) {
    const at = Date.now();
    this.buffer += chunk;
    let end = this.buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trimStart();
      }
      if (data !== "") {
        this.events++;
        this.onEvent({ event, data, at });
      }
      end = this.buffer.indexOf("\n\n");
    }
  }

  close() {
    this.closed = true;
    this.request?.destroy();
  }
}

/** A keep-alive POST used by the open-loop (fixed-rate) load generator. */
export function post(
  agent: http.Agent,
  url: URL,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { ...headers, "content-length": Buffer.byteLength(body).toString() },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    request.setTimeout(15_000, () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * Calls `fire` at a fixed offered rate for `durationMs` (open loop: the send
 * time is the schedule, so a slow server cannot slow the offered load down).
 */
export async function atFixedRate(ratePerSecond: number, durationMs: number, fire: (scheduledAt: number) => void) {
  const start = Date.now();
  const total = Math.max(1, Math.round((ratePerSecond * durationMs) / 1000));
  let sent = 0;
  while (sent < total) {
    const now = Date.now();
    const due = Math.min(total, Math.floor(((now - start) * ratePerSecond) / 1000) + 1);
    while (sent < due) {
      fire(start + (sent * 1000) / ratePerSecond);
      sent++;
    }
    await sleep(Math.max(1, Math.min(10, 1000 / ratePerSecond)));
  }
  return sent;
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux;
 * null elsewhere). CPU per request is steadier than requests/s on a busy box.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 (1-based) of the whole line, in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * How long a process's main thread (for Node: the event loop) has waited in
 * the kernel's run queue for a CPU, ms (Linux /proc/<pid>/schedstat; null
 * elsewhere). High values mean the box was starving it, not that it was busy.
 */
export function runQueueWaitMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const [, waitNs] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(" ");
    return Number(waitNs) / 1e6;
  } catch {
    return null;
  }
}

/**
 * amqp.connect for a broker setting that may list a cluster's nodes (AMQP_URL's comma-separated
 * form): amqplib takes one URL, so each node is tried in turn and the first that answers is used.
 */
export async function connectAny(urls: string, options?: { noDelay?: boolean; timeout?: number }) {
  let lastError: unknown = new Error("no broker URL given");
  for (const url of splitNodeList(urls).filter(Boolean)) {
    try {
      return await amqp.connect(url, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** The first node of a comma-separated list (for a URL's user and password, or one management API). */
export function firstNode(urls: string): string {
  return splitNodeList(urls).find(Boolean) ?? urls;
}
