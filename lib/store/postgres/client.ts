import pg from "pg";

/**
 * PostgreSQL's text cannot hold U+0000, and a third party's message id or a dead-letter
 * reason may carry one (SQLite keeps it). Every string parameter, and every string in an
 * array parameter, has it replaced by U+FFFD on the way in — the same way everywhere, so a
 * message id recorded with its delivery still finds it when its ack is recorded.
 */
function clean(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
  if (Array.isArray(value))
    return value.some((v) => typeof v === "string" && v.includes("\u0000")) ? value.map(clean) : value;
  return value;
}

/** The pool's client class: pg.Client with NUL-free parameters (lib/store/postgres/index.ts). */
export class CleanClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this only rewrites the values.
  override query(...args: any[]): any {
    const [config, values] = args;
    if (Array.isArray(values)) args[1] = values.map(clean);
    else if (config && typeof config === "object" && Array.isArray(config.values)) {
      args[0] = { ...config, values: config.values.map(clean) };
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    return (super.query as (...a: any[]) => any)(...args);
  }
}
