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
 *   found by trying a sample of characters against its first element, with the
 *   flags where it stands (capitals count in a `(?-i:…)` group: `(?-i:(A|a)+)` is safe).
 *   The sample holds every character the pattern names, and their capitals and small
 *   letters: `(ä|ä)+` and `(ю|[а-я])+` overlap on characters no fixed sample can hold.
 *
 * A third shape is refused for its high polynomial time: a chain of repetitions
 * in one sequence that can all match a same character, with nothing between them
 * that must match something else, and that together can split a guess of 500
 * characters in more than `SPLIT_LIMIT` ways: `a.*a.*a.*a.*b`, `\w*\w*\w*\w*\d`,
 * `.*(a|b).*(a|b).*(a|b).*c`, `a*b?a*b?a*b?a*c`, `a.{0,200}a.{0,200}a.{0,200}a.{0,200}b`,
 * `(ab)+(ab)+(ab)+(ab)+c`, `.*(a.*|b).*(a.*|b).*c`. A backtracking engine tries every split
 * before it gives up, but goes on past a word such as ` of ` only where the guess holds it, so
 * words right after unbounded repetitions cut the count (`oncePer`). A guess of 200 characters
 * took 244 s against six `.*`, 0.07 s against three, and 3.2 s against
 * `.*(a|b).*(a|b).*(a|b).*(a|b).*c`; one of 500 took 5.3 s against four `.{0,200}`, 0.12 s against
 * four `.{0,100}`, 2.7 s against `(a|b)+(a|b)+(a|b)+(a|b)+c`, and 137 ms against
 * `.* of .* of .* and .*`.
 *
 * The pattern has already compiled with the `u` flag, so its syntax is valid:
 * braces are always quantifiers, and a class holds no nested class.
 */
import { MAX_GUESS_LENGTH } from "./limits.ts";

/**
 * What makes a pattern risky, if anything: "sum" for one of a puzzle's patterns that is fine alone,
 * but whose chains, with those of the patterns before it, split a guess in too many ways.
 */
export type BacktrackRisk = "nested" | "overlap" | "chain" | "sum";

/**
 * The ways a chain (above) may split a guess, above which a pattern is refused. Three unbounded
 * repetitions split a guess of 500 characters in 21 million ways, four in 2.6 billion.
 */
const SPLIT_LIMIT = 100_000_000;

/**
 * The ways above which a chain a word cut (`oncePer`) is refused: those of three unbounded
 * repetitions, 21 million, which `a.*a.*a.*b` is accepted with (35 ms for 500 letters). Its count
 * can be close to the real splits, which cost about as much as those of `a.*`:
 * `.* of .* of .* and .*` counts 77 million ways, and 500 characters of " of of …" and
 * " and and …" took 137 ms on Deno.
 */
const CREDITED_LIMIT = 21_000_000;

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
  /**
   * One character: a literal, an escape like `\d`, a class or `.`, as its source, with the flags
   * it matches with (`iu` outside modifier groups; `u` in a `(?-i:…)` group, where capitals count).
   */
  | { kind: "char"; source: string; flags: string }
  /** A group's alternatives, each a sequence. Lookarounds are zero-width groups. */
  | { kind: "group"; alternatives: Item[][]; zeroWidth: boolean }
  /** An anchor, a word boundary or a backreference: nothing to sample. */
  | { kind: "other"; zeroWidth: boolean };

const ONCE: Quantity = { min: 1, max: 1 };

/** The flags answer patterns are compiled with (normalize.ts): capitals do not count. */
const PATTERN_FLAGS = "iu";

/**
 * Characters tried against each alternative's first element, whatever the pattern: printable
 * ASCII, whitespace, letters that case-insensitive Unicode matching folds (`ſ` matches `s`, the
 * Kelvin sign matches `k`), and a few letters, digits and spaces of other scripts, for classes
 * such as `\p{Lu}` or `\p{Nd}` that name no character.
 */
const FIXED_SAMPLES: readonly string[] = [
  ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
  "\t",
  "\n",
  "\u00a0",
  "\u2003",
  "\u3000",
  "é",
  "É",
  "ß",
  "ſ",
  "\u212a",
  "İ",
  "ж",
  "Ж",
  "ω",
  "Ω",
  "٣",
  "中",
  "😀",
];

/**
 * The characters tried for the pattern being read: the fixed ones, and each the pattern names
 * (a literal, an escape such as `\u00e4`, a class's bounds) with its capital and small letter.
 */
let SAMPLES: readonly string[] = FIXED_SAMPLES;

/** Whether `pattern` has a shape that can make matching take exponential time. */
export function backtrackRisk(pattern: string): BacktrackRisk | undefined {
  SAMPLED.clear();
  SAMPLES = samplesFor(pattern);
  const alternatives = read(pattern);
  // Syntax this reader does not know (the pattern itself compiled): nothing to tell.
  if (alternatives === undefined) return undefined;
  if (splitsOf(alternatives) > SPLIT_LIMIT) return "chain";
  return riskIn(alternatives);
}

/**
 * The risk of each of a puzzle's patterns (`backtrackRisk`), where a guess is tried against each:
 * their chains add up as the alternatives of one pattern's do (`tried`). A pattern that is fine
 * alone, but with those fine before it splits a guess in more than `SPLIT_LIMIT` ways, is "sum", and
 * so is each fine one after it (the ways only grow with more patterns). A pattern that does not
 * compile (with the `u` flag) is not read.
 */
export function backtrackRisks(patterns: readonly string[]): (BacktrackRisk | undefined)[] {
  const risks = patterns.map((pattern) => {
    try {
      new RegExp(pattern, "u");
    } catch {
      return "invalid";
    }
    return backtrackRisk(pattern);
  });
  const fine = patterns.flatMap((_, index) => risks[index] === undefined ? [index] : []);
  const over = (count: number) =>
    splitsTogether(fine.slice(0, count).map((index) => patterns[index]!)) > SPLIT_LIMIT;
  // Most puzzles' patterns are fine together: read them all once, and the fewest that are not by
  // halves (reading each with those before it would cost the square of their number).
  if (fine.length > 1 && over(fine.length)) {
    let fits = 1;
    let too = fine.length;
    while (too - fits > 1) {
      const middle = Math.floor((fits + too) / 2);
      if (over(middle)) too = middle;
      else fits = middle;
    }
    for (const index of fine.slice(too - 1)) risks[index] = "sum";
  }
  return risks.map((risk) => risk === "invalid" ? undefined : risk);
}

/** The splits of patterns that each compiled and that this reader knows, tried one after the other. */
function splitsTogether(patterns: readonly string[]): number {
  SAMPLED.clear();
  SAMPLES = samplesFor(patterns.join(""));
  // Each pattern's alternatives are tried one after the other, as if they were one pattern's.
  return splitsOf(patterns.flatMap((pattern) => read(pattern) ?? []));
}

/** A pattern's alternatives, or undefined for syntax this reader does not know. */
function read(pattern: string): Item[][] | undefined {
  try {
    return new Parser(pattern).alternatives();
  } catch {
    return undefined;
  }
}

/** The ways a pattern of these alternatives, tried one after the other as a group's, splits a guess. */
function splitsOf(alternatives: Item[][]): number {
  const whole: Item = { atom: { kind: "group", alternatives, zeroWidth: false }, quantity: ONCE };
  return mostSplits([whole]);
}

/** The first risk found in a group's alternatives (or the pattern's). */
function riskIn(alternatives: Item[][]): BacktrackRisk | undefined {
  for (const sequence of alternatives) {
    if (mostSplits(sequence) > SPLIT_LIMIT) return "chain";
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
 * In how many ways the repetitions of the worst chain in `sequence` can split a guess of at most
 * `MAX_GUESS_LENGTH` characters between them. A chain is a run of repetitions that can all match one
 * sample character (or one of those a repeated group's body holds), counting across the elements
 * between them that can match what they share or nothing (`.*a.*`, `.*(a|b).*`, `a*b?a*`): each
 * such repetition can take any share of a run of those characters, and a backtracking engine tries
 * every split before it gives up. A repetition counts as many ways as it has counts, up to the
 * guess's length: `.*` 501, `.{0,200}` 201, `(ab)+` 500, `a?` 2, and a group that can take
 * nothing (`(?:ab)?`, `(a|)`) 2 as well, with the ways of its paths added to those past it. A chain
 * goes on through each alternative of a group that occurs once, and the worst of them counts
 * (`.*(a.*|b).*`); an element between links that must match something else ends it. A word can cut
 * the ways (`oncePer`); those of a chain it cut count `SPLIT_LIMIT / CREDITED_LIMIT` times.
 *
 * Chains one after the other multiply: the engine tries every split of a later chain for each way an
 * earlier one reached where it starts (`a*a*a*b*b*b*c`, or `a*a*-a*a*-a*a*-a*a*!`, where each chain
 * ends where its run does). So a chain starts with the most ways one place was reached in by the
 * chains before it that ended, or that it does not go on from.
 */
function mostSplits(sequence: Item[]): number {
  let most = 0;
  /** The most ways one place of the guess was reached in, by the chains that ended so far. */
  let arriving = 1;
  const ended = (chain: Chain) => {
    for (const count of chain.ways) arriving = Math.max(arriving, count);
  };
  const walk = (items: Item[], incoming: Chain[]): Chain[] => {
    let chains = incoming;
    for (let at = 0; at < items.length;) {
      if (most > SPLIT_LIMIT) return [];
      const word = wordAt(items, at);
      if (word === undefined) chains = step(items[at++]!, chains);
      else {
        chains = passWord(word, chains);
        at += word.items;
      }
      for (const chain of chains) {
        const weight = chain.credited ? SPLIT_LIMIT / CREDITED_LIMIT : 1;
        most = Math.max(most, total(chain.ways) * weight);
      }
    }
    return chains;
  };
  const step = (item: Item, chains: Chain[]): Chain[] => {
    const { atom, quantity } = item;
    /** The chains past an optional group's paths, to count with those of it as a link. */
    let optional: Chain[] = [];
    if (atom.kind === "group" && !atom.zeroWidth && quantity.max <= 1) {
      // Each chain goes on through each alternative, or past the group when it is optional. A word
      // in an alternative is not credited: another could match where it does not (`(ab|ba)`).
      const entering = chains.map((chain) => ({ ...chain, open: false }));
      const paths = tried(
        atom.alternatives,
        atom.alternatives.map((alternative) => walk(alternative, entering)),
      );
      // The engine tries an optional group's paths and then goes on without it: both add up.
      const all = quantity.min === 0 ? summed([...paths, ...chains]) : merged(paths);
      // Where the paths differ in length, the counts of one `n` stand at different places.
      const one = atom.alternatives.length === 1 && quantity.min === 1;
      const skippable = quantity.min === 0 || atom.alternatives.some(takesNothing);
      if (!skippable) return one ? all : all.map((chain) => ({ ...chain, exact: false }));
      // A group that can take nothing (`(?:a)?`, `(?:a|)`) is also a link of 0 or 1 counts, as `a?`
      // is: such groups one after the other (`(?:a)?(?:a)?…b`) are a chain, each doubling the ways.
      optional = all.map((chain) => ({ ...chain, exact: false }));
    }
    if (atom.kind === "group" && atom.zeroWidth) {
      // A lookaround is tried from each place the chains reach, each time they reach it: they go on
      // in it (`.*(?=.*.*.*x).*` is four in a row). What it matched is not tried again (it is
      // atomic), so nothing in it leads on past it, and no word in it is credited.
      const before = arriving;
      const entering = chains.map((chain) => ({ ...chain, open: false }));
      for (const alternative of atom.alternatives) walk(alternative, entering);
      arriving = before;
    }
    // A group met once gets here only when it can take nothing (above).
    const once = atom.kind === "group" && !atom.zeroWidth && quantity.max <= 1;
    const link = linkOf(once ? { atom, quantity: { min: 0, max: quantity.max } } : item);
    const next: Chain[] = [];
    for (const chain of chains) {
      let shared: readonly string[] | undefined;
      if (link?.firsts.some((character) => chain.shared.includes(character))) {
        shared = link.characters.filter((character) => chain.shared.includes(character));
        const ways = extended(chain.ways, link);
        // A count of a group or a backreference can take several characters: `n` no longer tells.
        const exact = chain.exact && atom.kind === "char";
        next.push({ shared, ways, open: link.max === Infinity, exact, credited: chain.credited });
      }
      // Taking nothing is one of the counts just added.
      const covered = link?.min === 0 && shared?.length === chain.shared.length;
      // Between two links, an element that cannot match the chain's characters fixes the split.
      const passes = !covered && fitsWithin(item, chain.shared);
      if (passes) {
        next.push({
          shared: chain.shared,
          ways: chain.ways,
          open: chain.open && zeroWidth(item),
          exact: chain.exact && link === undefined && fixedLength(item),
          credited: chain.credited,
        });
      }
      // A chain that ends here, or that the new chain below does not go on from, leads into it.
      if (shared === undefined && (link !== undefined || !passes)) ended(chain);
    }
    if (link !== undefined) {
      next.push({
        shared: link.characters,
        ways: extended(START.map((count) => count * arriving), link),
        open: link.max === Infinity,
        exact: atom.kind === "char",
        credited: false,
      });
    }
    return merged([...next, ...optional]);
  };
  /** The chains that go on past a word: those it fits, fewer ways for those it can credit. */
  const passWord = (word: Word, chains: Chain[]): Chain[] =>
    merged(chains.flatMap((chain) => {
      if (!word.elements.every((item) => fitsWithin(item, chain.shared))) {
        ended(chain);
        return [];
      }
      const credited = chain.open && chain.exact && word.period > 1;
      const ways = credited ? oncePer(word.period, chain.ways) : chain.ways;
      const { shared, exact } = chain;
      return [{ shared, ways, open: false, exact, credited: credited || chain.credited }];
    }));
  walk(sequence, []);
  return most;
}

/**
 * The chains that go on past a group, from those of each alternative. At each place the engine
 * tries every alternative that can begin with the character there, so the ways of those add up
 * (`(?:a.*a.*a.*b|a.*a.*a.*c)` costs as both); of alternatives that begin differently, only one goes
 * on (`(east|west)`).
 */
function tried(alternatives: Item[][], paths: Chain[][]): Chain[] {
  if (alternatives.length < 2 || paths.every((chains) => chains.length === 0)) {
    return merged(paths.flat());
  }
  const firsts = alternatives.map(firstCharacters);
  // By which alternatives a character lets the engine try, the chains they lead to.
  const together = new Map<string, Chain[]>();
  for (const character of SAMPLES) {
    const which = firsts.flatMap((first, index) =>
      typeof first === "string" || first.includes(character) ? [index] : []
    );
    together.set(which.join(","), which.flatMap((index) => paths[index]!));
  }
  return merged([...together.values()].flatMap(summed));
}

/** Chains with the same characters as one, with the ways of each added up. */
function summed(chains: Chain[]): Chain[] {
  return combined(chains, (a, b) => a + b);
}

/** Repetitions that can share a run of `shared`, and in how many ways they take each length. */
interface Chain {
  shared: readonly string[];
  /** `ways[n]`: in how many ways the chain's repetitions can take `n` characters in all. */
  ways: Float64Array;
  /**
   * Whether the chain's last element was an unbounded repetition (zero-width ones aside): then
   * each `ways[n]` is at least what any guess has at `n` (see `oncePer`). Otherwise only the sums
   * `ways[0] + … + ways[n]` are.
   */
  open: boolean;
  /**
   * Whether `n` and where the chain stands in the guess differ by the same number of characters in
   * each of its splits: each count of its repetitions takes one character, and no other element it
   * went past could take a varying number of them.
   */
  exact: boolean;
  /** Whether a word cut its ways: then they are held to `CREDITED_LIMIT`. */
  credited: boolean;
}

/**
 * A repetition's part in a chain: the characters it can match, those it can begin with, and its
 * counts. A repeated group counts as if each count took one character: with longer counts, each
 * split costs more.
 */
interface Link {
  characters: readonly string[];
  /** A run it shares holds whole counts of it, so one of these too: (ab)+ and (cb)+ share none. */
  firsts: readonly string[];
  min: number;
  max: number;
}

/** A chain before its first link: one way to take no characters. */
const START = Float64Array.from({ length: MAX_GUESS_LENGTH + 1 }, (_, n) => n === 0 ? 1 : 0);

/** An element that can occur a varying number of times, as a link; undefined for one that cannot. */
function linkOf({ atom, quantity }: Item): Link | undefined {
  const { min, max } = quantity;
  if (atom.kind === "other" && !atom.zeroWidth && max > 0) {
    // A backreference can repeat anything, and even once it reads as many characters as its group
    // took, each time it is tried: it costs as much as a repetition (`(.*)(.*)(.*)\1\2\3x`).
    return { characters: SAMPLES, firsts: SAMPLES, min: 0, max: Infinity };
  }
  if (max <= min) return undefined;
  switch (atom.kind) {
    case "char": {
      const characters = samplesOf(atom);
      return { characters, firsts: characters, min, max };
    }
    case "other":
      return undefined;
    case "group": {
      if (atom.zeroWidth) return undefined;
      const characters = charactersIn(atom.alternatives);
      const firsts = atom.alternatives.map(firstCharacters);
      if (firsts.includes("any")) return { characters, firsts: characters, min, max };
      return {
        characters,
        firsts: firsts.flatMap((first) => first === "none" ? [] : first),
        min,
        max,
      };
    }
  }
}

/** Literal characters that must all match, one after the other, such as ` of `. */
interface Word {
  elements: Item[];
  /** How many elements of the sequence it spans. */
  items: number;
  /**
   * The least distance at which two of its places could match a same guess: its length, or less
   * when it could overlap itself (2 for `abab`, 1 for `aa`).
   */
  period: number;
}

/** The word that begins at `sequence[at]`, if one does. */
function wordAt(sequence: Item[], at: number): Word | undefined {
  let end = at;
  while (end < sequence.length && isLiteral(sequence[end]!)) end++;
  if (end === at) return undefined;
  const elements = sequence.slice(at, end);
  const places = elements.flatMap((item) => {
    const atom = item.atom as { source: string; flags: string };
    return Array.from({ length: item.quantity.min }, () => samplesOf(atom));
  });
  let period = 1;
  while (period < places.length && !overlapsAt(places, period)) period++;
  return { elements, items: end - at, period };
}

/** Whether the word of `places` could occur again `distance` characters on: each pair can match. */
function overlapsAt(places: string[][], distance: number): boolean {
  for (let i = 0; i + distance < places.length; i++) {
    const later = places[i + distance]!;
    if (!places[i]!.some((character) => later.includes(character))) return false;
  }
  return true;
}

/**
 * An element that matches one given character (`o`, `\.`, `\u00e4`), a fixed number of times,
 * at least once. Its character is a sample (samplesFor), so two places of a word that could match
 * a same character share a sample: `s` and `S`, and `s` and `ſ` where capitals do not count.
 */
function isLiteral({ atom, quantity }: Item): boolean {
  if (atom.kind !== "char" || quantity.min !== quantity.max || quantity.min < 1) return false;
  const { source } = atom;
  const one = source === "."
    ? false
    : !source.startsWith("\\")
    ? [...source].length === 1
    : /^\\(?:[$()*+./?[\\\]^{|}-]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\})$/.test(source);
  return one && samplesOf(atom).length > 0;
}

/** Whether a sequence can take no character: each of its elements may be absent or is zero-width. */
function takesNothing(sequence: Item[]): boolean {
  return sequence.every((item) => item.quantity.min === 0 || zeroWidth(item));
}

/** Whether an element never takes a character. */
function zeroWidth({ atom, quantity }: Item): boolean {
  return quantity.max === 0 || (atom.kind !== "char" && atom.zeroWidth);
}

/** Whether an element that is no repetition always takes as many characters. */
function fixedLength(item: Item): boolean {
  return zeroWidth(item) || item.atom.kind === "char";
}

/**
 * Credits a word of period `period` that stands right after an unbounded repetition, for chains
 * that went past elements of fixed lengths and repetitions of one character only (`.* of .*`, not
 * `.{0,9} of .*`, `(ab)* of .*` nor `\1 of .*`).
 *
 * A backtracking engine gives the repetition each length in turn, and goes on past the word only
 * where the guess holds it. Two places that hold it are at least `period` characters apart:
 * nearer, they would overlap, and two of its characters that have no match in common would fall on
 * one character of the guess. So of `period` neighbouring lengths at most one goes on: 1 in 3 for
 * ` of ` (two can share a space, ` of of `), 1 in 4 for ` and `, but each for `a`, `aa` or ` `.
 *
 * Right after an unbounded repetition, `ways[n]` is at least what any guess has at `n` (all the
 * ways before, summed), so the largest count of each `period` lengths is at least what goes on from
 * them; it is put at the first of them. Then each sum `ways[0] + … + ways[n]` is at least a real
 * guess's, and these sums are all that the total and later repetitions read (a repetition only
 * moves counts to greater lengths). Only these sums are bounds afterwards, not each count, so a
 * word after a bounded repetition, or right after another word, is not credited.
 */
function oncePer(period: number, ways: Float64Array): Float64Array {
  const next = new Float64Array(MAX_GUESS_LENGTH + 1);
  for (let start = 0; start <= MAX_GUESS_LENGTH; start += period) {
    const end = Math.min(start + period, MAX_GUESS_LENGTH + 1);
    next[start] = Math.max(...ways.subarray(start, end));
  }
  return next;
}

/** The ways of `chain` followed by `link`: each count of the link, within the guess's length. */
function extended(ways: Float64Array, { min, max }: Link): Float64Array {
  // sums[n] = ways[0] + … + ways[n]
  const sums = new Float64Array(MAX_GUESS_LENGTH + 1);
  for (let n = 0; n <= MAX_GUESS_LENGTH; n++) sums[n] = ways[n]! + (n > 0 ? sums[n - 1]! : 0);
  const next = new Float64Array(MAX_GUESS_LENGTH + 1);
  for (let n = 0; n <= MAX_GUESS_LENGTH; n++) {
    const most = n - min;
    if (most < 0) continue;
    const least = n - max - 1; // -Infinity when unbounded
    next[n] = sums[most]! - (least >= 0 ? sums[least]! : 0);
  }
  return next;
}

function total(ways: Float64Array): number {
  let sum = 0;
  for (const count of ways) sum += count;
  return sum;
}

/** Chains with the same characters as one, with the most ways of each. */
function merged(chains: Chain[]): Chain[] {
  return combined(chains, Math.max);
}

/** Chains with the same characters as one, their ways at each length joined by `join`. */
function combined(chains: Chain[], join: (a: number, b: number) => number): Chain[] {
  const byShared = new Map<string, Chain>();
  for (const chain of chains) {
    const key = chain.shared.join("\u0000");
    const known = byShared.get(key);
    if (known === undefined) {
      byShared.set(key, chain);
      continue;
    }
    const ways = Float64Array.from(known.ways, (count, n) => join(count, chain.ways[n]!));
    const open = known.open && chain.open;
    const exact = known.exact && chain.exact;
    const credited = known.credited || chain.credited;
    byShared.set(key, { shared: known.shared, ways, open, exact, credited });
  }
  return [...byShared.values()];
}

/** The sample characters any element of these alternatives can match, lookarounds aside. */
function charactersIn(alternatives: Item[][]): string[] {
  const found = new Set<string>();
  for (const { atom } of alternatives.flat()) {
    if (atom.kind === "char") {
      for (const character of samplesOf(atom)) found.add(character);
    } else if (atom.kind === "other" && !atom.zeroWidth) return [...SAMPLES];
    else if (atom.kind === "group" && !atom.zeroWidth) {
      for (const character of charactersIn(atom.alternatives)) found.add(character);
    }
  }
  return SAMPLES.filter((character) => found.has(character));
}

/**
 * Whether an element can match nothing or only `characters`: one that may be absent, a
 * zero-width one, a character that is one of them, or a group with an alternative whose elements
 * all can. A backreference counts as able to, since what it repeats may be.
 */
function fitsWithin({ atom, quantity }: Item, characters: readonly string[]): boolean {
  if (quantity.min === 0) return true;
  switch (atom.kind) {
    case "other":
      return true;
    case "char":
      return samplesOf(atom).some((character) => characters.includes(character));
    case "group":
      return atom.zeroWidth ||
        atom.alternatives.some((alternative) =>
          alternative.every((item) => fitsWithin(item, characters))
        );
  }
}

/**
 * The sample characters one character element (a literal, an escape, a class, `.`) matches, with
 * the flags where it stands: in a `(?-i:…)` group, `A` does not match `a`.
 */
function samplesOf({ source, flags }: { source: string; flags: string }): string[] {
  const key = `${flags}/${source}`;
  let samples = SAMPLED.get(key);
  if (samples === undefined) {
    const regex = new RegExp(`^(?:${source})$`, flags);
    samples = SAMPLES.filter((sample) => regex.test(sample));
    SAMPLED.set(key, samples);
  }
  return samples;
}

/** What each character element matched in the pattern being read (by flags and source). */
const SAMPLED = new Map<string, string[]>();

/** An escape that names one character (`\u00e4`, `\u{1F600}`, `\x41`), another escape, or a character. */
const NAMED = /\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\.|./gsu;

/** The fixed samples, and each character `pattern` names with its capital and small letter. */
function samplesFor(pattern: string): string[] {
  const found = new Set<string>(FIXED_SAMPLES);
  for (const [text, braced, four, two] of pattern.matchAll(NAMED)) {
    const hex = braced ?? four ?? two;
    const character = hex !== undefined
      ? String.fromCodePoint(Number.parseInt(hex, 16))
      : text.startsWith("\\")
      ? text.slice(1)
      : text;
    for (const variant of [character, character.toLowerCase(), character.toUpperCase()]) {
      // One character only: ß's capital is SS.
      if ([...variant].length === 1) found.add(variant);
    }
  }
  return [...found];
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
  return samplesOf(atom);
}

/**
 * `flags` as a modifier group's `modifiers` (`i`, `-i`, `s-i`) leave them for what it holds. Only
 * `i` and `s` change which characters an element matches (`m` moves only `^` and `$`).
 */
function modified(flags: string, modifiers: string): string {
  const [added = "", removed = ""] = modifiers.split("-");
  const has = (flag: string) =>
    added.includes(flag) || (!removed.includes(flag) && flags.includes(flag));
  return `${has("i") ? "i" : ""}${has("s") ? "s" : ""}u`;
}

/** A recursive-descent reader of a pattern already known to be valid with the `u` flag. */
class Parser {
  private at = 0;
  /** The flags characters match with here: a modifier group (`(?-i:…)`, `(?s:…)`) changes them. */
  private flags = PATTERN_FLAGS;

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
      return { kind: "char", source: source.slice(start, this.at), flags: this.flags };
    }
    if (ch === "\\") return this.escape();
    // A literal, or `.`: one code point (an astral character is two UTF-16 units).
    this.at += (source.codePointAt(start) ?? 0) > 0xffff ? 2 : 1;
    return { kind: "char", source: source.slice(start, this.at), flags: this.flags };
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
    return { kind: "char", source: source.slice(start, this.at), flags: this.flags };
  }

  private group(): Atom {
    const source = this.source;
    this.at++;
    let zeroWidth = false;
    const outside = this.flags;
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
        // A modifier group, `(?i:…)`, `(?-i:…)` or `(?s-i:…)`, where the engine has them.
        const colon = source.indexOf(":", this.at);
        if (colon !== -1) this.flags = modified(outside, source.slice(this.at + 1, colon));
        this.at = colon + 1;
      }
      if (this.at === 0) throw new SyntaxError("unreadable group");
    }
    const alternatives = this.alternatives();
    this.flags = outside;
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
