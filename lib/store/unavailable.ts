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
