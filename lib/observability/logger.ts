import pino, { type Level, type Logger } from "pino";
import pretty from "pino-pretty";
import { env } from "../config/env";
import type { LogLevel } from "./log-levels";

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
 * The process's root logger, made on first use at LOG_LEVEL (from the env
 * schema). A configuration error must not cost the start-up message its
 * voice: with an invalid environment the level falls back to info, and the
 * ConfigError names the variable.
 */
export function logger(): Logger {
  if (!root) {
    let level: LogLevel = "info";
    try {
      level = env().LOG_LEVEL;
    } catch {
      // Reported by whoever starts the process (boot, the worker), through this very logger.
    }
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
