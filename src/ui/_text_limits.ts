/**
 * The attributes that give a text field the API's limits, in characters
 * (Unicode code points). A browser's `maxlength` and `minlength` count UTF-16
 * units, in which an emoji is 2: alone, `maxlength={64}` stops a team name of
 * 64 characters at 32 emoji. So `maxlength` is twice the limit, which never
 * cuts off text the API takes, and the pages' script (common.js) checks the
 * characters with `setCustomValidity`, in the words the API would use.
 * Without the script, the server's own check answers.
 */

/** A field of at most `max` characters (and at least `min`); `trim` when the API trims first. */
export function chars(
  max: number,
  options: { min?: number; trim?: boolean } = {},
): Record<string, string | number | undefined> {
  return {
    maxlength: 2 * max,
    minlength: options.min,
    "data-maxchars": max,
    "data-minchars": options.min,
    "data-trim": options.trim ? "" : undefined,
  };
}

/** A field of names, one per line (trimmed, blank lines skipped): `count` at most, of `max` characters each. */
export function namesPerLine(max: number, count: number): Record<string, number> {
  return {
    maxlength: 2 * count * (max + 1),
    "data-line-maxchars": max,
    "data-max-lines": count,
  };
}
