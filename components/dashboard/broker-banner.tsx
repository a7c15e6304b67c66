import { Notice } from "@/components/ui/status-line";
import { formatAge } from "@/components/ui/time";

/**
 * What is true while the broker is away: orders are still accepted (durable in
 * Warren's outbox) and published once it is back. Not a live region: the
 * connection badge already announces the change politely.
 */
export function BrokerBanner({ waiting, oldestAgeS }: { waiting: number | null; oldestAgeS: number | null }) {
  const kept =
    waiting === null
      ? "Orders placed now are accepted and kept"
      : `Orders placed now are accepted and kept: ${waiting} waiting${
          waiting > 0 && oldestAgeS !== null ? ` (oldest ${formatAge(oldestAgeS * 1000)})` : ""
        }`;
  return (
    <Notice tone="danger" testId="broker-banner" className="mt-4">
      <strong>The message broker is unreachable.</strong> {kept}. They are sent as soon as the broker is back; Warren
      keeps retrying on its own.
    </Notice>
  );
}
