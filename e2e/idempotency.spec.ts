import type { APIRequestContext } from "@playwright/test";
import { expect, test, unique } from "./fixtures";

/** The order ids the store holds for `item` (orders are stored before any 202, so this is complete once answered). */
async function ordersFor(request: APIRequestContext, item: string): Promise<string[]> {
  const html = await (await request.get(`/trace?${new URLSearchParams({ q: item })}`)).text();
  return [...new Set([...html.matchAll(/order=([0-9a-f-]{36})/g)].map((m) => m[1] as string))];
}

const post = (request: APIRequestContext, key: string, data: unknown) =>
  request.post("/api/orders", { headers: { "idempotency-key": key }, data });

test.describe("Idempotency-Key on POST /api/orders", () => {
  test("a retry with the same key and body gets the first answer: same order, same status", async ({ request }) => {
    const key = crypto.randomUUID();
    const item = unique("idem-retry");
    const first = await post(request, key, { item, quantity: 2 });
    expect(first.status()).toBe(202);
    expect(first.headers()["idempotent-replayed"]).toBeUndefined();
    const answer = (await first.json()) as { orderId: string; status: string };

    // The same body with its keys in another order is the same request.
    const retry = await post(request, key, { quantity: 2, item });
    expect(retry.status()).toBe(202);
    expect(retry.headers()["idempotent-replayed"]).toBe("true");
    expect(await retry.json()).toEqual(answer);
    expect(await ordersFor(request, item)).toEqual([answer.orderId]);
  });

  test("the same key with another body is a 409 with the reason, and makes no order", async ({ request }) => {
    const key = crypto.randomUUID();
    const item = unique("idem-conflict");
    expect((await post(request, key, { item })).status()).toBe(202);
    const other = await post(request, key, { item, quantity: 3 });
    expect(other.status()).toBe(409);
    const json = (await other.json()) as { error: string; message: string };
    expect(json.error).toBe("conflict");
    expect(json.message).toMatch(/already used with a different request body/);
    expect(await ordersFor(request, item)).toHaveLength(1);
  });

  test("parallel requests with one key make one order, and every one gets its id", async ({ request }) => {
    const key = crypto.randomUUID();
    const item = unique("idem-parallel");
    const responses = await Promise.all(Array.from({ length: 12 }, () => post(request, key, { item })));
    expect(responses.map((r) => r.status())).toEqual(Array(12).fill(202));
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as { orderId: string }).orderId)),
    );
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => r.headers()["idempotent-replayed"] === "true")).toHaveLength(11);
    expect(await ordersFor(request, item)).toEqual([...ids]);
  });

  test("a failed request keeps nothing: the fixed retry with the same key is served", async ({ request }) => {
    const key = crypto.randomUUID();
    const item = unique("idem-fixed");
    expect((await post(request, key, { item: "" })).status()).toBe(400);
    expect((await post(request, key, { item })).status()).toBe(202);
  });

  test("an unusable key is a 400 with the reason", async ({ request }) => {
    const res = await post(request, "x".repeat(300), { item: "book" });
    expect(res.status()).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/Idempotency-Key/);
  });
});

test.describe("the order form's submission key", () => {
  test("a double submit is one order; the next submission is a new one", async ({ page, request }) => {
    await page.goto("/");
    const item = unique("idem-form");
    await page.getByLabel("Item").fill(item);
    // Two submits in one task: what a double click does before React re-renders the button as disabled.
    await page.locator("form[aria-labelledby=order-heading]").evaluate((form: HTMLFormElement) => {
      form.requestSubmit();
      form.requestSubmit();
    });
    await expect(page.getByTestId("order-status")).toContainText(/placed|paid|accepted/);
    await expect(page.getByTestId("order-status")).not.toHaveAttribute("data-status", "pending");
    const [orderId] = await ordersFor(request, item);
    expect(await ordersFor(request, item)).toEqual([orderId]);

    // A new submission after the answer gets a new key: the same fields make a second order.
    await page.getByLabel("Item").fill(item);
    await page.getByRole("button", { name: "Place order" }).click();
    await expect.poll(async () => (await ordersFor(request, item)).length).toBe(2);
  });
});
