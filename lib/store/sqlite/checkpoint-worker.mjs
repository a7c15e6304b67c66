// @ts-check
/**
 * The checkpoint worker (see WalDurability in lib/store/durable.ts): copies
 * the WAL back into the database file on its own connection and thread, so
 * the fsyncs of a checkpoint never block the event loop.
 *
 * Plain JavaScript (type-checked through JSDoc, linted like the rest): Node
 * runs it as it is, under `next start` and under tsx alike, with no bundler
 * in between; WalDurability finds it next to the source tree.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/** @type {{ file: string; intervalMs: number }} */
const { file, intervalMs } = workerData;
const port = parentPort;
if (!port) throw new Error("the checkpoint worker runs as a worker thread");

const db = new Database(file, { fileMustExist: true });
db.pragma("busy_timeout = 1000");
port.postMessage({ ready: true });

/** @typedef {{ busy: number; log: number; checkpointed: number }} CheckpointResult */

/** The last pass's WAL size and frames copied, to tell the connection only of passes that copied something. */
let last = { log: -1, checkpointed: -1 };

setInterval(() => {
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
