import { expect, needsManagement, test, unique } from "./fixtures";

/**
 * On a quorum queue a peek (the management API's get with requeue) counts as a delivery toward the
 * queue's delivery-limit: the queue page says so beside the peek form, with the limit in force,
 * and says nothing of the kind on a classic queue.
 */
test("the peek form warns that a peek counts toward a quorum queue's delivery-limit", async ({ page, broker }) => {
  await needsManagement();
  const quorum = `${broker.queue}.${unique("quorum")}`;
  const classic = `${broker.queue}.${unique("classic")}`;
  await broker.channel.assertQueue(quorum, {
    durable: true,
    arguments: { "x-queue-type": "quorum", "x-delivery-limit": 5 },
  });
  await broker.channel.assertQueue(classic, { durable: false });
  try {
    await page.goto(`/queues/${encodeURIComponent(quorum)}`);
    await expect(page.getByTestId("peek-delivery-limit")).toContainText(
      "each peek counts a delivery toward delivery-limit 5",
    );
    await page.goto(`/queues/${encodeURIComponent(classic)}`);
    await expect(page.getByRole("heading", { name: "Peek at messages" })).toBeVisible();
    await expect(page.getByTestId("peek-delivery-limit")).toHaveCount(0);
  } finally {
    await broker.channel.deleteQueue(quorum).catch(() => {});
    await broker.channel.deleteQueue(classic).catch(() => {});
  }
});
