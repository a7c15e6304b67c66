import { expect, needsManagement, operatorPassword, signIn, test, unique } from "./fixtures";

test.describe("operator access", () => {
  test("sign-in with a wrong password fails, the right one signs in, sign-out signs out", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "viewer");
    await page.getByRole("link", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/login/);

    await page.getByLabel("Password", { exact: true }).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Wrong name or password.")).toBeVisible();
    await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
    expect((await page.context().cookies()).some((c) => c.name === "warren_session")).toBe(false);

    await page.getByLabel("Password", { exact: true }).fill(operatorPassword());
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "operator");
    const cookie = (await page.context().cookies()).find((c) => c.name === "warren_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login\?signedOut=1/);
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "viewer");
    expect((await page.context().cookies()).some((c) => c.name === "warren_session")).toBe(false);
  });

  test("a forged session cookie is a viewer", async ({ page, context, baseURL }) => {
    await context.addCookies([{ name: "warren_session", value: "eyJzdWIiOiJvcGVyYXRvciJ9.forged", url: baseURL }]);
    await page.goto("/");
    await expect(page.getByTestId("role")).toHaveAttribute("data-role", "viewer");
  });

  test("a viewer cannot purge: no enabled button, and direct requests are refused", async ({
    page,
    request,
    broker,
  }) => {
    const queue = `${broker.queue}.${unique("viewer")}`;
    await broker.channel.assertQueue(queue, { durable: false });
    try {
      for (let i = 0; i < 3; i++) broker.channel.sendToQueue(queue, Buffer.from(`{"n":${i}}`));
      await broker.channel.waitForConfirms();

      // The UI: the purge button is there but disabled, and says why.
      await page.goto(`/queues/${encodeURIComponent(queue)}`);
      await expect(page.getByRole("button", { name: "Purge…" })).toBeDisabled();
      await expect(page.getByRole("button", { name: "Publish" })).toBeDisabled();
      await expect(page.getByRole("button", { name: "Peek" })).toBeDisabled();
      await expect(page.getByTestId("access-notice").first()).toContainText("Sign in as an operator");

      // The JSON API: 401 without a session, whatever the body.
      const res = await request.post(`/api/broker/queues/${encodeURIComponent(queue)}/purge`, {
        data: { confirm: "purge" },
      });
      expect(res.status()).toBe(401);
      expect((await res.json()).error).toBe("unauthorized");
      const control = await request.post("/api/broker/consumers", { data: { command: "pause" } });
      expect(control.status()).toBe(401);

      // The server action itself: open the confirm step as an operator, lose the session, submit.
      await signIn(page, `/queues/${encodeURIComponent(queue)}`);
      await page.getByRole("button", { name: "Purge…" }).click();
      await page.context().clearCookies();
      await page.getByRole("button", { name: "Yes, purge" }).click();
      await expect(page.getByTestId("purge-status")).toHaveAttribute("data-status", "error");
      await expect(page.getByTestId("purge-status")).toContainText("Sign in as an operator");

      // Checked against the broker, not the UI.
      expect(await broker.depth(queue)).toBe(3);

      // And the refusals are in the audit log: the same refusal (who, from where, what, on what)
      // is written once a minute at most, so a flood of them cannot fill the log.
      await page.goto("/audit");
      const denied = page
        .getByTestId("audit-row")
        .filter({ hasText: queue })
        .and(page.locator('[data-result="denied"]'));
      await expect(denied.first()).toBeVisible();
      expect(await denied.count()).toBe(1);
    } finally {
      await broker.channel.deleteQueue(queue).catch(() => {});
    }
  });
});

test("the JSON API works for a signed-in operator and answers bad input with 4xx", async ({ page, broker }) => {
  await needsManagement(); // peek reads through the management API
  const queue = `${broker.queue}.${unique("api")} 50%`;
  await broker.channel.assertQueue(queue, { durable: false });
  try {
    await signIn(page);
    const api = page.request; // shares the browser context's session cookie
    const path = `/api/broker/queues/${encodeURIComponent(queue)}`;

    const published = await api.post(`${path}/publish`, { data: { message: { hello: "api" } } });
    expect(published.status()).toBe(201);
    expect(await broker.depth(queue)).toBe(1);

    const peeked = await api.post(`${path}/peek`, { data: { count: 2 } });
    expect(peeked.status()).toBe(200);
    const body = (await peeked.json()) as { redelivered: boolean; messages: Array<{ payload: string }> };
    expect(body.redelivered).toBe(true);
    expect(body.messages.map((m) => JSON.parse(m.payload))).toEqual([{ hello: "api" }]);

    expect((await api.post(`${path}/peek`, { data: { count: 0 } })).status()).toBe(400);
    expect((await api.post(`${path}/purge`, { data: {} })).status()).toBe(400);
    expect((await api.post(`${path}/purge`, { data: "x", headers: { "content-type": "text/plain" } })).status()).toBe(
      415,
    );
    expect((await api.post("/api/broker/consumers", { data: { command: "prefetch", prefetch: -1 } })).status()).toBe(
      400,
    );
    const missing = await api.post(`/api/broker/queues/${encodeURIComponent(`${queue}.missing`)}/purge`, {
      data: { confirm: "purge" },
    });
    expect(missing.status()).toBe(404);

    const purged = await api.post(`${path}/purge`, { data: { confirm: "purge" } });
    expect(purged.status()).toBe(200);
    expect(await purged.json()).toEqual({ queue, purged: 1 });
    expect(await broker.depth(queue)).toBe(0);
  } finally {
    await broker.channel.deleteQueue(queue).catch(() => {});
  }
});

test("sign-in never redirects off the site, and returns to the page that asked", async ({ page, baseURL }) => {
  await page.goto("/login?next=//example.com/phish");
  await page.getByLabel("Password", { exact: true }).fill(operatorPassword());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/signedOut=1/);
  await page.goto("/login?next=/queues");
  await page.getByLabel("Password", { exact: true }).fill(operatorPassword());
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${baseURL}/queues`);
});
