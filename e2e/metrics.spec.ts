import { expect, test } from "@playwright/test";
import { metricValue, parseMetrics } from "../scripts/bench/metrics";

// GET /api/metrics on `next start`: Prometheus text (parsed by prom2javascript, nothing dropped),
// and the counters move when an order placed through the real door is paid.
test("an order paid through POST /api/orders moves the counters of GET /api/metrics", async ({ request }) => {
  const scrape = async () => {
    const res = await request.get("/api/metrics");
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };
  const before = await scrape();
  const placed = await request.post("/api/orders", { data: { item: "metrics-e2e", quantity: 1 } });
  expect(placed.status()).toBe(202);
  const { orderId } = (await placed.json()) as { orderId: string };
  // Paid as the dashboard sees it: the payments API lists it.
  await expect
    .poll(async () => {
      const body = (await (await request.get("/api/payments")).json()) as { payments?: Array<{ orderId: string }> };
      return body.payments?.some((p) => p.orderId === orderId) ?? false;
    })
    .toBe(true);
  // The counters follow the ledger by an fsync, and the broker's confirm races the delivery:
  // wait for them to show the order (a counter that never moves fails here).
  let after = before;
  const moved = (name: string) => (metricValue(after, name) ?? 0) - (metricValue(before, name) ?? 0);
  const names = [
    "warren_orders_accepted_total",
    "warren_orders_confirmed_total",
    "warren_order_confirm_seconds",
    "warren_payments_recorded_total",
  ];
  await expect
    .poll(async () => {
      after = await scrape();
      return Object.fromEntries(names.map((name) => [name, moved(name) >= 1]));
    })
    .toEqual(Object.fromEntries(names.map((name) => [name, true])));
  expect(metricValue(after, "warren_broker_up", { link: "publish" })).toBe(1);
  expect(metricValue(after, "nodejs_eventloop_lag_p99_seconds")).not.toBeNull();
});
