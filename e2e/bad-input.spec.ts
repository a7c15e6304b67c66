import fc from "fast-check";
import { orderInputSchema, orderMessageSchema } from "../lib/orders/schema";
import { expect, test } from "./fixtures";
import { setUpPrivateWarren } from "./private-warren";

// Its own broker and server: the counts below must not see anyone else's orders.
const warren = setUpPrivateWarren(Number(process.env.E2E_BAD_INPUT_PORT ?? 3403));

/**
 * Property-based: POST /api/orders on the production server with whatever a
 * client may send. Always a clear 4xx with an error code and message — never
 * a 5xx — and a 202 only for what the schema accepts. Afterwards the ledger
 * holds exactly the accepted orders, all valid, and the DLQ gained nothing
 * (an invalid order that reached the queue would have been dead-lettered).
 */
const jsonTypes = ["application/json", "application/json; charset=utf-8", "application/vnd.api+json"];
const otherTypes = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "text/html",
  "application/jsonx",
];

const itemish = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("book", " tea ", "", "\u0000", "a\tb", "<script>alert(1)</script>", "x".repeat(101)),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const quantityish = fc.oneof(
  fc.integer({ min: -10, max: 1100 }),
  fc.double(),
  fc.constantFrom("1", "", "2", null, true, 1e21, -0, 1.5, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 5 }),
);
const orderish = fc.oneof(
  { weight: 5, arbitrary: fc.record({ item: itemish, quantity: quantityish }, { requiredKeys: [] }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record({ item: fc.constant("book"), quantity: fc.constant(1), orderId: fc.string(), x: fc.string() }),
  },
);

interface Case {
  contentType: string;
  body: string;
}
const cases: fc.Arbitrary<Case> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      contentType: fc.constantFrom(...jsonTypes),
      body: orderish.map((v) => JSON.stringify(v) ?? ""),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      contentType: fc.constantFrom(...jsonTypes),
      body: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("{", '{"item":', "[]", "null", "\ufeff{}", "")),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constantFrom(...otherTypes),
      body: orderish.map((v) => JSON.stringify(v) ?? ""),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      contentType: fc.constant("application/json"),
      body: fc.constant(JSON.stringify({ item: "book", pad: "x".repeat(20_000) })),
    }),
  },
);

function isValid({ contentType, body }: Case): boolean {
  if (!jsonTypes.includes(contentType)) return false;
  if (Buffer.byteLength(body) > 16 * 1024) return false; // 413: the route's body limit
  try {
    return orderInputSchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
}

test("POST /api/orders: any input gets a clear 4xx or, if valid, a 202 — never a 5xx or an invalid publish", async ({
  request,
}) => {
  test.setTimeout(120_000);
  const paidBefore = await warren.totals();
  const dlqBefore = await warren.depthOf(warren.dlq);
  const acceptedIds = new Set<string>();
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const res = await request.post(`${warren.base}/api/orders`, {
        headers: c.contentType ? { "content-type": c.contentType } : {},
        data: c.body,
      });
      const status = res.status();
      expect(status, `5xx for ${JSON.stringify(c).slice(0, 200)}`).toBeLessThan(500);
      const body = (await res.json()) as { orderId?: string; error?: string; message?: string };
      if (isValid(c)) {
        expect(status, `valid order refused: ${c.body.slice(0, 200)}`).toBe(202);
        expect(typeof body.orderId).toBe("string");
        acceptedIds.add(body.orderId as string);
      } else {
        expect(status, `invalid order not refused: ${c.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(typeof body.error).toBe("string");
        expect(typeof body.message).toBe("string");
        expect(body.message).not.toMatch(/at .*\.(js|ts):\d+|amqp:\/\/|guest/);
      }
    }),
    { numRuns: 250 },
  );
  expect(acceptedIds.size).toBeGreaterThan(5);
  // Every accepted order is paid, and nothing else: the ledger grew by exactly the accepted ones.
  await expect.poll(() => warren.totals(), { timeout: 20_000 }).toBe(paidBefore + acceptedIds.size);
  const res = await request.get(`${warren.base}/api/payments?limit=500`);
  const { payments } = (await res.json()) as { payments: Array<{ orderId: string; item: string; quantity: number }> };
  for (const p of payments.filter((p) => acceptedIds.has(p.orderId))) {
    expect(
      orderMessageSchema.safeParse({ orderId: p.orderId, item: p.item, quantity: p.quantity }).success,
      `invalid order in the ledger: ${JSON.stringify(p)}`,
    ).toBe(true);
  }
  expect(await warren.depthOf(warren.dlq)).toBe(dlqBefore);
});
