/**
 * A broker setting may name several cluster nodes, comma-separated
 * (`amqp://u:p@rmq1,amqp://u:p@rmq2`). Every place that reads or shows such a
 * setting goes through here, so a list is never taken as one URL and no
 * node's password reaches a log line, a page or an error.
 */

/** The entries of a comma-separated list, trimmed, empty entries kept (so a position can be named). */
export function splitNodeList(value: string): string[] {
  return value.split(",").map((entry) => entry.trim());
}

/** `host:port/vhost` for an amqp URL, `host:port` (and path) for an http one; never user or password. */
export function describeNode(url: string): string {
  try {
    const parsed = new URL(url);
    const amqp = parsed.protocol.startsWith("amqp");
    const port = parsed.port || (amqp ? (parsed.protocol === "amqps:" ? "5671" : "5672") : "");
    const host = port ? `${parsed.hostname}:${port}` : parsed.hostname;
    if (!amqp) return `${host}${parsed.pathname.replace(/\/$/, "")}`;
    const vhost = parsed.pathname.replace(/^\//, "");
    return `${host}/${vhost === "" ? "" : decodeURIComponent(vhost)}`;
  } catch {
    // Unparseable: show nothing of it rather than risk showing a password.
    return "(unparseable URL)";
  }
}

/** Every node of a list, described; what log lines and pages show for AMQP_URL and friends. */
export function describeNodes(value: string): string {
  return splitNodeList(value)
    .filter(Boolean)
    .map((entry) => describeNode(entry))
    .join(", ");
}
