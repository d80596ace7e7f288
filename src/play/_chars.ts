/**
 * Text limits in characters (Unicode code points), as the docs state them and
 * as JSON Schema's `minLength` / `maxLength` count: 64 characters hold 64
 * emoji. valibot's own `minLength` / `maxLength` count UTF-16 units, so 33
 * emoji would be 66; guesses and mission texts are already counted this way.
 */
import * as v from "valibot";

/** At least `min` characters; the message, unless given, says so in characters. */
export function minChars(min: number, message?: string) {
  return v.minCodePoints<string, number, v.ErrorMessage<v.MinCodePointsIssue<string, number>>>(
    min,
    message ?? ((issue) => `Expected at least ${min} characters but received ${issue.received}`),
  );
}

/** At most `max` characters; the message, unless given, says so in characters. */
export function maxChars(max: number, message?: string) {
  return v.maxCodePoints<string, number, v.ErrorMessage<v.MaxCodePointsIssue<string, number>>>(
    max,
    message ?? ((issue) => `Expected at most ${max} characters but received ${issue.received}`),
  );
}
