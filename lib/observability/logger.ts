import pino, { type Level, type Logger } from "pino";
import pretty from "pino-pretty";
import { LOG_LEVELS, type LogLevel } from "./log-levels";

export type { Logger } from "pino";

export { LOG_LEVELS, type LogLevel } from "./log-levels";

export interface LoggerOptions {
  level?: LogLevel;
  /** Human-readable lines instead of JSON; by default only when stdout is a terminal. */
  pretty?: boolean;
  /** Where the lines go (tests); stdout by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * JSON lines for log collectors, unless a person is reading the terminal.
 * pino-pretty runs as a plain stream in this thread, not as a pino transport:
 * transports resolve their target by name in a worker thread, which a
 * bundled `next start` cannot guarantee.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const humane = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  if (humane) {
    return pino(
      { level },
      pretty({
        colorize: true,
        sync: true,
        translateTime: "SYS:HH:MM:ss.l",
        // One line per entry in a terminal: the part leads the message instead of a field below it.
        ignore: "pid,hostname,part",
        messageFormat: "{if part}{part}: {end}{msg}",
        destination: options.destination,
      }),
    );
  }
  return options.destination ? pino({ level }, options.destination) : pino({ level });
}

let root: Logger | undefined;

/**
 * The process's root logger, made on first use with LOG_LEVEL. A missing or
 * wrong LOG_LEVEL must not cost the start-up error its voice, so the level
 * falls back to info here and the env schema reports the variable.
 */
export function logger(): Logger {
  if (!root) {
    const wanted = process.env.LOG_LEVEL?.trim().toLowerCase();
    const level = LOG_LEVELS.find((candidate) => candidate === wanted) ?? "info";
    root = createLogger({ level });
  }
  return root;
}

/** A child logger for one part of the process (`{ part: "consumer" }` on every line). */
export function partLogger(part: string): Logger {
  return logger().child({ part });
}

/**
 * The `(message) => void` callback the parts take, writing to a part's logger.
 * A part may pass a level as a second argument; info otherwise.
 */
export function logTo(log: Logger): (message: string, level?: Level) => void {
  return (message, level = "info") => log[level](message);
}
