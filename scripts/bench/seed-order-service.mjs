// The seed tutorial's order service, written as the tutorial wrote it, so the
// benchmark can compare Warren against it on the same machine and concurrency.
// Kept deliberately faithful, flaws included:
//   - a NEW AMQP connection per request (amqplib.connect, default socket options),
//   - sendToQueue WITHOUT { persistent: true } (orders die with a broker restart),
//   - no publisher confirms (the reply does not mean the broker has the order),
//   - the connection is closed 500 ms later with a timer,
//   - orderId: Date.now() (collides under load).
// Only the port, broker URL and queue name come from the environment, so the
// benchmark can run it on its own port and queue.
import amqp from "amqplib";
import express from "express";

const PORT = Number(process.env.PORT ?? 3000);
const AMQP_URL = process.env.AMQP_URL ?? "amqp://localhost";
const QUEUE = process.env.ORDER_QUEUE ?? "order_queue";

const app = express();
app.use(express.json());

app.post("/orders", async (req, res) => {
  try {
    const order = { orderId: Date.now(), item: req.body.item };
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.assertQueue(QUEUE, { durable: true });
    channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify(order)));
    console.log(" [x] Sent order", order);
    setTimeout(() => {
      connection.close();
    }, 500);
    res.status(201).json({ message: "Order placed", order });
  } catch (error) {
    console.error(error);
    res.status(500).json({ error: "Failed to place order" });
  }
});

app.listen(PORT, "127.0.0.1", () => {
  console.log(`Order service listening on port ${PORT}`);
});
