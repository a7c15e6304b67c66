import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { placeOrderActionId } from "../scripts/bench/http-load";
import { axeEverywhere, pageWidths } from "./axe";
import { expect, test, unique } from "./fixtures";
import { e2ePort, setUpPrivateWarren } from "./private-warren";

/**
 * Specs that break the broker, need a secret of their own, or count what was
 * published run against a private RabbitMQ node and a `next start` of their own.
 */
const user = "warren-e2e";
const password = `pw-${randomBytes(12).toString("hex")}`;
const { broker, base, queue, sendRaw } = setUpPrivateWarren(Number(process.env.E2E_PRIVATE_PORT ?? e2ePort() + 302), {
  name: user,
  password,
});

test.describe.configure({ mode: "serial" });

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

test("broker down: the banner, the queue cards, the sparklines and the health panel say what is true, and it passes axe", async ({
  page,
}) => {
  test.setTimeout(150_000);
  const dlq = `${queue}.dlq`;
  const workCard = page.getByTestId(`queue-card-${queue}`);
  const dlqCard = page.getByTestId(`queue-card-${dlq}`);
  const banner = page.getByTestId("broker-banner");
  const sparkValues = async (card: typeof workCard) =>
    ((await card.locator("svg[data-values]").getAttribute("data-values")) ?? "").split(",");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base);
  const badge = page.getByTestId("connection-badge");
  await expect(badge).toHaveAttribute("data-state", "live");
  await expect(workCard).toHaveAttribute("data-state", "ok");
  await expect(workCard.getByTestId("consumers")).toHaveText("1");
  // A few samples with numbers in them before the outage.
  await expect.poll(async () => (await sparkValues(workCard)).filter((v) => v !== "").length).toBeGreaterThan(2);

  await broker.stopApp();
  let item = "";
  try {
    await expect(badge).toHaveAttribute("data-state", "broker-down", { timeout: 10_000 });
    item = `kept-${Date.now().toString(36)}`;
    await page.getByLabel("Item").fill(item);
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toHaveAttribute("data-waiting", "broker");

    // Said once, politely (the live region changes at most every 5 s), not shouted.
    await expect(page.getByTestId("connection-announcement")).toHaveText("Connection: broker down");
    await expect(page.getByTestId("connection-announcement")).toHaveAttribute("aria-live", "polite");
    await expect(banner).toContainText("The message broker is unreachable.");
    await expect(banner).toContainText("Orders placed now are accepted and kept: 1 waiting");
    await expect(banner).toContainText("They are sent as soon as the broker is back");
    await expect(banner).not.toContainText("cannot be placed");
    await expect(page.getByTestId("health-outbox")).toHaveAttribute("data-waiting", "1");
    await expect(page.getByTestId("health-outbox")).toContainText(/1 order, oldest \d+ s/);

    // Unreachable, with the broker's last answer, and never "does not exist".
    for (const [card, consumers] of [
      [workCard, 1],
      [dlqCard, 0],
    ] as const) {
      await expect(card).toHaveAttribute("data-state", "unreachable");
      await expect(card.getByTestId("queue-unreachable")).toHaveText(
        new RegExp(`^unreachable \\(last seen \\d+ s ago: ready \\d+, consumers ${consumers}\\)$`),
      );
      await expect(card.getByTestId("queue-missing")).toHaveCount(0);
    }
    // The outage is a gap in the line: samples without a number, not zeros.
    await expect.poll(async () => (await sparkValues(workCard)).slice(-2)).toEqual(["", ""]);
    await expect.poll(async () => (await sparkValues(dlqCard)).slice(-2)).toEqual(["", ""]);
    expect(await workCard.locator("svg[data-values]").getAttribute("aria-label")).toContain("no sample");

    // The same truth on /queues and on the queue's page.
    const other = await page.context().newPage();
    await other.goto(`${base}/queues`);
    const row = other.locator(`[data-testid="queue-row"][data-queue="${queue}"]`);
    await expect(row.getByTestId("unreachable")).toHaveText(
      /^unreachable \(last seen \d+ (s|min) ago: ready \d+, consumers 1\)$/,
    );
    await other.goto(`${base}/queues/${encodeURIComponent(queue)}`);
    await expect(other.getByTestId("queue-unreachable")).toContainText(/unreachable \(last seen \d+ (s|min) ago/);
    await expect(other.getByTestId("queue-gone")).toHaveCount(0);
    await other.close();

    // Screenshot for the README (once the outage is a visible gap), then axe over the outage state.
    await expect.poll(async () => (await sparkValues(workCard)).slice(-5)).toEqual(["", "", "", "", ""]);
    await expect(page.getByTestId("health-drain")).toContainText("unknown while the broker is unreachable");
    await page.screenshot({
      path: process.env.WARREN_SCREENSHOT ? "docs/broker-down.png" : test.info().outputPath("broker-down.png"),
      fullPage: true,
    });
    const found = await axeEverywhere(page, async () => {
      await page.goto(base);
      await expect(banner).toBeVisible();
    });
    expect(found, found.join("\n")).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    const { scrollWidth, clientWidth } = await pageWidths(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: "light" });
  } finally {
    await broker.startApp().catch(() => {});
  }
  await expect(badge).toHaveAttribute("data-state", "live", { timeout: 15_000 });
  await expect(page.getByTestId("payment-row").filter({ hasText: item }).first()).toBeVisible({ timeout: 15_000 });
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId("connection-announcement")).toHaveText("Connection: live");
  await expect(page.getByTestId("health-outbox")).toHaveAttribute("data-waiting", "0");
  await expect(workCard).toHaveAttribute("data-state", "ok");
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

/** Reads a live stream until `until` shows in it (the events worth scanning have come), at most `ms`. */
async function readFor(url: string, until: RegExp, ms = 15_000): Promise<string> {
  let out = "";
  const res = await fetch(url, { signal: AbortSignal.timeout(ms) });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  try {
    while (reader && !until.test(out)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      out += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader?.cancel().catch(() => {});
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
        ? await readFor(`${base}${path}`, /event: queues\n/)
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
    // The server's answer, not the pending text ("Saving your order…").
    await expect(page.getByTestId("order-status")).toHaveAttribute("data-status", /^(ok|paid|error)$/);
    page.removeAllListeners("response");
    for (const text of seen) assertNoSecret(`${label} browser response`, text);
    assertNoSecret(`${label} DOM`, await page.content());
  };

  await sweep("broker up:");
  await broker.stopApp();
  try {
    // Swept once Warren itself reports the broker down, not after a guessed wait.
    await expect
      .poll(async () => ((await (await fetch(`${base}/api/health`)).json()) as { broker: string }).broker)
      .toBe("down");
    await sweep("broker down:");
  } finally {
    await broker.startApp();
  }
});

function actionBody(item: string) {
  const form = new FormData();
  form.append("1_item", item);
  form.append("1_quantity", "1");
  form.append("0", JSON.stringify([{ status: "idle", message: "" }, "$K1"]));
  return form;
}

test("a server action posted with a foreign Origin is refused with 403, and nothing is published", async () => {
  const baseURL = base;
  const id = placeOrderActionId(); // what a forged POST would carry
  for (const origin of ["https://evil.example", "http://127.0.0.1.evil.example", "null"]) {
    const res = await fetch(`${baseURL}/`, {
      method: "POST",
      headers: { "Next-Action": id, Origin: origin, Accept: "text/x-component" },
      body: actionBody("forged"),
    });
    expect(res.status, origin).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe("forbidden");
  }
  // As a browser sends it from another site's page.
  const crossSite = await fetch(`${baseURL}/`, {
    method: "POST",
    headers: {
      "Next-Action": id,
      Origin: "https://evil.example",
      "Sec-Fetch-Site": "cross-site",
      Accept: "text/x-component",
    },
    body: actionBody("forged"),
  });
  expect(crossSite.status).toBe(403);
  const noOrigin = await fetch(`${baseURL}/`, {
    method: "POST",
    headers: { "Next-Action": id, Accept: "text/x-component" },
    body: actionBody("forged"),
  });
  expect(noOrigin.status).toBe(403);

  // The same request from the page's own origin runs the action (it validates and answers with state).
  const own = await fetch(`${baseURL}/`, {
    method: "POST",
    headers: { "Next-Action": id, Origin: baseURL ?? "", Accept: "text/x-component" },
    body: actionBody(""),
  });
  expect(own.status).toBe(200);
  expect(await own.text()).toContain("Item is required");
  // And as the browser sends it from Warren's own page (this path skips the proxy).
  const vouched = await fetch(`${baseURL}/`, {
    method: "POST",
    headers: { "Next-Action": id, Origin: baseURL ?? "", "Sec-Fetch-Site": "same-origin", Accept: "text/x-component" },
    body: actionBody(""),
  });
  expect(vouched.status).toBe(200);
  expect(await vouched.text()).toContain("Item is required");

  // A sentinel order after the refused ones: once it is paid, a forged order accepted before it would be too.
  const sentinel = await fetch(`${baseURL}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ item: "sentinel-after-forgeries" }),
  });
  expect(sentinel.status).toBe(202);
  // Counted by item, not by totals: orders of earlier tests may still be landing while this one runs.
  const paidItems = async () => {
    const res = await fetch(`${baseURL}/api/payments?limit=500`);
    return ((await res.json()) as { payments: Array<{ item: string }> }).payments.map((p) => p.item);
  };
  await expect.poll(async () => (await paidItems()).includes("sentinel-after-forgeries")).toBe(true);
  expect(await paidItems()).not.toContain("forged");
});

test("order items with HTML or script render as text: no dialog, no injected element", async ({ page, request }) => {
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs++;
    await dialog.dismiss();
  });
  await page.goto(base);
  await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
  const tag = unique("x");
  const viaForm = `<img src=x onerror="window.__xss=1;alert(1)" data-x="${tag}">`;
  const viaApi = `<script>window.__xss=2</script>${tag}`;
  const viaQueue = `<svg onload="window.__xss=3" data-q="${tag}">`;
  await page.getByLabel("Item").fill(viaForm);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByTestId("order-status")).toContainText(/placed|paid/);
  expect((await request.post(`${base}/api/orders`, { data: { item: viaApi } })).status()).toBe(202);
  await sendRaw(JSON.stringify({ orderId: unique("xss"), item: viaQueue }));

  const rows = page.getByTestId("payment-row");
  for (const text of [viaForm, viaApi, viaQueue]) {
    await expect(rows.filter({ hasText: text }).first()).toBeVisible();
  }
  await expect(page.getByTestId("order-status")).toContainText("<img src=x");
  expect(await page.locator(`img[data-x="${tag}"], svg[data-q="${tag}"]`).count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toBe(0);
});

test("SIGTERM to `next start` mid-stream: orders stop cleanly, the SSE stream ends with a shutdown event, nothing is lost", async () => {
  test.setTimeout(120_000);
  const { webSigterm } = await import("../scripts/chaos/scenarios");
  const workdir = join("data", "chaos");
  mkdirSync(workdir, { recursive: true });
  const result = await webSigterm({
    broker,
    mode: "web",
    port: Number(process.env.E2E_SIGTERM_PORT ?? e2ePort() + 304),
    workdir,
  });
  test.info().annotations.push({ type: "SIGTERM web", description: result.notes.join("; ") });
  expect(result.problems).toEqual([]);
  expect(result.accepted).toBeGreaterThan(20);
  expect(result.lost).toBe(0);
  expect(result.duplicated).toBe(0);
  expect(result.paid).toBe(result.accepted);
});
