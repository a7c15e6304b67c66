import { randomUUID } from "node:crypto";

/**
 * Tags the payment events this process publishes on the fanout, so its own
 * relay can skip the copies of events it already delivered locally.
 */
export const ORIGIN_HEADER = "x-warren-origin";
export const PROCESS_ORIGIN = randomUUID();
