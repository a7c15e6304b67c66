import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { PrivateBroker } from "../scripts/chaos/private-broker";
import { startWeb, type WarrenProcess } from "../scripts/chaos/warren";
import { expect, test } from "./fixtures";

/**
 * Specs that break the broker or need a secret of their own run against a
 * private RabbitMQ node (started and always stopped here, never the shared
 * one) and a `next start` of their own on it.
 */
const port = Number(process.env.E2E_PRIVATE_PORT ?? 3402);
const base = `http://127.0.0.1:${port}`;
const user = "warren-e2e";
const password = `pw-${randomBytes(12).toString("hex")}`;
const broker = new PrivateBroker({ port: Number(process.env.CHAOS_AMQP_PORT ?? 5673), user: { name: user, password } });
const dbPath = join("data", `h4-private-e2e-${Date.now()}.db`);
let web: WarrenProcess | null = null;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await broker.start();
  web = await startWeb("private-web", { amqpUrl: broker.url, dbPath, queue: "e2e.private.order_queue" }, port, true);
});

test.afterAll(async () => {
  await web?.stop();
  await broker.stop();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${dbPath}${suffix}`, { force: true });
});

test("broker down: the form says 'accepted, waiting for broker', the badge shows it, and the payment arrives once it is back", async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.goto(base);
  const badge = page.getByTestId("connection-badge");
  await expect(badge).toHaveAttribute("data-state", "live");

  await broker.stopApp();
  try {
    await expect(badge).toHaveAttribute("data-state", "broker-down", { timeout: 10_000 });
    const item = `outbox-${Date.now().toString(36)}`;
    await page.getByLabel("Item").fill(item);
    await page.getByRole("button", { name: "Place order" }).click();
    const status = page.getByTestId("order-status");
    await expect(status).toContainText("accepted, waiting for broker");
    await expect(status).toHaveAttribute("data-waiting", "broker");

    // The JSON door says the same.
    const res = await page.request.post(`${base}/api/orders`, { data: { item: `${item}-api` } });
    expect(res.status()).toBe(202);
    expect(await res.json()).toMatchObject({ status: "accepted", waiting: "broker" });

    const backAt = Date.now();
    await broker.startApp();
    await expect(badge).toHaveAttribute("data-state", "live", { timeout: 10_000 });
    await expect(page.getByTestId("payment-row").filter({ hasText: item }).first()).toBeVisible({ timeout: 10_000 });
    test.info().annotations.push({ type: "broker back → paid in feed (ms)", description: String(Date.now() - backAt) });
  } finally {
    await broker.startApp().catch(() => {});
  }
});

/** Every way a secret could be spelled in a response or a file. */
const secretForms = [
  password,
  encodeURIComponent(password),
  Buffer.from(`${user}:${password}`).toString("base64"),
  `${user}:${password}`,
];

function assertNoSecret(where: string, text: string) {
  for (const secret of secretForms) expect(text.includes(secret), `the broker password leaked in ${where}`).toBe(false);
}

async function readFor(url: string, ms: number): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  let out = "";
  try {
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      out += decoder.decode(chunk.value, { stream: true });
    }
  } catch {
    // aborted on purpose
  } finally {
    clearTimeout(timer);
  }
  return out;
}

test("the broker's credentials never reach the browser: client bundle, pages, API and SSE, up and down", async ({
  page,
}) => {
  test.setTimeout(90_000);
  // The built client bundle.
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(".next", "static"));
  expect(files.length).toBeGreaterThan(3);
  for (const file of files) assertNoSecret(file, readFileSync(file, "latin1"));

  const sweep = async (label: string) => {
    const html = await (await fetch(base)).text();
    assertNoSecret(`${label} GET /`, html);
    for (const path of ["/api/health", "/api/queues", "/api/payments", "/api/events?x=1"]) {
      const text = path.startsWith("/api/events")
        ? await readFor(`${base}${path}`, 2500)
        : await (await fetch(`${base}${path}`)).text();
      expect(text.length, `${label} ${path} answered`).toBeGreaterThan(0);
      assertNoSecret(`${label} ${path}`, text);
    }
    for (const body of ['{"item":"book"}', '{"item":""}', "{", '{"item":"x","quantity":"many"}']) {
      const res = await fetch(`${base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      assertNoSecret(`${label} POST /api/orders ${body}`, await res.text());
    }
    // What the browser itself sees, including the server action's answer.
    const seen: string[] = [];
    page.on("response", async (response) => {
      seen.push(await response.text().catch(() => ""));
    });
    await page.goto(base);
    await page.getByLabel("Item").fill("secret-scan");
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).not.toBeEmpty();
    page.removeAllListeners("response");
    for (const text of seen) assertNoSecret(`${label} browser response`, text);
    assertNoSecret(`${label} DOM`, await page.content());
  };

  await sweep("broker up:");
  await broker.stopApp();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sweep("broker down:");
  } finally {
    await broker.startApp();
  }
});
