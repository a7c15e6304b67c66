import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import type { ConsumerStatus, PaymentConsumer } from "../../lib/payments/consumer";
import { PipelineStateWatcher, WAITING_FOR_STATE } from "../../lib/payments/pipeline-state";
import { seatHolderHealth, UNABLE_GRACE_MS } from "../../lib/payments/seat-health";
import { ConsumerSeats } from "../../lib/payments/seats";
import { STANDING_BY } from "../../lib/payments/standby";
import { openSqliteStore } from "../../lib/store/sqlite";
import { spawnCaptured } from "../helpers/child-process";

const dir = mkdtempSync(join(tmpdir(), "warren-seats-"));
// Seats never keep a process alive (their socket and retry timer are unref'd: a worker is kept alive by
// its broker connection); this test has none, so it holds the event loop open itself.
const alive = setInterval(() => {}, 1000);
after(() => {
  clearInterval(alive);
  rmSync(dir, { recursive: true, force: true });
});

const waitUntil = async (check: () => boolean, what: string, ms = 5000) => {
  for (let i = 0; i < ms / 10 && !check(); i++) await new Promise((settle) => setTimeout(settle, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
};

const seatsOf = (key: string, seats: number) => new ConsumerSeats({ key, seats, retryMs: 20 }).start();

/** A child process holding the one seat of `key` (it prints "held"). */
function holdInChild(key: string) {
  const script = join(dir, `hold-seat-${randomUUID()}.mts`);
  writeFileSync(
    script,
    `import { ConsumerSeats } from ${JSON.stringify(resolve(import.meta.dirname, "../../lib/payments/seats.ts"))};
setInterval(() => {}, 1000);
const seats = new ConsumerSeats({ key: ${JSON.stringify(key)}, seats: 1 }).start();
await seats.ready;
console.log(seats.held ? "held" : "standing by");`,
  );
  return spawnCaptured(["--import", "tsx", script]);
}

describe("ConsumerSeats (one paying consumer per core and pipeline on one machine)", () => {
  it("seats as many as it has, stands the next by, and hands it a seat the moment one is freed", async () => {
    const key = `q\n${randomUUID()}`;
    const [a, b, c] = [seatsOf(key, 2), seatsOf(key, 2), seatsOf(key, 2)];
    try {
      await Promise.all([a.ready, b.ready, c.ready]);
      const held = [a, b, c].filter((s) => s.held);
      assert.equal(held.length, 2, "two seats, two holders");
      const standing = [a, b, c].find((s) => !s.held);
      assert.ok(standing);
      assert.equal(standing.status().seat, null);
      assert.match(
        standing.status().reason ?? "",
        new RegExp(`^${STANDING_BY}: every consumer seat .* is taken \\(2: `),
      );
      assert.deepEqual(new Set(held.map((s) => s.status().seat)), new Set([0, 1]));
      const changed = new Promise((settle) => standing.once("change", settle));
      const [first] = held;
      assert.ok(first);
      const freed = first.status().seat;
      first.close();
      await changed;
      assert.equal(standing.held, true);
      assert.equal(standing.status().seat, freed, "it took the seat that was freed");
      assert.equal(standing.status().reason, null);
    } finally {
      for (const s of [a, b, c]) s.close();
    }
  });

  it("keeps pipelines apart: another queue or store has seats of its own", async () => {
    const store = randomUUID();
    const [a, b] = [seatsOf(`q1\n${store}`, 1), seatsOf(`q2\n${store}`, 1)];
    try {
      await Promise.all([a.ready, b.ready]);
      assert.deepEqual([a.status().seat, b.status().seat], [0, 0], "each the first seat of its own pipeline");
    } finally {
      a.close();
      b.close();
    }
  });

  it("sets no limit with 0 seats, or where abstract socket names do not exist", async () => {
    const key = randomUUID();
    const none = [seatsOf(key, 0), seatsOf(key, 0)];
    const mac = [1, 2].map(() => new ConsumerSeats({ key, seats: 1, platform: "darwin" }).start());
    try {
      for (const s of [...none, ...mac]) {
        await s.ready;
        assert.deepEqual(s.status(), { of: 0, seat: -1, paying: true, reason: null });
      }
    } finally {
      for (const s of [...none, ...mac]) s.close();
    }
  });

  it("frees a seat when its process is killed (kill -9): no lease to wait out", async () => {
    const key = `q\n${randomUUID()}`;
    const holder = holdInChild(key);
    try {
      await waitUntil(() => holder.output().includes("held"), "the child to take the seat", 20_000);
      const standing = seatsOf(key, 1);
      try {
        await standing.ready;
        assert.equal(standing.held, false, "the child holds the only seat");
        holder.child.kill("SIGKILL");
        await holder.exited;
        await waitUntil(() => standing.held, "the seat of the killed process");
      } finally {
        standing.close();
      }
    } finally {
      await holder.stop("SIGKILL");
    }
  });
});

describe("ConsumerSeats: a seat held is not a consumer paying", () => {
  it("fills in for a holder that answers it cannot pay, and stands by again once it can", async () => {
    const key = `q\n${randomUUID()}`;
    let health: { paying: true } | { paying: false; why: string } = { paying: false, why: "reconnecting: broker down" };
    const holder = new ConsumerSeats({ key, seats: 1, retryMs: 20, health: () => health }).start();
    await holder.ready;
    const other = seatsOf(key, 1);
    try {
      await other.ready;
      assert.equal(other.held, true, "it pays without a seat");
      assert.equal(other.status().seat, null);
      assert.match(other.status().reason ?? "", /paying without a seat: .*reconnecting: broker down/);
      health = { paying: true };
      await waitUntil(() => !other.held, "the other to stand by again");
      assert.match(other.status().reason ?? "", new RegExp(`^${STANDING_BY}`));
    } finally {
      other.close();
      holder.close();
    }
  });

  it("fills in for a name held by something that is not this pipeline's Warren (any local user can bind one)", async () => {
    const key = `q\n${randomUUID()}`;
    const pipeline = createHash("sha256").update(key).digest("hex").slice(0, 16);
    const squatter = net.createServer((socket) => socket.end("hello\n"));
    await new Promise<void>((settle) => squatter.listen(`\0warren-seat-${pipeline}-0`, settle));
    const other = seatsOf(key, 1);
    try {
      await other.ready;
      assert.equal(other.held, true);
      assert.match(other.status().reason ?? "", /not this pipeline's Warren/);
    } finally {
      other.close();
      squatter.close();
    }
  });

  it("lets one process fill in per seat, however many stand by", async () => {
    const key = `q\n${randomUUID()}`;
    const holder = new ConsumerSeats({
      key,
      seats: 1,
      retryMs: 20,
      health: () => ({ paying: false, why: "reconnecting: broker down" }),
    }).start();
    await holder.ready;
    const others = [seatsOf(key, 1), seatsOf(key, 1), seatsOf(key, 1)];
    try {
      await Promise.all(others.map((o) => o.ready));
      // Each look settles who holds the fill-in name; give them a few looks.
      await new Promise((settle) => setTimeout(settle, 200));
      assert.equal(others.filter((o) => o.held).length, 1, "one fills in, the others stand by");
      const filler = others.find((o) => o.held);
      assert.ok(filler);
      filler.close();
      await waitUntil(() => others.filter((o) => o.held).length === 1, "another to fill in when the first stops");
    } finally {
      for (const o of others) o.close();
      holder.close();
    }
  });

  it("fills in for a name bound without listening (connections refused, the name still taken)", async (t) => {
    const key = `q\n${randomUUID()}`;
    const pipeline = createHash("sha256").update(key).digest("hex").slice(0, 16);
    // Node cannot bind a socket without listening; Python (which node-gyp needs anyway) can. Node binds an
    // abstract name as the whole 108-byte path, padded with NULs, so the squatter binds the same bytes.
    const binder = spawnCaptured([
      "-e",
      `const { spawnSync } = require("node:child_process"); process.exit(spawnSync("python3", ["--version"]).status === 0 ? 0 : 3);`,
    ]);
    if ((await binder.exited) !== 0) {
      t.skip("no python3 to bind a name without listening");
      return;
    }
    const { spawn } = await import("node:child_process");
    const squatter = spawn(
      "python3",
      [
        "-c",
        `import socket, time\ns = socket.socket(socket.AF_UNIX)\ns.bind(b"\\0warren-seat-${pipeline}-0".ljust(108, b"\\0"))\nprint("bound", flush=True)\ntime.sleep(60)`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((settle) => squatter.stdout.once("data", () => settle()));
      const other = seatsOf(key, 1);
      try {
        await other.ready;
        assert.equal(other.held, true, "it pays: the name's holder never answers");
        assert.match(other.status().reason ?? "", /bound, not listening/);
      } finally {
        other.close();
      }
    } finally {
      squatter.kill("SIGKILL");
    }
  });

  it("fills in for a holder that does not answer (its process stopped: SIGSTOP), within the answer time", async () => {
    const key = `q\n${randomUUID()}`;
    const holder = holdInChild(key);
    try {
      await waitUntil(() => holder.output().includes("held"), "the child to take the seat", 20_000);
      const other = new ConsumerSeats({ key, seats: 1, retryMs: 20, answerMs: 200 }).start();
      try {
        await other.ready;
        assert.equal(other.held, false, "a holder that answers pays: stand by");
        holder.child.kill("SIGSTOP");
        await waitUntil(() => other.held, "the other to fill in for the frozen holder");
        assert.match(other.status().reason ?? "", /no answer in 200 ms/);
        holder.child.kill("SIGCONT");
        await waitUntil(() => !other.held, "the other to stand by again once the holder answers");
      } finally {
        other.close();
      }
    } finally {
      holder.child.kill("SIGCONT");
      await holder.stop("SIGKILL");
    }
  });
});

describe("PipelineStateWatcher with seats", () => {
  it("keeps a consumer without a seat paused, standing by, and resumes it when it takes one; an operator's pause comes first", async () => {
    const store = openSqliteStore(join(dir, "seats.db"));
    const key = `q\n${randomUUID()}`;
    const holder = seatsOf(key, 1);
    await holder.ready;
    const seats = seatsOf(key, 1);
    let reason: string | null = "starting";
    const consumer = {
      stats: { paused: true, prefetch: 100 },
      status: () => ({ reason }),
      async pause(why?: string) {
        consumer.stats.paused = true;
        reason = why ?? null;
      },
      async resume() {
        consumer.stats.paused = false;
        reason = null;
      },
      async setPrefetch() {},
    };
    const watcher = new PipelineStateWatcher({
      store: store.pipeline,
      queue: "q",
      consumer: consumer as unknown as PaymentConsumer,
      intervalMs: 20,
      seats,
    }).start();
    try {
      await waitUntil(() => watcher.loaded && reason?.startsWith(STANDING_BY) === true, "the consumer to stand by");
      assert.equal(consumer.stats.paused, true);
      holder.close();
      await waitUntil(() => !consumer.stats.paused, "the consumer to take the freed seat and resume");
      await store.pipeline.write("q", { paused: true }, { at: 1, by: "ops" });
      await waitUntil(() => reason === "paused by an operator (ops)", "the operator's pause");
    } finally {
      watcher.stop();
      seats.close();
      holder.close();
      await store.close();
    }
  });
});

describe("seatHolderHealth (what a seat's holder answers)", () => {
  const status = (state: ConsumerStatus["state"], since: number, reason: string | null = null, more = {}) =>
    ({ state, since, reason, ...more }) as ConsumerStatus;
  const now = 100_000;
  const long = now - UNABLE_GRACE_MS - 1;
  const just = now - 1000;

  it("pays while consuming, paused by an operator, or away for under the grace", () => {
    assert.deepEqual(seatHolderHealth(status("consuming", long), null, now), { paying: true });
    assert.deepEqual(seatHolderHealth(status("paused", long, "paused by an operator (ops)"), null, now), {
      paying: true,
    });
    assert.deepEqual(seatHolderHealth(status("reconnecting", just, "broker: refused"), null, now), { paying: true });
  });

  it("does not pay once away past the grace, waiting for its state, still standing by with a seat, or with durability lost", () => {
    const answers = [
      seatHolderHealth(status("reconnecting", long, "broker: refused"), null, now),
      seatHolderHealth(
        status("consuming", long, null, { storeUnavailable: { since: long, error: "SQLITE_FULL" } }),
        null,
        now,
      ),
      seatHolderHealth(status("paused", long, WAITING_FOR_STATE), null, now),
      seatHolderHealth(status("paused", long, `${STANDING_BY}: every consumer seat …`), null, now),
      seatHolderHealth(status("consuming", now), { why: "a WAL sync failed" }, now),
    ];
    assert.deepEqual(
      answers.map((a) => a.paying),
      [false, false, false, false, false],
    );
    assert.match(
      JSON.stringify(answers),
      /broker: refused.*SQLITE_FULL.*stored pipeline state.*has not taken it up.*WAL sync failed/,
    );
  });
});
