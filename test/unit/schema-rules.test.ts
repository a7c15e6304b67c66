import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  describeIssues,
  fieldErrorsOf,
  orderFormSchema,
  orderInputSchema,
  orderMessageSchema,
} from "../../lib/orders/schema";

/** The field errors a person sees for `input`, or null when it is valid. */
function errorsOf(schema: z.ZodType, input: unknown): Record<string, string[]> | null {
  const parsed = schema.safeParse(input);
  return parsed.success ? null : fieldErrorsOf(parsed.error);
}

describe("order rules: the exact words a person reads", () => {
  it("names each item and quantity problem (API body)", () => {
    assert.deepEqual(errorsOf(orderInputSchema, { item: 42 }), { item: ["Item must be text"] });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "  " }), { item: ["Item is required"] });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "x".repeat(101) }), {
      item: ["Item must be at most 100 characters"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "bo\u0007ok" }), {
      item: ["Item must not contain control characters"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "book", quantity: "2" }), {
      quantity: ["Quantity must be a number"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "book", quantity: 1.5 }), {
      quantity: ["Quantity must be a whole number"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "book", quantity: 0 }), {
      quantity: ["Quantity must be at least 1"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "book", quantity: 1001 }), {
      quantity: ["Quantity must be at most 1000"],
    });
    assert.deepEqual(errorsOf(orderInputSchema, "book"), {
      _: ['Expected a JSON object like {"item": "book", "quantity": 1}'],
    });
    assert.deepEqual(errorsOf(orderInputSchema, { item: "x".repeat(100), quantity: 1000 }), null);
  });

  it("control characters: below U+0020 and U+007F are refused, the printable ones next to them are not", () => {
    for (const code of [0x00, 0x09, 0x0a, 0x1f, 0x7f]) {
      assert.ok(errorsOf(orderInputSchema, { item: `a${String.fromCodePoint(code)}b` }), `U+${code.toString(16)}`);
    }
    for (const code of [0x20, 0x21, 0x7e, 0x80, 0xe9, 0x1f600]) {
      assert.equal(
        errorsOf(orderInputSchema, { item: `a${String.fromCodePoint(code)}b` }),
        null,
        `U+${code.toString(16)}`,
      );
    }
  });

  it("form quantity: empty means 1, only digits are a whole number", () => {
    assert.deepEqual(orderFormSchema.parse({ item: "book", quantity: "" }), { item: "book", quantity: 1 });
    assert.deepEqual(orderFormSchema.parse({ item: "book", quantity: " 12 " }), { item: "book", quantity: 12 });
    for (const quantity of ["1.5", "x2", "2x", "-1", "1e3", "１"]) {
      assert.deepEqual(errorsOf(orderFormSchema, { item: "book", quantity }), {
        quantity: ["Quantity must be a whole number"],
      });
    }
    assert.deepEqual(errorsOf(orderFormSchema, { item: "book", quantity: "0" }), {
      quantity: ["Quantity must be at least 1"],
    });
    assert.ok(errorsOf(orderFormSchema, { item: "book", quantity: 3 }), "a form field is text, never a number");
  });

  it("message orderId: string or safe non-negative integer, each refusal named", () => {
    const message = (orderId: unknown) => ({ orderId, item: "book" });
    assert.equal(orderMessageSchema.parse(message(17)).orderId, "17");
    assert.equal(orderMessageSchema.parse(message(" a-1 ")).orderId, "a-1");
    assert.deepEqual(errorsOf(orderMessageSchema, message(" ")), { orderId: ["orderId must not be empty"] });
    assert.deepEqual(errorsOf(orderMessageSchema, message("x".repeat(101))), {
      orderId: ["orderId must be at most 100 characters"],
    });
    assert.deepEqual(errorsOf(orderMessageSchema, message("a\nb")), {
      orderId: ["orderId must not contain control characters"],
    });
    // A numeric id's refusal sits inside zod's union error: the reason a person reads today is
    // "orderId: Invalid input" (reported to the lead); the rule itself is checked in the branch's words.
    for (const [id, words] of [
      [1.5, "a numeric orderId must be an integer"],
      [-1, "a numeric orderId must not be negative"],
      [2 ** 53, "a numeric orderId must be a safe integer"],
    ] as const) {
      assert.deepEqual(errorsOf(orderMessageSchema, message(id)), { orderId: ["Invalid input"] });
      const parsed = orderMessageSchema.safeParse(message(id));
      const union = parsed.success ? null : (parsed.error.issues[0] as { errors?: Array<Array<{ message: string }>> });
      const [asString, asNumber] = union?.errors?.map((branch) => branch.map((issue) => issue.message)) ?? [];
      assert.deepEqual(asString, ["Invalid input: expected string, received number"]);
      assert.ok(asNumber?.includes(words), `${id}: ${asNumber?.join("; ")}`);
    }
    assert.equal(orderMessageSchema.parse(message(0)).orderId, "0");
  });

  it("fieldErrorsOf keeps every message per field and puts form-level ones under _", () => {
    const parsed = orderMessageSchema.safeParse({ orderId: "", item: "", quantity: -1 });
    assert.equal(parsed.success, false);
    if (parsed.success) return;
    assert.deepEqual(fieldErrorsOf(parsed.error), {
      orderId: ["orderId must not be empty"],
      item: ["Item is required"],
      quantity: ["Quantity must be at least 1"],
    });
    const twice = orderInputSchema.safeParse({ item: "\u0001".repeat(101) });
    assert.equal(twice.success, false);
    if (twice.success) return;
    assert.deepEqual(fieldErrorsOf(twice.error), {
      item: ["Item must be at most 100 characters", "Item must not contain control characters"],
    });
  });

  it("a nested field is named by its dotted path", () => {
    const nested = z.object({ order: z.object({ item: z.string({ message: "Item must be text" }) }) });
    const parsed = nested.safeParse({ order: { item: 1 } });
    assert.equal(parsed.success, false);
    if (parsed.success) return;
    assert.deepEqual(fieldErrorsOf(parsed.error), { "order.item": ["Item must be text"] });
    assert.equal(describeIssues(parsed.error), "order.item: Item must be text");
  });

  it("describeIssues: one line, field-prefixed, joined with '; '", () => {
    const parsed = orderMessageSchema.safeParse({ orderId: "", item: "" });
    assert.equal(parsed.success, false);
    if (parsed.success) return;
    assert.equal(describeIssues(parsed.error), "orderId: orderId must not be empty; item: Item is required");
    const root = orderInputSchema.safeParse(null);
    assert.equal(root.success, false);
    if (root.success) return;
    assert.equal(describeIssues(root.error), 'Expected a JSON object like {"item": "book", "quantity": 1}');
  });
});
