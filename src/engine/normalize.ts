// Answer normalization and the per-puzzle answer checker (brief: "Answer normalization").
// Pure: no Bun, Hono or Node imports, so it runs unchanged on Deno.
import { type BacktrackRisk, backtrackRisks } from "./backtrack.ts";

/** How a puzzle compares guesses with its answers and partial answers. */
export type NormalizeMode = "default" | "exact";

/** A puzzle's answers, as written in the hunt file. */
export interface AnswerSpec {
  /** Plain answers. */
  answers: readonly string[];
  /** `answer_regex` patterns (JS syntax, Unicode mode). */
  regexes: readonly string[];
  partials: readonly { answer: string; message: string }[];
  mode: NormalizeMode;
  /**
   * A multiple-choice puzzle's choices, in file order (`choices`): a guess must be one of them, and
   * every answer is one. Absent for a puzzle answered in words.
   */
  choices?: readonly string[];
}

/** The outcome of checking one guess. */
export type AnswerResult =
  | { kind: "correct" }
  | { kind: "partial"; message: string }
  | { kind: "incorrect" };

/** A puzzle's answers compiled once, at boot or on reload. */
export interface AnswerChecker {
  /** What it was compiled from: a reload compares it, and a shared log's fingerprint holds it. */
  readonly spec: AnswerSpec;
  /** The normalized form of a guess under this puzzle's mode (what gets stored as `normalized`). */
  normalize(raw: string): string;
  check(raw: string): AnswerResult;
  /** Whether a guess is one of the choices, compared as answers are; false without choices. */
  isChoice(raw: string): boolean;
  /** Whether capitals count in what the patterns take (see `patternCapitals`), all told. */
  readonly patternCapitals: PatternCapitals;
}

/**
 * Where capitals count in what a pattern takes: nowhere (patterns ignore case), in some parts (a
 * `(?-i:…)` group), or everywhere (the whole pattern is one such group).
 */
export type PatternCapitals = "ignored" | "some" | "counted";

/** A mistake in a puzzle's answers, pointing at the offending entry. */
export interface AnswerProblem {
  field: "answer" | "answer_regex" | "partial" | "choices";
  index: number;
  message: string;
}

/** Either a ready checker or every problem found in the spec. */
export type CompileAnswersResult =
  | { kind: "ok"; checker: AnswerChecker }
  | { kind: "error"; problems: AnswerProblem[] };

// Whitespace, punctuation, separators, controls and unassigned code points (everything that is not
// a letter, number, mark or symbol), plus the invisible Default_Ignorable code points: ZWJ and other
// format characters, variation selectors (U+FE00–FE0F, U+E0100–E01EF, Mongolian FVS; these are
// marks, hence the explicit removal), the combining grapheme joiner, Hangul fillers and tag characters.
const DROP = /[^\p{L}\p{N}\p{M}\p{S}]|\p{Default_Ignorable_Code_Point}/gu;

// The combining marks that follow a Latin, Greek or Cyrillic character: they are dropped, so
// "E\u0301" becomes "E", while Devanagari vowel signs, viramas and keycaps survive.
const ACCENTS = /(?<=[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])\p{M}+/gu;

const MARK = /\p{M}/u;

// Capital sharp s (ẞ, U+1E9E) is its own upper case, but case folding makes it "ss", as ß: upper-
// casing alone would keep "STRAẞE" apart from "Straße" (STRASSE). It is the only such letter.
const CAPITAL_SHARP_S = /\u1E9E/g;

// The general path of normalize(), for text in any script.
function normalizeAny(text: string): string {
  return text
    // Decompose first: é becomes e + U+0301, and compatibility forms become plain letters that
    // may be lower case (ＡＢＣ → ABC, ﬁ → fi, ㎏ → kg, ª → a), so this must precede upper-casing.
    .normalize("NFKD")
    // Upper-case before stripping marks, as Unicode case folding turns the Greek iota subscript,
    // a mark, into the letter Ι (ᾳ → ΑΙ). The result is already NFKD: no second pass is needed.
    .toUpperCase()
    .replace(CAPITAL_SHARP_S, "SS")
    // Drop before stripping, so a mark separated from its letter by a dropped character is stripped.
    .replace(DROP, "")
    .replace(ACCENTS, "");
}

// Each Latin character's normalization (U+0000–U+024F), computed by the general path. It is null
// where the result keeps a mark, which would depend on the character before (´ → U+0301).
const LATIN_END = 0x250;
const LATIN_FOLDS: readonly (string | null)[] = Array.from({ length: LATIN_END }, (_, code) => {
  const folded = normalizeAny(String.fromCharCode(code));
  return MARK.test(folded) ? null : folded;
});

// The last text normalized and its result: a guess is normalized twice, to judge it and to store it.
let lastText = "";
let lastFolded = "";

/** The brief's default normalization: accent-free upper case, letters, numbers and symbols only. */
export function normalize(text: string): string {
  if (text === lastText) return lastFolded;
  const folded = normalizeText(text);
  lastText = text;
  lastFolded = folded;
  return folded;
}

function normalizeText(text: string): string {
  // Fast path for the common guess: Latin text folds one character at a time, with no NFKD and no
  // RegExp. About ten times faster on accented text.
  let folded = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const fold = code < LATIN_END ? LATIN_FOLDS[code] : null;
    if (fold === null || fold === undefined) return normalizeAny(text);
    folded += fold;
  }
  return folded;
}

function trim(raw: string): string {
  return raw.trim();
}

// Zero when `a` equals `secret`; for equal lengths, it reads every character whatever differs.
function secretDiff(a: string, secret: string): number {
  if (a.length !== secret.length) return 1;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ secret.charCodeAt(i);
  return diff;
}

const CORRECT: AnswerResult = Object.freeze({ kind: "correct" });
const INCORRECT: AnswerResult = Object.freeze({ kind: "incorrect" });

const INVALID_REGEX = "Invalid regular expression: ";

/**
 * A group that sets modifiers, `(?i:…)`, `(?-i:…)` or `(?s-i:…)`: what it adds, and removes
 * (`(?:…)` matches too, adding and removing nothing).
 */
const MODIFIER_GROUP = /^\(\?([ims]*)(?:-([ims]*))?:/;

/** Whether this runtime knows modifier groups (ES2025): the pinned Bun and Deno do, Node 20 not. */
const MODIFIERS = (() => {
  try {
    new RegExp("(?-i:a)", "u");
    return true;
  } catch {
    return false;
  }
})();

/** What a pattern's modifier groups do: which remove `i`, which add it, and where. */
interface ModifierScan {
  /** A group makes capitals count (`(?-i:…)`). */
  removesI: boolean;
  /** A group makes capitals not count (`(?i:…)`), as inside a `(?-i:…)` group. */
  addsI: boolean;
  /** The whole pattern is one group that makes capitals count. */
  whole: boolean;
}

/** Reads a pattern's modifier groups, skipping escaped characters and classes. */
function scanModifiers(pattern: string): ModifierScan {
  const scan: ModifierScan = { removesI: false, addsI: false, whole: false };
  // The open groups' starts, and whether each removes `i`.
  const open: { start: number; removesI: boolean }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++; // an escaped character: never a group
    else if (c === "[") {
      // A class (Unicode mode nests none): skip to its "]", escapes included.
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
    } else if (c === "(") {
      const modifiers = pattern[i + 1] === "?"
        ? MODIFIER_GROUP.exec(pattern.slice(i, i + 12))
        : null;
      const removesI = modifiers?.[2]?.includes("i") ?? false;
      scan.removesI ||= removesI;
      scan.addsI ||= modifiers?.[1]?.includes("i") ?? false;
      open.push({ start: i, removesI });
    } else if (c === ")") {
      const group = open.pop();
      if (group?.removesI && group.start === 0 && i === pattern.length - 1) scan.whole = true;
    }
  }
  return scan;
}

/** Where capitals count in what `pattern` (valid in Unicode mode) takes. */
export function patternCapitals(pattern: string): PatternCapitals {
  return capitalsOf(scanModifiers(pattern));
}

function capitalsOf(scan: ModifierScan): PatternCapitals {
  if (!scan.removesI) return "ignored";
  return scan.whole && !scan.addsI ? "counted" : "some";
}

/**
 * `pattern` with each class that ignores case in a `(?i:…)` group of its own, which matches the
 * same. V8 (Deno 2.9) lets a class after a `(?-i:…)` group count capitals, as if still inside it:
 * `(?-i:a)[b]` refuses `aB` there, and `(?-i:a)(?i:[b])` takes it, as Bun does both.
 */
export function classesIgnoringCase(pattern: string): string {
  // Whether each open group ignores case, innermost last; outside any, the pattern's `i`.
  const open: boolean[] = [];
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
    } else if (c === "[") {
      // A class (Unicode mode nests none): up to its "]", escapes included.
      const start = i;
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
      const source = pattern.slice(start, i + 1);
      out += (open.at(-1) ?? true) ? `(?i:${source})` : source;
    } else {
      if (c === "(") {
        const modifiers = pattern[i + 1] === "?"
          ? MODIFIER_GROUP.exec(pattern.slice(i, i + 12))
          : null;
        const inherited = open.at(-1) ?? true;
        open.push(
          modifiers?.[2]?.includes("i") ? false : modifiers?.[1]?.includes("i") ? true : inherited,
        );
      } else if (c === ")") open.pop();
      out += c;
    }
  }
  return out;
}

/** Why a pattern is refused (backtrack.ts), and what to write instead. */
const RISKS: Record<BacktrackRisk, string> = {
  nested:
    "This pattern repeats a group that itself repeats, like (a+)+ or (\\w+\\s?){1,40}: one crafted guess could stall the server. Write it without the nested repetition",
  overlap:
    "This pattern repeats a group whose alternatives can start with the same character, like (\\w|\\d)+: one crafted guess could stall the server. Make the alternatives start differently, or use one character class such as [\\w\\d]+",
  chain:
    "This pattern has repetitions in a row that can match the same characters and together can split a guess in too many ways, like a.*a.*a.*a.*b, a.{0,200}a.{0,200}a.{0,200}a.{0,200}b or (ab)+(ab)+(ab)+(ab)+c: one crafted guess could stall the server. Use fewer or smaller ones, such as a.*b or a.{0,20}, one repetition for several of the same, such as (ab){4,} for (ab)+(ab)+(ab)+(ab)+, make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b), or split the answer into several patterns",
  sum:
    "This pattern is fine alone, but a guess is tried against each answer_regex pattern in turn, and with the patterns before it the sum of their repetitions can split a guess in too many ways, as a.*a.*a.*a.*b would: one crafted guess could stall the server. Use fewer patterns, or fewer or smaller repetitions in them, such as a.*b or a.{0,20}, or make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b)",
};

/**
 * Why `pattern` does not compile, for an organizer: the engine's reason, or, on a runtime without
 * modifier groups (`modifiers` false), that `(?-i:…)` needs a newer one.
 */
export function invalidPatternMessage(
  error: unknown,
  pattern: string,
  modifiers = MODIFIERS,
): string {
  const scan = modifiers ? undefined : scanModifiers(pattern);
  if (scan !== undefined && (scan.removesI || scan.addsI)) {
    return INVALID_REGEX +
      "this runtime does not know (?-i:…) and (?i:…) groups: run Cairn on the Bun or Deno it pins";
  }
  return INVALID_REGEX + regexReason(error, pattern);
}

// The engine's reason for rejecting `pattern`, without the pattern repeated (V8 includes it).
function regexReason(error: unknown, pattern: string): string {
  let reason = error instanceof Error ? error.message : String(error);
  if (reason.startsWith(INVALID_REGEX)) reason = reason.slice(INVALID_REGEX.length);
  const echo = `/${pattern}/u: `;
  if (reason.startsWith(echo)) reason = reason.slice(echo.length);
  return reason;
}

/**
 * The patterns anchored and compiled, and where capitals count in what they take, all told; each
 * problem is pushed to `problems`.
 */
function compileRegexes(
  patterns: readonly string[],
  problems: AnswerProblem[],
): { regexes: RegExp[]; capitals: PatternCapitals } {
  const regexes: RegExp[] = [];
  const capitals = new Set<PatternCapitals>();
  const risks = backtrackRisks(patterns);
  patterns.forEach((pattern, index) => {
    try {
      // Compile the bare pattern first: it must stand on its own, so that "a)|(b" cannot escape
      // the anchoring group below.
      new RegExp(pattern, "u");
      const risk = risks[index];
      if (risk !== undefined) {
        problems.push({ field: "answer_regex", index, message: RISKS[risk] });
        return;
      }
      const scan = scanModifiers(pattern);
      // A pattern without modifier groups is compiled as written.
      const source = scan.removesI ? classesIgnoringCase(pattern) : pattern;
      regexes.push(new RegExp(`^(?:${source})$`, "iu"));
      capitals.add(capitalsOf(scan));
    } catch (error) {
      const message = invalidPatternMessage(error, pattern);
      problems.push({ field: "answer_regex", index, message });
    }
  });
  // One kind for all the patterns, or "some" for a mix ("ignored" with none).
  const kind = capitals.size === 1 ? [...capitals][0]! : capitals.size === 0 ? "ignored" : "some";
  return { regexes, capitals: kind };
}

/** Compiles a puzzle's answers into a checker, or reports every problem in them at once. */
export function compileAnswers(spec: AnswerSpec): CompileAnswersResult {
  const norm = spec.mode === "exact" ? trim : normalize;
  const problems: AnswerProblem[] = [];
  // In exact mode nothing is normalized: an empty answer is one that is empty once trimmed.
  const empty = spec.mode === "exact" ? "is empty once trimmed" : "normalizes to nothing";

  const answers: string[] = [];
  spec.answers.forEach((raw, index) => {
    const answer = norm(raw);
    if (answer === "") {
      problems.push({ field: "answer", index, message: `Answer "${raw}" ${empty}` });
    } else answers.push(answer);
  });

  const { regexes, capitals } = compileRegexes(spec.regexes, problems);

  // The first partial with a given normalized form wins.
  const partials = new Map<string, AnswerResult>();
  spec.partials.forEach(({ answer: raw, message }, index) => {
    const answer = norm(raw);
    if (answer === "") {
      const message = `Partial answer "${raw}" ${empty}`;
      problems.push({ field: "partial", index, message });
    } else if (!partials.has(answer)) {
      partials.set(answer, Object.freeze({ kind: "partial", message }));
    }
  });

  // Choices are told apart as guesses are (two that normalize alike would be one), and every answer
  // must be one of them, or no team could pick it.
  const choices = new Map<string, string>();
  const alike = spec.mode === "exact"
    ? "differ only in spaces around them"
    : "are the same once capitals, spaces and punctuation are dropped";
  const fix = spec.mode === "exact"
    ? "reword one"
    : 'reword one, or set normalize = "exact" to compare them as written';
  (spec.choices ?? []).forEach((raw, index) => {
    const choice = norm(raw);
    const same = choices.get(choice);
    if (choice === "") {
      const message =
        `Choice "${raw}" ${empty}: give it letters or digits, or set normalize = "exact"`;
      problems.push({ field: "choices", index, message });
    } else if (same !== undefined) {
      const message =
        `Choices "${same}" and "${raw}" ${alike}, so a team could not tell them apart: ${fix}`;
      problems.push({ field: "choices", index, message });
    } else choices.set(choice, raw);
  });
  if (spec.choices !== undefined) {
    spec.answers.forEach((raw, index) => {
      const answer = norm(raw);
      if (answer !== "" && !choices.has(answer)) {
        const message = `Answer "${raw}" is not one of the choices: write it as one of them (${
          [...spec.choices!].map((c) => `"${c}"`).join(", ")
        }), or add it to choices`;
        problems.push({ field: "answer", index, message });
      }
    });
  }

  if (problems.length > 0) return { kind: "error", problems };

  return {
    kind: "ok",
    checker: {
      spec: {
        answers: [...spec.answers],
        regexes: [...spec.regexes],
        partials: spec.partials.map(({ answer, message }) => ({ answer, message })),
        mode: spec.mode,
        // Only when given: a puzzle answered in words keeps the spec (and fingerprint) it had.
        ...(spec.choices !== undefined && { choices: [...spec.choices] }),
      },
      normalize: norm,
      isChoice: (raw: string): boolean => choices.has(norm(raw)),
      patternCapitals: capitals,
      check(raw: string): AnswerResult {
        // Patterns see the trimmed raw guess, so they can accept what normalization drops ("???").
        if (regexes.length > 0) {
          const trimmed = raw.trim();
          if (trimmed !== "") {
            for (const regex of regexes) if (regex.test(trimmed)) return CORRECT;
          }
        }
        const guess = norm(raw);
        if (guess === "") return INCORRECT;
        // Answers are secrets: compare with every one of them, never stopping early.
        let misses = 1;
        for (const answer of answers) misses &= secretDiff(guess, answer) === 0 ? 0 : 1;
        if (misses === 0) return CORRECT;
        return partials.get(guess) ?? INCORRECT;
      },
    },
  };
}
