import { describe, expect, test } from "bun:test";
import { caret, type Node, parse } from "../../src/rules/mod.ts";

/** Prints a tree back with full parentheses, to make precedence visible. */
function show(node: Node): string {
  switch (node.kind) {
    case "int":
      return String(node.value);
    case "string":
      return JSON.stringify(node.value);
    case "bool":
      return String(node.value);
    case "not":
      return `(not ${show(node.operand)})`;
    case "negate":
      return `(-${show(node.operand)})`;
    case "logic":
    case "compare":
    case "arith":
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
    case "call":
      return `${node.name}(${node.args.map(show).join(", ")})`;
  }
}

describe("parse()", () => {
  const precedence: [string, string][] = [
    [
      'solved("a") or solved("b") and solved("c")',
      '(solved("a") or (solved("b") and solved("c")))',
    ],
    ['not solved("a") and solved("b")', '((not solved("a")) and solved("b"))'],
    ["solves() + 1 >= 2 - -1", "((solves() + 1) >= (2 - (-1)))"],
    ["1 - 2 - 3 == 0", "(((1 - 2) - 3) == 0)"],
    ['(solved("a") or solved("b")) and true', '((solved("a") or solved("b")) and true)'],
    ["not not false", "(not (not false))"],
    [`solved('single') or solved("dou\\"ble")`, '(solved("single") or solved("dou\\"ble"))'],
    ["  score()\n  >= 10  ", "(score() >= 10)"],
  ];
  for (const [source, tree] of precedence) {
    test(`parses ${JSON.stringify(source)}`, () => {
      const result = parse(source);
      expect(result.kind).toBe("ok");
      if (result.kind === "ok") expect(show(result.ast)).toBe(tree);
    });
  }

  test("keeps the source span of every node", () => {
    const result = parse('solves_in_round("harbor") >= 2');
    if (result.kind !== "ok" || result.ast.kind !== "compare") {
      throw new Error("expected a comparison");
    }
    expect(result.ast.span).toEqual({ start: 0, end: 30 });
    expect(result.ast.left.span).toEqual({ start: 0, end: 25 });
    expect(result.ast.right.span).toEqual({ start: 29, end: 30 });
  });

  const errors: [string, string, string][] = [
    ["", "The rule is empty", "\n^"],
    ["   ", "The rule is empty", "   \n^"],
    ['solved("a"', 'Expected "," or ")", found the end of the rule', 'solved("a"\n          ^'],
    ['solved("a"))', 'Unexpected ")" without a matching "("', 'solved("a"))\n           ^'],
    [
      'solved("a") && solved("b")',
      'Unexpected "&&": write "and"',
      'solved("a") && solved("b")\n            ^^',
    ],
    ['solved("a") || true', 'Unexpected "||": write "or"', 'solved("a") || true\n            ^^'],
    ['!solved("a")', 'Unexpected "!": write "not"', '!solved("a")\n^'],
    ["solves() = 2", 'Unexpected "=": write "=="', "solves() = 2\n         ^"],
    [
      'solves() >= 2 AND solved("a")',
      'Unexpected "AND": write "and" (keywords are lowercase)',
      'solves() >= 2 AND solved("a")\n              ^^^',
    ],
    [
      'Not solved("a")',
      'Unexpected "Not": write "not" (keywords are lowercase)',
      'Not solved("a")\n^^^',
    ],
    [
      'solved("a") == TRUE',
      'Unexpected "TRUE": write "true" (keywords are lowercase)',
      'solved("a") == TRUE\n               ^^^^',
    ],
    [
      "solved(\u201Cp0\u201D)",
      'Unexpected character "\u201C": use straight quotes " or \'',
      "solved(\u201Cp0\u201D)\n       ^",
    ],
    [
      "1 < solves() < 3",
      'Comparisons cannot be chained: join them with "and"',
      "1 < solves() < 3\n             ^",
    ],
    ['solved("a', "Unterminated string", 'solved("a\n       ^^'],
    [
      "solves >= 1",
      '"solves" is not a value: to call a function, write solves(…)',
      "solves >= 1\n^^^^^^",
    ],
    [
      "solves() >=",
      'Expected a value, a function call or "(", found the end of the rule',
      "solves() >=\n           ^",
    ],
    [
      "solves() 3",
      'Expected "and", "or" or the end of the rule, found "3"',
      "solves() 3\n         ^",
    ],
    ["3abc", 'Unexpected "a" after a number', "3abc\n ^"],
    [
      "solves() >= 1 # comment",
      'Unexpected character "#"',
      "solves() >= 1 # comment\n              ^",
    ],
    [
      "99999999999999999999 > 1",
      "This number is too large",
      "99999999999999999999 > 1\n^^^^^^^^^^^^^^^^^^^^",
    ],
  ];
  for (const [source, message, pointed] of errors) {
    test(`reports ${JSON.stringify(message)} for ${JSON.stringify(source)}`, () => {
      const result = parse(source);
      expect(result.kind).toBe("error");
      if (result.kind === "error") {
        expect(result.error.message).toBe(message);
        expect(caret(source, result.error.span)).toBe(pointed);
      }
    });
  }
});

test("caret() points into the right line of a multi-line rule", () => {
  const source = 'solved("a")\n  and solves_in_round("x") >= 1';
  expect(caret(source, { start: 34, end: 37 })).toBe(
    '  and solves_in_round("x") >= 1\n                      ^^^',
  );
});

describe("parse() of very large rules", () => {
  const error = (source: string) => {
    const result = parse(source);
    return result.kind === "error" ? result.error.message : "ok";
  };

  test("takes 64 levels of nesting and 1,000 operators", () => {
    expect(error("(".repeat(63) + "true" + ")".repeat(63))).toBe("ok");
    expect(error("not ".repeat(64) + "true")).toBe("ok");
    expect(error("- ".repeat(64) + "1 < 0")).toBe("ok");
    expect(error(Array(1001).fill('solved("a")').join(" or "))).toBe("ok");
  });

  test("refuses more with a message, never a stack overflow, however deep", () => {
    for (const n of [65, 20_000]) {
      expect(error("(".repeat(n) + "true" + ")".repeat(n))).toMatch(
        /^The rule nests more than 64 levels deep here/,
      );
      expect(error("not ".repeat(n) + "true")).toMatch(/^The rule nests more than 64 levels/);
      expect(error("f(".repeat(n) + ")".repeat(n))).toMatch(/^The rule nests more than 64/);
    }
    for (const n of [1002, 20_000]) {
      expect(error(Array(n).fill("true").join(" and "))).toMatch(
        /^The rule joins more than 1,000 operators/,
      );
      expect(error("1" + " + 1".repeat(n) + " > 0")).toMatch(/^The rule joins more than 1,000/);
    }
  });
});
