import { rmSync } from "node:fs";
import { join } from "node:path";
import amqp from "amqplib";
import { SESSION_COOKIE } from "../lib/auth/session";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { closedPort } from "../test/helpers/ports";
import { expect, operatorToken, test, unique } from "./fixtures";

/**
 * The README's modes over HTTP, each on a `next start` of its own (the shared broker, a queue of
 * its own): read-only, no operator password, and limited mode (the management API unreachable).
 */
const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const PASSWORD = "modes-operator-password";

/** A session of the first admin ("admin", from WARREN_ADMIN_PASSWORD) on that Warren, signed in over HTTP. */
async function operatorCookie(base: string, password: string): Promise<string> {
  return `${SESSION_COOKIE}=${await operatorToken(base, "admin", password)}`;
}

/** A Warren of its own for the specs of one describe block; always stopped. */
function ownWarren(label: string, extra: Record<string, string>) {
  const state: { web: WarrenProcess | null; base: string; queue: string; dbPath: string } = {
    web: null,
    base: "",
    queue: `e2e.modes.${label}.${Date.now()}`,
    dbPath: join("data", `e2e-modes-${label}-${Date.now()}.db`),
  };
  test.beforeAll(async () => {
    test.setTimeout(90_000);
    const port = await closedPort();
    state.base = `http://127.0.0.1:${port}`;
    state.web = await startWeb(label, { amqpUrl: AMQP_URL, dbPath: state.dbPath, queue: state.queue, extra }, port);
  });
  test.afterAll(async () => {
    await state.web?.stop();
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(state.queue).catch(() => {});
    await channel.deleteQueue(`${state.queue}.dlq`).catch(() => {});
    await connection.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${state.dbPath}${suffix}`, { force: true });
  });
  return state;
}

/** A scratch queue with `count` messages on the shared broker. */
async function scratchQueue(count: number) {
  const name = `e2e.modes.${unique("scratch")}`;
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(name, { durable: false });
  for (let i = 0; i < count; i++) channel.sendToQueue(name, Buffer.from(`{"n":${i}}`));
  await channel.waitForConfirms();
  return {
    name,
    depth: async () => (await channel.checkQueue(name)).messageCount,
    consumers: async (queue: string) => (await channel.checkQueue(queue)).consumerCount,
    async close() {
      await channel.deleteQueue(name).catch(() => {});
      await connection.close();
    },
  };
}

const post = (url: string, body: unknown, cookie?: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

test.describe("read-only mode (WARREN_READ_ONLY=1)", () => {
  const warren = ownWarren("readonly", { WARREN_ADMIN_PASSWORD: PASSWORD, WARREN_READ_ONLY: "1" });

  test("even a signed-in operator is refused with 403 and the reason; the header says read-only", async ({
    page,
    context,
  }) => {
    const scratch = await scratchQueue(2);
    try {
      const cookie = await operatorCookie(warren.base, PASSWORD);
      const purge = await post(
        `${warren.base}/api/broker/queues/${encodeURIComponent(scratch.name)}/purge`,
        { confirm: "purge" },
        cookie,
      );
      expect(purge.status).toBe(403);
      const body = (await purge.json()) as { error: string; message: string };
      expect(body.error).toBe("forbidden");
      expect(body.message).toContain("WARREN_READ_ONLY=1");
      const pause = await post(`${warren.base}/api/broker/consumers`, { command: "pause" }, cookie);
      expect(pause.status).toBe(403);
      expect(await scratch.depth()).toBe(2);
      expect(await scratch.consumers(warren.queue)).toBe(1);

      await context.addCookies([{ name: SESSION_COOKIE, value: cookie.split("=")[1] ?? "", url: warren.base }]);
      await page.goto(warren.base);
      await expect(page.getByTestId("role")).toHaveAttribute("data-role", "operator");
      await expect(page.getByTestId("role")).toContainText("read-only");
    } finally {
      await scratch.close();
    }
  });
});

test.describe("no operator password (WARREN_ADMIN_PASSWORD unset)", () => {
  const warren = ownWarren("nopassword", { WARREN_ADMIN_PASSWORD: "" });

  test("actions are refused with 403 naming the variable, sign-in is off, and a self-signed cookie changes nothing", async ({
    page,
  }) => {
    const scratch = await scratchQueue(1);
    try {
      // A token the server never issued (sessions live on the server; nothing can be self-signed).
      for (const cookie of [undefined, `${SESSION_COOKIE}=${"A".repeat(43)}`]) {
        const purge = await post(
          `${warren.base}/api/broker/queues/${encodeURIComponent(scratch.name)}/purge`,
          { confirm: "purge" },
          cookie,
        );
        expect(purge.status).toBe(403);
        expect(((await purge.json()) as { message: string }).message).toContain("WARREN_ADMIN_PASSWORD");
      }
      expect(await scratch.depth()).toBe(1);
      await page.goto(`${warren.base}/login`);
      await expect(page.getByTestId("signin-disabled")).toContainText("WARREN_ADMIN_PASSWORD");
      // The dashboard still works for everyone: orders are not an operator action.
      const order = await post(`${warren.base}/api/orders`, { item: "book" });
      expect(order.status).toBe(202);
    } finally {
      await scratch.close();
    }
  });
});

test.describe("limited mode (the management API unreachable)", () => {
  // Port 9 (discard) is closed here: the API is refused at once, as with the plugin off.
  const warren = ownWarren("limited", {
    WARREN_ADMIN_PASSWORD: PASSWORD,
    RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9",
  });

  test("the banner says so, and purge, publish and consumer control still work", async ({ page }) => {
    const scratch = await scratchQueue(3);
    const cookie = await operatorCookie(warren.base, PASSWORD);
    try {
      await page.goto(`${warren.base}/queues/${encodeURIComponent(warren.queue)}`);
      await expect(page.getByText("limited mode: enable rabbitmq_management for all queues and rates.")).toBeVisible();

      const path = `${warren.base}/api/broker/queues/${encodeURIComponent(scratch.name)}`;
      const published = await post(`${path}/publish`, { message: { hello: "limited" } }, cookie);
      expect(published.status).toBe(201);
      expect(await scratch.depth()).toBe(4);
      const purged = await post(`${path}/purge`, { confirm: "purge" }, cookie);
      expect(purged.status).toBe(200);
      expect(await purged.json()).toEqual({ queue: scratch.name, purged: 4 });
      expect(await scratch.depth()).toBe(0);

      expect((await post(`${warren.base}/api/broker/consumers`, { command: "pause" }, cookie)).status).toBe(202);
      await expect.poll(() => scratch.consumers(warren.queue)).toBe(0);
      expect((await post(`${warren.base}/api/broker/consumers`, { command: "resume" }, cookie)).status).toBe(202);
      await expect.poll(() => scratch.consumers(warren.queue)).toBe(1);
    } finally {
      await scratch.close();
    }
  });
});
