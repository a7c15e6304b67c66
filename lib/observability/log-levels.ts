/** pino's levels, most severe first; `silent` writes nothing. Kept apart so the env schema need not load pino. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
