import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MessageProperties } from "amqplib";
import {
  decodeDeadLetter,
  decodeDeaths,
  EDITED_FROM_HEADER,
  editedMessageId,
  fingerprint,
  MAX_SHOWN_BODY,
  originalQueueOf,
  REDRIVE_COUNT_HEADER,
  REDRIVEN_AT_HEADER,
  reasonGroup,
  redriveHeaders,
} from "../../lib/deadletters/decode";
import { DEAD_LETTERED_AT_HEADER, ORIGINAL_QUEUE_HEADER, REASON_HEADER } from "../../lib/payments/consumer";

/** Boundaries and exact outcomes of dead-letter decoding (written against `npm run mutate`'s survivors). */
const message = (
  content: Buffer | string,
  headers: Record<string, unknown> = {},
  extra: Partial<MessageProperties> = {},
) => ({
  content: typeof content === "string" ? Buffer.from(content) : content,
  properties: { headers, ...extra } as MessageProperties,
});
const decode = (
  content: Buffer | string,
  headers: Record<string, unknown> = {},
  extra: Partial<MessageProperties> = {},
) => decodeDeadLetter(message(content, headers, extra), "orders.dlq");

describe("dead-letter headers on the wire", () => {
  it("keeps the header names other Warrens and old messages carry", () => {
    assert.equal(REDRIVE_COUNT_HEADER, "x-warren-redrive-count");
    assert.equal(REDRIVEN_AT_HEADER, "x-warren-redriven-at");
    assert.equal(EDITED_FROM_HEADER, "x-warren-edited-from");
  });
});

describe("numbers and text as amqplib hands them over", () => {
  it("reads a count from a number, bigint, typed value or digit string, and nothing else", () => {
    const count = (value: unknown) => decode("{}", { [REDRIVE_COUNT_HEADER]: value }).redriveCount;
    assert.equal(count(3), 3);
    assert.equal(count(5n), 5);
    assert.equal(count({ "!": "signedint", value: 7 }), 7);
    assert.equal(count("12"), 12);
    for (const junk of [
      [12],
      ["7"],
      "12a",
      "a12",
      "1.5",
      "",
      " 1",
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      undefined,
      {},
      true,
    ]) {
      assert.equal(count(junk), 0, `${String(junk)} is no count`);
    }
  });

  it("reads times as epoch ms: seconds below 1e11 are scaled, a Date is taken as is", () => {
    const at = (value: unknown) => decode("{}", { [DEAD_LETTERED_AT_HEADER]: value }).deadLetteredAt;
    assert.equal(at(1_700_000_000), 1_700_000_000_000);
    assert.equal(at(1e11 - 1), (1e11 - 1) * 1000);
    assert.equal(at(1e11), 1e11);
    assert.equal(at(1_700_000_000_123), 1_700_000_000_123);
    assert.equal(at(new Date(1_700_000_000_456)), 1_700_000_000_456);
    assert.equal(at("soon"), null);
  });

  it("reads text from a string or a Buffer (UTF-8), and nothing else", () => {
    assert.equal(decode("{}", { [REASON_HEADER]: Buffer.from("schema: é") }).reason, "schema: é");
    assert.equal(decode("{}", { [REASON_HEADER]: 42 }).reason, "unknown");
    assert.equal(decode("{}", { [ORIGINAL_QUEUE_HEADER]: Buffer.from("src") }).originalQueue, "src");
  });
});

describe("x-death records", () => {
  it("skips what is not a table, defaults a missing reason and count", () => {
    assert.deepEqual(
      decodeDeaths({ "x-death": [null, "x", 5, { queue: "q", exchange: Buffer.from("ex"), time: 1_700_000_000 }] }),
      [{ reason: "unknown", count: 1, queue: "q", exchange: "ex", time: 1_700_000_000_000 }],
    );
    assert.deepEqual(decodeDeaths({ "x-death": "garbage" }), []);
  });

  it("the original queue is the first death naming a queue other than the DLQ", () => {
    const headers = { "x-death": [{ reason: "expired" }, { queue: "x.dlq", reason: "rejected" }, { queue: "src" }] };
    assert.equal(originalQueueOf(headers, "x.dlq"), "src");
  });
});

describe("reason groups", () => {
  it("blanks ids (any case), quoted values, order names and whole numbers", () => {
    assert.equal(reasonGroup("order 1F0E8A5C-1111-2222-3333-444455556666 failed"), "order … failed");
    assert.equal(reasonGroup("id 1f0e8a5c-1111-2222-3333-444455556666 x"), "id … x");
    assert.equal(reasonGroup('schema: item: got "book" and ""'), "schema: item: got … and …");
    assert.equal(reasonGroup("handler failed 12 times"), "handler failed # times");
    assert.equal(reasonGroup("order abc-9 was"), "order … was");
    assert.equal(reasonGroup("x".repeat(200)).length, 120);
  });
});

describe("decoded dead letters", () => {
  it("says where the reason came from: Warren, the broker, or unknown", () => {
    const warren = decode("{}", { [REASON_HEADER]: "schema: quantity: Quantity must be at least 1" });
    assert.deepEqual([warren.source, warren.group], ["warren", "schema: quantity: Quantity must be at least #"]);
    const broker = decode("{}", { "x-death": [{ reason: "rejected", queue: "orders", count: 2 }] });
    assert.deepEqual(
      [broker.source, broker.reason, broker.group],
      ["broker", "rejected (broker)", "rejected (broker)"],
    );
    const none = decode("{}");
    assert.deepEqual([none.source, none.reason, none.group, none.redriveCount], ["unknown", "unknown", "unknown", 0]);
  });

  it("truncates only bodies over the shown limit, and shows binary as base64", () => {
    assert.equal(decode("x".repeat(MAX_SHOWN_BODY)).bodyTruncated, false);
    const big = decode("x".repeat(MAX_SHOWN_BODY + 1));
    assert.deepEqual([big.bodyTruncated, big.body.length, big.bodyBytes], [true, MAX_SHOWN_BODY, MAX_SHOWN_BODY + 1]);
    const binary = decode(Buffer.from([0xff, 0xfe, 0x00]));
    assert.deepEqual([binary.bodyEncoding, binary.body, binary.orderId], ["base64", "//4A", null]);
    assert.equal(decode("plain").bodyEncoding, "utf8");
  });

  it("shows the order id of a JSON object only, string or number", () => {
    assert.equal(decode('{"orderId":"a-1"}').orderId, "a-1");
    assert.equal(decode('{"orderId":17}').orderId, "17");
    for (const body of [
      '{"orderId":{"x":1}}',
      '{"orderId":null}',
      '{"id":"a"}',
      '"orderId"',
      "17",
      "null",
      "[]",
      "{",
    ]) {
      assert.equal(decode(body).orderId, null, body);
    }
  });
});

describe("fingerprints", () => {
  it("are 20 hex characters that change with the id, the dead-letter time, the redrive count, the deaths and the body", () => {
    const base = message("{}", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1 }, { messageId: "m" });
    const id = fingerprint(base);
    assert.match(id, /^[0-9a-f]{20}$/);
    assert.equal(
      fingerprint(message("{}", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1 }, { messageId: "m" })),
      id,
    );
    const variants = [
      message("{}", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1 }, { messageId: "n" }),
      message("{}", { [DEAD_LETTERED_AT_HEADER]: 2, [REDRIVE_COUNT_HEADER]: 1 }, { messageId: "m" }),
      message("{}", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 2 }, { messageId: "m" }),
      message(
        "{}",
        { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1, "x-death": [{ queue: "q" }] },
        { messageId: "m" },
      ),
      message("[]", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1 }, { messageId: "m" }),
      message("{}", { [DEAD_LETTERED_AT_HEADER]: 1, [REDRIVE_COUNT_HEADER]: 1 }, {}),
    ];
    assert.equal(new Set([id, ...variants.map(fingerprint)]).size, variants.length + 1);
    const deaths = (queue: string) => message("{}", { "x-death": [{ queue, reason: "r", count: 1, time: 1 }] });
    assert.notEqual(fingerprint(deaths("a")), fingerprint(deaths("b")));
  });
});

describe("redrive", () => {
  it("an edited message id: the original id (or 'message'), '~edit-' and 12 hex of the body, at most 255 characters", () => {
    assert.match(editedMessageId(null, Buffer.from("{}")), /^message~edit-[0-9a-f]{12}$/);
    assert.equal(editedMessageId("m", Buffer.from("{}")), editedMessageId("m", Buffer.from("{}")));
    const long = editedMessageId("x".repeat(300), Buffer.from("{}"));
    assert.equal(long.length, 255);
  });

  it("headers: Warren's dead-letter ones go, the count goes up from what was there, the edit is noted only for an edit", () => {
    const before = {
      [REASON_HEADER]: "r",
      [ORIGINAL_QUEUE_HEADER]: "q",
      [DEAD_LETTERED_AT_HEADER]: 1,
      "x-warren-redelivered": 1,
      [REDRIVE_COUNT_HEADER]: "2",
      kept: "yes",
    };
    assert.deepEqual(redriveHeaders(before, 99, null), {
      [REDRIVE_COUNT_HEADER]: 3,
      [REDRIVEN_AT_HEADER]: 99,
      kept: "yes",
    });
    assert.deepEqual(redriveHeaders({}, 5, "m-1"), {
      [REDRIVE_COUNT_HEADER]: 1,
      [REDRIVEN_AT_HEADER]: 5,
      [EDITED_FROM_HEADER]: "m-1",
    });
  });
});
