import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { test } from "./fixtures";

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * A `next start` of its own, on the shared broker with a queue of its own,
 * for specs that need settings the main e2e server does not have (trusted
 * proxies, small caps, masking) or a fresh process (sign-in limits live in
 * memory). Registers beforeAll/afterAll in the calling describe.
 */
export function ownWarren(extra: Record<string, string>) {
  const state: { base: string; dbPath: string; queue: string; web: WarrenProcess | null } = {
    base: "",
    dbPath: "",
    queue: "",
    web: null,
  };
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const port = await freePort();
    const id = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    state.dbPath = join("data", `e2e-door-${id}.db`);
    state.queue = `e2e.door-${id}.order_queue`;
    state.base = `http://127.0.0.1:${port}`;
    state.web = await startWeb(
      "door-web",
      {
        amqpUrl: process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
        dbPath: state.dbPath,
        queue: state.queue,
        extra: {
          RABBITMQ_MANAGEMENT_URL: process.env.RABBITMQ_MANAGEMENT_URL ?? "http://127.0.0.1:15672",
          WARREN_ADMIN_PASSWORD: process.env.E2E_OPERATOR_PASSWORD ?? "e2e-operator-password",
          ...extra,
        },
      },
      port,
      true,
    );
  });
  test.afterAll(async () => {
    await state.web?.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${state.dbPath}${suffix}`, { force: true });
  });
  return state;
}
