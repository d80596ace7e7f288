/**
 * Date-times as hunt files write them: `2026-11-21T10:00:00+01:00`, with an
 * offset (or `Z`). `Date.parse` alone would move an impossible day to another
 * (February 30th to March 2nd) and take hour 24, so the calendar is checked
 * here first. Pure: runs unchanged on Deno.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Epoch milliseconds of a date-time with an offset; undefined when it is malformed or impossible. */
export function parseTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.map(Number);
  if (!realDay(year!, month!, day!)) return undefined;
  if (hour! > 23 || minute! > 59 || (second ?? 0) > 59) return undefined;
  if ((offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether `year-month-day` is a day of the calendar (month 1 to 12). */
export function realDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is this month's last day.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return day <= last.getUTCDate();
}
