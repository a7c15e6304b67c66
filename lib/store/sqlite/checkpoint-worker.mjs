// @ts-check
/**
 * The checkpoint worker (see WalDurability in lib/store/durable.ts): copies
 * the WAL back into the database file on its own connection and thread, so
 * the fsyncs of a checkpoint never block the event loop.
 *
 * One per file, not one per process: every process on the file starts a worker, and the one that
 * holds the file's `checkpoints` lease (the `leaders` table) checkpoints; the others only watch the
 * lease and take it over when it runs out (a process that died) or is given back (one that stopped).
 * Three workers on one file each checkpointing spent 790 ms of these threads' CPU per 100,000
 * orders against 280 for one, copying the same hot pages three times over, on the cores that
 * pay the orders (`npm run bench -- scale`).
 *
 * Plain JavaScript (type-checked through JSDoc, linted like the rest): Node
 * runs it as it is, under `next start` and under tsx alike, with no bundler
 * in between; WalDurability finds it next to the source tree.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * @typedef {{ role: string; holder: string; ttlMs: number; acquireSql: string; currentSql: string }} LeaseData
 * @type {{ file: string; intervalMs: number; lease?: LeaseData }}
 */
const { file, intervalMs, lease } = workerData;
const port = parentPort;
if (!port) throw new Error("the checkpoint worker runs as a worker thread");

const db = new Database(file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");

/**
 * The lease's statements, or null: without a lease asked for, or on a file without Warren's
 * `leaders` table, this worker checkpoints whatever the others do (SQLite lets one checkpoint run
 * at a time; the others' passes find it busy).
 * @type {{ acquire: import("better-sqlite3").Statement; current: import("better-sqlite3").Statement; data: LeaseData } | null}
 */
const leaseStatements = (() => {
  if (!lease) return null;
  try {
    return { acquire: db.prepare(lease.acquireSql), current: db.prepare(lease.currentSql), data: lease };
  } catch {
    return null;
  }
})();

let leading = leaseStatements === null;
let leadingUntil = 0;
let triedAt = Number.NEGATIVE_INFINITY;

/**
 * Whether this worker is the file's checkpointer now. The lease is read, and written only when it is
 * free, run out or this worker's (renewed a third of the way through), so that the watchers do not
 * queue for the write lock behind the payments. On an error (the file busy past busy_timeout) a held
 * lease counts until it runs out.
 */
function leads() {
  if (!leaseStatements) return true;
  const { acquire, current, data } = leaseStatements;
  const now = Date.now();
  if (now - triedAt < data.ttlMs / 3) return leading && now < leadingUntil;
  triedAt = now;
  const was = leading;
  try {
    const held = /** @type {{ holder: string; until: number } | undefined} */ (current.get(data.role));
    if (held && held.holder !== data.holder && held.until > now) leading = false;
    else {
      const until = now + data.ttlMs;
      leading = acquire.run({ role: data.role, holder: data.holder, until, at: now }).changes === 1;
      leadingUntil = leading ? until : 0;
    }
  } catch {
    leading = now < leadingUntil;
  }
  if (leading !== was) port?.postMessage({ leading });
  return leading;
}

port.postMessage({ ready: true, leading: leads() });

/** @typedef {{ busy: number; log: number; checkpointed: number }} CheckpointResult */

/** The last pass's WAL size and frames copied, to tell the connection only of passes that copied something. */
let last = { log: -1, checkpointed: -1 };

setInterval(() => {
  if (!leads()) {
    last = { log: -1, checkpointed: -1 };
    return;
  }
  try {
    // PASSIVE: copies what it can without waiting for readers or writers; repeated, as a pass
    // ends behind a busy writer.
    /** @type {CheckpointResult | undefined} */
    let final;
    for (let pass = 0; pass < 20; pass++) {
      const [result] = /** @type {CheckpointResult[]} */ (db.pragma("wal_checkpoint(PASSIVE)"));
      if (!result || result.log <= 0) break;
      final = result;
      if (result.checkpointed >= result.log) break;
    }
    if (final && final.checkpointed > 0 && (final.log !== last.log || final.checkpointed !== last.checkpointed)) {
      // `checkpointed`: the WAL's frames copied so far (SQLite's count, since the WAL started over),
      // sent only when it or the WAL changed; `left`: frames not copied yet (behind an open reader,
      // or a writer faster than 20 tries). The connection finishes the checkpoint only when few are left.
      port.postMessage({ checkpointed: final.checkpointed, left: final.log - final.checkpointed });
    }
    last = final ? { log: final.log, checkpointed: final.checkpointed } : { log: -1, checkpointed: -1 };
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}, intervalMs);
