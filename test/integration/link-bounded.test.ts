import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { BrokerLink } from "../../lib/amqp/link";
import { ConfirmPublisher } from "../../lib/amqp/publisher";
import { FaultProxy } from "../../scripts/chaos/fault-proxy";
import { waitFor } from "./harness";

const BROKER = {
  host: "127.0.0.1",
  port: Number(new URL(process.env.AMQP_URL ?? "amqp://127.0.0.1:5672").port || 5672),
};

/**
 * Issue 17's stuck await, hit on purpose: the link's post-connect setup ends
 * by closing its channel, and amqplib's `channel.close()` (like
 * `connection.close()`) never settles when the socket dies before the
 * broker's close-ok. amqplib's recovery awaited it, so that attempt never
 * ended and no next one was ever scheduled. A broker restart hits that
 * window by chance; a proxy that cuts the connection exactly then hits it
 * every time.
 */
describe("a (re)connect whose every step is bounded", { timeout: 60_000 }, () => {
  const proxies: FaultProxy[] = [];
  const links: BrokerLink[] = [];
  after(async () => {
    for (const link of links) await link.close();
    for (const proxy of proxies) await proxy.stop();
  });

  it("the connection dies while the setup closes its channel: the next attempt connects", async () => {
    const proxy = await new FaultProxy(BROKER).start();
    proxies.push(proxy);
    proxy.modeFor = (n) => (n <= 2 ? "cut-on-channel-close" : "pass");
    const queue = `test.link-cut.${process.pid}.${Date.now()}`;
    const link = await new BrokerLink({ url: proxy.url(), name: "test-link-cut", queues: [queue] }).start();
    links.push(link);
    await waitFor(
      () => proxy.cuts >= 2 && proxy.connections >= 3 && link.state === "up",
      15_000,
      "the link to come up after two setups cut at their channel.close",
    );
    const publisher = new ConfirmPublisher(link);
    assert.equal(await publisher.whenReady(10_000), true, "a confirm channel opens on the new connection");
  });

  it("a broker that accepts TCP but never answers: the handshake times out and the next attempt connects", async () => {
    const proxy = await new FaultProxy(BROKER).start();
    proxies.push(proxy);
    proxy.modeFor = (n) => (n === 1 ? "blackhole" : "pass");
    const queue = `test.link-blackhole.${process.pid}.${Date.now()}`;
    const link = await new BrokerLink({
      url: proxy.url(),
      name: "test-link-blackhole",
      queues: [queue],
      connectTimeoutMs: 1000,
    }).start();
    links.push(link);
    await waitFor(() => link.state === "up", 15_000, "the link to come up after a silent broker");
    assert.ok(proxy.connections >= 2, "a second attempt was made");
  });

  it("readiness while down says why and since when; a down link always has an attempt in flight or scheduled", async () => {
    const proxy = await new FaultProxy(BROKER).start();
    proxies.push(proxy);
    proxy.modeFor = () => "blackhole";
    const link = await new BrokerLink({
      url: proxy.url(),
      name: "test-link-down",
      queues: [],
      connectTimeoutMs: 300,
      maxDelayMs: 200,
    }).start();
    links.push(link);
    await waitFor(() => proxy.connections >= 3, 10_000, "three attempts");
    const status = link.status();
    assert.notEqual(status.state, "up");
    assert.match(status.lastError ?? "", /did not finish within 300 ms/);
    assert.ok(status.attemptInFlight || status.nextAttemptAt !== null, "an attempt in flight or scheduled");
  });
});
