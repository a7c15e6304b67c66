/**
 * The one error type for failures Warren expects (bad input, broker down,
 * unroutable message). `toResponse()` gives the client a reason it can act on
 * and never leaks hosts, credentials or stack traces.
 */
export type WarrenErrorCode =
  | "bad_request"
  | "unsupported_media_type"
  | "broker_unavailable"
  | "unroutable"
  | "publish_failed"
  | "payload_too_large"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_many_requests";

const statusOf: Record<WarrenErrorCode, number> = {
  bad_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many_requests: 429,
  broker_unavailable: 503,
  unroutable: 503,
  publish_failed: 503,
};

export class WarrenError extends Error {
  /** Seconds the client should wait (Retry-After) for a 429; 503s say 2. */
  retryAfterS: number | undefined;

  static tooManyRequests(message: string, retryAfterS: number): WarrenError {
    const error = new WarrenError("too_many_requests", message);
    error.retryAfterS = retryAfterS;
    return error;
  }

  constructor(
    readonly code: WarrenErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "WarrenError";
  }

  get status(): number {
    return statusOf[this.code];
  }

  toJSON() {
    return {
      error: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }

  toResponse(): Response {
    const headers: Record<string, string> = {};
    if (this.retryAfterS !== undefined) headers["Retry-After"] = String(this.retryAfterS);
    else if (this.status === 503) headers["Retry-After"] = "2";
    return Response.json(this.toJSON(), { status: this.status, headers });
  }
}

/** By name as well as class: Next.js loads lib modules in more than one module graph. */
export function isWarrenError(error: unknown): error is WarrenError {
  return (
    error instanceof WarrenError ||
    (error instanceof Error && error.name === "WarrenError" && typeof (error as WarrenError).toResponse === "function")
  );
}
