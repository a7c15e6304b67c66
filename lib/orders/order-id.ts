import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;
let lastMs = -1;
let sequence = 0;

/**
 * A new order id: a UUIDv7 (RFC 9562), time-ordered, with 62 random bits.
 *
 * Order ids are the keys of five B-tree indexes (orders, outbox, payments,
 * messages, deliveries). Random v4 ids put every new row on a random leaf
 * page, so each group commit wrote one 4 KB WAL frame per order per index;
 * time-ordered ids append to the same rightmost leaves, so a commit touches
 * a few pages whatever the batch holds. Ids made in the same millisecond stay
 * ordered through a 12-bit sequence in `rand_a` (RFC 9562 §6.2, method 1).
 */
export function newOrderId(now = Date.now()): string {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  if (now > lastMs) {
    lastMs = now;
    sequence = (bytes[6] ?? 0) & 0x07; // a random start, leaving room to count up
  } else {
    sequence++;
    if (sequence > 0xfff) {
      // 4,096 ids in one millisecond: borrow the next one (ids stay unique and ordered).
      lastMs++;
      sequence = 0;
    }
  }
  const ms = lastMs;
  const id = Buffer.from(bytes);
  id.writeUIntBE(ms, 0, 6);
  id[6] = 0x70 | ((sequence >> 8) & 0x0f); // version 7
  id[7] = sequence & 0xff;
  id[8] = 0x80 | ((id[8] ?? 0) & 0x3f); // variant 10
  const hex = id.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
