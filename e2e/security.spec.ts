import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, paymentTotals, test, unique } from "./fixtures";

/** The order form's server action id, from the build's server manifest (what a forged POST would carry). */
function actionId(): string {
  const manifest = JSON.parse(readFileSync(join(".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName?: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, value]) => value.exportedName === "placeOrderAction");
  if (!entry) throw new Error("placeOrderAction not in the server manifest; run next build");
  return entry[0];
}

function actionBody(item: string) {
  const form = new FormData();
  form.append("1_item", item);
  form.append("1_quantity", "1");
  form.append("0", JSON.stringify([{ status: "idle", message: "" }, "$K1"]));
  return form;
}

test.describe("security", () => {
  test("pages carry a nonce CSP, frame-ancestors 'none' and nosniff; API responses a deny-all CSP", async ({
    request,
  }) => {
    const page = await request.get("/");
    const csp = page.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(page.headers()["x-content-type-options"]).toBe("nosniff");
    expect(page.headers()["x-frame-options"]).toBe("DENY");
    // Each response its own nonce.
    const again = (await request.get("/")).headers()["content-security-policy"];
    expect(again).not.toBe(csp);
    // Next's inline scripts carry the nonce, so the CSP does not break the page.
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(await page.text()).toContain(`nonce="${nonce}"`);

    const api = await request.get("/api/health");
    expect(api.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
  });

  test("the dashboard runs under its CSP: no violations, the form works", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to (execute|load)/i.test(message.text())) violations.push(message.text());
    });
    await page.goto("/");
    await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
    await page.getByLabel("Item").fill(unique("csp"));
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toContainText("placed");
    expect(violations).toEqual([]);
  });

  test("a server action posted with a foreign Origin is refused with 403, and nothing is published", async ({
    request,
    broker,
    baseURL,
  }) => {
    const before = await paymentTotals(request);
    const depth = await broker.depth(broker.queue);
    const id = actionId();
    for (const origin of ["https://evil.example", "http://127.0.0.1.evil.example", "null"]) {
      const res = await fetch(`${baseURL}/`, {
        method: "POST",
        headers: { "Next-Action": id, Origin: origin, Accept: "text/x-component" },
        body: actionBody("forged"),
      });
      expect(res.status, origin).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe("forbidden");
    }
    const noOrigin = await fetch(`${baseURL}/`, {
      method: "POST",
      headers: { "Next-Action": id, Accept: "text/x-component" },
      body: actionBody("forged"),
    });
    expect(noOrigin.status).toBe(403);

    // The same request from the page's own origin runs the action (it validates and answers with state).
    const own = await fetch(`${baseURL}/`, {
      method: "POST",
      headers: { "Next-Action": id, Origin: baseURL ?? "", Accept: "text/x-component" },
      body: actionBody(""),
    });
    expect(own.status).toBe(200);
    expect(await own.text()).toContain("Item is required");

    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await paymentTotals(request)).toBe(before);
    expect(await broker.depth(broker.queue)).toBe(depth);
  });

  test("order items with HTML or script render as text: no dialog, no injected element", async ({
    page,
    request,
    broker,
  }) => {
    let dialogs = 0;
    page.on("dialog", async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    await page.goto("/");
    await expect(page.getByTestId("connection-badge")).toHaveAttribute("data-state", "live");
    const tag = unique("x");
    const viaForm = `<img src=x onerror="window.__xss=1;alert(1)" data-x="${tag}">`;
    const viaApi = `<script>window.__xss=2</script>${tag}`;
    const viaQueue = `<svg onload="window.__xss=3" data-q="${tag}">`;
    await page.getByLabel("Item").fill(viaForm);
    await page.getByRole("button", { name: "Place order" }).click();
    await expect(page.getByTestId("order-status")).toContainText("placed");
    expect((await request.post("/api/orders", { data: { item: viaApi } })).status()).toBe(202);
    await broker.sendRaw(JSON.stringify({ orderId: unique("xss"), item: viaQueue }));

    const rows = page.getByTestId("payment-row");
    for (const text of [viaForm, viaApi, viaQueue]) {
      await expect(rows.filter({ hasText: text }).first()).toBeVisible();
    }
    await expect(page.getByTestId("order-status")).toContainText("<img src=x");
    expect(await page.locator(`img[data-x="${tag}"], svg[data-q="${tag}"]`).count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
  });

  test("at most 8 live streams per client: the 9th gets 429, and a slot frees when one closes", async ({ baseURL }) => {
    const client = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const open = async () => {
      const controller = new AbortController();
      const res = await fetch(`${baseURL}/api/events`, {
        headers: { "x-forwarded-for": client },
        signal: controller.signal,
      });
      return { res, controller };
    };
    const streams = [];
    try {
      for (let i = 0; i < 8; i++) {
        const stream = await open();
        expect(stream.res.status).toBe(200);
        streams.push(stream);
      }
      const refused = await open();
      expect(refused.res.status).toBe(429);
      expect(refused.res.headers.get("retry-after")).toBeTruthy();
      // Another client is not affected.
      const other = await fetch(`${baseURL}/api/events`, { headers: { "x-forwarded-for": "198.51.100.7" } });
      expect(other.status).toBe(200);
      await other.body?.cancel();

      streams.pop()?.controller.abort();
      await expect
        .poll(async () => {
          const retry = await open();
          if (retry.res.status === 200) streams.push(retry);
          return retry.res.status;
        })
        .toBe(200);
    } finally {
      for (const stream of streams) stream.controller.abort();
    }
  });
});
