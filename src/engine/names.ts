/**
 * What a team name and a member name may hold. Both show on the scoreboard,
 * the organizers' pages, the CTFtime feed and CSV exports, so neither holds a
 * C0 or C1 control (NUL, tab, line breaks), a line or paragraph separator, or
 * a bidirectional mark, embedding, override or isolate. A member name holds no
 * `;` either: it separates the names in a CSV export's members cell.
 */

/** Controls and separators: in a name being cleaned, each run of them becomes one space. */
const CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029";
/** Bidirectional marks, embeddings, overrides and isolates: a name being cleaned loses them. */
const BIDI = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069";

/** A team name that can be shown. No flags, so JSON Schema keeps it as a pattern. */
export const SHOWABLE_NAME = new RegExp(`^[^${CONTROLS}${BIDI}]*$`);
/** A member name that can be shown, and listed in a CSV cell. No flags, as above. */
export const MEMBER_NAME = new RegExp(`^[^${CONTROLS}${BIDI};]*$`);

const CONTROL_RUNS = new RegExp(`[${CONTROLS}]+`, "g");
const BIDI_ALL = new RegExp(`[${BIDI}]`, "g");
const UNSHOWN = new RegExp(`[${CONTROLS}${BIDI}]`, "g");

/** `name` as a team name can hold it: each run of controls one space, bidirectional controls gone, trimmed. */
export function showableName(name: string): string {
  return name.replace(BIDI_ALL, "").replace(CONTROL_RUNS, " ").trim();
}

/** `name` as a member name can hold it: `showableName`, with each `;` made a `,`. */
export function memberName(name: string): string {
  return showableName(name).replaceAll(";", ",");
}

/** `text` with each control and bidirectional control written as `\uXXXX`, for a report line. */
export function escapeUnshown(text: string): string {
  return text.replace(UNSHOWN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
