import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseEnv } from "../../lib/config/env";

describe("parseEnv", () => {
  it("gives the documented defaults for an empty environment", () => {
    const env = parseEnv({});
    assert.equal(env.AMQP_URL, "amqp://guest:guest@127.0.0.1:5672");
    assert.equal(env.ORDER_QUEUE, "order_queue");
    assert.equal(env.WARREN_DB_PATH, "data/warren.db");
    assert.equal(env.PREFETCH, 300);
    assert.equal(env.PORT, 3000);
    assert.equal(env.WARREN_CONSUMER, true);
  });

  it("reads numbers and flags from text", () => {
    const env = parseEnv({ PREFETCH: "20", PORT: "4000", WARREN_CONSUMER: "off" });
    assert.equal(env.PREFETCH, 20);
    assert.equal(env.PORT, 4000);
    assert.equal(env.WARREN_CONSUMER, false);
  });

  it("names the variable and what is expected when a value is wrong", () => {
    assert.throws(
      () => parseEnv({ PREFETCH: "lots", AMQP_URL: "http://user:secret@host" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PREFETCH: expected an integer from 1 to 10000/);
        assert.match(error.message, /AMQP_URL: expected an amqp:\/\/ or amqps:\/\/ URL/);
        assert.doesNotMatch(error.message, /secret/, "the password is never echoed");
        return true;
      },
    );
  });

  it("checks NEXT_SERVER_ACTIONS_ENCRYPTION_KEY is a base64 AES key and never echoes it", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    assert.equal(parseEnv({ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: key }).NEXT_SERVER_ACTIONS_ENCRYPTION_KEY, key);
    assert.equal(parseEnv({}).NEXT_SERVER_ACTIONS_ENCRYPTION_KEY, undefined);
    for (const bad of ["not base64!", Buffer.alloc(20, 1).toString("base64")]) {
      assert.throws(
        () => parseEnv({ NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: bad }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: expected a base64 AES key of 16, 24 or 32/);
          assert.doesNotMatch(error.message, new RegExp(bad.replace(/[^A-Za-z0-9]/g, ".")));
          return true;
        },
      );
    }
  });

  it("reads WARREN_PIPELINE_POLL_MS (default 5 s, 100 ms to 10 min)", () => {
    assert.equal(parseEnv({}).WARREN_PIPELINE_POLL_MS, 5000);
    assert.equal(parseEnv({ WARREN_PIPELINE_POLL_MS: "250" }).WARREN_PIPELINE_POLL_MS, 250);
    assert.throws(() => parseEnv({ WARREN_PIPELINE_POLL_MS: "10" }), /WARREN_PIPELINE_POLL_MS/);
  });

  it("reads WARREN_CONSUMERS_PER_HOST (unset: one per core, decided where the seats are made; 0: no limit)", () => {
    assert.equal(parseEnv({}).WARREN_CONSUMERS_PER_HOST, undefined);
    assert.equal(parseEnv({ WARREN_CONSUMERS_PER_HOST: "0" }).WARREN_CONSUMERS_PER_HOST, 0);
    assert.equal(parseEnv({ WARREN_CONSUMERS_PER_HOST: "3" }).WARREN_CONSUMERS_PER_HOST, 3);
    assert.throws(() => parseEnv({ WARREN_CONSUMERS_PER_HOST: "-1" }), /WARREN_CONSUMERS_PER_HOST/);
    assert.throws(() => parseEnv({ WARREN_CONSUMERS_PER_HOST: "two" }), /WARREN_CONSUMERS_PER_HOST/);
  });

  it("takes a PostgreSQL URL for DATABASE_URL (unset: SQLite) and never echoes its password", () => {
    assert.equal(parseEnv({}).DATABASE_URL, undefined);
    assert.equal(
      parseEnv({ DATABASE_URL: "postgres://warren@db:5432/warren" }).DATABASE_URL,
      "postgres://warren@db:5432/warren",
    );
    assert.throws(
      () => parseEnv({ DATABASE_URL: "mysql://warren:hunter2@db/warren" }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
        assert.doesNotMatch(error.message, /hunter2/, "the password is never echoed");
        return true;
      },
    );
  });

  it("takes an optional http(s) RABBITMQ_PROMETHEUS_URL (unset: no prometheus rates)", () => {
    assert.equal(parseEnv({}).RABBITMQ_PROMETHEUS_URL, undefined);
    assert.equal(
      parseEnv({ RABBITMQ_PROMETHEUS_URL: "http://127.0.0.1:15692" }).RABBITMQ_PROMETHEUS_URL,
      "http://127.0.0.1:15692",
    );
    assert.throws(
      () => parseEnv({ RABBITMQ_PROMETHEUS_URL: "127.0.0.1:15692" }),
      /RABBITMQ_PROMETHEUS_URL: expected an http:\/\/ or https:\/\/ URL/,
    );
  });

  it("rejects a queue name with spaces", () => {
    assert.throws(() => parseEnv({ ORDER_QUEUE: "my queue" }), /ORDER_QUEUE: expected letters, digits/);
  });
});
