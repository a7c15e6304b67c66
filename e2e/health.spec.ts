import { expect, test, unique } from "./fixtures";

test.describe("the pipeline health panel", () => {
  test("counts placed, paid and dead-lettered live, without a reload", async ({ page, broker }) => {
    await page.goto("/");
    const panel = page.getByTestId("pipeline-health");
    await expect(panel.getByTestId("health-placed")).not.toHaveText("—");
    const placed = Number((await panel.getByTestId("health-placed").textContent())?.replace(/,/g, ""));
    const paid = Number((await panel.getByTestId("health-paid").textContent())?.replace(/,/g, ""));
    await page.evaluate(() => {
      (window as unknown as { __noReload: boolean }).__noReload = true;
    });

    await page.getByLabel("Item").fill(unique("e2e-health"));
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(panel.getByTestId("health-placed")).toHaveText(String(placed + 1));
    await expect(panel.getByTestId("health-paid")).toHaveText(String(paid + 1));

    const dead = await broker.depth(broker.dlq);
    await broker.sendRaw("{broken", { messageId: unique("e2e-health-poison") });
    await expect(panel.getByTestId("health-dead-lettered")).toHaveText(String(dead + 1));
    await expect(panel.getByTestId("health-stuck")).toContainText("Nothing stuck");
    await expect(panel.getByTestId("health-drain")).toContainText("empty");
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  });

  test("the JSON API takes a stuck threshold and refuses a bad one with 400", async ({ request }) => {
    const ok = await request.get("/api/pipeline?stuckAfter=5");
    expect(ok.status()).toBe(200);
    expect(((await ok.json()) as { stuckAfterS: number }).stuckAfterS).toBe(5);
    const bad = await request.get("/api/pipeline?stuckAfter=-1");
    expect(bad.status()).toBe(400);
  });
});
