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

setInterval(() => {
  try {
    // PASSIVE: copies what it can without waiting for readers or writers; repeated, as a pass
    // ends behind a busy writer.
    let copied = 0;
    for (let pass = 0; pass < 20; pass++) {
      const [result] = /** @type {CheckpointResult[]} */ (db.pragma("wal_checkpoint(PASSIVE)"));
      if (!result || result.log <= 0) break;
      copied = result.checkpointed;
      if (result.checkpointed >= result.log) break;
    }
    if (copied > 0) port.postMessage({ copied });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}, intervalMs);
