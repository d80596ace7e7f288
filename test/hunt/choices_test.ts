import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";

const problemsOf = (toml: string) =>
  loadHunt(`${HEAD}${toml}`, { file: "c.toml" }).problems.map((p) => ({
    severity: p.severity,
    message: p.message,
    puzzle: p.puzzle,
    field: p.field,
    line: p.line,
  }));

const HEAD = `[hunt]\ntitle = "C"\nseed = "s"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\n`;
const STRICT = `guess_limit = { count = 1, per = "hunt" }\n`;
const NO_LIMIT =
  'A team can try every choice: without a guess_limit it has 10 wrong guesses a minute. Set e.g. guess_limit = { count = 1, per = "hunt" }';

describe("loadHunt() choices", () => {
  test("keeps the choices in file order, trimmed, on the puzzle's answers", () => {
    const { hunt, problems } = loadHunt(
      `${HEAD}choices = ["Red", " Green ", "Blue"]\nanswer = "blue"\n${STRICT}`,
      { file: "c.toml" },
    );
    expect(problems).toEqual([]);
    const answers = hunt!.puzzles[0]!.answers;
    expect(answers.spec.choices).toEqual(["Red", "Green", "Blue"]);
    expect(answers.check("Blue").kind).toBe("correct");
    expect(answers.check("Red").kind).toBe("incorrect");
    expect([answers.isChoice("green"), answers.isChoice("Purple")]).toEqual([true, false]);
  });

  test("a puzzle answered in words has no choices, and its spec has no choices key", () => {
    const { hunt } = loadHunt(`${HEAD}answer = "x"\n`, { file: "c.toml" });
    expect("choices" in hunt!.puzzles[0]!.answers.spec).toBe(false);
    expect(hunt!.puzzles[0]!.answers.isChoice("x")).toBe(false);
  });

  test("a variant plays the puzzle's choices, or gives its own", () => {
    const { hunt, problems } = loadHunt(
      `${HEAD}choices = ["Red", "Green", "Blue"]\nanswer = "red"\n${STRICT}\n` +
        `[[puzzle.variant]]\n\n[[puzzle.variant]]\nanswer = "Green"\n\n` +
        `[[puzzle.variant]]\nchoices = ["North", "South"]\nanswer = "south"\n`,
      { file: "c.toml" },
    );
    expect(problems).toEqual([]);
    const variants = hunt!.puzzles[0]!.variants!;
    expect(variants.map((v) => v.answers.spec.choices)).toEqual([
      ["Red", "Green", "Blue"],
      ["Red", "Green", "Blue"],
      ["North", "South"],
    ]);
    expect(variants.map((v) => v.answers.check("Green").kind)).toEqual([
      "incorrect",
      "correct",
      "incorrect",
    ]);
  });

  const cases: [string, string, ReturnType<typeof problemsOf>][] = [
    [
      "one choice",
      `choices = ["Red"]\nanswer = "red"\n${STRICT}`,
      [{
        severity: "error",
        message: 'Expected at least 2 choices, e.g. choices = ["Red", "Green"]',
        puzzle: "p",
        field: "choices",
        line: 8,
      }],
    ],
    [
      "27 choices",
      `choices = [${
        Array.from({ length: 27 }, (_, i) => `"c${i}"`).join(", ")
      }]\nanswer = "c1"\n${STRICT}`,
      [{
        severity: "error",
        message:
          "Expected at most 26 choices: keep the likely ones, or remove choices to take typed answers",
        puzzle: "p",
        field: "choices",
        line: 8,
      }],
    ],
    [
      "a choice that is not text",
      `choices = "Red"\nanswer = "red"\n${STRICT}`,
      [{
        severity: "error",
        message: 'Expected a list of choices, e.g. choices = ["Red", "Green", "Blue"]',
        puzzle: "p",
        field: "choices",
        line: 8,
      }],
    ],
    [
      "an empty choice",
      `choices = ["Red", "  "]\nanswer = "red"\n${STRICT}`,
      [{
        severity: "error",
        message: "A choice is empty: write its text, or remove it",
        puzzle: "p",
        field: "choices[1]",
        line: 8,
      }],
    ],
    [
      "a choice longer than a guess",
      `choices = ["${"é".repeat(501)}", "Blue"]\nanswer = "blue"\n${STRICT}`,
      [{
        severity: "error",
        message: "A choice is at most 500 characters, as a guess is: shorten it",
        puzzle: "p",
        field: "choices[0]",
        line: 8,
      }],
    ],
    [
      "a choice of punctuation alone",
      `choices = ["Red", "?"]\nanswer = "red"\n${STRICT}`,
      [{
        severity: "error",
        message:
          'Choice "?" normalizes to nothing: give it letters or digits, or set normalize = "exact"',
        puzzle: "p",
        field: "choices[1]",
        line: 8,
      }],
    ],
    [
      "two choices equal once normalized",
      `choices = ["Red", "R.E.D."]\nanswer = "red"\n${STRICT}`,
      [{
        severity: "error",
        message:
          'Choices "Red" and "R.E.D." are the same once capitals, spaces and punctuation are dropped, so a team could not tell them apart: reword one, or set normalize = "exact" to compare them as written',
        puzzle: "p",
        field: "choices[1]",
        line: 8,
      }],
    ],
    [
      "an answer that is not a choice",
      `choices = ["Red", "Blue"]\nanswer = ["red", "purple"]\n${STRICT}`,
      [{
        severity: "error",
        message:
          'Answer "purple" is not one of the choices: write it as one of them ("Red", "Blue"), or add it to choices',
        puzzle: "p",
        field: "answer[1]",
        line: 9,
      }],
    ],
    [
      "choices without an answer",
      `choices = ["Red", "Blue"]\n${STRICT}`,
      [{
        severity: "error",
        message: 'A puzzle with choices needs an "answer", the right choice: e.g. answer = "Red"',
        puzzle: "p",
        field: undefined,
        line: 5,
      }],
    ],
    [
      "choices with answer_regex",
      `choices = ["Red", "Blue"]\nanswer = "red"\nanswer_regex = "r.d"\n${STRICT}`,
      [{
        severity: "error",
        message:
          'A puzzle with choices takes no answer_regex: name the right choice in answer, e.g. answer = "Red"',
        puzzle: "p",
        field: "answer_regex",
        line: 10,
      }],
    ],
    [
      "choices with a partial answer",
      `choices = ["Red", "Blue"]\nanswer = "red"\npartial = [{ answer = "Blue", message = "Close" }]\n${STRICT}`,
      [{
        severity: "error",
        message:
          "A puzzle with choices takes no partial answers: a choice is right or wrong. Remove partial",
        puzzle: "p",
        field: "partial",
        line: 10,
      }],
    ],
    [
      "a mission with choices",
      `choices = ["Red", "Blue"]\nsubmit = "photo"\n`,
      [{
        severity: "error",
        message:
          'A mission (submit = "photo") takes no choices: remove choices, or remove submit to make it a multiple-choice puzzle',
        puzzle: "p",
        field: "choices",
        line: 8,
      }],
    ],
    [
      "a variant without choices beside one with",
      `answer = "red"\n\n[[puzzle.variant]]\nchoices = ["Red", "Blue"]\n\n[[puzzle.variant]]\nanswer = "x"\n`,
      [{
        severity: "error",
        message:
          "Variant 2 has no choices while the puzzle's other variants do: give every variant its choices, or give the puzzle choices for all",
        puzzle: "p",
        field: "variant[1]",
        line: 13,
      }, {
        severity: "warning",
        message: NO_LIMIT,
        puzzle: "p",
        field: undefined,
        line: 5,
      }],
    ],
    [
      "a variant whose answer is not among the puzzle's choices, and one with equal choices",
      `choices = ["Red", "Blue"]\nanswer = "red"\n${STRICT}\n[[puzzle.variant]]\nanswer = "Green"\n\n` +
      `[[puzzle.variant]]\nchoices = ["A", "a"]\nanswer = "a"\nanswer_regex = "a"\n`,
      [{
        severity: "error",
        message:
          'A puzzle with choices takes no answer_regex: name the right choice in answer, e.g. answer = "A"',
        puzzle: "p",
        field: "variant[1].answer_regex",
        line: 18,
      }, {
        severity: "error",
        message:
          'Answer "Green" is not one of the choices: write it as one of them ("Red", "Blue"), or add it to choices',
        puzzle: "p",
        field: "variant[0].answer",
        line: 13,
      }, {
        severity: "error",
        message:
          'Choices "A" and "a" are the same once capitals, spaces and punctuation are dropped, so a team could not tell them apart: reword one, or set normalize = "exact" to compare them as written',
        puzzle: "p",
        field: "variant[1].choices[1]",
        line: 16,
      }],
    ],
    [
      "no guess_limit (a warning)",
      `choices = ["Red", "Blue", "Green"]\nanswer = "red"\n`,
      [{ severity: "warning", message: NO_LIMIT, puzzle: "p", field: "choices", line: 8 }],
    ],
    [
      "a guess_limit with as many wrong guesses as wrong choices (a warning)",
      `choices = ["Red", "Blue", "Green"]\nanswer = "red"\nguess_limit = { count = 2, per = "10m" }\n`,
      [{
        severity: "warning",
        message:
          'A team can try every choice: guess_limit allows 2 wrong guesses per "10m", and 2 of the choices are wrong. Set e.g. guess_limit = { count = 1, per = "hunt" }',
        puzzle: "p",
        field: "guess_limit",
        line: 10,
      }],
    ],
    [
      "a per-hunt cap as large as the wrong choices, two of four right (a warning)",
      `choices = ["A", "B", "C", "D"]\nanswer = ["a", "b"]\nguess_limit = { count = 2, per = "hunt" }\n`,
      [{
        severity: "warning",
        message:
          'A team can try every choice: guess_limit allows 2 wrong guesses in the hunt, and 2 of the choices are wrong. Set e.g. guess_limit = { count = 1, per = "hunt" }',
        puzzle: "p",
        field: "guess_limit",
        line: 10,
      }],
    ],
    [
      "variants that each give their choices and answer, on a puzzle with neither",
      `${STRICT}\n[[puzzle.variant]]\nchoices = ["A", "B", "C"]\nanswer = "a"\n\n` +
      `[[puzzle.variant]]\nchoices = ["X", "Y", "Z"]\nanswer = "z"\n`,
      [],
    ],
    [
      "fewer wrong guesses than wrong choices",
      `choices = ["A", "B", "C"]\nanswer = "a"\n${STRICT}`,
      [],
    ],
    [
      "a true-or-false question with the strictest limit",
      `choices = ["Yes", "No"]\nanswer = "no"\n${STRICT}`,
      [],
    ],
    [
      'normalize = "exact" tells choices apart by capitals',
      `choices = ["Red", "red"]\nanswer = "red"\nnormalize = "exact"\n${STRICT}`,
      [],
    ],
  ];
  for (const [name, toml, expected] of cases) {
    test(`${name}`, () => {
      expect(problemsOf(toml)).toEqual(expected);
    });
  }
});
