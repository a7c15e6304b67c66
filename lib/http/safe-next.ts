/**
 * Where to go after sign-in: a path on this site, or "/". Browsers drop tabs
 * and newlines inside URLs, so "/\t/evil.example" becomes "//evil.example", a
 * link to another host; control characters and backslashes are refused
 * outright, and what remains must resolve to this origin.
 */
const BASE = "http://warren.invalid";

export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  if (!next.startsWith("/") || next.startsWith("//")) return "/";
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
