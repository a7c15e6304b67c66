import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { orderFormSchema, orderInputSchema, orderMessageSchema } from "../../lib/orders/schema";

describe("orderInputSchema (POST /api/orders)", () => {
  it("accepts the seed tutorial's body and defaults quantity to 1", () => {
    assert.deepEqual(orderInputSchema.parse({ item: "book" }), { item: "book", quantity: 1 });
  });

  it("trims the item and keeps an explicit quantity", () => {
    assert.deepEqual(orderInputSchema.parse({ item: "  tea ", quantity: 3 }), { item: "tea", quantity: 3 });
  });

  for (const [label, body] of [
    ["an empty item", { item: "" }],
    ["a blank item", { item: "   " }],
    ["an oversized item", { item: "x".repeat(101) }],
    ["a numeric item", { item: 42 }],
    ["a string quantity", { item: "book", quantity: "2" }],
    ["a zero quantity", { item: "book", quantity: 0 }],
    ["a fractional quantity", { item: "book", quantity: 1.5 }],
    ["a huge quantity", { item: "book", quantity: 1001 }],
    ["control characters", { item: "bo\u0000ok" }],
    ["an array", [{ item: "book" }]],
    ["null", null],
    ["a string", "book"],
  ] as const) {
    it(`rejects ${label}`, () => {
      const result = orderInputSchema.safeParse(body);
      assert.equal(result.success, false);
      assert.ok(result.error?.issues[0]?.message, "the error carries a reason");
    });
  }
});

describe("orderFormSchema (the server action)", () => {
  it("reads the quantity from text and defaults a blank one to 1", () => {
    assert.deepEqual(orderFormSchema.parse({ item: "pen", quantity: "4" }), { item: "pen", quantity: 4 });
    assert.deepEqual(orderFormSchema.parse({ item: "pen", quantity: "" }), { item: "pen", quantity: 1 });
  });

  it("reports a field error for non-numeric quantity", () => {
    const result = orderFormSchema.safeParse({ item: "pen", quantity: "two" });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues[0]?.path, ["quantity"]);
  });
});

describe("orderMessageSchema (what the consumer accepts)", () => {
  it("accepts the seed tutorial's numeric order id as a string id", () => {
    assert.deepEqual(orderMessageSchema.parse({ orderId: 1711111111111, item: "book" }), {
      orderId: "1711111111111",
      item: "book",
      quantity: 1,
    });
  });

  it("accepts Warren's own shape", () => {
    const message = { orderId: "9b2c-1", item: "tea", quantity: 2, placedAt: 1_700_000_000_000 };
    assert.deepEqual(orderMessageSchema.parse(message), message);
  });

  it("rejects a negative or fractional numeric id and a missing id", () => {
    assert.equal(orderMessageSchema.safeParse({ orderId: -1, item: "book" }).success, false);
    assert.equal(orderMessageSchema.safeParse({ orderId: 1.5, item: "book" }).success, false);
    assert.equal(orderMessageSchema.safeParse({ item: "book" }).success, false);
  });
});
