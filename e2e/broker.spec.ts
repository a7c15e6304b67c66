import { rmSync } from "node:fs";
import { join } from "node:path";
import amqp, { type ChannelModel } from "amqplib";
import { PrivateBroker, privateBrokerSkipReason } from "../scripts/chaos/private-broker";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { expect, operatorPassword, operatorToken, test } from "./fixtures";

/**
 * The broker pages. The shared broker has no management plugin here, so the
 * e2e server shows limited mode; a private node WITH the plugin and a
 * `next start` of its own show the full pages, a real memory alarm (banner,
 * blocked publisher) and an operator closing a connection.
 */
test.describe.configure({ mode: "serial" });

const noHorizontalScroll = async (page: import("@playwright/test").Page) => {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll, "the page scrolls sideways").toBeLessThanOrEqual(widths.client);
};

test.describe("limited mode (a Warren whose management API does not answer)", () => {
  // Its own `next start` on the shared broker with the management URL pointing nowhere, so the
  // specs hold whether or not the shared broker has the plugin on.
  const port = Number(process.env.E2E_PORT ?? 3100) + 91;
  const limitedBase = `http://127.0.0.1:${port}`;
  const dbPath = join("data", `broker-limited-e2e-${port}-${Date.now()}.db`);
  let web: WarrenProcess | null = null;
  test.use({ baseURL: limitedBase });

  test.beforeAll(async () => {
    test.setTimeout(90_000);
    web = await startWeb(
      "broker-limited-web",
      {
        amqpUrl: process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
        dbPath,
        queue: `e2e.${process.env.E2E_RUN_ID}.broker-limited`,
        extra: { WARREN_ADMIN_PASSWORD: operatorPassword() },
      },
      port,
      false,
    );
  });

  test.afterAll(async () => {
    await web?.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  });

  for (const path of ["/broker", "/connections", "/connections/no-such-connection", "/exchanges"]) {
    test(`${path} says limited mode, never a 500`, async ({ page }) => {
      const res = await page.goto(path);
      expect(res?.status()).toBe(200);
      await expect(page.getByTestId("limited-mode")).toBeVisible();
    });
  }

  test("the JSON routes answer with the reason", async ({ request }) => {
    const overview = await request.get("/api/broker/overview");
    expect(overview.status()).toBe(200);
    expect((await overview.json()).mode).toBe("limited");
    const list = await request.get("/api/broker/connections");
    expect((await list.json()).mode).toBe("limited");
    const bad = await request.get(`/api/broker/connections?vhost=${"v".repeat(300)}`);
    expect(bad.status()).toBe(400);
    for (const path of ["/api/broker/exchanges", "/api/broker/queues/anything/topology"]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(200);
      expect((await res.json()).mode, path).toBe("limited");
    }
    expect((await request.get("/api/broker/exchanges?vhost=*")).status()).toBe(400);
  });

  test("closing a connection over JSON: 401 without a session, 400 for a bad reason, 503 without the management API", async ({
    request,
  }) => {
    const url = `/api/broker/connections/${encodeURIComponent("127.0.0.1:1 -> 127.0.0.1:5672")}/close`;
    expect((await request.post(url, { data: { reason: "stuck publisher" } })).status()).toBe(401);
    const headers = { cookie: `warren_session=${await operatorToken(limitedBase)}` };
    const bad = await request.post(url, { data: { reason: "naïve" }, headers });
    expect(bad.status()).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("plain ASCII");
    const away = await request.post(url, { data: { reason: "stuck publisher" }, headers });
    expect(away.status()).toBe(503);
    expect((await away.json()).message).toContain("Cannot close connections");
  });
});

test.describe("a private node with the management plugin", () => {
  const skipReason = privateBrokerSkipReason();
  test.skip(skipReason !== false, skipReason || "");
  const amqpPort = Number(process.env.CHAOS_AMQP_PORT ?? 5673);
  const broker = new PrivateBroker({ port: amqpPort, managementPort: amqpPort + 10_000 });
  const port = Number(process.env.E2E_BROKER_PORT ?? Number(process.env.E2E_PORT ?? 3100) + 90);
  const base = `http://127.0.0.1:${port}`;
  const dbPath = join("data", `broker-e2e-${port}-${Date.now()}.db`);
  let web: WarrenProcess | null = null;
  const clients: ChannelModel[] = [];

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    await broker.start();
    web = await startWeb(
      "broker-web",
      {
        amqpUrl: broker.url,
        dbPath,
        queue: "e2e.broker.order_queue",
        extra: {
          RABBITMQ_MANAGEMENT_URL: `http://127.0.0.1:${amqpPort + 10_000}`,
          WARREN_ADMIN_PASSWORD: operatorPassword(),
        },
      },
      port,
      true,
    );
  });

  test.afterAll(async () => {
    for (const client of clients) await client.close().catch(() => {});
    await web?.stop();
    await broker.stop();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
  });

  const connect = async (name: string) => {
    const connection = await amqp.connect(broker.url, { clientProperties: { connection_name: name } });
    connection.on("error", () => {});
    clients.push(connection);
    return connection;
  };

  for (const width of [1280, 390]) {
    test(`overview at ${width} px: the node with its limits, totals and rates`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      const started = Date.now();
      await page.goto(`${base}/broker`);
      await expect(page.getByTestId("node-card")).toHaveCount(1);
      console.log(`# /broker at ${width} px loaded in ${Date.now() - started} ms`);
      await expect(page.getByTestId("node-card")).toHaveAttribute("data-node", broker.nodeName);
      await expect(page.getByTestId("node-state")).toHaveText("running");
      await expect(page.getByTestId("no-alarms")).toBeVisible();
      await expect(page.getByTestId("total-exchanges")).not.toHaveText("—");
      await expect(page.getByRole("link", { name: "Broker" })).toHaveAttribute("aria-current", "page");
      await noHorizontalScroll(page);
    });
  }

  test("a memory alarm: banner on every page, live, and the blocked publisher on the connections page", async ({
    page,
    context,
  }) => {
    test.setTimeout(90_000);
    const publisher = await connect("e2e-stalled-publisher");
    const channel = await publisher.createChannel();
    const streams: string[] = [];
    context.on("request", (request) => {
      if (request.resourceType() === "eventsource") streams.push(new URL(request.url()).pathname);
    });
    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(`${base}/queues`);
    const second = await context.newPage();
    await second.goto(`${base}/exchanges`);
    await expect(page.getByTestId("alarm-banner")).toHaveCount(0);
    await broker.ctl("set_vm_memory_high_watermark", "0.0001");
    try {
      // Pushed to the open pages, no reload; each tab on its one live stream.
      const banner = page.getByTestId("alarm-banner");
      await expect(banner).toContainText("Publishers are blocked", { timeout: 20_000 });
      await expect(banner).toContainText(`memory alarm on ${broker.nodeName}`);
      await expect(second.getByTestId("alarm-banner")).toContainText(`memory alarm on ${broker.nodeName}`);
      expect(streams).toEqual(["/api/events", "/api/events"]);
      await second.close();
      await noHorizontalScroll(page);
      channel.sendToQueue("amq.rabbitmq.none", Buffer.from("held"));
      await page.goto(`${base}/connections`);
      const row = page.locator('[data-testid="connection-row"][data-client="e2e-stalled-publisher"]');
      await expect(row.getByTestId("connection-state")).toHaveAttribute("data-state", "blocked", { timeout: 20_000 });
      // Publishers actually held come first (Warren's own publisher may be held too).
      await expect(page.getByTestId("connection-state").first()).toHaveAttribute("data-state", "blocked");
      await expect(page.getByTestId("alarm-banner")).toBeVisible();
      await noHorizontalScroll(page);
      await page.goto(`${base}/broker`);
      await expect(page.getByTestId("alarm")).toHaveAttribute("data-kind", "memory");
      await expect(page.getByTestId("alarm-list")).toContainText("blocks every connection that publishes");
    } finally {
      await broker.ctl("set_vm_memory_high_watermark", "0.4");
    }
    await expect(page.getByTestId("alarm-banner")).toHaveCount(0, { timeout: 20_000 });
  });

  for (const width of [1280, 390]) {
    test(`a connection's page at ${width} px: channels, then an operator closes it with a reason`, async ({
      page,
      context,
      request,
    }) => {
      test.setTimeout(60_000);
      await page.setViewportSize({ width, height: 900 });
      const client = `e2e-victim-${width}`;
      const victim = await connect(client);
      const closed = new Promise<string>((resolve) =>
        victim.on("close", (error?: Error) => resolve(String(error?.message))),
      );
      const channel = await victim.createConfirmChannel();
      await channel.prefetch(9);
      const { queue } = await channel.assertQueue("", { exclusive: true });
      await channel.consume(queue, () => {});
      await page.goto(`${base}/connections`);
      // A viewer sees who is connected, not from where: no address, no link to the details.
      const viewerRow = page.locator(`[data-testid="connection-row"][data-client="${client}"]`);
      await expect(viewerRow).toContainText("(operators only)", { timeout: 15_000 });
      await expect(viewerRow.locator("a")).toHaveCount(0);
      await expect(viewerRow).not.toContainText("127.0.0.1");
      await context.addCookies([
        { name: "warren_session", value: await operatorToken(base), url: base, httpOnly: true },
      ]);
      await page.reload();
      const link = page.locator(`[data-testid="connection-row"][data-client="${client}"] a`);
      await expect(link).toBeVisible({ timeout: 15_000 });
      const detailUrl = await link.getAttribute("href");
      await link.click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(client);
      const row = page.getByTestId("channel-row");
      await expect(row.locator('[data-col="prefetch"]')).toHaveText("9", { timeout: 15_000 });
      await expect(row.locator('[data-col="mode"]')).toHaveText("confirm");
      await noHorizontalScroll(page);
      // Without a session the details (client addresses) are refused over JSON.
      const anonymous = await request.get(`${base}/api${detailUrl?.replace("/connections", "/broker/connections")}`);
      expect(anonymous.status()).toBe(401);
      // The browser checks the length; the server also refuses what cannot travel in the X-Reason header.
      await page.getByLabel("Reason").fill("naïve reason");
      await page.getByRole("button", { name: "Close connection" }).click();
      await expect(page.getByTestId("close-status")).toContainText("Nothing was closed");
      await expect(page.getByText("plain ASCII")).toBeVisible();
      await page.getByLabel("Reason").fill("stuck publisher, restarting it");
      await page.getByRole("button", { name: "Close connection" }).click();
      await expect(page.getByTestId("close-status")).toContainText("Closed");
      expect(await closed).toContain("stuck publisher, restarting it");
      await page.goto(`${base}/audit`);
      await expect(page.getByText("connection.close").first()).toBeVisible();
    });
  }

  test("exchanges per vhost, an exchange's bindings, and a queue's topology picture, at 390 px", async ({ page }) => {
    test.setTimeout(60_000);
    await broker.ctl("add_vhost", "e2e-shop");
    await broker.ctl("set_permissions", "-p", "e2e-shop", "guest", ".*", ".*", ".*");
    const shop = await amqp.connect(`${broker.url}/e2e-shop`);
    clients.push(shop);
    const s = await shop.createChannel();
    await s.assertExchange("shop.only", "headers", { durable: true });
    const connection = await connect("e2e-topology");
    const channel = await connection.createChannel();
    await channel.assertExchange("e2e.shop.in", "fanout", { durable: false });
    await channel.assertExchange("e2e.orders.topic", "topic", { durable: false });
    await channel.assertExchange("e2e.dlx", "direct", { durable: false });
    await channel.assertQueue("e2e.orders", {
      durable: false,
      arguments: { "x-dead-letter-exchange": "e2e.dlx", "x-dead-letter-routing-key": "failed" },
    });
    await channel.assertQueue("e2e.orders.dlq", { durable: false });
    await channel.bindExchange("e2e.orders.topic", "e2e.shop.in", "");
    await channel.bindQueue("e2e.orders", "e2e.orders.topic", "order.*.eu");
    await channel.bindQueue("e2e.orders.dlq", "e2e.dlx", "failed");

    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(`${base}/exchanges`);
    const row = page.locator('[data-testid="exchange-row"][data-name="e2e.orders.topic"]');
    await expect(row).toContainText("topic");
    await expect(page.locator('[data-testid="exchange-row"][data-name="shop.only"]')).toHaveCount(0);
    await noHorizontalScroll(page);
    // Another vhost, chosen in the selector.
    await page.getByLabel("Vhost").selectOption("e2e-shop");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/vhost=e2e-shop/);
    await expect(page.locator('[data-testid="exchange-row"][data-name="shop.only"]')).toContainText("headers");

    await page.goto(`${base}/exchanges`);
    await row.getByRole("link").click();
    await expect(page.getByTestId("exchange-type")).toHaveText("topic");
    await expect(page.getByTestId("bindings-out").getByTestId("binding-row")).toContainText("order.*.eu");
    await expect(page.getByTestId("bindings-in").getByTestId("binding-row")).toContainText("e2e.shop.in");
    await noHorizontalScroll(page);

    const started = Date.now();
    await page.goto(`${base}/queues/e2e.orders/topology`);
    await expect(page.getByTestId("topology")).toBeVisible();
    console.log(`# topology page at 390 px loaded in ${Date.now() - started} ms`);
    const names = await page
      .getByTestId("topology-node")
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-name")).sort());
    expect(names).toEqual(["", "e2e.dlx", "e2e.orders", "e2e.orders.dlq", "e2e.orders.topic", "e2e.shop.in"]);
    await expect(page.locator('[data-testid="topology-edge"][data-kind="dead-letter"]')).toHaveCount(2);
    await expect(page.getByTestId("queue-bindings").getByTestId("binding-row")).toHaveCount(2);
    await noHorizontalScroll(page);
  });
});
