import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageProperties } from "amqplib";
import {
  decodeDeadLetter,
  EDITED_FROM_HEADER,
  editedMessageId,
  originalQueueOf,
  REDRIVE_COUNT_HEADER,
  reasonGroup,
  redriveHeaders,
} from "../../lib/deadletters/decode";
import { diffLines, editableText, isRealEdit } from "../../lib/deadletters/diff";
import { topicMatches } from "../../lib/deadletters/discover";

const props = (headers: Record<string, unknown>, extra: Partial<MessageProperties> = {}) =>
  ({ headers, ...extra }) as MessageProperties;

describe("dead-letter decoding", () => {
  it("groups reasons that differ only in ids and numbers", () => {
    assert.equal(
      reasonGroup("conflict: order 1f0e8a5c-1111-2222-3333-444455556666 was already paid with a different body"),
      reasonGroup("conflict: order abc-9 was already paid with a different body"),
    );
    assert.equal(reasonGroup("not JSON: Unexpected token n in JSON at position 1"), "not JSON");
    assert.equal(
      reasonGroup("schema: quantity: Quantity must be at least 1"),
      "schema: quantity: Quantity must be at least #",
    );
  });

  it("finds the original queue from Warren's header, then x-death, then the DLQ name", () => {
    assert.equal(originalQueueOf({ "x-warren-original-queue": "a" }, "b.dlq"), "a");
    assert.equal(originalQueueOf({ "x-death": [{ queue: "src", reason: "rejected", count: 1 }] }, "x.dlq"), "src");
    assert.equal(originalQueueOf({}, "orders.dlq"), "orders");
    assert.equal(originalQueueOf({}, "graveyard"), null);
  });

  it("decodes x-death (AMQP timestamps are seconds) and sums the counts", () => {
    const dead = decodeDeadLetter(
      {
        content: Buffer.from('{"orderId":7,"item":"x"}'),
        properties: props({
          "x-death": [
            { queue: "q", reason: "expired", count: 2, time: { "!": "timestamp", value: 1_700_000_000 } },
            { queue: "r", reason: "rejected", count: 1, time: 1_700_000_100 },
          ],
        }),
      },
      "q.dlq",
    );
    assert.equal(dead.reason, "expired (broker)");
    assert.equal(dead.source, "broker");
    assert.equal(dead.deathCount, 3);
    assert.equal(dead.deaths[0]?.time, 1_700_000_000_000);
    assert.equal(dead.deadLetteredAt, 1_700_000_000_000);
    assert.equal(dead.orderId, "7");
    assert.equal(dead.originalQueue, "q");
  });

  it("shows a binary body as base64 and not editable, and a stable id for the same copy", () => {
    const message = { content: Buffer.from([0xff, 0xfe, 0x00]), properties: props({}, { messageId: "bin" }) };
    const a = decodeDeadLetter(message, "q.dlq");
    assert.equal(a.bodyEncoding, "base64");
    assert.equal(a.body, "//4A");
    assert.equal(a.reason, "unknown");
    assert.equal(decodeDeadLetter(message, "q.dlq").id, a.id);
    const other = decodeDeadLetter({ ...message, content: Buffer.from("x") }, "q.dlq");
    assert.notEqual(other.id, a.id);
  });

  it("gives an edited body a new, deterministic message id", () => {
    const one = editedMessageId("order-1", Buffer.from('{"a":1}'));
    assert.match(one, /^order-1~edit-[0-9a-f]{12}$/);
    assert.equal(editedMessageId("order-1", Buffer.from('{"a":1}')), one);
    assert.notEqual(editedMessageId("order-1", Buffer.from('{"a":2}')), one);
  });

  it("redrive headers drop Warren's dead-letter headers and count the redrive", () => {
    const next = redriveHeaders(
      {
        "x-warren-reason": "bad",
        "x-warren-original-queue": "q",
        "x-warren-dead-lettered-at": 1,
        [REDRIVE_COUNT_HEADER]: 2,
        keep: "me",
      },
      5,
      "old-id",
    );
    assert.deepEqual(next, {
      keep: "me",
      [REDRIVE_COUNT_HEADER]: 3,
      "x-warren-redriven-at": 5,
      [EDITED_FROM_HEADER]: "old-id",
    });
  });
});

describe("body diff", () => {
  it("marks changed lines", () => {
    assert.deepEqual(diffLines("a\nb\nc", "a\nB\nc"), [
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "B" },
      { kind: "same", text: "c" },
    ]);
  });

  it("treats reformatted JSON as no edit", () => {
    const body = '{"orderId":"x","quantity":0}';
    assert.equal(isRealEdit(body, editableText(body)), false);
    assert.equal(isRealEdit(body, '{"orderId":"x","quantity":1}'), true);
    assert.equal(isRealEdit("not json", "not json!"), true);
  });
});

describe("topic matching for dead-letter discovery", () => {
  it("follows AMQP's * and # rules", () => {
    assert.equal(topicMatches("orders.*", "orders.eu"), true);
    assert.equal(topicMatches("orders.*", "orders.eu.x"), false);
    assert.equal(topicMatches("orders.#", "orders"), true);
    assert.equal(topicMatches("#", "anything.at.all"), true);
    assert.equal(topicMatches("a.#.z", "a.b.c.z"), true);
    assert.equal(topicMatches("a.b", "a.c"), false);
  });
});
