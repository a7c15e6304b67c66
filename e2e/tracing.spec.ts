import { e2eTraceUrl } from "../playwright.config";
import { expect, test, unique } from "./fixtures";

test.describe("distributed tracing on the trace page", () => {
  test("an order placed through the form links to its trace in the viewer (WARREN_TRACE_URL; docs/trace-otel.png when WARREN_SCREENSHOT=1)", async ({
    page,
  }) => {
    await page.goto("/");
    const item = unique("e2e-otel");
    await page.getByLabel("Item").fill(item);
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("payment-row").filter({ hasText: item })).toBeVisible();

    await page.goto("/trace");
    await page.getByLabel("Order id or item").fill(item);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByTestId("trace-result").filter({ hasText: item }).getByRole("link").click();

    // The server action ran inside Next's request span: its trace id was stored with the order.
    const shown = page.getByTestId("trace-viewer");
    await expect(shown).toContainText(/Distributed trace [0-9a-f]{32}/);
    const traceId = (await shown.locator("code").textContent()) ?? "";
    const link = page.getByRole("link", { name: "Open in the trace viewer (opens in a new tab)" });
    await expect(link).toHaveAttribute("href", e2eTraceUrl.replace("{traceId}", traceId));
    await expect(link).toHaveAttribute("target", "_blank");
    await expect(link).toHaveAttribute("rel", "noopener noreferrer");
    // Keyboard: the link is reachable and named.
    await link.focus();
    await expect(link).toBeFocused();
    const path = process.env.WARREN_SCREENSHOT ? "docs/trace-otel.png" : test.info().outputPath("trace-otel.png");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path, fullPage: true });
  });

  test("an order from a producer without a traceparent says it has no trace", async ({ page, broker }) => {
    const orderId = unique("e2e-otel-raw");
    await broker.sendRaw(JSON.stringify({ orderId, item: "tea", quantity: 1 }), { messageId: orderId });
    await expect(async () => {
      await page.goto(`/trace?order=${encodeURIComponent(orderId)}`);
      await expect(page.getByTestId("order-timeline")).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 8000 });
    await expect(page.getByTestId("trace-viewer-none")).toBeVisible();
    await expect(page.getByTestId("trace-viewer-link")).toHaveCount(0);
  });
});
