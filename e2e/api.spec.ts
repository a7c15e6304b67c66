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

  test("the SSE stream opens with a snapshot and, given a Last-Event-ID header, replays only the payments after it", async ({
    request,
    baseURL,
  }) => {
    const paid = async (item: string) => {
      const { orderId } = (await (await request.post("/api/orders", { data: { item } })).json()) as { orderId: string };
      let seq = 0;
      await expect
        .poll(async () => {
          const body = (await (await request.get("/api/payments")).json()) as {
            payments: { orderId: string; seq: number }[];
          };
          seq = body.payments.find((p) => p.orderId === orderId)?.seq ?? 0;
          return seq;
        })
        .toBeGreaterThan(0);
      return { orderId, seq };
    };
    const first = await paid("tea");
    const second = await paid("coffee");
    expect(second.seq).toBeGreaterThan(first.seq);

    // What an EventSource sends when it reconnects: the id of the last event it saw, as a header.
    const res = await fetch(`${baseURL}/api/events`, {
      headers: { accept: "text/event-stream", "Last-Event-ID": String(first.seq) },
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no stream body");
    const decoder = new TextDecoder();
    const events: Array<{ event: string; id: string | null; orderId?: string }> = [];
    let buffer = "";
    // Replayed payments come in seq order right after the snapshot: once the second order is here,
    // the first one would have come before it.
    try {
      while (!events.some((e) => e.orderId === second.orderId)) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(raw)?.[1];
          if (!event) continue;
          const data = /^data: (.*)$/m.exec(raw)?.[1] ?? "null";
          const orderId = event === "payment" ? (JSON.parse(data) as { orderId: string }).orderId : undefined;
          events.push({ event, id: /^id: (.*)$/m.exec(raw)?.[1] ?? null, orderId });
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    expect(events[0]?.event).toBe("snapshot");
    const replayed = events.filter((e) => e.event === "payment");
    expect(replayed.find((e) => e.orderId === second.orderId)?.id).toBe(String(second.seq));
    expect(replayed.map((e) => e.orderId)).not.toContain(first.orderId);
    expect(replayed.every((e) => Number(e.id) > first.seq)).toBe(true);
  });
});
