import { expect, needsManagement, signIn, test } from "./fixtures";

/**
 * Issue 13 part 8: the queue page's stored history with a range picker, hover and keyboard
 * readout (1280 and 390 px wide); part 4: the queue list's vhost selector.
 */
for (const width of [1280, 390]) {
  test(`the queue page's history chart: range picker, hover and keyboard values (${width} px)`, async ({
    page,
    broker,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    for (let i = 0; i < 3; i++)
      await broker.sendRaw(JSON.stringify({ orderId: `h-${width}-${i}`, item: "chart-book", quantity: 1 }));
    await page.goto(`/queues/${encodeURIComponent(broker.queue)}`);
    const depth = page.getByTestId("depth-chart");
    await expect(depth).toBeVisible();
    // Warren's own queue is sampled from the start: the chart has stored points.
    await expect.poll(async () => Number(await depth.getAttribute("data-points"))).toBeGreaterThan(1);
    await expect(depth.locator("canvas")).toBeVisible();
    await expect(page.getByTestId("rate-chart")).toContainText("Source:");

    // Hover: the values under the cursor.
    const box = await depth.getByRole("slider").boundingBox();
    if (!box) throw new Error("no chart box");
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 3 });
    await expect(page.getByTestId("depth-chart-readout")).toContainText(/\d\d:\d\d:\d\d: ready/);

    // Keyboard: the chart is a slider over time.
    const slider = depth.getByRole("slider");
    await slider.focus();
    await slider.press("Home");
    await expect(slider).toHaveAttribute("aria-valuenow", "0");
    await slider.press("End");
    await slider.press("ArrowLeft");
    const last = Number(await slider.getAttribute("aria-valuemax"));
    await expect(slider).toHaveAttribute("aria-valuenow", String(last - 1));
    await expect(slider).toHaveAttribute("aria-valuetext", /ready/);

    // The range picker: 1 h is read at 10 s per point, 30 d at 1 h.
    const answer = page.waitForResponse((r) => r.url().includes("/history?range=1h") && r.ok());
    // From the keyboard: the picker is a radio group (arrow keys move the choice).
    await page.getByRole("radio", { name: "10 min" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("radio", { name: "1 h" })).toBeChecked();
    const body = (await (await answer).json()) as { stepMs: number; at: number[] };
    expect(body.stepMs).toBe(10_000);
    expect(body.at).toHaveLength(360);
    await expect(page.locator("[data-range='1h']")).toHaveAttribute("data-step", "10000");
    // With the pointer: the visible label is the target.
    await page
      .locator("label")
      .filter({ hasText: /^30 d$/ })
      .click();
    await expect(page.getByRole("radio", { name: "30 d" })).toBeChecked();
    await expect(page.locator("[data-range='30d']")).toHaveAttribute("data-step", "3600000");
    await expect(page.getByTestId("depth-chart")).toHaveAttribute("data-slots", "720");
  });
}

test("the history API refuses a range it does not know, with the list of those it does", async ({
  request,
  broker,
}) => {
  const res = await request.get(`/api/broker/queues/${encodeURIComponent(broker.queue)}/history?range=2w`);
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain("range must be one of 10m, 1h, 24h, 7d, 30d");
});

for (const width of [1280, 390]) {
  test(`the queues page has a vhost selector, default / (${width} px)`, async ({ page }) => {
    await needsManagement();
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/queues");
    const select = page.getByLabel("Vhost");
    await expect(select).toHaveValue("/");
    await select.selectOption("/");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("queue-table")).toBeVisible();
    // One vhost at a time: "*" is refused with a reason, and "/" shown instead.
    await page.goto("/queues?vhost=*");
    await expect(page.getByTestId("query-errors")).toContainText("pick one vhost");
    await expect(page.getByLabel("Vhost")).toHaveValue("/");
  });
}

test("history chart screenshot (docs/history-chart.png when WARREN_SCREENSHOT=1)", async ({
  page,
  broker,
  request,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, `/queues/${encodeURIComponent(broker.queue)}`);
  if (process.env.WARREN_SCREENSHOT) {
    // Give the chart a shape worth showing: a backlog while paused, drained on resume.
    test.setTimeout(90_000);
    await page.getByRole("button", { name: "Pause consumers" }).click();
    await expect(page.getByTestId("consumer-state")).toHaveAttribute("data-state", "paused");
    try {
      for (let i = 0; i < 40; i++) {
        await broker.sendRaw(JSON.stringify({ orderId: `shot-${Date.now()}-${i}`, item: "chart-book", quantity: 1 }));
        await page.waitForTimeout(250);
      }
    } finally {
      const cookies = await page.context().cookies();
      const cookie = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
      await request.post("/api/broker/consumers", { data: { command: "resume" }, headers: { cookie } });
    }
    await expect.poll(() => broker.depth(broker.queue), { timeout: 15_000 }).toBe(0);
    await page.waitForTimeout(6000);
  }
  const panel = page.getByTestId("history-panel");
  await expect(page.getByTestId("depth-chart").locator("canvas")).toBeVisible();
  const slider = page.getByTestId("depth-chart").getByRole("slider");
  const box = await slider.boundingBox();
  if (box) await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2, { steps: 3 });
  const path = process.env.WARREN_SCREENSHOT ? "docs/history-chart.png" : test.info().outputPath("history-chart.png");
  await panel.screenshot({ path });
});
