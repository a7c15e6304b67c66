import "server-only";
import { currentWarren } from "./current";

/** `/api/health`: the process is up; the broker's and consumer's states are reported, not required. */
export function processStatus() {
  const { publishLink, consumer, env } = currentWarren();
  return {
    ok: true,
    broker: publishLink.state,
    consumer: consumer?.stats.running ?? false,
    queue: env.ORDER_QUEUE,
  };
}
