/**
 * What a team name and a member name may hold. Both show on the scoreboard,
 * the organizers' pages, the CTFtime feed and CSV exports, so neither holds a
 * C0 or C1 control (NUL, tab, line breaks), a line or paragraph separator, or
 * a bidirectional mark, embedding, override or isolate. A member name holds no
 * `;` either: it separates the names in a CSV export's members cell.
 *
 * Nor does either hold a character that shows nothing: a format character
 * (Unicode's Cf: zero-width space, joiner and non-joiner, word joiner, BOM,
 * tags), a default-ignorable one (variation selectors, the Hangul fillers
 * U+115F, U+1160, U+3164 and U+FFA0) or the blank Braille pattern U+2800.
 * Such a character would make "Alpha" followed by U+200B a second "Alpha",
 * or a name that shows as nothing. Emoji sequences keep theirs: the joiner
 * (U+200D) between the people of a family emoji, the variation selector
 * (U+FE0F) of a red heart or a keycap, the tags of the flag of Scotland. So
 * do words that are spelt with a joiner or non-joiner between two letters
 * (Persian, the Indic scripts), outside Latin, Greek and Cyrillic.
 * Look-alike letters of other scripts (a Cyrillic "А" for a Latin "A") are
 * left alone.
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

/**
 * An emoji sequence that holds characters invisible on their own: a flag of
 * tags (first, as its black flag would match the next part alone), a ZWJ
 * sequence of pictographs with their skin tones and presentation selectors,
 * or a keycap.
 */
const EMOJI = [
  "\\u{1F3F4}[\\u{E0020}-\\u{E007E}]+\\u{E007F}",
  "\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|[\\uFE0E\\uFE0F])*" +
  "(?:\\u200D\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|[\\uFE0E\\uFE0F])*)*",
  "[#*0-9]\\uFE0F?\\u20E3",
].join("|");
/**
 * A letter or mark of a script whose words need a zero-width joiner or
 * non-joiner inside them (Persian, the Indic scripts…): any but Latin, Greek
 * and Cyrillic, where one would only make a second name look like the first.
 */
const JOINING = "(?![\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}])[\\p{L}\\p{M}]";
/** A joiner or non-joiner between two such letters: spelling, not an invisible name. */
const IN_WORD = `(?<=${JOINING})[\\u200C\\u200D](?=${JOINING})`;
/** A character that shows nothing by itself. */
const INVISIBLE = "[\\p{Cf}\\p{Default_Ignorable_Code_Point}\\u2800]";
/** Each emoji sequence and joiner inside a word (captured: kept), and each other invisible character. */
const EMOJI_OR_INVISIBLE = new RegExp(`(${EMOJI}|${IN_WORD})|${INVISIBLE}`, "gu");

/** Whether `name` holds no invisible character outside an emoji sequence or a word (see above). */
export function visibleName(name: string): boolean {
  for (const match of name.matchAll(EMOJI_OR_INVISIBLE)) {
    if (match[1] === undefined) return false;
  }
  return true;
}

/** `name` without its invisible characters; emoji sequences and joiners in words are kept. */
function dropInvisible(name: string): string {
  return name.replace(EMOJI_OR_INVISIBLE, (_, kept: string | undefined) => kept ?? "");
}

/**
 * `name` as a team name can hold it: each run of controls one space,
 * bidirectional controls and invisible characters gone, trimmed.
 */
export function showableName(name: string): string {
  return dropInvisible(name.replace(BIDI_ALL, "")).replace(CONTROL_RUNS, " ").trim();
}

/** `name` as a member name can hold it: `showableName`, with each `;` made a `,`. */
export function memberName(name: string): string {
  return showableName(name).replaceAll(";", ",");
}

/**
 * `text` with each control, bidirectional control and invisible character
 * written as `\uXXXX` (`\u{XXXXX}` past U+FFFF), for a report line.
 */
export function escapeUnshown(text: string): string {
  return text.replace(UNSHOWN, escaped).replace(
    EMOJI_OR_INVISIBLE,
    (match, emoji: string | undefined) => emoji ?? escaped(match),
  );
}

function escaped(c: string): string {
  const code = c.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
}
