/**
 * Refuses `answer_regex` patterns that a backtracking engine can take
 * exponential (or high polynomial) time on, for a crafted guess of a few dozen
 * characters. Guesses come from players and patterns run on the main thread,
 * so one such guess would stall every request.
 *
 * Two shapes are refused, wherever they appear:
 * - a group repeated more than once (`*`, `+`, `{2}`, `{1,40}`, `{3,}`) that
 *   itself holds a repetition: `(\w+\s?)+`, `(a*){1,40}`;
 * - a repeated group whose alternatives can begin with the same character:
 *   `(\w|\d)+`, `(a|ab)*`. Which characters each alternative can begin with is
 *   found by trying a sample of characters against its first element.
 *
 * A third shape is refused for its high polynomial time: a chain of
 * `CHAIN_LIMIT` or more unbounded repetitions in one sequence that can all
 * match a same character, with nothing between them that must match something
 * else: `a.*a.*a.*a.*b`, `\w*\w*\w*\w*\d`, `.*(a|b).*(a|b).*(a|b).*c`,
 * `a*b?a*b?a*b?a*c`. Each more link multiplies the ways to split a guess by its
 * length: a guess of 200 characters took 244 s against six links, 0.07 s
 * against three, and 3.2 s against `.*(a|b).*(a|b).*(a|b).*(a|b).*c`.
 *
 * The pattern has already compiled with the `u` flag, so its syntax is valid:
 * braces are always quantifiers, and a class holds no nested class.
 */

/** What makes a pattern risky, if anything. */
export type BacktrackRisk = "nested" | "overlap" | "chain";

/** Unbounded repetitions in a chain (above) from which a pattern is refused. */
const CHAIN_LIMIT = 4;

/** How many times an element may occur. */
interface Quantity {
  min: number;
  /** Infinity when unbounded. */
  max: number;
}

/** One element of a sequence, with its quantifier. */
interface Item {
  atom: Atom;
  quantity: Quantity;
}

type Atom =
  /** One character: a literal, an escape like `\d`, a class or `.`, as its source. */
  | { kind: "char"; source: string }
  /** A group's alternatives, each a sequence. Lookarounds are zero-width groups. */
  | { kind: "group"; alternatives: Item[][]; zeroWidth: boolean }
  /** An anchor, a word boundary or a backreference: nothing to sample. */
  | { kind: "other"; zeroWidth: boolean };

const ONCE: Quantity = { min: 1, max: 1 };

/**
 * Characters tried against each alternative's first element: printable ASCII,
 * whitespace, and letters that case-insensitive Unicode matching folds
 * (`ſ` matches `s`, the Kelvin sign matches `k`).
 */
const SAMPLES: readonly string[] = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  "\t",
  "\n",
  "\u00a0",
  "é",
  "ß",
  "ſ",
  "\u212a",
  "İ",
  "ж",
  "中",
  "😀",
];

/** Whether `pattern` has a shape that can make matching take exponential time. */
export function backtrackRisk(pattern: string): BacktrackRisk | undefined {
  let alternatives: Item[][];
  try {
    alternatives = new Parser(pattern).alternatives();
  } catch {
    // Syntax this reader does not know (the pattern itself compiled): nothing to tell.
    return undefined;
  }
  return riskIn(alternatives);
}

/** The first risk found in a group's alternatives (or the pattern's). */
function riskIn(alternatives: Item[][]): BacktrackRisk | undefined {
  for (const sequence of alternatives) {
    if (longestChain(sequence) >= CHAIN_LIMIT) return "chain";
    for (const { atom, quantity } of sequence) {
      if (atom.kind !== "group") continue;
      if (repeats(quantity)) {
        if (atom.alternatives.some((inner) => inner.some(holdsRepetition))) return "nested";
        if (overlapping(atom.alternatives)) return "overlap";
      }
      const inner = riskIn(atom.alternatives);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/**
 * The most unbounded repetitions of single characters in a row of `sequence` that can all match
 * one sample character, counting across the elements between them that can match what they share
 * (`.*a.*`, `.*(a|b).*`, `a*b?a*`): each such repetition can take any share of a run of those
 * characters. A group that occurs once with one alternative counts as its elements; an element
 * between them that must match something else ends the chain.
 */
function longestChain(sequence: Item[]): number {
  let longest = 0;
  let links = 0;
  /** The sample characters every repetition of the chain matches. */
  let shared: string[] = [];
  for (const item of flattened(sequence)) {
    const { atom, quantity } = item;
    if (atom.kind !== "char" || quantity.max !== Infinity) {
      // Between two links, an element that cannot match the chain's characters fixes the split.
      if (links > 0 && !fitsWithin(item, shared)) links = 0;
      continue;
    }
    const matched = samplesOf(atom.source);
    const common = links > 0 ? matched.filter((character) => shared.includes(character)) : [];
    if (common.length > 0) {
      links++;
      shared = common;
    } else {
      links = 1;
      shared = matched;
    }
    longest = Math.max(longest, links);
  }
  return longest;
}

/**
 * Whether an element can match nothing or only `characters`: one that may be absent, a
 * zero-width one, a character that is one of them, or a group with an alternative whose elements
 * all can. A backreference counts as able to, since what it repeats may be.
 */
function fitsWithin({ atom, quantity }: Item, characters: string[]): boolean {
  if (quantity.min === 0) return true;
  switch (atom.kind) {
    case "other":
      return true;
    case "char":
      return samplesOf(atom.source).some((character) => characters.includes(character));
    case "group":
      return atom.zeroWidth ||
        atom.alternatives.some((alternative) =>
          alternative.every((item) => fitsWithin(item, characters))
        );
  }
}

/** A sequence with each group that occurs once with one alternative replaced by its elements. */
function flattened(sequence: Item[]): Item[] {
  return sequence.flatMap((item) => {
    const { atom, quantity } = item;
    const plain = atom.kind === "group" && !atom.zeroWidth && atom.alternatives.length === 1 &&
      quantity.min === 1 && quantity.max === 1;
    return plain ? flattened(atom.alternatives[0]!) : [item];
  });
}

/** The sample characters one character element (a literal, an escape, a class, `.`) matches. */
function samplesOf(source: string): string[] {
  const regex = new RegExp(`^(?:${source})$`, "iu");
  return SAMPLES.filter((sample) => regex.test(sample));
}

/** Whether a quantifier lets its element occur more than once. */
function repeats({ max }: Quantity): boolean {
  return max > 1;
}

/** Whether an element repeats, or holds an element that does. */
function holdsRepetition({ atom, quantity }: Item): boolean {
  if (repeats(quantity)) return true;
  return atom.kind === "group" && atom.alternatives.some((inner) => inner.some(holdsRepetition));
}

/** Whether two of a group's alternatives can begin with the same character. */
function overlapping(alternatives: Item[][]): boolean {
  if (alternatives.length < 2) return false;
  const firsts = alternatives.map(firstCharacters);
  for (let a = 0; a < firsts.length; a++) {
    for (let b = a + 1; b < firsts.length; b++) {
      const first = firsts[a]!;
      const second = firsts[b]!;
      // An empty alternative begins with no character, so it overlaps with none.
      if (first === "none" || second === "none") continue;
      if (first === "any" || second === "any") return true;
      if (first.some((character) => second.includes(character))) return true;
    }
  }
  return false;
}

/**
 * The sample characters a sequence can begin with; "any" when that cannot be
 * told (a group or an anchor first, or a first element that may be absent), and
 * "none" for an empty sequence.
 */
function firstCharacters(sequence: Item[]): string[] | "any" | "none" {
  const first = sequence[0];
  if (first === undefined) return "none";
  const { atom, quantity } = first;
  if (atom.kind !== "char" || quantity.min === 0) return "any";
  return samplesOf(atom.source);
}

/** A recursive-descent reader of a pattern already known to be valid with the `u` flag. */
class Parser {
  private at = 0;

  constructor(private readonly source: string) {}

  /** Alternatives up to the end of the pattern or the current group's `)`. */
  alternatives(): Item[][] {
    const alternatives: Item[][] = [this.sequence()];
    while (this.source[this.at] === "|") {
      this.at++;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Item[] {
    const items: Item[] = [];
    while (this.at < this.source.length) {
      const ch = this.source[this.at];
      if (ch === "|" || ch === ")") break;
      const from = this.at;
      const atom = this.atom();
      items.push({ atom, quantity: this.quantity() });
      if (this.at <= from) throw new SyntaxError("unreadable pattern");
    }
    return items;
  }

  private atom(): Atom {
    const source = this.source;
    const start = this.at;
    const ch = source[start]!;
    if (ch === "(") return this.group();
    if (ch === "^" || ch === "$") {
      this.at++;
      return { kind: "other", zeroWidth: true };
    }
    if (ch === "[") {
      this.at++;
      while (this.at < source.length && source[this.at] !== "]") {
        this.at += source[this.at] === "\\" ? 2 : 1;
      }
      this.at++;
      return { kind: "char", source: source.slice(start, this.at) };
    }
    if (ch === "\\") return this.escape();
    // A literal, or `.`: one code point (an astral character is two UTF-16 units).
    this.at += (source.codePointAt(start) ?? 0) > 0xffff ? 2 : 1;
    return { kind: "char", source: source.slice(start, this.at) };
  }

  private escape(): Atom {
    const source = this.source;
    const start = this.at;
    const letter = source[start + 1] ?? "";
    this.at += 2;
    if (letter === "b" || letter === "B") return { kind: "other", zeroWidth: true };
    if (/[1-9]/.test(letter) || letter === "k") {
      // A backreference: `\1`, `\12` or `\k<name>`.
      if (letter === "k") this.at = source.indexOf(">", this.at) + 1;
      else while (/\d/.test(source[this.at] ?? "")) this.at++;
      return { kind: "other", zeroWidth: false };
    }
    if ((letter === "p" || letter === "P" || letter === "u") && source[this.at] === "{") {
      this.at = source.indexOf("}", this.at) + 1;
    } else if (letter === "u") this.at += 4;
    else if (letter === "x") this.at += 2;
    else if (letter === "c") this.at += 1;
    return { kind: "char", source: source.slice(start, this.at) };
  }

  private group(): Atom {
    const source = this.source;
    this.at++;
    let zeroWidth = false;
    if (source[this.at] === "?") {
      const rest = source.slice(this.at, this.at + 4);
      if (rest.startsWith("?:")) this.at += 2;
      else if (rest.startsWith("?=") || rest.startsWith("?!")) {
        zeroWidth = true;
        this.at += 2;
      } else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
        zeroWidth = true;
        this.at += 3;
      } else if (rest.startsWith("?<")) {
        // A named group, `(?<name>…)`.
        this.at = source.indexOf(">", this.at) + 1;
      } else {
        // A modifier group, `(?i:…)`, where the engine has them.
        this.at = source.indexOf(":", this.at) + 1;
      }
      if (this.at === 0) throw new SyntaxError("unreadable group");
    }
    const alternatives = this.alternatives();
    this.at++; // the closing ")"
    return { kind: "group", alternatives, zeroWidth };
  }

  private quantity(): Quantity {
    const source = this.source;
    let quantity = ONCE;
    const ch = source[this.at];
    if (ch === "*") quantity = { min: 0, max: Infinity };
    else if (ch === "+") quantity = { min: 1, max: Infinity };
    else if (ch === "?") quantity = { min: 0, max: 1 };
    else if (ch === "{") {
      const close = source.indexOf("}", this.at);
      const [low, high] = source.slice(this.at + 1, close).split(",");
      const min = Number(low);
      const max = high === undefined ? min : high === "" ? Infinity : Number(high);
      quantity = { min, max };
      this.at = close;
    } else return quantity;
    this.at++;
    if (source[this.at] === "?") this.at++; // lazy: the same risk
    return quantity;
  }
}
