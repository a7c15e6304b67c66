import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FilterError, type Inspectable, matches, parseFilter } from "../../lib/messages/filter";
import { readingCost } from "../../lib/messages/read";
import { rowEncoder } from "../../lib/messages/stream";

function message(
  body: unknown,
  headers: Record<string, unknown> = {},
  properties: Record<string, unknown> = {},
): Inspectable {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    body: text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
    headers,
    properties,
  };
}

const hit = (filter: string, m: Inspectable) => matches(parseFilter(filter), m);

describe("message filter", () => {
  const order = message({ item: "book", quantity: 4, customer: { city: "Berlin" }, tags: ["gift", "rush"] });

  it("compares JSON fields with every operator, on dotted paths", () => {
    assert.equal(hit('item = "book"', order), true);
    assert.equal(hit("item = book", order), true);
    assert.equal(hit('item = "pen"', order), false);
    assert.equal(hit('item != "pen"', order), true);
    assert.equal(hit('item != "book"', order), false);
    assert.equal(hit("quantity > 3", order), true);
    assert.equal(hit("quantity > 4", order), false);
    assert.equal(hit("quantity >= 4", order), true);
    assert.equal(hit("quantity < 4", order), false);
    assert.equal(hit("quantity <= 4", order), true);
    assert.equal(hit('customer.city = "Berlin"', order), true);
    assert.equal(hit('customer.city contains "erl"', order), true);
    assert.equal(hit('tags contains "rush"', order), true);
    assert.equal(hit('tags contains "ru"', order), false);
    assert.equal(hit("missing.path = 1", order), false);
    assert.equal(hit("missing != 1", order), false, "a missing field is not 'different'");
  });

  it("joins conditions with and, outside quotes", () => {
    assert.equal(hit('item = "book" and quantity > 3', order), true);
    assert.equal(hit('item = "book" and quantity > 4', order), false);
    assert.equal(hit('item = "rock and roll"', message({ item: "rock and roll" })), true);
  });

  it("matches plain text anywhere in the body, JSON or not", () => {
    assert.equal(hit("Berl", order), true);
    assert.equal(hit("not json at all", message("this is not json at all")), true);
    assert.equal(hit("quantity > 3", message("quantity > 3 but no JSON")), false);
    assert.equal(hit("", order), true, "an empty filter matches all");
  });

  it("matches headers (names with dots and dashes) and properties", () => {
    const m = message({}, { "x-warren-reason": "schema: quantity", "x.retry": 3 }, { messageId: "abc", priority: 5 });
    assert.equal(hit('headers.x-warren-reason contains "schema"', m), true);
    assert.equal(hit("headers.x.retry >= 3", m), true);
    assert.equal(hit('properties.messageId = "abc"', m), true);
    assert.equal(hit("properties.priority > 5", m), false);
  });

  it("refuses what it cannot read, with a reason", () => {
    assert.throws(() => parseFilter("quantity > true"), FilterError);
    assert.throws(() => parseFilter('item = "unterminated'), FilterError);
    assert.throws(() => parseFilter("x".repeat(501)), FilterError);
  });
});

describe("reading cost and CSV rows", () => {
  it("says what reading costs per queue type", () => {
    assert.match(readingCost({ kind: "quorum", deliveryLimit: 3, consumers: 0 }), /delivery-limit of 3/);
    assert.match(readingCost({ kind: "classic", deliveryLimit: null, consumers: 2 }), /2 consumers/);
    assert.match(readingCost({ kind: "stream", deliveryLimit: null, consumers: 0 }), /cannot be read/);
  });

  it("writes a header once, then RFC 4180 rows", () => {
    const encode = rowEncoder("csv", ["a", "b"]);
    assert.equal(encode({ a: 'x, "y"', b: { k: 1 } }), 'a,b\r\n"x, ""y""","{""k"":1}"\r\n');
    assert.equal(encode({ a: "line\nbreak", b: null }), '"line\nbreak",\r\n');
  });

  it("defuses spreadsheet formulas: a cell from outside never runs when the CSV is opened", () => {
    const encode = rowEncoder("csv", ["a", "b"]);
    encode({ a: "", b: "" });
    const row = encode({ a: '=HYPERLINK("https://evil.example")', b: "@SUM(1+1)" });
    assert.ok(!/(^|,)"?[=+\-@]/.test(row), `a formula cell survived: ${row}`);
    assert.match(row, /'=HYPERLINK/);
    assert.match(encode({ a: "+1+cmd", b: "-2" }), /^'\+1\+cmd,'-2/);
  });
});
