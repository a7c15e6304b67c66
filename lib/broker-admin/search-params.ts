import { isWarrenError } from "../errors";
import { parseVhost } from "./vhost";

/** A page's `?vhost=`: the default "/" and a message instead of an error page when it is wrong. */
export function vhostOfPage(
  raw: string | string[] | undefined,
  allowAll = false,
): { vhost: string | null; error: string | null } {
  try {
    const vhost = parseVhost(Array.isArray(raw) ? raw[0] : raw);
    if (vhost === null && !allowAll) return { vhost: "/", error: 'Pick one vhost here; showing "/".' };
    return { vhost, error: null };
  } catch (error) {
    if (!isWarrenError(error)) throw error;
    return { vhost: "/", error: `${error.message} Showing "/".` };
  }
}
