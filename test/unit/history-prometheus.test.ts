import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PrometheusRateMeter, queueCounters } from "../../lib/history/prometheus";

// Lines as RabbitMQ 3.10's rabbitmq_prometheus serves them on /metrics/per-object (copied from a real node).
const text = (published: number, acked: number, extraChannel = true) => `# TYPE rabbitmq_queue_messages_ready gauge
rabbitmq_queue_messages_ready{vhost="/",queue="q1"} 3
rabbitmq_queue_messages_ready{vhost="/",queue="idle"} 0
rabbitmq_queue_messages_ready{vhost="other",queue="q1"} 9
# TYPE rabbitmq_queue_head_message_timestamp gauge
rabbitmq_queue_head_message_timestamp{vhost="/",queue="q1"} NaN
# TYPE rabbitmq_channel_messages_delivered_ack_total counter
rabbitmq_channel_messages_delivered_ack_total{channel="<0.798.0>",vhost="/",queue="q1"} ${acked}
${extraChannel ? `rabbitmq_channel_messages_delivered_ack_total{channel="<0.801.0>",vhost="/",queue="q1"} 5\n` : ""}# TYPE rabbitmq_channel_get_total counter
rabbitmq_channel_get_total{channel="<0.798.0>",vhost="/",queue="q1"} 1
# TYPE rabbitmq_channel_messages_acked_total counter
rabbitmq_channel_messages_acked_total{channel="<0.798.0>",vhost="/",queue="q1"} ${acked}
rabbitmq_channel_messages_acked_total{channel="<0.798.0>",vhost="other",queue="q1"} 1000
# TYPE rabbitmq_queue_messages_published_total counter
rabbitmq_queue_messages_published_total{channel="<0.790.0>",queue_vhost="/",queue="q1",exchange_vhost="/",exchange=""} ${published}
rabbitmq_queue_messages_published_total{channel="<0.790.0>",queue_vhost="other",queue="q1",exchange_vhost="other",exchange=""} 77
`;

describe("rabbitmq_prometheus per-object counters", () => {
  it("sums each queue's counters over channels, in one vhost only", () => {
    const counters = queueCounters(text(20, 10), "/");
    assert.deepEqual(counters.get("q1"), { published: 20, delivered: 16, acked: 10 });
    assert.deepEqual(counters.get("idle"), { published: 0, delivered: 0, acked: 0 }, "a queue with no traffic: zeros");
    assert.equal(counters.get("missing"), undefined);
    assert.deepEqual(queueCounters(text(20, 10), "other").get("q1"), { published: 77, delivered: 0, acked: 1000 });
  });

  it("turns two reads into per-second rates labelled prometheus; a closed channel is no negative rate", () => {
    const meter = new PrometheusRateMeter();
    meter.update(["q1", "missing"], 1000, queueCounters(text(20, 10), "/"));
    assert.equal(meter.rates("q1"), null, "one read gives no rate");
    meter.update(["q1", "missing"], 3000, queueCounters(text(40, 14), "/"));
    assert.deepEqual(meter.rates("q1"), { publish: 10, deliver: 2, ack: 2, source: "prometheus" });
    assert.equal(meter.rates("missing"), null);
    // The second consumer channel closed: its 5 deliveries leave the sum.
    meter.update(["q1"], 4000, queueCounters(text(41, 15, false), "/"));
    assert.deepEqual(meter.rates("q1"), { publish: 1, deliver: 0, ack: 1, source: "prometheus" });
    // Queues no longer asked about are forgotten (bounded).
    meter.update([], 5000, queueCounters(text(41, 15), "/"));
    assert.equal(meter.rates("q1"), null);
  });
});
