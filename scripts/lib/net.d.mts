// Types for net.mjs: it stays plain JavaScript so scripts/start.mjs and
// scripts/test.mjs run with bare node, and the .ts scripts share it through this.

/** Whether something accepts TCP connections on host:port (a broker, a server). */
export function reachable(host: string, port: number, timeout?: number): Promise<boolean>;
