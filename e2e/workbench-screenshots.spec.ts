import { expect, signInAsOperator, test, unique } from "./fixtures";

// Written to docs/ when WARREN_SCREENSHOT=1, else into the test's output folder.
const shot = (name: string) => (process.env.WARREN_SCREENSHOT ? `docs/${name}` : test.info().outputPath(name));

test.describe("screenshots of the workbench and the trace", () => {
  test("dead-letter workbench with an edit and its diff", async ({ page, context, baseURL, broker }) => {
    await signInAsOperator(context, baseURL);
    const before = await broker.depth(broker.dlq);
    const fixable = unique("order");
    await broker.sendRaw(JSON.stringify({ orderId: fixable, item: "book", quantity: 0 }), { messageId: fixable });
    await broker.sendRaw("{not json at all", { messageId: unique("legacy") });
    await broker.sendRaw(JSON.stringify({ orderId: unique("order"), item: "" }), { messageId: unique("order") });
    await expect.poll(() => broker.depth(broker.dlq)).toBeGreaterThanOrEqual(before + 3);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/dead-letters");
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${fixable}"]`);
    await row.getByRole("button", { name: `Edit and redrive ${fixable}` }).click();
    await page
      .getByLabel("Message body")
      .fill(JSON.stringify({ orderId: fixable, item: "book", quantity: 2 }, null, 2));
    await expect(page.getByTestId("edit-diff").locator('[data-kind="added"]')).toBeVisible();
    await page.screenshot({ path: shot("dead-letters.png"), fullPage: true });
  });

  test("order trace", async ({ page, request }) => {
    const res = await request.post("/api/orders", { data: { item: "coffee", quantity: 2 } });
    const { orderId } = (await res.json()) as { orderId: string };
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(async () => {
      await page.goto(`/trace?order=${orderId}`);
      await expect(page.locator('[data-testid="hop"][data-kind="acked"]')).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 8000 });
    await page.screenshot({ path: shot("trace.png"), fullPage: true });
  });
});
