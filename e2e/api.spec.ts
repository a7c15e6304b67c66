import { expect, paymentTotals, test } from "./fixtures";

test.describe("POST /api/orders", () => {
  test("accepts the seed tutorial's body with 202 and the order gets paid", async ({ request }) => {
    const res = await request.post("/api/orders", { data: { item: "book" } });
    expect(res.status()).toBe(202);
    const { orderId, quantity } = (await res.json()) as { orderId: string; quantity: number };
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(quantity).toBe(1);
    await expect
      .poll(async () => {
        const body = (await (await request.get("/api/payments")).json()) as { payments: { orderId: string }[] };
        return body.payments.some((p) => p.orderId === orderId);
      })
      .toBe(true);
  });

  test("gives every order its own id", async ({ request }) => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await request.post("/api/orders", { data: { item: "pen" } });
        return ((await res.json()) as { orderId: string }).orderId;
      }),
    );
    expect(new Set(ids).size).toBe(20);
  });

  for (const [label, body, pattern] of [
    ["an empty item", '{"item": ""}', /Item is required/],
    ["an oversized item", JSON.stringify({ item: "x".repeat(500) }), /at most 100/],
    ["a mistyped quantity", '{"item": "book", "quantity": "2"}', /Quantity must be a number/],
    ["an array", '[{"item": "book"}]', /Expected a JSON object/],
    ["broken JSON", '{"item": ', /not valid JSON/],
    ["an empty body", "", /not valid JSON/],
  ] as const) {
    test(`answers 400 with the reason for ${label}`, async ({ request }) => {
      const before = await paymentTotals(request);
      const res = await request.post("/api/orders", {
        headers: { "content-type": "application/json" },
        data: Buffer.from(body), // a Buffer is sent as is; a string would be JSON-encoded again
      });
      expect(res.status()).toBe(400);
      const json = (await res.json()) as { error: string; message: string };
      expect(json.error).toBe("bad_request");
      expect(json.message).toMatch(pattern);
      expect(await paymentTotals(request)).toBe(before);
    });
  }

  test("answers 415 for a body that is not JSON", async ({ request }) => {
    const res = await request.post("/api/orders", {
      headers: { "content-type": "text/plain" },
      data: Buffer.from("item=book"),
    });
    expect(res.status()).toBe(415);
    expect(((await res.json()) as { message: string }).message).toMatch(/application\/json/);
  });

  test("answers 413 for an oversized body", async ({ request }) => {
    const res = await request.post("/api/orders", {
      headers: { "content-type": "application/json" },
      data: Buffer.from(JSON.stringify({ item: "book", padding: "x".repeat(20_000) })),
    });
    expect(res.status()).toBe(413);
  });
});

test.describe("snapshots for SWR", () => {
  test("GET /api/queues reports both queues with live depth", async ({ request, broker }) => {
    await expect
      .poll(async () => {
        const body = (await (await request.get("/api/queues")).json()) as {
          latest: { broker: string; queues: { name: string; exists: boolean }[] } | null;
        };
        return body.latest?.queues.filter((q) => q.exists).map((q) => q.name);
      })
      .toEqual([broker.queue, broker.dlq]);
  });

  test("the SSE stream opens with a snapshot and resumes payments after Last-Event-ID", async ({ page, request }) => {
    const res = await request.post("/api/orders", { data: { item: "tea" } });
    const { orderId } = (await res.json()) as { orderId: string };
    await expect
      .poll(async () => {
        const body = (await (await request.get("/api/payments")).json()) as { payments: { orderId: string }[] };
        return body.payments.some((p) => p.orderId === orderId);
      })
      .toBe(true);
    // From a page: API responses carry a deny-all CSP (default-src 'none'), under which no script may connect.
    await page.goto("/");
    const seen = await page.evaluate(
      () =>
        new Promise<{ snapshot: boolean; resumed: string[] }>((resolve) => {
          const source = new EventSource("/api/events?lastEventId=0");
          const resumed: string[] = [];
          let snapshot = false;
          source.addEventListener("snapshot", () => {
            snapshot = true;
          });
          source.addEventListener("payment", (event) => {
            resumed.push((JSON.parse((event as MessageEvent<string>).data) as { orderId: string }).orderId);
          });
          setTimeout(() => {
            source.close();
            resolve({ snapshot, resumed });
          }, 1500);
        }),
    );
    expect(seen.snapshot).toBe(true);
    expect(seen.resumed).toContain(orderId);
  });
});
