import { createServer } from "node:net";

/**
 * A port on 127.0.0.1 that was free a moment ago and that nothing listens on now: connecting to it
 * is refused at once, and a server the test starts itself may take it.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening, failed) => {
    server.once("error", failed);
    server.listen(0, "127.0.0.1", listening);
  });
  const address = server.address();
  await new Promise((closed) => server.close(closed));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
