import { FaultProxy } from "./fault-proxy";
import { account, OrderLoad, settle } from "./load";
import { cleanupDb, envFor, firstAmqpConnect, openFront, type ScenarioContext, type ScenarioResult } from "./scenarios";
import { startWorker, type WarrenProcess } from "./warren";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fresh order must be paid this soon after the broker accepts connections again. */
export const PAID_WITHIN_MS = 20_000;

export interface CycleReport {
  cycle: number;
  variant: string;
  /** From the broker accepting AMQP connections again until this front could publish. */
  reconnectMs: number | null;
  /** From the broker being back until the cycle's fresh order was paid. */
  paidMs: number | null;
  ok: boolean;
}

/** Small deterministic PRNG, so a failing cycle's timing can be replayed with the same seed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return (min: number, max: number) => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return Math.round(min + (state / 2 ** 32) * (max - min));
  };
}

/** Returns when the broker accepted an AMQP connection again (ms since epoch). */
type Variant = {
  name: string;
  run(ctx: ScenarioContext, pick: (min: number, max: number) => number, proxy: FaultProxy): Promise<number>;
};

/**
 * start_app, watching for the first moment a client can connect: the CLI's
 * own await_startup returns later, and that lag is not Warren's reconnect.
 */
async function startApp({ broker }: ScenarioContext): Promise<number> {
  const [, back] = await Promise.all([broker.startApp(), firstAmqpConnect(broker.url, 60_000)]);
  return back;
}

/**
 * The timings that matter for a reconnect that must never get stuck: a plain
 * restart, connections dropped just before, a restart that lands while the
 * links are reconnecting, one that lands right after they connected (their
 * post-connect setup), a connection lost exactly at the end of that setup,
 * and a bounce with no pause at all.
 */
const VARIANTS: Variant[] = [
  {
    name: "stop_app / start_app",
    async run(ctx, pick) {
      const { broker } = ctx;
      await broker.stopApp();
      await sleep(pick(300, 3000));
      return startApp(ctx);
    },
  },
  {
    name: "close_all_connections just before",
    async run(ctx, pick) {
      const { broker } = ctx;
      await broker.closeAllConnections();
      await sleep(pick(0, 400));
      await broker.stopApp();
      await sleep(pick(300, 2000));
      return startApp(ctx);
    },
  },
  {
    name: "restart during the reconnect",
    async run(ctx, pick) {
      const { broker } = ctx;
      // Both at once: the stop lands while every link is reconnecting from the dropped connections.
      await Promise.all([
        broker.closeAllConnections().catch(() => {}),
        sleep(pick(0, 300)).then(() => broker.stopApp()),
      ]);
      await sleep(pick(300, 1500));
      return startApp(ctx);
    },
  },
  {
    name: "restart during the setup",
    async run(ctx, pick) {
      const { broker } = ctx;
      await broker.stopApp();
      const starting = broker.startApp();
      // As soon as a client can connect, Warren's links connect and run their setup: stop again then.
      await firstAmqpConnect(broker.url, 60_000);
      await sleep(pick(0, 250));
      await starting.catch(() => {});
      await broker.stopApp();
      await sleep(pick(200, 1000));
      return startApp(ctx);
    },
  },
  {
    // A restart lands inside a link's post-connect setup only by chance (a window of about a
    // millisecond); the proxy in front of the broker makes it land there every time: the first
    // connections after start_app lose their socket exactly when their setup closes its channel.
    name: "connection lost at the end of the setup",
    async run(ctx, pick, proxy) {
      await ctx.broker.stopApp();
      await sleep(pick(200, 1000));
      proxy.cutNext(3);
      return startApp(ctx);
    },
  },
  {
    name: "bounce with no pause",
    async run(ctx) {
      await ctx.broker.stopApp();
      return startApp(ctx);
    },
  },
];

/**
 * Issue 17's proof by repetition: `cycles` broker restarts in a row with
 * varied timing, under load, with a web process (or the in-process outbox)
 * and a worker; after each, a fresh order must be paid within PAID_WITHIN_MS.
 */
export async function restartCycles(
  ctx: ScenarioContext,
  cycles = 20,
  seed = Number(process.env.CHAOS_SEED ?? 17),
): Promise<ScenarioResult & { cycles: CycleReport[] }> {
  const env = envFor(ctx, "cycles");
  // Warren's processes reach the broker through a proxy that can cut a connection at an exact moment.
  const target = new URL(ctx.broker.url);
  const proxy = await new FaultProxy({ host: target.hostname, port: Number(target.port) }).start();
  env.amqpUrl = proxy.url(decodeURIComponent(target.username), decodeURIComponent(target.password));
  const front = await openFront(ctx, env, true);
  const processes: WarrenProcess[] = [];
  // Web mode: the web process consumes too, and a worker beside it. In-process: openFront started a worker.
  if (ctx.mode === "web") processes.push(await startWorker("worker", env));
  const pick = random(seed);
  const load = new OrderLoad(front.door, 2, 20).start();
  const reports: CycleReport[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const variant = VARIANTS[(cycle - 1) % VARIANTS.length] as Variant;
      const back = await variant.run(ctx, pick, proxy);
      let reconnectMs: number | null = null;
      let paidMs: number | null = null;
      const deadline = back + PAID_WITHIN_MS;
      let orderId: string | null = null;
      while (Date.now() < deadline && (reconnectMs === null || paidMs === null)) {
        if (reconnectMs === null && (await front.ready())) reconnectMs = Date.now() - back;
        if (orderId === null && reconnectMs !== null) {
          const answer = await front.door();
          if (answer.accepted && answer.orderId) orderId = answer.orderId;
        }
        if (orderId !== null && account(env.dbPath, new Set([orderId])).lost === 0) paidMs = Date.now() - back;
        await sleep(50);
      }
      const ok = reconnectMs !== null && paidMs !== null;
      reports.push({ cycle, variant: variant.name, reconnectMs, paidMs, ok });
      ctx.log?.(
        `  cycle ${cycle}/${cycles} (${variant.name}): ${ok ? "ok" : "FAILED"}; reconnect ${reconnectMs ?? "never"} ms, fresh order paid ${paidMs ?? "never"} ms after the broker was back`,
      );
      if (!ok)
        problems.push(
          `cycle ${cycle} (${variant.name}): ${reconnectMs === null ? "never reconnected" : "fresh order not paid"} within ${PAID_WITHIN_MS} ms`,
        );
    }
  } finally {
    await load.stop();
  }
  try {
    const passed = reports.filter((r) => r.ok).length;
    const times = reports.flatMap((r) => (r.reconnectMs === null ? [] : [r.reconnectMs])).sort((a, b) => a - b);
    const median = times.length ? (times[Math.floor((times.length - 1) / 2)] ?? null) : null;
    notes.push(
      `${passed}/${reports.length} restart cycles reconnected and paid a fresh order within ${PAID_WITHIN_MS} ms`,
    );
    notes.push(
      `reconnect after the broker was back: median ${median ?? "n/a"} ms, max ${times.at(-1) ?? "n/a"} ms (seed ${seed})`,
    );
    const result = account(env.dbPath, load.accepted);
    const settled = await settle(env.dbPath, load.accepted, 30_000);
    if (settled.lost > 0) problems.push(`${settled.lost} accepted order(s) never paid`);
    return {
      scenario: `restart cycles ×${cycles}`,
      sent: load.sent,
      accepted: result.accepted,
      paid: settled.paid,
      lost: settled.lost,
      duplicated: settled.duplicated,
      absorbed: settled.absorbed,
      recoverMs: times.at(-1) ?? null,
      notes,
      problems,
      cycles: reports,
    };
  } finally {
    for (const p of processes) await p.stop();
    await front.stop();
    await proxy.stop();
    cleanupDb(env.dbPath);
  }
}
