import { expect, operatorToken, SESSION_COOKIE, signInAsOperator, test, unique } from "./fixtures";

test.describe("redrive dry-run", () => {
  test("shows, per selected message, what a redrive would do, and sends nothing", async ({
    page,
    context,
    baseURL,
    request,
    broker,
  }) => {
    await signInAsOperator(context, baseURL);
    const invalidId = unique("e2e-dry-invalid");
    const paidId = unique("e2e-dry-conflict");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw(JSON.stringify({ orderId: invalidId, item: "book", quantity: 0 }), { messageId: invalidId });
    await broker.sendRaw(JSON.stringify({ orderId: paidId, item: "pen", quantity: 1 }), { messageId: `${paidId}-a` });
    await expect
      .poll(async () => {
        const { payments } = (await (await request.get("/api/payments?limit=500")).json()) as {
          payments: { orderId: string }[];
        };
        return payments.some((p) => p.orderId === paidId);
      })
      .toBe(true);
    await broker.sendRaw(JSON.stringify({ orderId: paidId, item: "pen", quantity: 7 }), { messageId: `${paidId}-b` });
    await expect.poll(() => broker.depth(broker.dlq)).toBe(before + 2);

    await page.goto("/dead-letters");
    const invalidRow = page.locator(`[data-testid="dead-letter"][data-message-id="${invalidId}"]`);
    const conflictRow = page.locator(`[data-testid="dead-letter"][data-message-id="${paidId}-b"]`);
    await invalidRow.getByRole("checkbox").check();
    await conflictRow.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Dry-run selected (2)" }).click();

    await expect(page.getByTestId("action-status")).toContainText("Dry run (nothing sent)");
    await expect(invalidRow.getByTestId("prediction")).toHaveAttribute("data-prediction", "invalid");
    await expect(invalidRow.getByTestId("prediction")).toContainText("field quantity");
    await expect(conflictRow.getByTestId("prediction")).toHaveAttribute("data-prediction", "conflict");
    expect(await broker.depth(broker.dlq)).toBe(before + 2);
  });

  test("POST /api/dead-letters/dry-run: operators only, reasons for bad input", async ({
    playwright,
    baseURL,
    broker,
  }) => {
    const messageId = unique("e2e-dry-api");
    const orderId = unique("e2e-dry-api-order");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw(JSON.stringify({ orderId, item: "", quantity: 1 }), { messageId });
    await expect.poll(() => broker.depth(broker.dlq)).toBe(before + 1);

    const viewer = await playwright.request.newContext({ baseURL });
    const { messages } = (await (
      await viewer.get(`/api/dead-letters?queue=${encodeURIComponent(broker.dlq)}`)
    ).json()) as { messages: { id: string; messageId: string }[] };
    const target = messages.find((m) => m.messageId === messageId);
    expect(target).toBeTruthy();
    const ask = { queue: broker.dlq, selection: { ids: [target?.id] } };
    expect((await viewer.post("/api/dead-letters/dry-run", { data: ask })).status()).toBe(401);
    await viewer.dispose();

    const operator = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { cookie: `${SESSION_COOKIE}=${await operatorToken(baseURL)}` },
    });
    const answer = await operator.post("/api/dead-letters/dry-run", { data: ask });
    expect(answer.status()).toBe(200);
    const { predictions } = (await answer.json()) as {
      predictions: Array<{ messageId: string; prediction: { kind: string; fields?: string[] } }>;
    };
    expect(predictions).toHaveLength(1);
    expect(predictions[0]?.prediction).toMatchObject({ kind: "invalid", fields: ["item"] });
    // The same message, edited: the dry-run predicts the fixed body.
    const fixed = await operator.post("/api/dead-letters/dry-run", {
      data: { ...ask, edit: { id: target?.id, body: JSON.stringify({ orderId, item: "book", quantity: 1 }) } },
    });
    expect(
      ((await fixed.json()) as { predictions: Array<{ prediction: { kind: string } }> }).predictions[0]?.prediction
        .kind,
    ).toBe("pay");
    const bad = await operator.post("/api/dead-letters/dry-run", {
      data: { queue: broker.dlq, selection: { ids: [] } },
    });
    expect(bad.status()).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("select at least one message");
    const unknown = await operator.post("/api/dead-letters/dry-run", { data: { ...ask, queue: "not-a-dlq" } });
    expect(unknown.status()).toBe(404);
    expect(await broker.depth(broker.dlq)).toBe(before + 1);
    await operator.dispose();
  });
});
