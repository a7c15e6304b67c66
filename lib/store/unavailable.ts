/**
 * SQLite's answers about the file and the machine, not about what was asked: busy or locked by
 * another process, the disk or a quota full (SQLITE_FULL), an I/O error (SQLITE_IOERR and its
 * extended codes), a file made read-only or gone (SQLITE_READONLY*, SQLITE_CANTOPEN), no memory.
 * A full disk once dead-lettered good orders unpaid: three failed tries each, then the DLQ.
 */
const SQLITE_ENVIRONMENT = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/;
/** The same from the file system (the WAL's fdatasync, a file opened anew). */
const FILE_SYSTEM = new Set(["ENOSPC", "EDQUOT", "EIO", "EROFS", "EMFILE", "ENFILE", "ENOMEM"]);

/**
 * Whether a store call failed because the database could not be reached, or could not write,
 * rather than because of what was asked: worth waiting for and trying again, and never a reason
 * to give up on a message. PostgreSQL: connection refused or lost, class 08, 57P01–57P03 (shut
 * down, crashed, starting up), 53100 (disk full), 53200 (out of memory), 53300 (too many
 * connections). SQLite: busy, locked, full, I/O errors, read-only (SQLITE_ENVIRONMENT); the file
 * system's ENOSPC, EIO, EROFS and kin.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const { code = "", message = "" } = (error ?? {}) as { code?: string; message?: string };
  if (typeof code !== "string") return false;
  return (
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
