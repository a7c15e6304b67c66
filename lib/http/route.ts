import "server-only";
import type { Access } from "../auth/access";
import { requestAccess } from "../auth/server";
import { isWarrenError, WarrenError } from "../errors";
import { partLogger } from "../observability/logger";
import { type BodyOptions, readJsonBody } from "./body";
import { clientAddress } from "./client-address";
import { crossOriginRefusal } from "./cross-origin";

export interface RouteContext {
  request: Request;
  /** Who is calling (read from the store once per request, on first use). */
  access(): Promise<Access>;
  /** The client's address, forwarding headers believed only from WARREN_TRUSTED_PROXIES. */
  client: string;
  /** The one JSON body reader: exact media type, size limit while reading, strict UTF-8. */
  json(options?: BodyOptions): Promise<unknown>;
}

/**
 * The one route wrapper: refuses cross-origin state changes (403) before
 * anything runs, gives the handler its context, and maps failures to
 * statuses: a WarrenError to its own 4xx/503 with its reason, anything else
 * to a logged 500 that leaks nothing.
 */
export function route(
  run: (context: RouteContext) => Promise<Response> | Response,
): (request: Request) => Promise<Response> {
  return async (request: Request) => {
    try {
      const refused = crossOriginRefusal(request);
      if (refused) throw new WarrenError("forbidden", `Refused: ${refused}.`);
      let access: Promise<Access> | null = null;
      const context: RouteContext = {
        request,
        access: () => {
          access ??= requestAccess(request);
          return access;
        },
        client: clientAddress(request.headers),
        json: (options) => readJsonBody(request, options),
      };
      return await run(context);
    } catch (error) {
      if (isWarrenError(error)) return error.toResponse();
      partLogger("api").error(
        { err: error },
        `[api] unexpected error on ${request.method} ${new URL(request.url).pathname}`,
      );
      return Response.json({ error: "internal", message: "Unexpected error; see the server log." }, { status: 500 });
    }
  };
}

/**
 * One path segment of the raw URL, decoded exactly once. Next hands route
 * handlers params already decoded, and decoding those again breaks names
 * containing "%"; a segment that is not valid percent-encoding is a 400.
 */
export function pathSegment(request: Request, index: number, what: string): string {
  const raw = new URL(request.url).pathname.split("/")[index] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new WarrenError("bad_request", `The ${what} in the address is not valid URL encoding.`);
  }
}
