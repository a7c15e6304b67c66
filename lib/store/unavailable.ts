/**
 * Whether a store call failed because the database could not be reached (or is starting,
 * or busy) rather than because of what was asked: worth waiting for and trying again, and
 * never a reason to give up on a message. PostgreSQL: connection refused or lost, class 08,
 * 57P01–57P03 (shut down, crashed, starting up). SQLite: SQLITE_BUSY / SQLITE_LOCKED.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const { code = "", message = "" } = (error ?? {}) as { code?: string; message?: string };
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT" ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "SQLITE_BUSY" ||
    code === "SQLITE_LOCKED" ||
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
