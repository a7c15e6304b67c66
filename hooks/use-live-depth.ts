"use client";

import { useState } from "react";
import type { QueueSample } from "@/lib/events/sampler";
import { useStreamEvent } from "./use-event-stream";

/**
 * A queue's live depth from the tab's shared event stream (Warren samples its
 * own queues once a second for every viewer together). Null for a queue the
 * sampler does not watch, or until the first sample.
 */
export function useLiveDepth(queue: string | null): { ready: number; at: number } | null {
  // Tagged with its queue, so switching queues never shows the previous queue's depth.
  const [depth, setDepth] = useState<{ queue: string; ready: number; at: number } | null>(null);
  useStreamEvent<QueueSample>(
    "queues",
    (sample) => {
      const ready = sample.queues.find((q) => q.name === queue)?.ready;
      if (typeof ready === "number" && queue !== null) setDepth({ queue, ready, at: sample.at });
    },
    queue !== null,
  );
  return depth && depth.queue === queue ? { ready: depth.ready, at: depth.at } : null;
}
