import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BrokerLink, describeUrl } from "../../lib/amqp/link";
import { ConfigError, parseEnv } from "../../lib/config/env";
import { describeNode, describeNodes, splitNodeList } from "../../lib/config/node-list";
import { createWarren } from "../../lib/process/warren";
import { ManagementClient } from "../../lib/queues/management";
import { closedPort } from "../helpers/ports";

const LIST = "amqp://ann:pw-one@rmq1:5701/warren,amqp://bob:pw-two@rmq2:5702/warren, amqps://cy:pw-three@rmq3/";

describe("node lists (AMQP_URL, RABBITMQ_MANAGEMENT_URL)", () => {
  it("keeps a single URL exactly as before", () => {
    const env = parseEnv({ AMQP_URL: "amqp://u:p@host:5672/v", RABBITMQ_MANAGEMENT_URL: "http://host:15672" });
    assert.equal(env.AMQP_URL, "amqp://u:p@host:5672/v");
    assert.equal(env.RABBITMQ_MANAGEMENT_URL, "http://host:15672");
    assert.equal(describeUrl("amqp://guest:guest@127.0.0.1:5672"), "127.0.0.1:5672/");
  });

  it("accepts a comma-separated list and splits it into nodes", () => {
    const env = parseEnv({ AMQP_URL: LIST, RABBITMQ_MANAGEMENT_URL: "http://a:15701,http://b:15702" });
    assert.deepEqual(splitNodeList(env.AMQP_URL), [
      "amqp://ann:pw-one@rmq1:5701/warren",
      "amqp://bob:pw-two@rmq2:5702/warren",
      "amqps://cy:pw-three@rmq3/",
    ]);
  });

  it("names the variable and the position of a bad entry, and echoes no password", () => {
    assert.throws(
      () =>
        parseEnv({
          AMQP_URL: "amqp://ann:pw-one@rmq1,http://bob:pw-two@rmq2,amqp://cy:pw-three@rmq3",
          RABBITMQ_MANAGEMENT_URL: "http://a:15701,,http://c:15703",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /AMQP_URL: entry 2 of 3: expected an amqp:\/\/ or amqps:\/\/ URL/);
        assert.match(error.message, /RABBITMQ_MANAGEMENT_URL: entry 2 of 3: empty/);
        assert.doesNotMatch(error.message, /pw-one|pw-two|pw-three|ann|bob/, error.message);
        assert.match(error.message, /rmq1:5672\/, rmq2\/?, rmq3:5672\//, "the nodes are still named");
        return true;
      },
    );
  });

  it("describes each node as host:port/vhost, never with a user or password", () => {
    assert.equal(describeNode("amqp://bob:pw-two@rmq2:5702/warren"), "rmq2:5702/warren");
    assert.equal(describeNode("amqps://cy:pw-three@rmq3/"), "rmq3:5671/");
    assert.equal(describeNode("amqp://u:p@h/%2F"), "h:5672//");
    assert.equal(describeNode("http://u:p@h:15672/"), "h:15672");
    assert.equal(describeNode("amqp://u:p@[bad"), "(unparseable URL)");
    assert.equal(describeNodes(LIST), "rmq1:5701/warren, rmq2:5702/warren, rmq3:5671/");
    assert.equal(describeUrl(LIST), describeNodes(LIST));
  });

  it("rotates the link through the nodes on each failed attempt", async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const url = ports.map((port, i) => `amqp://u${i}:secret-${i}@127.0.0.1:${port}`).join(",");
    const lines: string[] = [];
    const link = new BrokerLink({
      url,
      name: "rotate",
      queues: [],
      initialDelayMs: 1,
      maxDelayMs: 5,
      log: (l) => lines.push(l),
    });
    const tried: string[] = [];
    link.on("down", () => tried.push(link.node()));
    await link.start();
    try {
      while (tried.length < 4) await new Promise((r) => setTimeout(r, 5));
    } finally {
      await link.close();
    }
    // After a failure the link already points at the node it tries next.
    const node = (i: number) => `127.0.0.1:${ports[i % 3]}/`;
    assert.deepEqual(tried.slice(0, 4), [node(1), node(2), node(3), node(4)]);
    const failed = lines.filter((l) => l.includes("connect attempt"));
    assert.ok(failed.length >= 3, lines.join("\n"));
    for (const [i, line] of failed.slice(0, 3).entries()) assert.ok(line.includes(node(i)), line);
    assert.doesNotMatch(lines.join("\n"), /secret-/);
  });

  it("prints no password of any node in any log line of a real start", async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    const dir = mkdtempSync(join(tmpdir(), "warren-nodes-"));
    const lines: string[] = [];
    const config = parseEnv({
      AMQP_URL: ports.map((port, i) => `amqp://user${i}:pass-word-${i}@127.0.0.1:${port}/v${i}`).join(","),
      RABBITMQ_MANAGEMENT_URL: ports.map((port, i) => `http://muser${i}:mpass-${i}@127.0.0.1:${port}`).join(","),
      ORDER_QUEUE: `test.nodes.${process.pid}`,
      WARREN_DB_PATH: join(dir, "warren.db"),
    });
    const warren = createWarren(config, "web", { log: (line) => lines.push(line) });
    try {
      const deadline = Date.now() + 10_000;
      // Every node refused each link at least once: the lines that would carry a URL were written.
      const refusedByAll = () =>
        ports.every((port) => lines.filter((l) => l.includes(`127.0.0.1:${port}/`)).length >= 2);
      while (!refusedByAll() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(refusedByAll(), lines.join("\n"));
    } finally {
      await warren.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const all = lines.join("\n");
    assert.match(all, new RegExp(`using broker 127\\.0\\.0\\.1:${ports[0]}/v0, 127\\.0\\.0\\.1:${ports[1]}/v1`));
    assert.doesNotMatch(all, /pass-word-|mpass-|user\d|muser/, all);
  });

  it("asks the next management node when one does not answer, then keeps asking the one that did", async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ name: "alive" }));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    try {
      const dead = await closedPort();
      const client = new ManagementClient({
        baseUrl: `http://127.0.0.1:${dead},http://127.0.0.1:${address.port}/`,
        amqpUrl: "amqp://ann:pw-one@rmq1/warren,amqp://bob:pw-two@rmq2/warren",
      });
      assert.equal(client.vhost, "warren", "the vhost and credentials come from the first AMQP node");
      assert.deepEqual(await client.read("/api/overview"), { name: "alive" });
      assert.deepEqual(await client.read("/api/overview"), { name: "alive" });
      const auth = `Basic ${Buffer.from("ann:pw-one").toString("base64")}`;
      assert.deepEqual(seen, [`/api/overview ${auth}`, `/api/overview ${auth}`]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it("never lets a management URL's password reach an error", async () => {
    const dead = await closedPort();
    const client = new ManagementClient({
      baseUrl: `http://mu:mgmt-secret@127.0.0.1:${dead},http://mu:mgmt-secret@127.0.0.1:${await closedPort()}`,
      amqpUrl: "amqp://guest:guest@127.0.0.1:5672",
    });
    await assert.rejects(client.read("/api/overview"), (error: Error) => {
      assert.doesNotMatch(`${error.message} ${String((error as { cause?: unknown }).cause)}`, /mgmt-secret/);
      assert.match(error.message, /management API unreachable \(ECONNREFUSED\)/);
      return true;
    });
  });
});
