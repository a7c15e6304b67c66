import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { chromium, type LaunchOptions } from "@playwright/test";
import type { LedgerReader } from "./servers";
import { atFixedRate, connectAny, round, type Summary, sleep, summarize } from "./util";

export interface FirstLoadJs {
  files: number;
  rawKb: number;
  gzipKb: number;
  largest: Array<{ file: string; gzipKb: number }>;
}

export interface RenderWindow {
  seconds: number;
  frames: number;
  fps: number;
  frameMs: Summary;
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
  /** Share of the window the main thread spent in tasks over 50 ms. */
  blockedShare: number;
}

export interface BrowserResult {
  firstLoadJs: FirstLoadJs;
  idle: RenderWindow;
  streaming: RenderWindow & { offeredPerSecond: number; paidPerSecond: number; feedRows: number };
}

/** The launch options Playwright's own config uses (Debian Chromium, its flags). */
async function launchOptions(): Promise<LaunchOptions> {
  const config = (await import("../../playwright.config")).default as {
    use?: { launchOptions?: LaunchOptions };
  };
  return { headless: true, ...(config.use?.launchOptions ?? {}) };
}

/**
 * Loads "/" in Chromium: sums the JavaScript the page actually fetched
 * (gzipped as a server would send it), then records frame times and long
 * tasks while idle and while payments stream in at `ratePerSecond`.
 */
export async function browserPart(opts: {
  baseUrl: string;
  amqpUrl: string;
  queue: string;
  ledger: LedgerReader;
  ratePerSecond: number;
  windowMs: number;
  log: (line: string) => void;
}): Promise<BrowserResult> {
  const browser = await chromium.launch(await launchOptions());
  const conn = await connectAny(opts.amqpUrl, { noDelay: true });
  try {
    const page = await browser.newPage();
    const scripts: Array<Promise<{ file: string; raw: number; gzip: number } | null>> = [];
    page.on("response", (response) => {
      if (response.request().resourceType() !== "script") return;
      scripts.push(
        response.body().then(
          (body) => ({ file: new URL(response.url()).pathname, raw: body.length, gzip: gzipSync(body).length }),
          () => null,
        ),
      );
    });
    await page.goto(`${opts.baseUrl}/`, { waitUntil: "load" });
    await page.getByRole("heading", { name: "Warren" }).waitFor();
    await sleep(500);
    const files = (await Promise.all(scripts)).filter((f): f is { file: string; raw: number; gzip: number } => !!f);
    const firstLoadJs: FirstLoadJs = {
      files: files.length,
      rawKb: round(files.reduce((s, f) => s + f.raw, 0) / 1000) ?? 0,
      gzipKb: round(files.reduce((s, f) => s + f.gzip, 0) / 1000) ?? 0,
      largest: files
        .sort((a, b) => b.gzip - a.gzip)
        .slice(0, 5)
        .map((f) => ({ file: f.file, gzipKb: round(f.gzip / 1000) ?? 0 })),
    };
    opts.log(`first-load JS: ${firstLoadJs.gzipKb} kB gzipped in ${firstLoadJs.files} files`);

    const measure = async (during: () => Promise<void>): Promise<RenderWindow> => {
      // A string, not a function: tsx would wrap named functions in a helper the page lacks.
      await page.evaluate(`(() => {
        const state = { frames: [], longTasks: [], running: true };
        window.__bench = state;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) state.longTasks.push({ start: entry.startTime, duration: entry.duration });
        }).observe({ type: "longtask" });
        const frame = (t) => {
          state.frames.push(t);
          if (state.running) requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      })()`);
      const started = Date.now();
      await during();
      const seconds = (Date.now() - started) / 1000;
      const data = (await page.evaluate(`(() => {
        const state = window.__bench;
        if (!state) return { frames: [], longTasks: [] };
        state.running = false;
        return { frames: state.frames, longTasks: state.longTasks };
      })()`)) as { frames: number[]; longTasks: Array<{ start: number; duration: number }> };
      const intervals = data.frames.slice(1).map((t, i) => t - (data.frames[i] ?? t));
      const longTaskMs = data.longTasks.reduce((s, t) => s + t.duration, 0);
      return {
        seconds: round(seconds, 2) ?? 0,
        frames: data.frames.length,
        fps: round(data.frames.length / seconds) ?? 0,
        frameMs: summarize(intervals),
        longTasks: data.longTasks.length,
        longTaskMs: round(longTaskMs) ?? 0,
        longestTaskMs: round(data.longTasks.reduce((m, t) => Math.max(m, t.duration), 0)) ?? 0,
        blockedShare: round(longTaskMs / (seconds * 1000), 3) ?? 0,
      };
    };

    const idle = await measure(() => sleep(opts.windowMs));
    opts.log(`render idle: ${idle.fps} fps, frame p95 ${idle.frameMs.p95} ms, ${idle.longTasks} long tasks`);

    // Orders straight onto Warren's queue (as any producer may), so the page
    // sees payments at the offered rate without the HTTP intake as a limit.
    const channel = await conn.createConfirmChannel();
    const paidBefore = opts.ledger.payments();
    let offered = 0;
    const streamStarted = Date.now();
    const streaming = await measure(async () => {
      offered = await atFixedRate(opts.ratePerSecond, opts.windowMs, () => {
        const orderId = randomUUID();
        channel.publish(
          "orders",
          opts.queue,
          Buffer.from(JSON.stringify({ orderId, item: "stream", quantity: 1, placedAt: Date.now() })),
          { persistent: true, contentType: "application/json", messageId: orderId },
        );
      });
      await channel.waitForConfirms();
    });
    const paidPerSecond = (opts.ledger.payments() - paidBefore) / ((Date.now() - streamStarted) / 1000);
    const feedRows = await page.getByTestId("payment-row").count();
    opts.log(
      `render at ${opts.ratePerSecond} payments/s: ${streaming.fps} fps, frame p95 ${streaming.frameMs.p95} ms, ${streaming.longTasks} long tasks (${streaming.longTaskMs} ms), ${feedRows} feed rows`,
    );
    await channel.close();
    return {
      firstLoadJs,
      idle,
      streaming: {
        ...streaming,
        offeredPerSecond: round(offered / (opts.windowMs / 1000)) ?? 0,
        paidPerSecond: round(paidPerSecond) ?? 0,
        feedRows,
      },
    };
  } finally {
    await conn.close().catch(() => {});
    await browser.close();
  }
}
