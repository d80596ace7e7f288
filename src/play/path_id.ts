/** The ids Cairn hands out (teams, submissions, asks): positive whole numbers, in decimal. */
const DECIMAL_ID = /^[1-9][0-9]{0,14}$/;

/**
 * A numeric id from a URL's path, or undefined unless it is written as one:
 * decimal digits only, so "0x1", "1e0" and " 1" are no id, as `Number()` would make them.
 */
export function parseId(text: string | undefined): number | undefined {
  return text !== undefined && DECIMAL_ID.test(text) ? Number(text) : undefined;
}
