import { createServer, type Server, Socket } from "node:net";

export type ProxyMode =
  /** Forward bytes both ways. */
  | "pass"
  /** Accept the TCP connection, never answer: a handshake that never ends. */
  | "blackhole"
  /** Forward, but drop both sockets the moment the client sends channel.close on a channel > 0. */
  | "cut-on-channel-close";

/**
 * A TCP proxy in front of the real broker that breaks connections at exact
 * moments, to hit races that broker restarts hit only sometimes. Only the
 * connections made through it are affected.
 */
export class FaultProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** The mode for each new connection: a function of its sequence number (1-based). */
  modeFor: (n: number) => ProxyMode = () => "pass";

  private cutBudget = 0;

  /**
   * The next `count` connections that reach the broker and close a channel are
   * cut right then; connections the broker refuses (it is still starting) do
   * not count.
   */
  cutNext(count: number): void {
    this.cutBudget = count;
    this.modeFor = () => (this.cutBudget > 0 ? "cut-on-channel-close" : "pass");
  }
  connections = 0;
  cuts = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this;
  }

  url(user = "guest", password = "guest"): string {
    return `amqp://${user}:${password}@127.0.0.1:${this.port}`;
  }

  private accept(client: Socket) {
    const mode = this.modeFor(++this.connections);
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    client.on("error", () => {});
    if (mode === "blackhole") return;
    const upstream = new Socket();
    this.sockets.add(upstream);
    upstream.on("close", () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => {});
    client.on("close", () => upstream.destroy());
    upstream.connect(this.target.port, this.target.host);
    upstream.on("data", (chunk) => client.write(chunk));
    let buffer = Buffer.alloc(0);
    let headerSeen = false;
    client.on("data", (chunk: Buffer) => {
      if (mode === "cut-on-channel-close") {
        buffer = Buffer.concat([buffer, chunk]);
        if (!headerSeen && buffer.length >= 8) {
          headerSeen = true;
          buffer = buffer.subarray(8);
        }
        // AMQP frames: type (1), channel (2), size (4), payload, frame-end (1); method payload starts with class, method.
        while (headerSeen && buffer.length >= 7) {
          const size = buffer.readUInt32BE(3);
          if (buffer.length < 8 + size) break;
          const type = buffer.readUInt8(0);
          const channel = buffer.readUInt16BE(1);
          if (
            type === 1 &&
            channel > 0 &&
            size >= 4 &&
            buffer.readUInt16BE(7) === 20 &&
            buffer.readUInt16BE(9) === 40
          ) {
            this.cuts++;
            this.cutBudget = Math.max(0, this.cutBudget - 1);
            client.destroy();
            upstream.destroy();
            return;
          }
          buffer = buffer.subarray(8 + size);
        }
      }
      upstream.write(chunk);
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
