import { createConnection } from "node:net";

/** Whether something accepts TCP connections on host:port (a broker, a server). */
export function reachable(host, port, timeout = 1500) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout }, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
