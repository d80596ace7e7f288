import { describe, expect, test } from "bun:test";
import {
  type AnswerChecker,
  type AnswerProblem,
  type AnswerResult,
  type AnswerSpec,
  classesIgnoringCase,
  compileAnswers,
  invalidPatternMessage,
  normalize,
  patternCapitals,
} from "../../src/engine/normalize.ts";

// A checker for `spec`, failing the test with the problems if it does not compile.
function checker(spec: Partial<AnswerSpec>): AnswerChecker {
  const result = compileAnswers({
    answers: [],
    regexes: [],
    partials: [],
    mode: "default",
    ...spec,
  });
  if (result.kind !== "ok") throw new Error(`Unexpected problems: ${JSON.stringify(result)}`);
  return result.checker;
}

describe("default normalization", () => {
  const cases: [name: string, text: string, expected: string][] = [
    ["strips Latin accents and punctuation", "Île de Ré!", "ILEDERE"],
    ["keeps an emoji", "🦉", "🦉"],
    ["case-folds ß to SS", "straße", "STRASSE"],
    ["case-folds the capital ẞ to SS, as ß", "STRAẞE", "STRASSE"],
    ["drops spaces", "North Star", "NORTHSTAR"],
    ["keeps symbols such as +", "C++", "C++"],
    ["keeps $ and digits", "$1,000", "$1000"],
    ["drops the emoji variation selector VS16", "❤️", "❤"],
    ["drops the ideographic variation selector VS17", "葛\u{E0100}", "葛"],
    ["drops the zero width joiner", "👨‍👩‍👧", "👨👩👧"],
    ["keeps emoji skin-tone modifiers", "👍🏽", "👍🏽"],
    ["keeps Devanagari vowel signs and virama", "नमस्ते", "नमस्ते"],
    ["keeps a keycap's enclosing mark", "1️⃣", "1\u20E3"],
    ["strips Greek accents and upper-cases", "Ωμέγα", "ΩΜΕΓΑ"],
    ["strips Greek diaeresis and tonos together", "ΐ", "Ι"],
    ["strips the Cyrillic diaeresis", "Ёлка", "ЕЛКА"],
    ["folds full-width forms", "ＡＢＣ１", "ABC1"],
    ["folds ligatures", "ﬁne", "FINE"],
    ["upper-cases the lower-case letters of compatibility forms", "㎏ ª", "KGA"],
    ["upper-cases the Greek iota subscript to a letter, as case folding does", "ᾳ ᾼ", "ΑΙΑΙ"],
    ["strips the caron of ǰ, which has no precomposed capital", "ǰ", "J"],
    ["strips the dot of İ", "İstanbul", "ISTANBUL"],
    ["keeps letters and digits of other scripts", "東京 ٣", "東京٣"],
    ["strips the accent of a decomposed é", "e\u0301", "E"],
    ["keeps a combining mark with no letter before it", "\u0301", "\u0301"],
    ["strips a mark separated from its letter by a dropped character", "e\u200D\u0301", "E"],
    ["reduces whitespace to nothing", "  \t\n", ""],
    ["reduces the empty string to nothing", "", ""],
  ];
  for (const [name, text, expected] of cases) {
    test(`normalize() ${name}`, () => {
      expect(normalize(text)).toBe(expected);
    });
  }

  test("normalize() is idempotent", () => {
    for (const [, text, expected] of cases) expect(normalize(expected)).toBe(normalize(text));
  });

  test("normalize() remembers only the last text: each answer is its own text's", () => {
    // A guess is normalized twice in a row (judged, then stored); the second call is remembered.
    for (const [, text, expected] of cases) {
      expect(normalize(text)).toBe(expected);
      expect(normalize(text)).toBe(expected);
      expect(normalize(`${text}x`)).toBe(`${expected}X`);
      expect(normalize(text)).toBe(expected);
    }
  });

  test("normalize() folds Latin text one character at a time as the general path does", () => {
    // Appending 中 forces the general path; without it, Latin text takes the fast path.
    const neighbours = ["", "e", "E", "1", " ", "´", "ß", "ε", "\u0301", "\u0345"];
    for (let code = 0; code < 0x250; code++) {
      const char = String.fromCharCode(code);
      for (const neighbour of neighbours) {
        for (const text of [neighbour + char, char + neighbour]) {
          expect([text, normalize(text) + "中"]).toEqual([text, normalize(`${text}中`)]);
        }
      }
    }
  });

  test("normalize() folds every character with a lower case as its lower case", () => {
    // Upper-casing is not case folding: a capital that is its own upper case (ẞ) must still meet
    // its lower case's form (ß → SS). Every code point of every plane is tried.
    const differ: string[] = [];
    for (let code = 0; code <= 0x10FFFF; code++) {
      if (code >= 0xD800 && code <= 0xDFFF) continue;
      const char = String.fromCodePoint(code);
      const lower = char.toLowerCase();
      if (lower !== char && normalize(char) !== normalize(lower)) differ.push(char);
    }
    expect(differ).toEqual([]);
  });

  test("normalize() keeps ASCII letters, digits and symbols and drops the rest", () => {
    let kept = "";
    for (let code = 0; code < 0x80; code++) kept += normalize(String.fromCharCode(code));
    expect(kept).toBe("$+0123456789<=>ABCDEFGHIJKLMNOPQRSTUVWXYZ^`ABCDEFGHIJKLMNOPQRSTUVWXYZ|~");
  });
});

describe("answer checker", () => {
  const cases: [name: string, spec: Partial<AnswerSpec>, guess: string, expected: AnswerResult][] =
    [
      [
        "accepts an answer with other spacing and case",
        { answers: ["North Star"] },
        "north-star!",
        {
          kind: "correct",
        },
      ],
      ["accepts an answer without its accents", { answers: ["Île de Ré"] }, "ile de re", {
        kind: "correct",
      }],
      ["accepts any of several answers", { answers: ["Polaris", "North Star"] }, "NORTH STAR", {
        kind: "correct",
      }],
      ["accepts an emoji answer", { answers: ["🦉"] }, " 🦉 ", { kind: "correct" }],
      ["rejects a prefix of the answer", { answers: ["North Star"] }, "North", {
        kind: "incorrect",
      }],
      ["rejects a longer guess", { answers: ["North Star"] }, "North Stars", { kind: "incorrect" }],
      ["rejects an empty guess", { answers: ["North Star"] }, "", { kind: "incorrect" }],
      ["rejects a guess that normalizes to nothing", { answers: ["North Star"] }, " !?\u200D", {
        kind: "incorrect",
      }],
      ["rejects an empty guess even when a regex matches it", { regexes: [".*"] }, "  ", {
        kind: "incorrect",
      }],
      ["lets a regex accept what normalization drops", { regexes: ["\\?{3}"] }, " ??? ", {
        kind: "correct",
      }],
      [
        "compares exact answers with the trimmed guess",
        {
          answers: ["Polaris!"],
          mode: "exact",
        },
        "  Polaris! ",
        { kind: "correct" },
      ],
      [
        "compares exact answers case-sensitively",
        { answers: ["Polaris"], mode: "exact" },
        "polaris",
        {
          kind: "incorrect",
        },
      ],
      ["keeps punctuation in exact answers", { answers: ["Polaris"], mode: "exact" }, "Polaris!", {
        kind: "incorrect",
      }],
      ["matches a regex case-insensitively", { regexes: ["polaris"] }, "POLARIS", {
        kind: "correct",
      }],
      ["counts capitals in a (?-i:…) group", { regexes: ["(?-i:Polaris)"] }, "POLARIS", {
        kind: "incorrect",
      }],
      ["accepts a (?-i:…) group's text as written", { regexes: ["(?-i:Polaris)"] }, "Polaris", {
        kind: "correct",
      }],
      [
        "ignores capitals outside a (?-i:…) group",
        { regexes: ["(?-i:flag)\\{[a-z]+\\}"] },
        "flag{ABC}",
        { kind: "correct" },
      ],
      [
        "counts capitals in the part a (?-i:…) group holds",
        { regexes: ["(?-i:flag)\\{[a-z]+\\}"] },
        "FLAG{abc}",
        { kind: "incorrect" },
      ],
      // V8 (Deno) lets a class after a (?-i:…) group count capitals unless it is told not to.
      [
        "ignores capitals in a class after a (?-i:…) group",
        {
          regexes: ["(?-i:HMS) [a-z]+"],
        },
        "HMS Beagle",
        { kind: "correct" },
      ],
      [
        "ignores capitals in a negated class after a (?-i:…) group",
        {
          regexes: ["(?-i:a)[^b]"],
        },
        "aB",
        { kind: "incorrect" },
      ],
      [
        "ignores capitals in a class in another alternative",
        {
          regexes: ["(?-i:a)x|[b]"],
        },
        "B",
        { kind: "correct" },
      ],
      [
        "counts capitals in a class inside a (?-i:…) group",
        {
          regexes: ["(?-i:[A-Z]+)[a-z]"],
        },
        "ABc",
        { kind: "correct" },
      ],
      [
        "counts capitals in a class inside a (?-i:…) group, for a lower-case guess",
        {
          regexes: ["(?-i:[A-Z]+)[a-z]"],
        },
        "abc",
        { kind: "incorrect" },
      ],
      [
        "ignores capitals in a class in a (?i:…) group inside a (?-i:…) one",
        {
          regexes: ["(?-i:a(?i:[b])[c])"],
        },
        "aBc",
        { kind: "correct" },
      ],
      ["matches a regex against the trimmed guess", { regexes: ["polaris"] }, "  polaris\n", {
        kind: "correct",
      }],
      ["anchors a regex at both ends", { regexes: ["polaris"] }, "xpolarisx", {
        kind: "incorrect",
      }],
      ["anchors every alternative of a regex", { regexes: ["a|b"] }, "ab", { kind: "incorrect" }],
      [
        "matches a regex against the raw guess, not the normalized one",
        {
          regexes: ["polaris"],
        },
        "pol-aris",
        { kind: "incorrect" },
      ],
      ["matches a regex in Unicode mode", { regexes: ["🦉{2}|é+"] }, "ÉÉ", { kind: "correct" }],
      ["counts an emoji as one character in a regex", { regexes: ["🦉{2}"] }, "🦉🦉", {
        kind: "correct",
      }],
      [
        "returns a partial answer's message",
        {
          answers: ["North Star"],
          partials: [{ answer: "North", message: "Which star?" }],
        },
        "north",
        { kind: "partial", message: "Which star?" },
      ],
      [
        "returns the first matching partial's message",
        {
          answers: ["North Star"],
          partials: [
            { answer: "Star", message: "Which star?" },
            { answer: "North", message: "Nearly" },
            { answer: "north!", message: "Never shown" },
          ],
        },
        "NORTH",
        { kind: "partial", message: "Nearly" },
      ],
      [
        "compares exact partials with the trimmed guess",
        {
          answers: ["Polaris"],
          mode: "exact",
          partials: [{ answer: "polaris", message: "Mind the case" }],
        },
        " polaris ",
        { kind: "partial", message: "Mind the case" },
      ],
      [
        "prefers a correct answer to a partial equal to it",
        {
          answers: ["Polaris"],
          partials: [{ answer: "polaris", message: "Shadowed" }],
        },
        "polaris",
        { kind: "correct" },
      ],
    ];
  for (const [name, spec, guess, expected] of cases) {
    test(`check() ${name}`, () => {
      expect(checker(spec).check(guess)).toEqual(expected);
    });
  }

  test("checker.normalize() applies the default normalization", () => {
    expect(checker({ answers: ["x"] }).normalize(" Île de Ré! ")).toBe("ILEDERE");
  });

  test("checker.normalize() trims the guess in exact mode", () => {
    expect(checker({ answers: ["x"], mode: "exact" }).normalize(" Île de Ré! ")).toBe("Île de Ré!");
  });

  // A bad pattern's reason is the runtime's own words: JSC's on Bun, V8's on Deno ("Unterminated
  // group" for "missing )").
  const badPattern = (jsc: string) =>
    "Bun" in globalThis
      ? `Invalid regular expression: ${jsc}`
      : expect.stringMatching(/^Invalid regular expression: \S/) as unknown as string;
  const problemCases: [name: string, spec: Partial<AnswerSpec>, expected: AnswerProblem[]][] = [
    ["reports an invalid regex", { regexes: ["("] }, [
      { field: "answer_regex", index: 0, message: badPattern("missing )") },
    ]],
    ["reports a regex that would escape its anchors", { regexes: ["ok", "a)|(b"] }, [
      {
        field: "answer_regex",
        index: 1,
        message: badPattern("unmatched parentheses"),
      },
    ]],
    ["reports an answer that normalizes to nothing", { answers: ["Polaris", "?!"] }, [
      { field: "answer", index: 1, message: 'Answer "?!" normalizes to nothing' },
    ]],
    ["reports a blank exact answer", { answers: [" \t"], mode: "exact" }, [
      { field: "answer", index: 0, message: 'Answer " \t" is empty once trimmed' },
    ]],
    ["reports a partial that normalizes to nothing", {
      answers: ["Polaris"],
      partials: [{ answer: "...", message: "Hmm" }],
    }, [{ field: "partial", index: 0, message: 'Partial answer "..." normalizes to nothing' }]],
    ["reports every problem at once", {
      answers: ["Polaris", "!!!", "\u200D"],
      regexes: ["(", "polaris", "[z-a]"],
      partials: [{ answer: "North", message: "Nearly" }, { answer: " ", message: "Blank" }],
    }, [
      { field: "answer", index: 1, message: 'Answer "!!!" normalizes to nothing' },
      { field: "answer", index: 2, message: 'Answer "\u200D" normalizes to nothing' },
      { field: "answer_regex", index: 0, message: badPattern("missing )") },
      {
        field: "answer_regex",
        index: 2,
        message: badPattern("range out of order in character class"),
      },
      { field: "partial", index: 1, message: 'Partial answer " " normalizes to nothing' },
    ]],
  ];
  for (const [name, spec, problems] of problemCases) {
    test(`compileAnswers() ${name}`, () => {
      const result = compileAnswers({
        answers: [],
        regexes: [],
        partials: [],
        mode: "default",
        ...spec,
      });
      expect(result).toEqual({ kind: "error", problems });
    });
  }

  test("patternCapitals() tells whether capitals count in what a pattern takes", () => {
    const cases: [string, ReturnType<typeof patternCapitals>][] = [
      ["polaris", "ignored"],
      ["(?:north|south) pole", "ignored"],
      ["(?i:polaris)", "ignored"],
      ["(?-i:flag\\{[a-z]+\\})", "counted"],
      ["(?s-i:a.b)", "counted"],
      ["(?-i:a|b)", "counted"],
      ["(?-i:flag)\\{[a-z]+\\}", "some"],
      ["(?-i:a)|(?-i:b)", "some"],
      ["(?-i:a)+", "some"],
      ["(?-i:a(?i:b))", "some"],
      // An escaped bracket, or one in a class, opens no group.
      ["\\(?-i:a\\)", "ignored"],
      ["[(?-i:]+x", "ignored"],
      ["[\\]](?-i:a)", "some"],
    ];
    for (const [pattern, capitals] of cases) {
      new RegExp(pattern, "u"); // every case is a valid pattern
      expect([pattern, patternCapitals(pattern)]).toEqual([pattern, capitals]);
    }
  });

  test("classesIgnoringCase() puts each class that ignores case in a (?i:…) group", () => {
    const cases: [string, string][] = [
      ["(?-i:a)[b]+", "(?-i:a)(?i:[b])+"],
      ["[a](?-i:[b])", "(?i:[a])(?-i:[b])"],
      ["(?-i:a(?i:[b])[c])", "(?-i:a(?i:(?i:[b]))[c])"],
      ["(?-i:a)\\[x[\\]]", "(?-i:a)\\[x(?i:[\\]])"],
      ["(?s-i:a)(?<n>[b])\\k<n>", "(?s-i:a)(?<n>(?i:[b]))\\k<n>"],
    ];
    for (const [pattern, written] of cases) {
      expect([pattern, classesIgnoringCase(pattern)]).toEqual([pattern, written]);
    }
  });

  test("checker.patternCapitals is its patterns' kind, or some for a mix", () => {
    const cases: [string[], ReturnType<typeof patternCapitals>][] = [
      [[], "ignored"],
      [["a", "b"], "ignored"],
      [["(?-i:a)", "(?-i:b)"], "counted"],
      [["(?-i:a)", "b"], "some"],
      [["(?-i:a)b"], "some"],
    ];
    for (const [regexes, capitals] of cases) {
      expect([regexes, checker({ answers: ["x"], regexes }).patternCapitals]).toEqual([
        regexes,
        capitals,
      ]);
    }
  });

  test("invalidPatternMessage() says a runtime without modifier groups needs a newer one", () => {
    // Node 20's words for a (?-i:…) group: an older Bun or Deno refuses it too.
    const error = new SyntaxError("Invalid regular expression: /(?-i:Ab)/u: Invalid group");
    const newer = "Invalid regular expression: this runtime does not know (?-i:…) and (?i:…) " +
      "groups: run Cairn on the Bun or Deno it pins";
    expect(invalidPatternMessage(error, "(?-i:Ab)", false)).toBe(newer);
    expect(invalidPatternMessage(error, "x(?i:b)", false)).toBe(newer);
    // Any other bad pattern keeps the runtime's words.
    const other = new SyntaxError("Invalid regular expression: missing )");
    const missing = "Invalid regular expression: missing )";
    expect(invalidPatternMessage(other, "(", false)).toBe(missing);
    expect(invalidPatternMessage(other, "\\(?-i:(", false)).toBe(missing);
    // Where the runtime knows them, a bad pattern holding one is bad for another reason.
    expect(invalidPatternMessage(other, "(?-i:a", true)).toBe(missing);
  });

  test("compileAnswers() accepts punctuation-only answers in exact mode", () => {
    expect(checker({ answers: ["?!"], mode: "exact" }).check("?!")).toEqual({ kind: "correct" });
  });
});

import { backtrackRisk, backtrackRisks } from "../../src/engine/backtrack.ts";

describe("backtrackRisk()", () => {
  const cases: [string, "nested" | "overlap" | "chain" | undefined][] = [
    ["(\\w+\\s?)+", "nested"],
    ["(a*)*", "nested"],
    ["(a+){2,}", "nested"],
    ["((ab)+c)+", "nested"],
    ["(?:x+y)+", "nested"],
    // Bounded counts repeat too: (\w+\s?){1,40} takes exponential time on a crafted guess.
    ["(\\w+\\s?){1,40}", "nested"],
    ["(a+){2,5}", "nested"],
    ["(a+){3}", "nested"],
    ["(?<word>\\w+ ?)+", "nested"],
    ["x(y(a+)?)+", "nested"],
    // Alternatives that can start alike, repeated.
    ["(\\w|\\d)+", "overlap"],
    ["(a|ab)*", "overlap"],
    ["(?:[a-z]|x)+", "overlap"],
    ["(.|\\s){2,}", "overlap"],
    ["(s|\u017f)+", "overlap"],
    ["(a?|b)+", "overlap"],
    ["((a)|b)+", "overlap"],
    // Four unbounded repetitions or more in a row that can share a run of one character.
    ["a.*a.*a.*a.*a.*a.*b", "chain"],
    ["a.*a.*a.*a.*b", "chain"],
    ["\\w*\\w*\\w*\\w*\\d", "chain"],
    ["a+a+a+a+b", "chain"],
    ["the .* of .* and .* or .*", "chain"],
    ["the .* of .* and .* or .* but .*", "chain"],
    [".* of .* of .* of .* of .*", "chain"],
    ["x(?:.*y.*y.*y.*z)", "chain"],
    ["^.*\\b.*.*.*$", "chain"],
    [".*(a).*(?:a).*(?<third>a).*b", "chain"],
    // Between the links, a group whose alternatives can match what they share does not break
    // the chain (3.2 s for a guess of 200 letters against the first), nor an optional element.
    [".*(a|b).*(a|b).*(a|b).*(a|b).*c", "chain"],
    [".*(x|y).*(x|y).*(x|y).*(x|y).*c", "chain"],
    [".*(ab|cd).*(ab|cd).*(ab|cd).*(ab|cd).*e", "chain"],
    [".*(?:north|south).*(?:north|south).*(?:north|south).*z", "chain"],
    [".*(a|b)?.*(a|b)?.*(a|b)?.*c", "chain"],
    ["a*b?a*b?a*b?a*b?c", "chain"],
    ["a*(b|)a*(b|)a*(b|)a*c", "chain"],
    [".*(?=a).*(?!b).*(?<=a).*c", "chain"],
    ["(a).*\\1.*\\1.*\\1.*c", "chain"],
    // A bounded repetition is a link for as many counts as it has (a guess of 500 letters took
    // 5.3 s against the first, 0.12 s against the second), and so is a repeated group (0.84 s for
    // 500 letters against (ab)+(ab)+(ab)+(ab)+c, 2.7 s against (a|b)+(a|b)+(a|b)+(a|b)+c); a chain
    // goes on through a group's alternatives (over 60 s against .*(a.*|b).*(a.*|b).*c), and past a
    // repetition of other characters that can match nothing (9.5 s against a*b*a*b*a*b*a*c).
    ["a.{0,200}a.{0,200}a.{0,200}a.{0,200}b", "chain"],
    ["a.{0,100}a.{0,100}a.{0,100}a.{0,100}b", "chain"],
    ["a.{0,10}".repeat(8) + "b", "chain"],
    ["a.*a.*a.*a.{0,19}b", "chain"],
    ["a{0,3}".repeat(60) + "b", "chain"],
    ["(ab)+(ab)+(ab)+(ab)+c", "chain"],
    ["(?:ab)*(?:ab)*(?:ab)*(?:ab)*(?:ab)*c", "chain"],
    ["(a|b)+(a|b)+(a|b)+(a|b)+c", "chain"],
    ["(north|south){1,200}(north|south){1,200}(north|south){1,200}(north|south){1,200}", "chain"],
    [".*(a.*|b).*(a.*|b).*c", "chain"],
    ["(x.*|y)(x.*|y)(x.*|y)(x.*|y)z", "chain"],
    ["a*b*a*b*a*b*a*c", "chain"],
    ["a*.*b*b*b*c", "chain"],
    // Chains one after the other multiply: each split of one tries every split of the next (21 s on
    // Bun for 499 characters of "aaa…-aaa…-aaa…-aaa…" against the second, 0.4 s for 160 of "aaa…bbb…"
    // against the first). Two are fine: `a*a*b*b*c` took 17 ms for 499, as `a.*a.*a.*b` 23 ms.
    ["a*a*a*b*b*b*c", "chain"],
    ["[a-z]*[a-z]*-[a-z]*[a-z]*-[a-z]*[a-z]*-[a-z]*[a-z]*!", "chain"],
    ["a*a*-a*a*-a*a*!", "chain"],
    ["a*a*b*b*c", undefined],
    ["a*a*-a*a*!", undefined],
    // A lookaround is tried from each place the repetitions before it reach, and theirs go on in it
    // (0.7 s on Bun for 300 letters and a line break against the first).
    [".*(?=.*.*.*x).*", "chain"],
    ["a*(?=a*a*a*b)a*c", "chain"],
    [".*(?<=x.*.*.*).*", "chain"],
    [".*(?=.*.*x).*", undefined],
    ["^(?=.*\\d)(?=.*[a-z]).{8,}$", undefined],
    // Alternatives that can begin with the same character are each tried, so their ways add up
    // (0.4 s on Bun for 500 letters against the first, 0.19 s against the second); of those that
    // begin differently only one goes on.
    [
      "a.*a.*a.*b|a.*a.*a.*c|a.*a.*a.*d|a.*a.*a.*e|a.*a.*a.*f|a.*a.*a.*g|a.*a.*a.*h|a.*a.*a.*i|a.*a.*a.*j|a.*a.*a.*k|a.*a.*a.*l|a.*a.*a.*m|a.*a.*a.*n|a.*a.*a.*o|a.*a.*a.*p|a.*a.*a.*q",
      "chain",
    ],
    [
      "(?:a.*a.*a.*b|a.*a.*a.*c|a.*a.*a.*d|a.*a.*a.*e|a.*a.*a.*f|a.*a.*a.*g|a.*a.*a.*h|a.*a.*a.*i)",
      "chain",
    ],
    [".*(?:.*.*b|.*.*c|.*.*d|.*.*e|.*.*f|.*.*g|.*.*h|.*.*i)", "chain"],
    ["a.*a.*a.*b|a.*a.*a.*c", undefined],
    // A backreference reads as many characters as its group took, each time it is tried: it costs as
    // much as a repetition (1 s on Bun for 500 letters against the first, 0.13 s against the second).
    ["(.*)(.*)(.*)\\1\\2\\3x", "chain"],
    ["(a*)(a*)\\2\\1(a*)\\3!", "chain"],
    ["(\\w+) (\\w+) \\1 \\2", undefined],
    ["(['\"]).*\\1", undefined],
    ["(ab)+.*b.*b.*c", "chain"],
    // A word between links that can be found again at every character or every other one cuts
    // few splits (capitals do not count: `aA` is `aa`, and `\u017f` is `s`)...
    [".* .* .* .* x", "chain"],
    [".*aa.*aa.*aa.*aa.*b", "chain"],
    [".*aA.*aA.*aA.*aA.*b", "chain"],
    [".*\u017fs.*\u017fs.*\u017fs.*\u017fs.*b", "chain"],
    [".*ab.*ab.*ab.*ab.*c", "chain"],
    [".*\bof\b.*\bof\b.*\bof\b.*\bof\b.*", "chain"],
    // ...nor is one credited after a bounded repetition, or in a group of alternatives.
    [".{0,200} of .{0,200} of .{0,200} of .{0,200}x", "chain"],
    [".* (of) .* (of) .* (of) .* (of) .*", "chain"],
    [".*(of|fo).*(of|fo).*(of|fo).*(of|fo).*x", "chain"],
    // ...nor after a repeated group, whose counts can each take several characters.
    ["(?:..)* north (?:..)* north (?:..)* north (?:..)*", "chain"],
    // Words that can start again at most every 3 or 4 characters (` of `, ` and `) cut the splits
    // of four unbounded ones, but not enough: 500 characters of " of of …" and " and and …" took
    // 137 ms on Deno against the first, " and and …" 87 ms against the second.
    [".* of .* of .* and .*", "chain"],
    [".* and .* and .* and .*", "chain"],
    ["the .* of .* and .* [a-z]{1,20}", "chain"],
    // The worst guesses found for these (blocks of each word, sharing their spaces) took at most
    // 29 ms on Bun and 33 ms on Deno. With `[a-z]{1,20}` the first is refused: its worst guess
    // found took 4 ms, but its count allows more.
    ["the .* of .* and .* [a-z]{1,5}", undefined],
    [".* north .* south .* east .* west", undefined],
    [".* street .* avenue .* road .*", undefined],
    // The same word at its densest (" north north …") comes nearest to its count: 26 ms on Bun,
    // 18 ms on Deno.
    [".* north .* north .* north .*", undefined],
    // Three, or a chain that something between its links breaks, is safe.
    ["a.*a.*a.*b", undefined],
    ["the .* of .* and .*", undefined],
    ["[a-z]+-[a-z]+-[a-z]+-[a-z]+", undefined],
    ["\\d+\\s\\d+\\s\\d+\\s\\d+", undefined],
    ["a*(b)a*(b)a*(b)a*", undefined],
    ["a*(b|c)a*(b|c)a*(b|c)a*", undefined],
    ["a*(ab|cd)a*(ab|cd)a*(ab|cd)a*c", undefined],
    ["[^ab]*(a|b)[^ab]*(a|b)[^ab]*(a|b)[^ab]*(a|b).*c", undefined],
    ["(north|south) .* (east|west) .* (up|down) .*", undefined],
    // Bounded repetitions with few counts, or few of them, are safe, as groups that repeat
    // something else are.
    ["a.{0,20}a.{0,20}a.{0,20}a.{0,20}b", undefined],
    ["a.{0,99}a.{0,99}a.{0,99}a.{0,99}b", undefined],
    ["a.*a.*a.*a{0,3}b", undefined],
    ["a[^a]{0,200}a[^a]{0,200}a[^a]{0,200}a[^a]{0,200}b", undefined],
    ["flag\\{[a-z0-9_]{10,40}\\}", undefined],
    ["\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}", undefined],
    ["(ab)+(ab)+(ab)+c", undefined],
    ["(ab){4,}c", undefined],
    ["(ab)+(cd)+(ab)+(cd)+e", undefined],
    ["(ab)+(cb)+(ab)+(cb)+d", undefined],
    ["(north|south)+(east|west)+(north|south)+(east|west)+", undefined],
    [".*(a.*|b).*", undefined],
    [".*(a|b|c|d|e).*(a|b|c|d|e).*", undefined],
    // Safe shapes.
    ["north\\s*star", undefined],
    ["(north|south) star", undefined],
    ["(ab)+", undefined],
    ["(a|b)+", undefined],
    ["(?:north|south|east|west)+", undefined],
    ["(a|)+", undefined],
    ["[(a+)]+", undefined],
    ["\\(a+\\)+", undefined],
    ["(a+)?", undefined],
    ["(a+){1}", undefined],
    ["(a+)(b+)", undefined],
    ["polaris|north star", undefined],
    ["\\p{L}+ (\\d|x)+", undefined],
    ["(\\u{1F600}|\\u0041)+", undefined],
    ["(\\1|a)+", "overlap"],
    // In a (?-i:…) group capitals count: A and a are different characters there, so these
    // alternatives begin differently and these repetitions share nothing.
    ["(?-i:(A|a)+)", undefined],
    ["(?-i:(?:A|[a-z])+)", undefined],
    ["(?-i:(?:\u{17F}|s)+)", undefined],
    ["(?-i:A*a*A*a*)b", undefined],
    ["(?-i:[A-Z]+[a-z]+[A-Z]+[a-z]+)", undefined],
    // ...but not outside it, nor in a (?i:…) group within it.
    ["((?-i:A)|a)+", "overlap"],
    ["(?-i:(a|a)+)", "overlap"],
    ["(?-i:(?i:(A|a)+))", "overlap"],
    ["(?-i:x)(A|a)+", "overlap"],
    ["(?-i:A*)a*A*a*b", "chain"],
    ["[A-Z]+[a-z]+[A-Z]+[a-z]+", "chain"],
    // In a (?s:…) group `.` matches a line break too.
    ["(?s:(.|\\n)+)", "overlap"],
    ["(?s-i:(.|\\n)+)", "overlap"],
    ["(.|\\n)+", undefined],
    // Alternatives that overlap only on characters outside the fixed sample (printable ASCII and a
    // few others): the pattern's own characters are tried too. On Bun (ä|ä)+ took 0.8 s to refuse
    // 24 ä and a "!", and ä+ä+ä+ä+b 7.7 s to refuse 500.
    ["(ä|ä)+", "overlap"],
    ["(à|[à-ÿ])+", "overlap"],
    ["(ю|[а-я])+", "overlap"],
    ["(?-i:(ю|[а-я])+)", "overlap"],
    ["(ł|Ł)+", "overlap"],
    ["(\\u0101|\\u0100)+", "overlap"],
    ["(\\u{101}|\\xe0|\\u0100)+", "overlap"],
    ["(\\p{L}|\\u00e0)+", "overlap"],
    ["(ä|.)+", "overlap"],
    ["(?-i:(\\p{Lu}|\\p{Script=Cyrillic})+)", "overlap"],
    ["(\\s|\\u3000)+", "overlap"],
    ["ä+ä+ä+ä+b", "chain"],
    // A group that can take nothing is tried with and without what it takes, as `a?` is: such
    // groups in a row double the ways each (on Bun, 26 of `(?:a)?` took 0.17 s to refuse 25 a,
    // 8 of `(?:a.{0,9})?` 0.44 s to refuse 100).
    ["(?:a)?".repeat(30) + "b", "chain"],
    ["(?:a|)".repeat(30) + "b", "chain"],
    ["(a)?".repeat(30) + "b", "chain"],
    ["(?:a.{0,9})?".repeat(8) + "b", "chain"],
    [".*(?:x)?(?:x)?(?:x)?.*(?:x)?(?:x)?(?:x)?.*y", "chain"],
    ["(?:a)?".repeat(20) + "b", undefined],
    [".*(?:x)?.*(?:x)?.*y", undefined],
    ["(?:a.*)?(?:a.*)?(?:a.*)?b", undefined],
    // ...and where capitals count, a small and a capital letter still begin differently.
    ["(?-i:(ł|Ł)+)", undefined],
    ["(?-i:(k|\\u212A)+)", undefined],
    ["(ä|ö)+", undefined],
  ];
  for (const [pattern, risk] of cases) {
    test(`${pattern}: ${risk ?? "safe"}`, () => {
      new RegExp(pattern, "u"); // every case is a valid pattern
      expect(backtrackRisk(pattern)).toBe(risk);
    });
  }

  test("a pattern whose capitals count in a (?-i:…) group is accepted when its alternatives differ only in case", () => {
    const compiled = checker({ regexes: ["(?-i:flag\\{(A|a|B|b)+\\})"] });
    expect(compiled.check("flag{AbBa}")).toEqual({ kind: "correct" });
    expect(compiled.check("FLAG{AbBa}")).toEqual({ kind: "incorrect" });
  });

  test("a chain of four repetitions is refused: a guess of 200 characters stalled the server for minutes", () => {
    const compiled = compileAnswers({
      answers: [],
      regexes: ["a.*a.*a.*a.*a.*a.*b"],
      partials: [],
      mode: "default",
    });
    expect(compiled.kind === "error" && compiled.problems.map((p) => p.message)).toEqual([
      "This pattern has repetitions in a row that can match the same characters and together can split a guess in too many ways, like a.*a.*a.*a.*b, a.{0,200}a.{0,200}a.{0,200}a.{0,200}b or (ab)+(ab)+(ab)+(ab)+c: one crafted guess could stall the server. Use fewer or smaller ones, such as a.*b or a.{0,20}, one repetition for several of the same, such as (ab){4,} for (ab)+(ab)+(ab)+(ab)+, make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b), or split the answer into several patterns",
    ]);
  });

  test("a chain through groups of alternatives is refused, and the rewrite its message suggests matches the same guesses", () => {
    const pattern = ".*(a|b).*(a|b).*(a|b).*(a|b).*c";
    const compiled = compileAnswers({
      answers: [],
      regexes: [pattern],
      partials: [],
      mode: "default",
    });
    expect(compiled.kind === "error" && compiled.problems.map((p) => p.message)).toEqual([
      "This pattern has repetitions in a row that can match the same characters and together can split a guess in too many ways, like a.*a.*a.*a.*b, a.{0,200}a.{0,200}a.{0,200}a.{0,200}b or (ab)+(ab)+(ab)+(ab)+c: one crafted guess could stall the server. Use fewer or smaller ones, such as a.*b or a.{0,20}, one repetition for several of the same, such as (ab){4,} for (ab)+(ab)+(ab)+(ab)+, make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b), or split the answer into several patterns",
    ]);
    const rewrite = "[^ab]*(a|b)[^ab]*(a|b)[^ab]*(a|b)[^ab]*(a|b).*c";
    expect(backtrackRisk(rewrite)).toBeUndefined();
    const risky = new RegExp(`^(?:${pattern})$`, "iu");
    const safe = new RegExp(`^(?:${rewrite})$`, "iu");
    for (const guess of ["abbac", "xaxbxaxbxc", "ABABC", "abac", "aaaa", "aaaacc", "baaaa c", ""]) {
      expect(safe.test(guess)).toBe(risky.test(guess));
    }
  });

  test("a chain of repeated groups is refused, and the rewrite its message suggests matches the same guesses", () => {
    const pattern = "(ab)+(ab)+(ab)+(ab)+c";
    const compiled = compileAnswers({
      answers: [],
      regexes: [pattern, "a.{0,200}a.{0,200}a.{0,200}a.{0,200}b"],
      partials: [],
      mode: "default",
    });
    const message =
      "This pattern has repetitions in a row that can match the same characters and together can split a guess in too many ways, like a.*a.*a.*a.*b, a.{0,200}a.{0,200}a.{0,200}a.{0,200}b or (ab)+(ab)+(ab)+(ab)+c: one crafted guess could stall the server. Use fewer or smaller ones, such as a.*b or a.{0,20}, one repetition for several of the same, such as (ab){4,} for (ab)+(ab)+(ab)+(ab)+, make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b), or split the answer into several patterns";
    expect(compiled.kind === "error" && compiled.problems).toEqual([
      { field: "answer_regex", index: 0, message },
      { field: "answer_regex", index: 1, message },
    ]);
    const rewrite = "(ab){4,}c";
    expect(backtrackRisk(rewrite)).toBeUndefined();
    expect(backtrackRisk("a.{0,20}a.{0,20}a.{0,20}a.{0,20}b")).toBeUndefined();
    const risky = new RegExp(`^(?:${pattern})$`, "iu");
    const safe = new RegExp(`^(?:${rewrite})$`, "iu");
    for (const guess of ["ababababc", "abababc", "ABABABABABC", "ababababab", "abababa bc", ""]) {
      expect(safe.test(guess)).toBe(risky.test(guess));
    }
  });

  test("a puzzle's patterns add up: those fine alone that take the sum over are refused", () => {
    // 6 such patterns took 0.85 s on Bun for 500 letters, tried one after the other; one 0.12 s.
    const near = ["b", "c", "d", "e", "f", "g"].map((end) => `a.*a.*a.*a{0,3}${end}`);
    expect(near.map(backtrackRisk)).toEqual(near.map(() => undefined));
    expect(backtrackRisks(near)).toEqual([undefined, "sum", "sum", "sum", "sum", "sum"]);
    // Four of three `.*` are fine, as their 84 million ways; the fifth takes the sum over.
    const three = ["b", "c", "d", "e", "f"].map((end) => `a.*a.*a.*${end}`);
    expect(backtrackRisks(three)).toEqual([undefined, undefined, undefined, undefined, "sum"]);
    // Patterns that begin differently are not both tried past their first character.
    const apart = ["b", "c", "d", "e", "f", "g"].map((start) => `${start}.*a.*a.*x`);
    expect(backtrackRisks(apart)).toEqual(apart.map(() => undefined));
    // A pattern refused alone, or one that does not compile, counts for none of the others.
    const mixed = ["a.*a.*a.*a{0,3}b", "(", "a.*a.*a.*a.*a.*b", "polaris", "a.*a.*a.*a{0,3}c"];
    expect(backtrackRisks(mixed)).toEqual([undefined, undefined, "chain", undefined, "sum"]);
    const compiled = compileAnswers({ answers: [], regexes: near, partials: [], mode: "default" });
    const message =
      "This pattern is fine alone, but a guess is tried against each answer_regex pattern in turn, and with the patterns before it the sum of their repetitions can split a guess in too many ways, as a.*a.*a.*a.*b would: one crafted guess could stall the server. Use fewer patterns, or fewer or smaller repetitions in them, such as a.*b or a.{0,20}, or make each stop where the next part starts, such as [^ab]*(a|b) for .*(a|b)";
    expect(compiled.kind === "error" && compiled.problems).toEqual(
      [1, 2, 3, 4, 5].map((index) => ({ field: "answer_regex", index, message })),
    );
    // Many ordinary patterns stay fine together.
    const ordinary = Array.from({ length: 50 }, (_, i) => `flag\\{.*${i}\\}|the .* of .* ${i}`);
    expect(backtrackRisks(ordinary)).toEqual(ordinary.map(() => undefined));
  });

  test("the rewrite its message suggests matches the same guesses and is accepted", () => {
    const risky = /^(?:(\w|\d)+)$/u;
    const safe = /^(?:[\w\d]+)$/u;
    for (const guess of ["abc123", "north_star", "12", "no spaces!", ""]) {
      expect(safe.test(guess)).toBe(risky.test(guess));
    }
    expect(backtrackRisk("[\\w\\d]+")).toBeUndefined();
  });
});
