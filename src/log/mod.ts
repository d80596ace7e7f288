/**
 * Structured logging: one event per line in logfmt (`key=value`), which
 * journald, grep and log shippers all read without a parser of their own.
 */

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives each finished line, without its newline. */
  write: (line: string) => void;
  /** Returns the timestamp for a line; tests pin it. */
  now?: () => Date;
}

const SAFE_VALUE = /^[^\s"=\\]+$/;

/** Formats one value so that a logfmt reader gets it back unchanged. */
function formatValue(value: string | number | boolean | null): string {
  const text = String(value);
  return SAFE_VALUE.test(text) ? text : JSON.stringify(text);
}

/** Formats one log line: `ts=… level=… event=… key=value…`. */
export function formatLine(level: LogLevel, event: string, fields: LogFields, ts: Date): string {
  let line = `ts=${ts.toISOString()} level=${level} event=${formatValue(event)}`;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
  }
  return line;
}

/** Creates a logger that drops lines below `level`. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? "info");
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return () => {};
    return (event: string, fields: LogFields = {}) =>
      options.write(formatLine(level, event, fields, now()));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
