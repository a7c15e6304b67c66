import { expect, operatorToken, SESSION_COOKIE, signInAsOperator, test, unique } from "./fixtures";

async function waitForDepth(depth: () => Promise<number>, atLeast: number) {
  await expect.poll(depth, { timeout: 7000 }).toBeGreaterThanOrEqual(atLeast);
}

test.describe("the dead-letter workbench", () => {
  test("a poison message shows with its reason, and a redrive after editing gets it paid", async ({
    page,
    context,
    baseURL,
    request,
    broker,
  }) => {
    await signInAsOperator(context, baseURL);
    const orderId = unique("e2e-dlq-fix");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw(JSON.stringify({ orderId, item: "book", quantity: 0 }), {
      messageId: orderId,
      contentType: "application/json",
    });
    await waitForDepth(() => broker.depth(broker.dlq), before + 1);

    await page.goto("/dead-letters");
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${orderId}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByTestId("reason")).toContainText("quantity");
    await expect(row.getByTestId("redrive-count")).toHaveText("0×");
    // Grouped by reason: the group heading names the blanked-out reason.
    await expect(page.getByTestId("reason-group").filter({ has: row })).toContainText("schema: quantity");

    await row.getByRole("button", { name: `Edit and redrive ${orderId}` }).click();
    const editor = page.getByTestId("edit-panel");
    await expect(editor).toBeVisible();
    const body = editor.getByLabel("Message body");
    await expect(body).toBeFocused();
    const edited = JSON.stringify({ orderId, item: "book", quantity: 3 }, null, 2);
    await body.fill(edited);
    await expect(editor.getByTestId("edit-diff").locator('[data-kind="removed"]')).toContainText('"quantity": 0');
    await expect(editor.getByTestId("edit-diff").locator('[data-kind="added"]')).toContainText('"quantity": 3');
    await editor.getByRole("button", { name: "Redrive edited message" }).click();
    await expect(page.getByTestId("action-status")).toContainText("1 redriven");

    await expect
      .poll(async () => {
        const res = await request.get("/api/payments?limit=500");
        const { payments } = (await res.json()) as { payments: { orderId: string; quantity: number }[] };
        return payments.find((p) => p.orderId === orderId)?.quantity ?? null;
      })
      .toBe(3);
    await expect(row).toHaveCount(0);
    expect(await broker.depth(broker.dlq)).toBe(before);

    await page.goto("/");
    // The feed on the dashboard lists the payment of the fixed order.
    await expect(page.locator(`[data-testid="payment-row"][data-order-id="${orderId}"]`)).toBeVisible();
  });

  test("a still-broken redrive comes back with its redrive count up", async ({ page, context, baseURL, broker }) => {
    await signInAsOperator(context, baseURL);
    const messageId = unique("e2e-dlq-broken");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw("{still not json", { messageId });
    await waitForDepth(() => broker.depth(broker.dlq), before + 1);
    await page.goto("/dead-letters");
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${messageId}"]`);
    await expect(row.getByTestId("reason")).toContainText("not JSON");
    await row.getByRole("button", { name: `Redrive ${messageId}`, exact: true }).click();
    await expect(page.getByTestId("action-status")).toContainText("1 redriven");
    await expect(async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await expect(row.getByTestId("redrive-count")).toHaveText("1×", { timeout: 1000 });
    }).toPass({ timeout: 8000 });
  });

  test("a discard asks for confirmation and removes the message from the broker", async ({
    page,
    context,
    baseURL,
    broker,
  }) => {
    await signInAsOperator(context, baseURL);
    const messageId = unique("e2e-dlq-discard");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw("discard me", { messageId });
    await waitForDepth(() => broker.depth(broker.dlq), before + 1);
    await page.goto("/dead-letters");
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${messageId}"]`);
    await row.getByRole("button", { name: `Discard ${messageId}`, exact: true }).click();
    const confirm = page.getByTestId("confirm-discard");
    await expect(confirm).toBeVisible();
    // Cancelling changes nothing.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(confirm).toHaveCount(0);
    expect(await broker.depth(broker.dlq)).toBe(before + 1);

    await row.getByRole("button", { name: `Discard ${messageId}`, exact: true }).click();
    await page.getByRole("button", { name: "Confirm discard" }).click();
    await expect(page.getByTestId("action-status")).toContainText("1 discarded");
    await expect(row).toHaveCount(0);
    // Checked on the broker, not the UI: the depth is back, and the message is nowhere in the DLQ.
    expect(await broker.depth(broker.dlq)).toBe(before);
    const seen: string[] = [];
    for (;;) {
      const message = await broker.channel.get(broker.dlq, { noAck: false });
      if (message === false) break;
      seen.push(String(message.properties.messageId));
    }
    broker.channel.nackAll(true);
    expect(seen).not.toContain(messageId);
    await expect(page.getByTestId("audit-list")).toContainText("dead-letters.discard");
    // Named by the person signed in (the first admin here), as every other action is.
    await expect(page.getByTestId("audit-list")).toContainText("admin");
  });

  test("new dead letters arriving while the page is open are announced live", async ({ page, broker }) => {
    await page.goto("/dead-letters");
    await expect(page.getByTestId("dlq-depth")).toBeVisible();
    // No wait for a baseline sample: a miscounted baseline shows as a count other than exactly 1 below.
    const messageId = unique("e2e-dlq-live");
    await broker.sendRaw("arrives later", { messageId });
    const notice = page.getByTestId("new-dead-letters");
    await expect(notice).toContainText("1 new dead letter since this list was read");
    await notice.getByRole("button", { name: "Show them" }).click();
    await expect(page.locator(`[data-testid="dead-letter"][data-message-id="${messageId}"]`)).toBeVisible();
    await expect(notice).toHaveCount(0);
  });

  test("a viewer sees the dead letters but every action is off", async ({ page, broker }) => {
    const messageId = unique("e2e-dlq-viewer");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw("viewer sees me", { messageId });
    await waitForDepth(() => broker.depth(broker.dlq), before + 1);
    await page.goto("/dead-letters");
    await expect(page.getByTestId("access-notice")).toContainText("Sign in");
    const row = page.locator(`[data-testid="dead-letter"][data-message-id="${messageId}"]`);
    await expect(row).toBeVisible();
    await expect(row.getByRole("button", { name: `Redrive ${messageId}`, exact: true })).toBeDisabled();
    await expect(row.getByRole("button", { name: `Discard ${messageId}`, exact: true })).toBeDisabled();
  });
});

test.describe("the dead-letter JSON API", () => {
  test("anyone may look; only an operator may act (401 for a viewer, checked on the server)", async ({
    playwright,
    baseURL,
    broker,
  }) => {
    const viewer = await playwright.request.newContext({ baseURL });
    const list = await viewer.get("/api/dead-letters");
    expect(list.status()).toBe(200);
    const { queues } = (await list.json()) as { queues: { name: string }[] };
    expect(queues[0]?.name).toBe(broker.dlq);

    const messageId = unique("e2e-dlq-api");
    const before = await broker.depth(broker.dlq);
    await broker.sendRaw("api poison", { messageId });
    await waitForDepth(() => broker.depth(broker.dlq), before + 1);
    const browse = await viewer.get(`/api/dead-letters?queue=${encodeURIComponent(broker.dlq)}`);
    const { messages } = (await browse.json()) as { messages: { id: string; messageId: string }[] };
    const target = messages.find((m) => m.messageId === messageId);
    expect(target).toBeTruthy();

    const action = { queue: broker.dlq, action: "discard", selection: { ids: [target?.id] }, confirmed: true };
    const refused = await viewer.post("/api/dead-letters", { data: action });
    expect(refused.status()).toBe(401);
    expect(await broker.depth(broker.dlq)).toBe(before + 1);
    await viewer.dispose();

    const operator = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { cookie: `${SESSION_COOKIE}=${await operatorToken(baseURL)}` },
    });
    const unconfirmed = await operator.post("/api/dead-letters", { data: { ...action, confirmed: undefined } });
    expect(unconfirmed.status()).toBe(400);
    expect(((await unconfirmed.json()) as { message: string }).message).toContain("confirmation");
    const unknown = await operator.post("/api/dead-letters", { data: { ...action, queue: "not-a-dlq" } });
    expect(unknown.status()).toBe(404);
    const badLimit = await operator.get(`/api/dead-letters?queue=${encodeURIComponent(broker.dlq)}&limit=0`);
    expect(badLimit.status()).toBe(400);
    const done = await operator.post("/api/dead-letters", { data: action });
    expect(done.status()).toBe(200);
    expect(((await done.json()) as { discarded: string[] }).discarded).toEqual([target?.id]);
    expect(await broker.depth(broker.dlq)).toBe(before);
    await operator.dispose();
  });
});
