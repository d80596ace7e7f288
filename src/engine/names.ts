/**
 * What a team name and a member name may hold. Both show on the scoreboard,
 * the organizers' pages, the CTFtime feed and CSV exports, so neither holds a
 * C0 or C1 control (NUL, tab, line breaks), a line or paragraph separator, or
 * a bidirectional mark, embedding, override or isolate. A member name holds no
 * `;` either: it separates the names in a CSV export's members cell.
 */

/** C0 and C1 controls, and the line and paragraph separators. */
const CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029";
/** Bidirectional marks, embeddings, overrides and isolates. */
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/** A team name that can be shown. No flags, so JSON Schema keeps it as a pattern. */
export const SHOWABLE_NAME = new RegExp(`^[^${CONTROLS}${BIDI}]*$`);
/** A member name that can be shown, and listed in a CSV cell. No flags, as above. */
export const MEMBER_NAME = new RegExp(`^[^${CONTROLS}${BIDI};]*$`);
