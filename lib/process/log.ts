import { logTo, partLogger } from "../observability/logger";

/** What every part is given to report with: a line for the part's own pino child logger. */
export type Log = (message: string) => void;

let processLog: Log | undefined;

/** The process's own lines (start, stop, shutdown). */
export const log: Log = (message) => {
  processLog ??= logTo(partLogger("process"));
  processLog(message);
};

/** A part's lines, tagged with its name (`part` in the JSON). */
export const logFor = (part: string): Log => logTo(partLogger(part));
