import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { newOrderId } from "../../lib/orders/order-id";

describe("newOrderId", () => {
  it("makes RFC 9562 version 7 UUIDs", () => {
    const id = newOrderId();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(z.uuid().safeParse(id).success, true);
    // The first 48 bits are the creation time in ms.
    const ms = Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16);
    assert.ok(Math.abs(ms - Date.now()) < 5000, `timestamp ${ms}`);
  });

  it("sorts in creation order and never repeats, even within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => newOrderId(1_800_000_000_000 + Math.floor(i / 5000)));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });

  it("stays ordered when the clock steps back", () => {
    const later = newOrderId(1_900_000_000_000);
    const earlierClock = newOrderId(1_899_999_999_000);
    assert.ok(earlierClock > later);
  });
});
