import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SignInLimits, type SignInVerdict } from "../../lib/auth/sign-in-limits";
import { openPostgresStore } from "../../lib/store/postgres";
import { openSqliteStore } from "../../lib/store/sqlite";
import type { WarrenStore } from "../../lib/store/store";
import { createTestDatabase, PG_SKIP, type TestDatabase } from "../helpers/pg-database";

/**
 * Sign-in limits shared by every web process of one database: two stores opened on the same
 * SQLite file (two connections, as two processes have) or the same PostgreSQL database (two
 * pools) stand for two web processes behind a load balancer. What a guesser spends through
 * one must count on the other.
 */
const dir = mkdtempSync(join(tmpdir(), "warren-signin-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let database: TestDatabase | undefined;
before(async () => {
  if (!PG_SKIP) database = await createTestDatabase("warren_limits");
});
after(() => database?.drop());

let opened = 0;
const backends: Array<{ name: string; skip: string | false; pair: () => Promise<[WarrenStore, WarrenStore]> }> = [
  {
    name: "sqlite (one file, two connections)",
    skip: false,
    pair: async () => {
      const file = join(dir, `limits-${++opened}.db`);
      return [openSqliteStore(file), openSqliteStore(file)];
    },
  },
  {
    name: "postgres (one database, two pools)",
    skip: PG_SKIP,
    pair: async () => {
      if (!database) throw new Error("no test database");
      const url = await database.schema(`limits_${++opened}`);
      return [openPostgresStore(url, { max: 4 }), openPostgresStore(url, { max: 4 })];
    },
  },
];

const WINDOW_MS = 15 * 60_000 + 1000;
const allowed = (verdicts: SignInVerdict[]) => verdicts.filter((v) => v.allowed).length;

for (const backend of backends) {
  describe(`sign-in limits shared through the store: ${backend.name}`, { skip: backend.skip }, () => {
    /** Two "web processes" on one database, each with its own SignInLimits (as each process has). */
    async function twoProcesses(lockoutBaseS?: number) {
      const stores = await backend.pair();
      const logs: string[] = [];
      const log = (m: string) => logs.push(m);
      const a = new SignInLimits({ store: stores[0].limits, lockoutBaseS, log });
      const b = new SignInLimits({ store: stores[1].limits, lockoutBaseS, log });
      return { a, b, logs, close: () => Promise.all(stores.map((s) => s.close())) };
    }

    it("5 bad passwords split across A and B lock the account on both", async () => {
      const { a, b, logs, close } = await twoProcesses();
      try {
        const verdicts: SignInVerdict[] = [];
        for (let i = 0; i < 5; i++) verdicts.push(await (i % 2 ? b : a).attempt(`10.1.0.${i}`, "alice"));
        assert.equal(allowed(verdicts), 5);
        const onA = await a.attempt("10.1.1.1", "Alice");
        const onB = await b.attempt("10.1.1.2", "alice");
        assert.deepEqual([onA.allowed, onA.scope], [false, "account"], "locked through A");
        assert.deepEqual([onB.allowed, onB.scope], [false, "account"], "locked through B");
        assert.ok(onA.retryAfterS >= 50 && onA.retryAfterS <= 60, `a 1 min lockout, not ${onA.retryAfterS}s`);
        // Another account is not affected.
        assert.equal((await b.attempt("10.1.1.3", "bob")).allowed, true);
        assert.deepEqual(logs, [], "the store answered every call");
      } finally {
        await close();
      }
    });

    it("a spelling the database folds to the same name (İ for i) counts against that name", async () => {
      const { a, b, close } = await twoProcesses();
      try {
        for (let i = 0; i < 5; i++) await (i % 2 ? b : a).attempt(`10.6.0.${i}`, i % 2 ? "adm\u0130n" : "admin");
        const verdict = await a.attempt("10.6.1.1", "adm\u0130n");
        assert.deepEqual([verdict.allowed, verdict.scope], [false, "account"], "no budget of its own");
      } finally {
        await close();
      }
    });

    it("a refused name costs the database nothing more, and an operator's unlock lets it in again", async () => {
      const { a, b, close } = await twoProcesses();
      try {
        for (let i = 0; i < 5; i++) await a.attempt(`10.7.0.${i}`, "dave");
        assert.equal((await a.attempt("10.7.1.1", "dave")).allowed, false);
        // Further guesses on A are answered from A's memory: no limiter call reaches the store.
        let calls = 0;
        const spied = a as unknown as { byClient: { consume: (k: string) => Promise<unknown> } };
        const consume = spied.byClient.consume.bind(spied.byClient);
        spied.byClient.consume = (k: string) => {
          calls++;
          return consume(k);
        };
        for (let i = 0; i < 20; i++) {
          const refused = await a.attempt(`10.7.1.1`, "dave");
          assert.equal(refused.allowed, false);
          assert.ok(refused.retryAfterS >= 50, `the real wait is said (${refused.retryAfterS}s)`);
        }
        assert.equal(calls, 0, "refused from memory");
        await b.unlock("Dave");
        assert.equal((await b.attempt("10.7.2.1", "dave")).allowed, true, "unlocked on every process at once (B)");
      } finally {
        await close();
      }
    });

    it("parallel guesses on both count at once: 5 of 24 get through", async () => {
      const { a, b, close } = await twoProcesses();
      try {
        const verdicts = await Promise.all(
          Array.from({ length: 24 }, (_, i) => (i % 2 ? b : a).attempt(`10.2.0.${i}`, "carol")),
        );
        assert.equal(allowed(verdicts), 5);
        assert.ok(verdicts.filter((v) => !v.allowed).every((v) => v.scope === "account" && v.retryAfterS >= 1));
      } finally {
        await close();
      }
    });

    it("one client's 30 attempts count across A and B", async () => {
      const { a, b, close } = await twoProcesses();
      try {
        const verdicts: SignInVerdict[] = [];
        for (let i = 0; i < 30; i++) verdicts.push(await (i % 2 ? b : a).attempt("10.3.3.3", `user${i}`));
        assert.equal(allowed(verdicts), 30);
        const onA = await a.attempt("10.3.3.3", "fresh-a");
        const onB = await b.attempt("10.3.3.3", "fresh-b");
        assert.deepEqual([onA.allowed, onA.scope, onB.allowed, onB.scope], [false, "client", false, "client"]);
        assert.ok(onB.retryAfterS > 14 * 60, `the client is blocked for 15 min, not ${onB.retryAfterS}s`);
        assert.equal((await a.attempt("10.3.3.4", "fresh-c")).allowed, true, "another client is not");
      } finally {
        await close();
      }
    });

    it("the lockout doubles whichever process locked the account before", async () => {
      const { a, b, close } = await twoProcesses(1);
      try {
        for (let i = 0; i < 5; i++) assert.equal((await a.attempt(`10.4.0.${i}`, "dave")).allowed, true);
        const first = await b.attempt("10.4.1.1", "dave");
        assert.deepEqual([first.allowed, first.scope, first.retryAfterS], [false, "account", 1]);
        // Wait out the lockout (the probe that gets through is the next streak's first failure).
        while (!(await b.attempt("10.4.1.1", "dave")).allowed) await new Promise((r) => setTimeout(r, 100));
        for (let i = 0; i < 4; i++) assert.equal((await b.attempt(`10.4.2.${i}`, "dave")).allowed, true);
        const second = await a.attempt("10.4.1.2", "dave");
        assert.deepEqual([second.allowed, second.retryAfterS], [false, 2], "A's second lockout of the account doubles");
      } finally {
        await close();
      }
    });

    it("a success through B clears the streak made through A and gives the client its point back", async () => {
      const { a, b, close } = await twoProcesses();
      try {
        for (let i = 0; i < 4; i++) assert.equal((await a.attempt("10.5.5.5", "erin")).allowed, true);
        assert.equal((await b.attempt("10.5.5.5", "erin")).allowed, true);
        await b.succeeded("10.5.5.5", "erin");
        // The streak is gone: 5 more failures before a lockout, counted through A.
        const verdicts: SignInVerdict[] = [];
        for (let i = 0; i < 6; i++) verdicts.push(await a.attempt(`10.5.6.${i}`, "erin"));
        assert.deepEqual(
          verdicts.map((v) => v.allowed),
          [true, true, true, true, true, false],
        );
        // 5 attempts of 10.5.5.5 less the one given back: 26 more before the client is refused.
        const more: SignInVerdict[] = [];
        for (let i = 0; i < 27; i++) more.push(await (i % 2 ? a : b).attempt("10.5.5.5", `other${i}`));
        assert.equal(allowed(more), 26);
        assert.equal(more.at(-1)?.scope, "client");
      } finally {
        await close();
      }
    });

    it("deletes expired counters as attempts come, so the table does not grow for ever", async () => {
      const stores = await backend.pair();
      try {
        const brief = stores[0].limits.limiter({ keyPrefix: "signin-client", points: 30, duration: 1 });
        await brief.consume("10.7.0.1");
        await brief.consume("10.7.0.2");
        await new Promise((r) => setTimeout(r, 1100));
        // B's first attempt prunes (then once per 5 minutes per process) what expired over an hour ago
        // (another machine's clock may run behind): an hour later A's expired rows are gone.
        await new SignInLimits({ store: stores[1].limits }).attempt("10.7.0.3", "gina");
        assert.equal(await stores[0].limits.pruneExpired(Date.now()), 2, "expired a second ago: kept for the margin");
        await brief.consume("10.7.0.1");
        await brief.consume("10.7.0.2");
        await new Promise((r) => setTimeout(r, 1100));
        const later = () => Date.now() + 61 * 60_000;
        await new SignInLimits({ store: stores[1].limits, now: later }).attempt("10.7.0.4", "gina");
        assert.equal(await stores[0].limits.pruneExpired(Date.now()), 0, "nothing expired was left behind");
        assert.equal(await stores[0].limits.pruneExpired(Date.now() + WINDOW_MS), 3, "B's own rows are live");
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });
  });
}

describe("sign-in limits when the store does not answer", () => {
  const unreachable: Array<{ name: string; open: () => Promise<WarrenStore>; error: RegExp }> = [
    {
      // Nothing listens on port 1: each call is refused at once (the pool's connect fails).
      name: "postgres (server not there)",
      open: async () => openPostgresStore("postgres://postgres@127.0.0.1:1/none", { max: 2 }),
      error: /ECONNREFUSED/,
    },
    {
      name: "sqlite (file closed)",
      open: async () => {
        const store = openSqliteStore(join(dir, `closed-${++opened}.db`));
        await store.close();
        return store;
      },
      error: /not open/,
    },
  ];
  for (const backend of unreachable) {
    it(`${backend.name}: counts in this process's memory, says so once, never throws`, async () => {
      const store = await backend.open();
      const logs: string[] = [];
      const limits = new SignInLimits({ store: store.limits, log: (m) => logs.push(m) });
      try {
        const verdicts: SignInVerdict[] = [];
        for (let i = 0; i < 8; i++) verdicts.push(await limits.attempt(`10.6.0.${i}`, "frank"));
        assert.deepEqual(
          verdicts.map((v) => v.allowed),
          [true, true, true, true, true, false, false, false],
          "still limited (per process)",
        );
        assert.equal(verdicts.at(-1)?.scope, "account");
        await limits.succeeded("10.6.0.1", "frank");
        assert.equal((await limits.attempt("10.6.0.9", "frank")).allowed, true, "a success clears the streak");
        const client: SignInVerdict[] = [];
        for (let i = 0; i < 31; i++) client.push(await limits.attempt("10.6.9.9", `u${i}`));
        assert.equal(allowed(client), 30);
        assert.equal(client.at(-1)?.scope, "client");
        assert.equal(logs.length, 1, `one warning, not one per call: ${logs.join(" | ")}`);
        assert.match(logs[0] ?? "", /sign-in limits: the database did not answer/);
        assert.match(logs[0] ?? "", backend.error);
        assert.match(logs[0] ?? "", /this process's memory/);
      } finally {
        await store.close().catch(() => {});
      }
    });
  }
});
