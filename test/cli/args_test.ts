import { describe, expect, test } from "bun:test";
import { type CommandSpec, formatHelp, parseCommand } from "../../src/cli/_args.ts";

const spec: CommandSpec = {
  name: "demo",
  summary: "A demo command.",
  usage: "cairn demo [--db FILE] [--verbose] NAME",
  options: {
    db: { type: "string", value: "FILE", env: "CAIRN_DB", default: "./a.db", help: "Database" },
    level: { type: "string", env: "CAIRN_LEVEL", choices: ["low", "high"], help: "Level" },
    verbose: { type: "boolean", env: "CAIRN_VERBOSE", help: "Talk more" },
  },
  positionals: { min: 1, max: 1, names: "NAME" },
};

describe("parseCommand()", () => {
  const cases: [string, string[], Record<string, string>, unknown][] = [
    ["uses the default", ["x"], {}, { db: "./a.db", level: undefined, verbose: undefined }],
    ["reads the environment", ["x"], { CAIRN_DB: "env.db" }, { db: "env.db" }],
    ["lets the flag win over the environment", ["x", "--db", "flag.db"], { CAIRN_DB: "env.db" }, {
      db: "flag.db",
    }],
    ["ignores an empty variable", ["x"], { CAIRN_DB: "" }, { db: "./a.db" }],
    ["reads a boolean variable", ["x"], { CAIRN_VERBOSE: "true" }, { verbose: true }],
    ["reads a boolean flag", ["x", "--verbose"], {}, { verbose: true }],
  ];
  for (const [name, argv, env, expected] of cases) {
    test(name, () => {
      const parsed = parseCommand(spec, argv, env);
      expect(parsed.kind).toBe("ok");
      if (parsed.kind === "ok") expect(parsed.values).toMatchObject(expected as object);
    });
  }

  const errors: [string, string[], Record<string, string>, string][] = [
    [
      "rejects an unknown flag",
      ["x", "--nope"],
      {},
      "demo: unknown flag --nope; run `cairn demo --help` for its options",
    ],
    [
      "names the flag an unknown one is a typo of",
      ["x", "--levle", "low"],
      {},
      "demo: unknown flag --levle (did you mean --level?); run `cairn demo --help` for its options",
    ],
    ["rejects a flag without its value", ["x", "--db"], {}, "demo: --db needs a value"],
    [
      "rejects a flag whose value is a flag",
      ["x", "--db", "--verbose"],
      {},
      "demo: --db needs a value",
    ],
    [
      "says how to give a value that starts with -",
      ["x", "--db", "-a.db"],
      {},
      'demo: --db needs a value; to give "-a.db", write --db=-a.db',
    ],
    ["rejects a flag given an empty value", ["x", "--db", ""], {}, "demo: --db needs a value"],
    ["rejects a flag joined to an empty value", ["x", "--db="], {}, "demo: --db needs a value"],
    [
      "rejects an empty positional, with the usage",
      [""],
      {},
      'demo: an empty argument ("") where NAME goes; usage: cairn demo [--db FILE] [--verbose] NAME',
    ],
    [
      "rejects a missing positional, with the usage",
      [],
      {},
      "demo: missing NAME; usage: cairn demo [--db FILE] [--verbose] NAME",
    ],
    [
      "rejects an extra positional, with the usage",
      ["x", "y"],
      {},
      'demo: unexpected argument "y"; usage: cairn demo [--db FILE] [--verbose] NAME',
    ],
    [
      "rejects a bad choice from a flag",
      ["x", "--level", "mid"],
      {},
      'demo: --level must be one of low, high, not "mid"',
    ],
    [
      "rejects a bad choice from the environment",
      ["x"],
      { CAIRN_LEVEL: "mid" },
      'demo: CAIRN_LEVEL must be one of low, high, not "mid"',
    ],
  ];
  for (const [name, argv, env, message] of errors) {
    test(name, () => {
      expect(parseCommand(spec, argv, env)).toEqual({ kind: "usage_error", message });
    });
  }

  test("says how each option was set: its flag, its variable, or nothing for a default", () => {
    const parsed = parseCommand(spec, ["x", "--verbose"], { CAIRN_LEVEL: "low", CAIRN_DB: "" });
    expect(parsed).toMatchObject({
      kind: "ok",
      sources: { level: "CAIRN_LEVEL", verbose: "--verbose" },
    });
    if (parsed.kind === "ok") {
      expect(Object.keys(parsed.sources).sort()).toEqual(["level", "verbose"]);
    }
    const both = parseCommand(spec, ["x", "--level", "high"], { CAIRN_LEVEL: "low" });
    expect(both).toMatchObject({ kind: "ok", sources: { level: "--level" } });
  });

  test("answers --help and -h before checking positionals", () => {
    expect(parseCommand(spec, ["--help"], {})).toEqual({ kind: "help" });
    expect(parseCommand(spec, ["-h"], {})).toEqual({ kind: "help" });
  });
});

test("formatHelp() lists every flag with its variable and default", () => {
  const help = formatHelp(spec);
  expect(help).toContain("Usage: cairn demo [--db FILE] [--verbose] NAME");
  expect(help).toContain("--db FILE   Database [default: ./a.db] [env: CAIRN_DB]");
  expect(help).toContain("(low | high)");
  expect(help).toContain("-h, --help");
});
