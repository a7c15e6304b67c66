import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, signIn, test, unique } from "./fixtures";

/**
 * Search (streamed progress, a match shown), move with the confirm dialog, and an export
 * downloaded and parsed back, in real Chromium against the real broker, at 1280 and 390 px.
 */
for (const width of [1280, 390]) {
  test.describe(`messages at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test("search streams progress and shows the match; every message stays", async ({ page, broker }) => {
      const queue = `${broker.queue}.${unique("search")}`;
      await broker.channel.assertQueue(queue, { durable: false });
      try {
        for (let i = 0; i < 3000; i++) {
          const match = i === 2900;
          broker.channel.sendToQueue(
            queue,
            Buffer.from(JSON.stringify({ item: match ? "book" : "pen", quantity: match ? 7 : i % 3, n: i })),
            { messageId: `m-${i}` },
          );
        }
        await broker.channel.waitForConfirms();
        await signIn(page, `/queues/${encodeURIComponent(queue)}`);
        const tools = page.getByTestId("message-tools");
        await expect(tools.getByTestId("read-cost")).toContainText("redelivered");
        await tools.getByTestId("search-filter").fill('item = "book" and quantity > 3');
        await tools.getByTestId("search-limit").fill("5000");
        const progress = tools.getByTestId("search-progress");
        await Promise.all([progress.waitFor({ state: "attached" }), tools.getByTestId("search-run").click()]);
        await expect(tools.getByTestId("search-status")).toContainText("Read 3000 messages", { timeout: 20_000 });
        await expect(tools.getByTestId("search-status")).toContainText("1 match");
        await expect(tools.getByTestId("search-match")).toHaveCount(1);
        await expect(tools.getByTestId("search-match")).toContainText("m-2900");
        expect(await broker.depth(queue)).toBe(3000);

        // Saved per user in this browser: it survives a reload.
        await tools.getByTestId("save-filter").click();
        await page.reload();
        await expect(page.getByTestId("saved-filters").locator("option")).toContainText([
          'item = "book" and quantity > 3',
        ]);
        const hasScroll = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        expect(hasScroll).toBe(false);
      } finally {
        await broker.channel.deleteQueue(queue).catch(() => {});
      }
    });

    test("move all through the confirm dialog: the source empties, the target gets each once", async ({
      page,
      broker,
    }) => {
      const from = `${broker.queue}.${unique("from")}`;
      const to = `${broker.queue}.${unique("to")}`;
      await broker.channel.assertQueue(from, { durable: false });
      await broker.channel.assertQueue(to, { durable: false });
      try {
        for (let i = 0; i < 40; i++)
          broker.channel.sendToQueue(from, Buffer.from(`{"n":${i}}`), { messageId: `m-${i}` });
        await broker.channel.waitForConfirms();
        await signIn(page, `/queues/${encodeURIComponent(from)}`);
        const tools = page.getByTestId("message-tools");
        await tools.getByTestId("move-target").fill(to);
        await tools.getByTestId("move-run").click();
        const dialog = page.getByTestId("move-confirm");
        await expect(dialog).toBeVisible();
        await expect(dialog).toContainText(`queue ${to}`);
        // Cancel in the dialog moves nothing.
        await dialog.getByRole("button", { name: "Cancel" }).click();
        expect(await broker.depth(from)).toBe(40);
        await tools.getByTestId("move-run").click();
        await page.getByTestId("move-confirm").getByRole("button", { name: "Move them" }).click();
        await expect(tools.getByTestId("move-status")).toContainText("Moved 40 of 40", { timeout: 20_000 });
        expect(await broker.depth(from)).toBe(0);
        expect(await broker.depth(to)).toBe(40);
        // Audited: who, from, to, count, moved and failed.
        const log = await page.request.get("/api/audit/export?format=jsonl");
        const entry = (await log.text())
          .trim()
          .split("\n")
          .map(
            (line) =>
              JSON.parse(line) as { action: string; target: string; actor: string; details: Record<string, unknown> },
          )
          .find((e) => e.action === "queue.move" && e.target === from);
        expect(entry?.actor).toBe("admin");
        expect(entry?.details).toMatchObject({ from, to: `queue ${to}`, count: 40, moved: 40, failed: 0 });
      } finally {
        await broker.channel.deleteQueue(from).catch(() => {});
        await broker.channel.deleteQueue(to).catch(() => {});
      }
    });
  });
}

test("an export downloads as CSV and parses back, commas, quotes and newlines included", async ({ page, broker }) => {
  const queue = `${broker.queue}.${unique("export")}`;
  await broker.channel.assertQueue(queue, { durable: false });
  const tricky = ["a, comma", 'say "hi"', "two\nlines"];
  try {
    for (const [i, text] of tricky.entries()) {
      broker.channel.sendToQueue(queue, Buffer.from(JSON.stringify({ text })), { messageId: `m-${i}` });
    }
    await broker.channel.waitForConfirms();
    await signIn(page, `/queues/${encodeURIComponent(queue)}`);
    const tools = page.getByTestId("message-tools");
    await tools.getByTestId("export-format").selectOption("csv");
    const [download] = await Promise.all([page.waitForEvent("download"), tools.getByTestId("export-run").click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const rows = parse(readFileSync(await download.path(), "utf8"), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => (JSON.parse(r.body ?? "{}") as { text: string }).text)).toEqual(tricky);
    expect(await broker.depth(queue)).toBe(3);

    // The audit log's own export records the one just made.
    await page.goto("/audit");
    const [audit] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("audit-export").getByRole("link", { name: "JSON Lines" }).click(),
    ]);
    const entries = readFileSync(await audit.path(), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; target: string });
    expect(entries.some((e) => e.action === "queue.export" && e.target === queue)).toBe(true);
  } finally {
    await broker.channel.deleteQueue(queue).catch(() => {});
  }
});

test("reading a queue with consumers is refused (409, with the reason) unless confirmed", async ({ page, broker }) => {
  // The e2e server's own payment consumer is on the order queue.
  await signIn(page, `/queues/${encodeURIComponent(broker.queue)}`);
  const url = `/api/broker/queues/${encodeURIComponent(broker.queue)}/search`;
  const refused = await page.request.post(url, { data: { filter: "x", limit: 1 } });
  expect(refused.status()).toBe(409);
  expect(((await refused.json()) as { message: string }).message).toMatch(/consumer.*confirm/i);
  const allowed = await page.request.post(url, { data: { filter: "x", limit: 1, confirmConsumers: true } });
  expect(allowed.status()).toBe(200);
  expect(await allowed.text()).toContain('"type":"done"');
  // Bad input is a 400 with the reason, never a 500.
  const bad = async (path: string, data: unknown) => {
    const res = await page.request.post(`/api/broker/queues/${encodeURIComponent(broker.queue)}/${path}`, { data });
    expect(res.status()).toBe(400);
    return ((await res.json()) as { message: string }).message;
  };
  expect(await bad("search", { filter: 'item = "open', confirmConsumers: true })).toMatch(/filter: .*quoted string/);
  expect(await bad("search", { limit: 5001, confirmConsumers: true })).toMatch(/at most 5000/);
  expect(await bad("move", { mode: "move", target: { queue: "x" }, selection: { all: true } })).toMatch(/confirm/i);
  expect(
    await bad("move", {
      mode: "move",
      target: { queue: broker.queue },
      selection: { all: true },
      confirmed: true,
      confirmConsumers: true,
    }),
  ).toMatch(/source queue/);
  expect(await bad("export", { format: "xml", selection: { all: true } })).toMatch(/format/);
  expect((await page.request.get("/api/trace/export?status=nope")).status()).toBe(400);
  // A viewer may not read bodies at all.
  const viewer = await page
    .context()
    .browser()
    ?.newContext({ baseURL: new URL(page.url()).origin });
  const anonymous = await viewer?.request.post(url, { data: { filter: "x", limit: 1, confirmConsumers: true } });
  expect([401, 403]).toContain(anonymous?.status());
  await viewer?.close();
});

test("closing a search's stream mid-read stops it and requeues everything (over HTTP)", async ({ page, broker }) => {
  const queue = `${broker.queue}.${unique("cancel")}`;
  await broker.channel.assertQueue(queue, { durable: false });
  try {
    for (let i = 0; i < 5000; i++) broker.channel.sendToQueue(queue, Buffer.from(`{"n":${i}}`));
    await broker.channel.waitForConfirms();
    await signIn(page, "/");
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const abort = new AbortController();
    const res = await fetch(new URL(`/api/broker/queues/${encodeURIComponent(queue)}/search`, page.url()), {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ filter: "nothing matches this", limit: 5000 }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes('"type":"progress"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    expect(text).not.toContain('"type":"done"');
    // Everything read goes back, and the audit log says the read stopped early.
    await expect.poll(() => broker.depth(queue)).toBe(5000);
    await expect
      .poll(async () => {
        const log = await page.request.get("/api/audit/export?format=jsonl");
        return (await log.text())
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line) as { action: string; target: string; details?: { cancelled?: boolean } })
          .some((e) => e.action === "queue.search" && e.target === queue && e.details?.cancelled === true);
      })
      .toBe(true);
  } finally {
    await broker.channel.deleteQueue(queue).catch(() => {});
  }
});
