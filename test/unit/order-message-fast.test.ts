import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { orderMessageSchema, plainOrderMessage } from "../../lib/orders/schema";
import { decodeOrderMessage } from "../../lib/payments/decide";

/**
 * The worker decodes order bodies without zod where it surely may (lib/orders/schema.ts,
 * plainOrderMessage). It must never accept what zod refuses, nor answer otherwise than zod.
 */
const strings = [
  "book",
  " book",
  "book ",
  "",
  " ",
  "a".repeat(100),
  "a".repeat(101),
  "bo\u0000ok",
  "bo\u007fok",
  "tab\tin",
  "caf\u00e9",
  "\u{1F4D6} emoji",
  "\u00a0nbsp",
  "line\u2028sep",
  "\ufeffbom",
  "x",
];
const numbers = [
  0,
  1,
  -1,
  1.5,
  1000,
  1001,
  7,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -0,
  1e21,
  Number.NaN,
];
const others = [undefined, null, true, "1", [], {}, [1]];

function* bodies(): Generator<unknown> {
  yield* [null, 1, "book", [], [{ orderId: "a", item: "b" }], true];
  const ids = [...strings, ...numbers, ...others];
  const items = [...strings, ...others, 5];
  const quantities = [...numbers, ...others, "2"];
  const placed = [undefined, 1, 0, -5, 1.5, 1_711_111_111_111, Number.MAX_SAFE_INTEGER + 2, "1", null];
  for (const orderId of ids) for (const item of items) yield { orderId, item };
  for (const quantity of quantities)
    for (const placedAt of placed) yield { orderId: "o-1", item: "book", quantity, placedAt };
  yield { orderId: "o-2", item: "book", extra: { nested: true }, quantity: 3 };
  yield JSON.parse('{"orderId":"o-3","item":"book","__proto__":{"quantity":5}}');
  yield { item: "book" };
  yield { orderId: "o-4" };
}

describe("the order body's fast path (plainOrderMessage)", () => {
  it("never answers where zod refuses, and answers what zod answers where it accepts", () => {
    let accepted = 0;
    let checked = 0;
    for (const body of bodies()) {
      checked++;
      const fast = plainOrderMessage(body);
      if (fast === null) continue;
      accepted++;
      const slow = orderMessageSchema.safeParse(body);
      assert.ok(slow.success, `fast path accepted what zod refuses: ${JSON.stringify(body)}`);
      assert.deepEqual(fast, slow.data, `fast path and zod differ on ${JSON.stringify(body)}`);
    }
    assert.ok(checked > 500, `only ${checked} bodies checked`);
    // Not a no-op: the plain bodies the queue carries take it.
    assert.ok(accepted > 50, `the fast path took only ${accepted} of ${checked}`);
  });

  it("takes the bodies the order queue carries, seed-shaped and Warren's own", () => {
    assert.deepEqual(plainOrderMessage({ orderId: 1711111111111, item: "book" }), {
      orderId: "1711111111111",
      item: "book",
      quantity: 1,
    });
    assert.deepEqual(plainOrderMessage({ orderId: "ord-1", item: "pen", quantity: 3, placedAt: 1_711_111_111_111 }), {
      orderId: "ord-1",
      item: "pen",
      quantity: 3,
      placedAt: 1_711_111_111_111,
    });
  });

  it("leaves trimming, errors and edge cases to zod, whose answer the decoder still gives", () => {
    assert.equal(plainOrderMessage({ orderId: "o", item: " book " }), null);
    const trimmed = decodeOrderMessage(Buffer.from(JSON.stringify({ orderId: "o", item: " book " })));
    assert.equal(trimmed.kind, "payable");
    assert.equal(trimmed.kind === "payable" && trimmed.order.item, "book");
    const refused = decodeOrderMessage(Buffer.from(JSON.stringify({ orderId: "o", item: "book", quantity: 0 })));
    assert.equal(refused.kind, "invalid");
    assert.match(refused.kind === "invalid" ? refused.reason : "", /quantity: Quantity must be at least 1/);
  });
});
