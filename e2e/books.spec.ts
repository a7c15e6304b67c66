import { axeEverywhere, pageWidths } from "./axe";
import { expect, test, unique } from "./fixtures";

/** The books panel: live counts from the process's one checker, readable at 390 px, clean under axe. */
test.describe("the books panel", () => {
  test("counts a new order live, and /api/books says the same", async ({ page, request }) => {
    await page.goto("/");
    const panel = page.getByTestId("books");
    await expect(panel.getByTestId("books-verdict")).toBeVisible({ timeout: 15_000 });
    const accepted = Number((await panel.getByTestId("books-accepted").textContent())?.replace(/,/g, ""));
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });

    await page.getByLabel("Item").fill(unique("e2e-books"));
    await page.getByRole("button", { name: "Place order" }).click();
    // The checker ticks every few seconds; the stream brings its report without a reload.
    await expect(panel.getByTestId("books-accepted")).toHaveText(String(accepted + 1), { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

    const api = await request.get("/api/books");
    expect(api.status()).toBe(200);
    const report = (await api.json()) as { accepted: number; paid: number; outbox: number; lost: unknown[] };
    expect(report.accepted).toBeGreaterThanOrEqual(accepted + 1);
    expect(Array.isArray(report.lost)).toBe(true);
  });

  test("fits 390 px and passes axe in light and dark", async ({ page }) => {
    const open = async () => {
      await page.goto("/");
      await expect(page.getByTestId("books-verdict")).toBeVisible({ timeout: 15_000 });
    };
    expect(await axeEverywhere(page, open)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "light" });
    await open();
    const widths = await pageWidths(page);
    expect(widths.scrollWidth).toBeLessThanOrEqual(widths.clientWidth);
    await page.getByTestId("books").screenshot({ path: "docs/books-panel.png" });
  });
});
