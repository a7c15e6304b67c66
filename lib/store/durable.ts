import { close, fdatasync, fstat, open, realpathSync, stat, statSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import { probe, startTimer } from "../observability/probes";

/**
 * Durability without blocking the event loop.
 *
 * With `synchronous = FULL` every commit fsyncs the WAL on the calling
 * thread: the web process's only thread. Under load the event loop then
 * spends a large share of its time blocked in COMMIT (and in the automatic
 * checkpoints, which fsync the database file too), in stalls that every
 * request arriving meanwhile has to wait out.
 *
 * So the connection commits with `synchronous = NORMAL` (the commit only
 * writes to the WAL) and whoever needs a commit on disk — the outbox before it
 * answers "accepted", the consumer before it acks — awaits `sync()`, an
 * fdatasync of the WAL run on libuv's thread pool. SQLite's own definition
 * makes that the same guarantee: in WAL mode, FULL is NORMAL plus a sync of
 * the WAL after each commit. Concurrent callers share one fdatasync (group
 * commit); a caller that arrives while one is running waits for the next, as
 * the running one may have started before its commit.
 *
 * Checkpoints (copying the WAL back into the database file, with two fsyncs)
 * move to a worker thread with its own connection.
 */
export class WalDurability {
  private readonly walPath: string | null;
  private running: Promise<void> | null = null;
  private queued: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | null = null;
  private checkpointer: Worker | null = null;
  /** fdatasync calls made (each may cover many commits). */
  syncs = 0;

  constructor(private readonly db: Database.Database) {
    const wal = !db.memory && String(db.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
    // SQLite follows a symlinked database file and keeps its WAL beside the target: sync that one.
    const real = wal ? realFile(db.name) : null;
    this.walPath = real ? `${real}-wal` : null;
    const file = wal ? statSync(db.name, { throwIfNoEntry: false }) : undefined;
    this.dbFile = file ? { dev: file.dev, ino: file.ino } : null;
  }

  /** The database file this connection opened, to notice it deleted or replaced (syncWal). */
  private readonly dbFile: { dev: number; ino: number } | null;

  /**
   * Set for good once an fdatasync of the WAL failed. Linux reports a failed writeback once: the
   * next fdatasync on the file succeeds though the pages it dropped never reached the disk, so a
   * payment retried after it would read as a duplicate and be acked while it may not be on disk.
   * From then on every sync() fails with it (the consumer acks nothing, and says why) until the
   * process restarts and SQLite reads the file anew, as PostgreSQL does after a failed fsync.
   */
  private lost: DurabilityLostError | null = null;

  /** The loss that holds (a failed sync, the file deleted), or null. */
  get lostError(): DurabilityLostError | null {
    return this.lost;
  }

  /** Resolves once every transaction committed before the call is on disk. */
  sync(): Promise<void> {
    if (!this.walPath) return Promise.resolve();
    if (!this.running) {
      this.running = this.run();
      return this.running;
    }
    if (!this.queued) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.queued = { promise, resolve, reject };
    }
    return this.queued.promise;
  }

  private async run(): Promise<void> {
    try {
      // A caller queued behind the sync that failed must not be answered by the next one, which
      // succeeds on the same file though what the failure dropped never reached the disk.
      if (this.lost) throw this.lost;
      const startedAt = startTimer();
      await this.syncWal(this.walPath as string);
      probe.fsync(startedAt);
      this.syncs++;
    } finally {
      this.running = null;
      const next = this.queued;
      this.queued = null;
      if (next) {
        this.running = this.run();
        this.running.then(next.resolve, next.reject);
      }
    }
  }

  /**
   * Checkpoints from a worker thread every `intervalMs`; the connection's own
   * (blocking) automatic checkpoints stop once the worker runs. Without a
   * worker (it could not start), SQLite's automatic checkpoints stay on.
   */
  startCheckpoints(intervalMs = 250, log?: (message: string) => void): void {
    if (!this.walPath || this.checkpointer) return;
    this.finishEveryMs = intervalMs * 0.8;
    try {
      const worker = new Worker(CHECKPOINT_WORKER, { workerData: { file: this.db.name, intervalMs } });
      worker.unref();
      worker.on("message", (message: { ready?: boolean; checkpointed?: number; left?: number; error?: string }) => {
        if (message.ready) {
          this.db.pragma("wal_autocheckpoint = 0");
          // A restarted WAL keeps its largest size unless told otherwise: up to 64 MB it is kept,
          // so a restart that comes late still finds the blocks it rewrites (see finishCheckpoint).
          this.db.pragma("journal_size_limit = 67108864");
        }
        // Only when the worker copied nearly everything: behind an open reader it may have left
        // megabytes, and copying them (with two fsyncs) is the worker's job, off the event loop.
        if (message.checkpointed && (message.left ?? 0) <= FINISH_MAX_FRAMES) this.finishCheckpoint();
        if (message.error) log?.(`[db] checkpoint failed: ${message.error}`);
      });
      worker.on("error", (error) => {
        log?.(`[db] checkpoint worker stopped (${error.message}); SQLite checkpoints on commit again`);
        this.restoreAutoCheckpoint();
      });
      this.checkpointer = worker;
    } catch (error) {
      log?.(`[db] could not start the checkpoint worker (${(error as Error).message}); SQLite checkpoints on commit`);
    }
  }

  /**
   * The WAL starts over (instead of growing) only when a write begins with every frame
   * copied, which a worker racing a busy writer never sees. So after a pass of the worker that
   * copied nearly everything, this connection copies the frames written since — between two
   * of its own writes — and its next write restarts the WAL. A short stall (the last frames
   * and two fsyncs), not the whole checkpoint.
   *
   * After every pass, not once a second: a WAL that starts over soon is rewritten in place,
   * and an fdatasync of blocks the file already has is cheaper than one that grows it (which
   * must also commit the file system's journal): 170-210 µs and 80 µs of CPU against 290-310
   * µs and 110-130 µs here, per commit of 50 payments. Restarted once a second, the backlog
   * drain grew the WAL to ~45 MB between restarts, cut back to 16 MB (journal_size_limit, now
   * 64 MB) at each, so most of its commits appended; restarted every 250 ms it stays at ~12 MB.
   */
  private finishCheckpoint() {
    const now = Date.now();
    if (now - this.lastFinishAt < this.finishEveryMs || !this.db.open || this.db.inTransaction) return;
    this.lastFinishAt = now;
    try {
      this.db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // Busy or closing: the next round tries again.
    }
  }

  /**
   * At most this often: the worker's interval, less a little (the passes' messages do not come
   * exactly on time). Set by startCheckpoints, the only source of the messages that call it.
   */
  private finishEveryMs = 0;
  private lastFinishAt = 0;

  /**
   * One fdatasync on the thread pool, on a descriptor kept open. SQLite removes the WAL only
   * when the last connection closes, and this one is open while it syncs; still, at most once
   * a second the descriptor is checked against the path, and a WAL created anew gets a fresh
   * descriptor. At the same pace the database file is checked against the one first opened.
   */
  private async syncWal(path: string): Promise<void> {
    let fd = this.walFd;
    if (Date.now() - this.walCheckedAt > 1000) {
      this.walCheckedAt = Date.now();
      // The database file deleted or replaced under this connection (an `rm`, a `mv` over it): its
      // commits go to a file no one else will open, and a process started now makes a fresh ledger
      // beside it. Nothing more is acked or accepted as on disk from here. A file overwritten in place
      // (`cp` onto it) keeps its inode and is not seen: stop every process before restoring a file.
      // Any other error of the check (permissions, a network file system) only skips it this time.
      if (this.dbFile && (await samePath(this.db.name, this.dbFile)) === "gone") {
        this.lost ??= new DurabilityLostError(
          `the database file ${this.db.name} was deleted or replaced under this process`,
        );
        throw this.lost;
      }
      if (fd !== null && !(await sameFile(fd, path))) {
        close(fd, () => {});
        fd = this.walFd = null;
      }
    }
    if (fd === null) {
      try {
        fd = this.walFd = await new Promise<number>((resolve, reject) =>
          open(path, "r", (error, opened) => (error ? reject(error) : resolve(opened))),
        );
      } catch (error) {
        // No WAL file: the last connection checkpointed it into the (synced) database and removed it.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
      }
    }
    const descriptor = fd;
    await new Promise<void>((resolve, reject) =>
      fdatasync(descriptor, (error) => {
        if (!error) return resolve();
        this.lost ??= new DurabilityLostError(
          `the WAL could not be synced (${error.code ?? error.message})`,
          error.code,
        );
        reject(this.lost);
      }),
    );
  }

  private walFd: number | null = null;
  private walCheckedAt = 0;

  /** Stops the checkpoint worker (before the connection closes). */
  async stop(): Promise<void> {
    if (this.walFd !== null) close(this.walFd, () => {});
    this.walFd = null;
    const worker = this.checkpointer;
    this.checkpointer = null;
    if (!worker) return;
    this.restoreAutoCheckpoint();
    await worker.terminate().catch(() => 0);
  }

  private restoreAutoCheckpoint() {
    try {
      if (this.db.open) this.db.pragma("wal_autocheckpoint = 1000");
    } catch {
      // Closed meanwhile.
    }
  }
}

/** Whether an open descriptor is still the file at `path` (same device and inode). */
function sameFile(fd: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    fstat(fd, (error, held) => {
      if (error) return resolve(false);
      samePath(path, held).then((found) => resolve(found === "same"));
    });
  });
}

/**
 * The worker's file, found from the project root (the directory `next start` and `npm run
 * worker` run in) rather than from this module: in the Next build this module is bundled
 * elsewhere, while the worker must stay a plain file that Node runs as it is.
 */
const CHECKPOINT_WORKER = join(process.cwd(), "lib", "store", "sqlite", "checkpoint-worker.mjs");

/** The most frames a checkpoint pass may leave for the connection to copy on the event loop (~1 MB). */
const FINISH_MAX_FRAMES = 256;

const registry = new WeakMap<Database.Database, WalDurability>();

/** The durability helper of a connection (one per connection). */
export function durabilityOf(db: Database.Database): WalDurability {
  let found = registry.get(db);
  if (!found) {
    found = new WalDurability(db);
    registry.set(db, found);
  }
  return found;
}

/** A WAL sync failed: what was committed since the last good one may not be on disk (WalDurability.lost). */
export class DurabilityLostError extends Error {
  /** When it was found. */
  readonly at = Date.now();

  constructor(
    reason: string,
    readonly code?: string,
  ) {
    super(`${reason}: restart this process`);
    this.name = "DurabilityLostError";
  }
}

/** Whether `path` is still the file first seen there (same device and inode), gone (no file, or another), or unknown. */
function samePath(path: string, first: { dev: number; ino: number }): Promise<"same" | "gone" | "unknown"> {
  return new Promise((resolve) => {
    stat(path, (error, now) => {
      if (error) return resolve(error.code === "ENOENT" ? "gone" : "unknown");
      resolve(now.ino === first.ino && now.dev === first.dev ? "same" : "gone");
    });
  });
}

/** The file a path names, symlinks followed; the path itself when it cannot be resolved. */
function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
