/**
 * SQLite's answers about the file and the machine, not about what was asked: busy or locked by
 * another process, the disk or a quota full (SQLITE_FULL), an I/O error (SQLITE_IOERR and its
 * extended codes), a file made read-only or gone (SQLITE_READONLY*, SQLITE_CANTOPEN), no memory.
 * A full disk once dead-lettered good orders unpaid: three failed tries each, then the DLQ.
 */
const SQLITE_ENVIRONMENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;
/**
 * PostgreSQL's answers about the moment, not the message: a statement cancelled by its timeout
 * (57014), a read-only transaction after a failover to a standby (25006), a serialization failure
 * or a deadlock that outlived the ledger's own retries (40001, 40P01), a lock not available (55P03).
 */
const PG_TRANSIENT = new Set(["57014", "25006", "40001", "40P01", "55P03"]);
/** The same from the file system (a file opened anew; a failed WAL sync is DurabilityLostError). */
const FILE_SYSTEM = new Set(["ENOSPC", "EDQUOT", "EIO", "EROFS", "EMFILE", "ENFILE", "ENOMEM"]);

/**
 * Whether a store call failed because the database could not be reached, or could not write,
 * rather than because of what was asked: worth waiting for and trying again, and never a reason
 * to give up on a message. PostgreSQL: connection refused or lost, class 08, 57P01–57P03 (shut
 * down, crashed, starting up), 53100 (disk full), 53200 (out of memory), 53300 (too many
 * connections), PG_TRANSIENT. SQLite: busy, locked, full, I/O errors, read-only
 * (SQLITE_ENVIRONMENT); the file system's ENOSPC, EIO, EROFS and kin; and a WAL sync that failed
 * (DurabilityLostError, lib/store/durable.ts), which holds until the process restarts.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const { code: rawCode, message = "", name } = (error ?? {}) as { code?: unknown; message?: string; name?: string };
  const code = typeof rawCode === "string" ? rawCode : "";
  return (
    name === "DurabilityLostError" ||
    PG_TRANSIENT.has(code) ||
    SQLITE_ENVIRONMENT.test(code) ||
    FILE_SYSTEM.has(code) ||
    code === "53100" ||
    code === "53200" ||
    code === "53300" ||
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT" ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  );
}

/**
 * A batch the store recorded only in part: `outcomes[i]` is the committed outcome of entry i,
 * undefined where nothing is known (PostgreSQL pays new orders in one statement, then classifies
 * the rest in a second transaction; if that one fails, the first is committed all the same).
 * The caller keeps the known outcomes and records the rest again.
 */
export class PartialBatchError<T> extends Error {
  constructor(
    readonly outcomes: Array<T | undefined>,
    readonly failure: Error,
  ) {
    super(failure.message);
    this.name = "PartialBatchError";
  }
}

export function isPartialBatch<T>(error: unknown): error is PartialBatchError<T> {
  return error instanceof PartialBatchError || (error as Error | null)?.name === "PartialBatchError";
}
