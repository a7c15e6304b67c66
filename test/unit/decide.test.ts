import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyExisting, decodeOrderMessage, hashOrder, MAX_MESSAGE_BYTES } from "../../lib/payments/decide";

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe("decodeOrderMessage", () => {
  it("makes a seed-shaped message payable and uses the AMQP timestamp as placed time", () => {
    const decoded = decodeOrderMessage(json({ orderId: 1711111111111, item: "book" }), 1_711_111_111);
    assert.equal(decoded.kind, "payable");
    if (decoded.kind !== "payable") return;
    assert.equal(decoded.order.orderId, "1711111111111");
    assert.equal(decoded.order.quantity, 1);
    assert.equal(decoded.order.placedAt, 1_711_111_111_000);
  });

  it("prefers the body's placedAt", () => {
    const decoded = decodeOrderMessage(json({ orderId: "a", item: "tea", placedAt: 5 }), 99);
    assert.equal(decoded.kind === "payable" && decoded.order.placedAt, 5);
  });

  it("calls non-JSON invalid with the parser's reason", () => {
    const decoded = decodeOrderMessage(Buffer.from("not json{"));
    assert.equal(decoded.kind, "invalid");
    assert.match(decoded.kind === "invalid" ? decoded.reason : "", /^not JSON: /);
  });

  it("calls a schema failure invalid and names the field", () => {
    const decoded = decodeOrderMessage(json({ orderId: "a", item: 7 }));
    assert.equal(decoded.kind, "invalid");
    assert.match(decoded.kind === "invalid" ? decoded.reason : "", /^schema: item: /);
  });

  it("refuses an oversized body before parsing it", () => {
    const decoded = decodeOrderMessage(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));
    assert.match(decoded.kind === "invalid" ? decoded.reason : "", /too large/);
  });

  it("hashes the same order the same way whatever the id's type", () => {
    const a = decodeOrderMessage(json({ orderId: 17, item: "book" }));
    const b = decodeOrderMessage(json({ orderId: "17", item: "book", quantity: 1 }));
    assert.ok(a.kind === "payable" && b.kind === "payable");
    assert.equal(a.order.bodyHash, b.order.bodyHash);
  });

  it("keeps the hash that payments already stored (a duplicate of an old payment is not a conflict)", () => {
    // sha256 of ["o-1","book",1], first 32 hex digits: as every Warren so far has written it.
    assert.equal(hashOrder("o-1", "book", 1), "535a92c0a6b2d87b64dda716fd9d1956");
  });
});

describe("classifyExisting", () => {
  const order = { orderId: "o1", item: "book", quantity: 1, placedAt: null, bodyHash: hashOrder("o1", "book", 1) };

  it("calls the same content a duplicate", () => {
    assert.deepEqual(classifyExisting(order.bodyHash, order), { kind: "duplicate", orderId: "o1" });
  });

  it("calls other content under the same id a conflict, with a reason", () => {
    const outcome = classifyExisting(hashOrder("o1", "pen", 1), order);
    assert.equal(outcome.kind, "conflict");
    assert.match(outcome.kind === "conflict" ? outcome.reason : "", /already paid with a different body/);
  });
});
