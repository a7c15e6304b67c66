import "server-only";
import { WarrenError } from "../errors";
import { currentWarren } from "../process/current";
import { type HistoryView, historyReadsOf } from "./read";
import { type HISTORY_RANGES, isHistoryRange, RANGE_KEYS } from "./tiers";

/** `?range=`: one of the picker's choices (default 10m); anything else is a 400 that lists them. */
export function parseRange(raw: string | null): keyof typeof HISTORY_RANGES {
  if (raw === null || raw === "") return "10m";
  if (!isHistoryRange(raw)) {
    throw new WarrenError("bad_request", `range must be one of ${RANGE_KEYS.join(", ")}.`, {
      fieldErrors: { range: [`range must be one of ${RANGE_KEYS.join(", ")}`] },
    });
  }
  return raw;
}

/**
 * A queue's stored history over a range (every process reads the database; one leader writes it),
 * read once per (queue, range) and period for every viewer of this process (lib/history/read.ts).
 */
export async function queueHistory(
  queue: string,
  range: keyof typeof HISTORY_RANGES,
): Promise<HistoryView & { tracked: boolean }> {
  const { store } = currentWarren();
  const [view, tracked] = await Promise.all([
    historyReadsOf(store.history).read(queue, range),
    store.history.tracked(),
  ]);
  return { ...view, tracked: tracked.includes(queue) };
}
