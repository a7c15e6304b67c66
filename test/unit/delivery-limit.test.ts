import assert from "node:assert/strict";
import { test } from "node:test";
import { peekCost, peekCostNote } from "../../lib/queues/delivery-limit";

test("a classic queue's peek costs nothing: no note", () => {
  assert.deepEqual(peekCost("classic", { "delivery-limit": 3 }, {}), { counts: false, limit: null });
  assert.equal(peekCostNote(peekCost("classic", {}, {})), null);
  assert.equal(peekCostNote(peekCost(null, {}, {})), null);
});

test("a quorum queue with a delivery-limit says each peek counts toward it", () => {
  const note = peekCostNote(peekCost("quorum", { "delivery-limit": 3 }, {}));
  assert.match(note ?? "", /each peek counts a delivery toward delivery-limit 3/);
});

test("the lower of the policy's limit and the x-delivery-limit argument is the one in force", () => {
  assert.equal(peekCost("quorum", { "delivery-limit": 5 }, { "x-delivery-limit": 2 }).limit, 2);
  assert.equal(peekCost("quorum", { "delivery-limit": 1 }, { "x-delivery-limit": 4 }).limit, 1);
  assert.equal(peekCost("quorum", {}, { "x-delivery-limit": 4 }).limit, 4);
});

test("a quorum queue without a limit still says a peek is a delivery", () => {
  const cost = peekCost("quorum", { "delivery-limit": "lots" }, null);
  assert.deepEqual(cost, { counts: true, limit: null });
  assert.match(peekCostNote(cost) ?? "", /quorum queue: each peek counts as a delivery/);
});
