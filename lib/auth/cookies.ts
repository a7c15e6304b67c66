import { SESSION_COOKIE } from "./session";

/**
 * The session cookie from a raw Cookie header. A value that is not valid
 * percent-encoding (`%ZZ`) is no session, never an exception (it was a 500).
 */
export function sessionTokenFromCookieHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    if (part.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const raw = part.slice(at + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
