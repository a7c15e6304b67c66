import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dlqGrowth } from "../../lib/alerts/evaluator";
import { type AlertInputs, evaluateRules } from "../../lib/alerts/rules";
import { parseWebhooks, redactWebhook, webhookBody } from "../../lib/alerts/webhooks";
import { type ConfigError, parseEnv } from "../../lib/config/env";
import type { AlertDelivery } from "../../lib/store/store";

const unknown: AlertInputs = {
  books: null,
  dlqPerMin: null,
  stuck: null,
  idleQueues: null,
  alarms: null,
  outbox: null,
};
const thresholds = { dlqPerMin: 10, stuckS: 60, outboxAgeS: 30 };

describe("alert rules", () => {
  it("judge nothing they cannot see", () => {
    assert.deepEqual(evaluateRules(unknown, thresholds), []);
  });

  it("fire above each threshold and name the subject", () => {
    const verdicts = evaluateRules(
      {
        ...unknown,
        dlqPerMin: 11,
        stuck: { count: 2, oldestAgeS: 95 },
        idleQueues: [{ queue: "order_queue", ready: 3 }],
        alarms: {
          at: 0,
          source: "management",
          alarms: [{ kind: "memory", node: "rabbit@a", detail: "1 GiB of 800 MiB" }],
          publisherBlocked: null,
        } as never,
        outbox: { oldestAgeS: 31 },
      },
      thresholds,
    );
    assert.deepEqual(
      verdicts.map((v) => [v.rule, v.firing.map((f) => f.key)]),
      [
        ["dlq-rate", ["dlq-rate"]],
        ["stuck", ["stuck"]],
        ["queue-idle", ["queue-idle:order_queue"]],
        ["broker-alarm", ["broker-alarm:rabbit@a:memory"]],
        ["outbox-age", ["outbox-age"]],
      ],
    );
  });

  it("wait for the books' first pass before judging them", () => {
    const books = {
      balanced: false,
      difference: 3,
      paidTwice: [],
      catchingUp: true,
    } as unknown as AlertInputs["books"];
    assert.deepEqual(evaluateRules({ ...unknown, books }, thresholds), []);
    const done = { ...(books as object), catchingUp: false } as AlertInputs["books"];
    assert.deepEqual(
      evaluateRules({ ...unknown, books: done }, thresholds).map((v) => v.firing.map((f) => f.summary)),
      [["3 orders unaccounted for"]],
    );
  });

  it("stay quiet at the threshold", () => {
    const verdicts = evaluateRules(
      { ...unknown, dlqPerMin: 10, stuck: { count: 0, oldestAgeS: 0 }, idleQueues: [], outbox: { oldestAgeS: 30 } },
      thresholds,
    );
    assert.deepEqual(
      verdicts.map((v) => v.firing.length),
      [0, 0, 0, 0],
    );
  });

  it("measure the DLQ's growth over the last minute only", () => {
    const sample = (at: number, ready: number) => ({
      at,
      broker: "up" as const,
      queues: [{ name: "q.dlq", exists: true, ready, unacked: 0, consumers: 0 }],
    });
    assert.equal(dlqGrowth([sample(0, 0), sample(50_000, 100), sample(100_000, 130)], "q.dlq", 100_000), 30);
    assert.equal(dlqGrowth([], "q.dlq", 0), null);
  });
});

describe("webhooks", () => {
  it("never show a token, a password or a query", () => {
    assert.equal(redactWebhook("https://u:p@hooks.slack.com/services/T0/B0/SECRET?x=1"), "https://hooks.slack.com/…");
    assert.equal(redactWebhook("http://127.0.0.1:9000/"), "http://127.0.0.1:9000");
    // Tokens as the first path segment or in the host name stay hidden too.
    assert.equal(redactWebhook("https://webhook.site/0b7e-secret-uuid"), "https://webhook.site/…");
    assert.equal(redactWebhook("https://ntfy.sh/secret-topic"), "https://ntfy.sh/…");
    assert.equal(redactWebhook("https://tok3n.m.pipedream.net/"), "https://….pipedream.net");
    const [json, slack] = parseWebhooks("https://a.example/hook?token=t, slack+https://hooks.slack.com/services/T/B/S");
    assert.deepEqual(
      [json?.format, json?.label, slack?.format, slack?.label, slack?.url],
      [
        "json",
        "https://a.example/…",
        "slack",
        "slack https://hooks.slack.com/…",
        "https://hooks.slack.com/services/T/B/S",
      ],
    );
    assert.notEqual(json?.id, slack?.id);
  });

  it("speak generic JSON or Slack's {text}", () => {
    const delivery: AlertDelivery = {
      id: 1,
      event: "resolved",
      target: "t",
      label: "l",
      attempts: 0,
      incident: {
        id: 7,
        key: "books",
        rule: "books",
        summary: "1 order unaccounted for",
        firedAt: 0,
        resolvedAt: 1000,
        resolution: "the books balance again",
        delivered: 0,
        pending: 1,
      },
    };
    assert.deepEqual(Object.keys(webhookBody(delivery, "slack", null) as object), ["text"]);
    const json = webhookBody(delivery, "json", "http://w/alerts") as { id: string; alert: { resolvedAt: string } };
    assert.equal(json.id, "warren-alert-7-resolved");
    assert.equal(json.alert.resolvedAt, "1970-01-01T00:00:01.000Z");
  });

  it("refuse a bad WARREN_ALERT_WEBHOOKS entry by position, without echoing it", () => {
    assert.throws(
      () => parseEnv({ WARREN_ALERT_WEBHOOKS: "https://ok.example/h ftp://secret@x" }),
      (error: ConfigError) =>
        error.problems.some((p) => p.includes("entry 2") && p.includes("***") && !p.includes("secret")),
    );
    assert.equal(parseEnv({}).WARREN_ALERT_GUARD, false);
  });
});
