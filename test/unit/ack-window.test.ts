import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AckWindow } from "../../lib/payments/ack-window";

/** A channel that keeps the frames, and what the broker would hold unacked after them. */
function fakeChannel() {
  const frames: string[] = [];
  const outstanding = new Set<number>();
  const settle = (tag: number, allUpTo: boolean) => {
    if (!outstanding.has(tag)) throw new Error(`tag ${tag} settled twice (PRECONDITION_FAILED: unknown delivery tag)`);
    if (allUpTo) for (const t of [...outstanding]) if (t <= tag) outstanding.delete(t);
    outstanding.delete(tag);
  };
  return {
    frames,
    outstanding,
    channel: {
      ack(tag: number, allUpTo = false) {
        frames.push(`ack ${tag}${allUpTo ? " multiple" : ""}`);
        settle(tag, allUpTo);
      },
      nack(tag: number, allUpTo = false, requeue = true) {
        frames.push(`nack ${tag}${requeue ? " requeue" : ""}`);
        settle(tag, allUpTo);
      },
    },
  };
}

function windowOf(count: number) {
  const fake = fakeChannel();
  const window = new AckWindow<number>(fake.channel);
  const entries = Array.from({ length: count }, (_, i) => {
    fake.outstanding.add(i + 1);
    return window.add(i + 1);
  });
  return { ...fake, window, entries };
}

describe("AckWindow: one multiple ack per settled run, never an ack of an unsettled delivery", () => {
  it("acks a whole settled batch with one frame", () => {
    const { window, entries, frames, outstanding } = windowOf(100);
    for (const entry of entries) window.ready(entry);
    const acked = window.release();
    assert.equal(acked.length, 100);
    assert.deepEqual(frames, ["ack 100 multiple"]);
    assert.equal(outstanding.size, 0);
    assert.equal(window.frames, 1);
  });

  it("holds the acks behind a delivery still being paid, and sends them when it settles", () => {
    const { window, entries, frames, outstanding } = windowOf(6);
    // Batch A (1-3) is still committing; batch B (4-6) is durable first.
    for (const entry of entries.slice(3)) window.ready(entry);
    assert.deepEqual(window.release(), []);
    assert.deepEqual(frames, [], "a multiple ack up to 6 would have acked 1-3 before their commit");
    assert.equal(outstanding.size, 6);
    for (const entry of entries.slice(0, 3)) window.ready(entry);
    assert.deepEqual(window.release(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(frames, ["ack 6 multiple"]);
  });

  it("stops a run at an open delivery: acks only the settled prefix", () => {
    const { window, entries, frames, outstanding } = windowOf(5);
    for (const i of [0, 1, 3, 4]) window.ready(entries[i] as (typeof entries)[number]);
    assert.deepEqual(window.release(), [1, 2]);
    assert.deepEqual(frames, ["ack 2 multiple"]);
    assert.deepEqual([...outstanding].sort(), [3, 4, 5]);
  });

  it("a nacked delivery inside a run is not acked again by the multiple ack", () => {
    const { window, entries, frames, outstanding } = windowOf(4);
    window.ready(entries[0] as (typeof entries)[number]);
    window.nack(entries[1] as (typeof entries)[number], false);
    window.ready(entries[2] as (typeof entries)[number]);
    window.ready(entries[3] as (typeof entries)[number]);
    assert.deepEqual(window.release(), [1, 3, 4]);
    assert.deepEqual(frames, ["nack 2", "ack 4 multiple"]);
    assert.equal(outstanding.size, 0);
  });

  it("does not let a slow delivery (a delayed requeue) hold up the acks behind it", () => {
    const { window, entries, frames, outstanding } = windowOf(4);
    window.ready(entries[0] as (typeof entries)[number]);
    window.slow(entries[1] as (typeof entries)[number]);
    window.ready(entries[2] as (typeof entries)[number]);
    window.ready(entries[3] as (typeof entries)[number]);
    assert.deepEqual(window.release(), [1, 3, 4]);
    assert.deepEqual(frames, ["ack 1 multiple", "ack 3", "ack 4"]);
    assert.deepEqual([...outstanding], [2], "the slow one stays unacked");
    // A second later it is requeued; nothing is sent twice.
    window.nack(entries[1] as (typeof entries)[number], true);
    assert.deepEqual(window.release(), []);
    assert.deepEqual(frames.slice(3), ["nack 2 requeue"]);
    assert.equal(window.unsettled, 0);
  });

  it("a slow delivery that is acked later (its dead-letter copy confirmed) joins the next run", () => {
    const { window, entries, frames } = windowOf(3);
    window.slow(entries[0] as (typeof entries)[number]);
    window.ready(entries[1] as (typeof entries)[number]);
    assert.deepEqual(window.release(), [2]);
    window.ready(entries[0] as (typeof entries)[number]);
    window.ready(entries[2] as (typeof entries)[number]);
    assert.deepEqual(window.release(), [1, 3]);
    assert.deepEqual(frames, ["ack 2", "ack 3 multiple"]);
  });

  it("every delivery is settled exactly once whatever the order of verdicts (random runs)", () => {
    for (let run = 0; run < 200; run++) {
      const count = 1 + Math.floor(Math.random() * 60);
      const { window, entries, outstanding } = windowOf(count);
      const order = entries.map((_, i) => i).sort(() => Math.random() - 0.5);
      for (const i of order) {
        const entry = entries[i] as (typeof entries)[number];
        const roll = Math.random();
        if (roll < 0.1) window.nack(entry, roll < 0.05);
        else if (roll < 0.2) window.slow(entry);
        else window.ready(entry);
        if (Math.random() < 0.5) window.release();
        // What the consumer's batching counts as the window in use is what the broker counts.
        assert.equal(window.unsettled, outstanding.size, `run ${run}: unsettled`);
      }
      for (const entry of entries) window.ready(entry); // the slow ones come through
      window.release();
      assert.equal(outstanding.size, 0, `run ${run}: ${[...outstanding]} left unacked`);
      assert.equal(window.unsettled, 0);
    }
  });
});

describe("AckWindow behind a slow delivery", () => {
  it("keeps only the unsettled deliveries while the head stays slow (bounded memory, no rescans)", () => {
    const { window, entries, outstanding } = windowOf(2);
    window.slow(entries[0] as (typeof entries)[number]);
    window.ready(entries[1] as (typeof entries)[number]);
    window.release();
    // Thousands more arrive and are paid while the head waits for its dead-letter copy.
    let tag = 2;
    for (let round = 0; round < 100; round++) {
      const batch = Array.from({ length: 50 }, () => {
        tag++;
        outstanding.add(tag);
        return window.add(tag);
      });
      for (const entry of batch) window.ready(entry);
      window.release();
      assert.ok(window.size <= 51, `round ${round}: ${window.size} entries kept`);
    }
    assert.deepEqual([...outstanding], [1], "everything but the slow one is acked");
    window.nack(entries[0] as (typeof entries)[number], true);
    window.release();
    assert.equal(outstanding.size, 0);
  });
});
