import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import amqp from "amqplib";
import fc from "fast-check";
import { orderFormSchema, orderMessageSchema } from "../../lib/orders/schema";
import { AMQP_URL, deleteQueueAndDlq, ownWebProcessEnv, waitFor } from "./harness";

/**
 * Property-based: whatever a client posts to the order form's server action
 * — missing fields, files, numbers in words, control characters, megabytes —
 * the action answers with state (never throws), flags exactly the inputs the
 * form schema rejects, and publishes only what it accepted.
 */
const { queue, dir } = ownWebProcessEnv("props");
// The test counts what the action published: nothing may consume it.
process.env.WARREN_CONSUMER = "0";

type Actions = typeof import("../../app/actions");
type ProcessModule = typeof import("../../lib/process");

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constantFrom("", " ", "book", "  tea  ", "\u0000", "a\nb", "\u007f", "<img src=x onerror=alert(1)>", "💥"),
  fc.string({ minLength: 90, maxLength: 130 }),
  fc.constant("x".repeat(200_000)),
);
const quantity = fc.oneof(
  fc.integer({ min: -5, max: 1100 }).map(String),
  fc.constantFrom("", " 7 ", "1e3", "0x10", "1.5", "-1", "NaN", "Infinity", "٣", "1000", "1001", "01"),
  fc.string({ maxLength: 8 }),
);
const field = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 6, arbitrary: value.map((v) => ({ kind: "text" as const, v: String(v) })) },
    { weight: 1, arbitrary: fc.constant({ kind: "missing" as const, v: "" }) },
    { weight: 1, arbitrary: value.map((v) => ({ kind: "file" as const, v: String(v) })) },
  );

function formOf(item: { kind: string; v: string }, qty: { kind: string; v: string }, extra: [string, string][]) {
  const form = new FormData();
  for (const [name, f] of [
    ["item", item],
    ["quantity", qty],
  ] as const) {
    if (f.kind === "text") form.append(name, f.v);
    if (f.kind === "file") form.append(name, new Blob([f.v]), "evil.txt");
  }
  for (const [k, v] of extra) form.append(k, v);
  return form;
}

describe("server action placeOrderAction: property-based bad input", { timeout: 120_000 }, () => {
  let actions: Actions;
  let warren: ReturnType<ProcessModule["startWarren"]>;
  let accepted = 0;
  before(async () => {
    // The web process as instrumentation.ts builds it (lib/process), then its form action.
    warren = (await import("../../lib/process")).startWarren("web");
    actions = await import("../../app/actions");
    await waitFor(() => warren.publisher.ready, 10_000, "the publisher");
  });
  after(async () => {
    // Stopped first: a live consumer whose queue is deleted re-declares it on the shared broker.
    await warren.close();
    await deleteQueueAndDlq(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers every input with state, and field errors exactly when the schema rejects it", async () => {
    await fc.assert(
      fc.asyncProperty(
        field(text),
        field(quantity),
        fc.array(fc.tuple(fc.constantFrom("orderId", "__proto__", "$ACTION_ID_x", "placedAt"), fc.string()), {
          maxLength: 3,
        }),
        fc.boolean(),
        async (item, qty, extra, asObject) => {
          // As a no-JS post or any client sends it (FormData), or as the page's submit handler
          // does (a plain object; a "file" field becomes a non-string value there).
          const input = asObject
            ? (Object.fromEntries([
                ...extra,
                ...(
                  [
                    ["item", item],
                    ["quantity", qty],
                  ] as const
                )
                  .filter(([, f]) => f.kind !== "missing")
                  .map(([name, f]) => [name, f.kind === "file" ? { name: "evil.txt", v: f.v } : f.v]),
              ]) as never)
            : formOf(item, qty, extra);
          const state = await actions.placeOrderAction({ status: "idle", message: "" }, input);
          const values = {
            item: item.kind === "text" ? item.v : "",
            quantity: qty.kind === "text" ? qty.v : "",
          };
          const expected = orderFormSchema.safeParse(values);
          if (expected.success) {
            assert.equal(state.status, "ok", `valid input refused: ${JSON.stringify(values).slice(0, 200)}`);
            assert.ok(state.orderId);
            accepted++;
          } else {
            assert.equal(state.status, "error", `invalid input accepted: ${JSON.stringify(values).slice(0, 200)}`);
            assert.ok(state.fieldErrors && Object.keys(state.fieldErrors).length > 0, "names the bad field");
            assert.equal(state.orderId, undefined);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers a payload that is not fields at all with field errors, never a throw", async () => {
    for (const junk of [null, undefined, 42, "item=book", ["book", "1"], { item: ["book"], quantity: 1 }]) {
      const state = await actions.placeOrderAction({ status: "idle", message: "" }, junk as never);
      assert.equal(state.status, "error", JSON.stringify(junk));
      assert.ok(state.fieldErrors?.item, `names the item for ${JSON.stringify(junk)}`);
    }
  });

  it("published exactly the accepted orders, each one valid", async () => {
    assert.ok(accepted >= 10, `the generators produced valid orders too (${accepted})`);
    const connection = await amqp.connect(AMQP_URL);
    try {
      const channel = await connection.createChannel();
      await waitFor(
        async () => (await channel.checkQueue(queue)).messageCount === accepted,
        10_000,
        `${accepted} messages on the queue`,
      );
      for (let i = 0; i < accepted; i++) {
        const message = await channel.get(queue, { noAck: true });
        assert.ok(message, "a message");
        const parsed = orderMessageSchema.safeParse(JSON.parse(message.content.toString("utf8")));
        assert.ok(parsed.success, `published an invalid order: ${message.content.toString("utf8").slice(0, 200)}`);
      }
      assert.equal((await channel.checkQueue(queue)).messageCount, 0, "nothing else was published");
    } finally {
      await connection.close();
    }
  });
});
