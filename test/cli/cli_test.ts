import { afterAll, describe, expect, test } from "bun:test";
import { linkSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { DOC_TOPICS } from "../../src/cli/docs.ts";
import { RESULT_TABLES } from "../../src/store/mod.ts";
import { fakeIo } from "../_io.ts";
import { RUNTIME_NAME } from "../_runtime.ts";
import { tempDirs } from "../_tmp.ts";
import { COMMANDS } from "./_commands.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe("cairn", () => {
  // One form for every command's own lines, its usage errors' and the rest alike: the program's
  // name and the command's, as a script's log or a journal shows them among other programs'.
  describe("a command's error starts with 'cairn COMMAND: ', as its usage error does:", () => {
    const dir = dirs.make("cairn-cli-");
    const missing = join(dir, "none.db");
    writeFileSync(join(dir, "hunt.toml"), "");
    const cases: [string, string[], string][] = [
      [
        "serve",
        ["--tls-cert", join(dir, "a.crt")],
        "cairn serve: --tls-cert and --tls-key go together",
      ],
      [
        "check",
        [join(dir, "hunt.toml"), "--graph", "--dot"],
        "cairn check: give --graph or --dot, not both\n",
      ],
      ["init", [dir], `cairn init: ${join(dir, "hunt.toml")} already exists`],
      [
        "backup",
        [join(dir, "copy.db"), "--db", missing],
        `cairn backup: there is no database at ${missing}`,
      ],
      ["restore", [missing], `cairn restore: there is no backup at ${missing}\n`],
      ["export", ["--table", "teams"], "cairn export: --table goes with --format csv\n"],
      ["import", ["nope", "x.zip"], 'cairn import: unknown source "nope"'],
      ["migrate", [], "cairn migrate: give both --from FILE and --to postgres://…\n"],
      ["admin-token", ["--db", missing], `cairn admin-token: there is no database at ${missing}`],
      ["tls", ["--names", "a b", "--out", dir], 'cairn tls: "a b" is neither a host name'],
      ["docs", ["nope"], 'cairn docs: unknown topic "nope"'],
    ];
    for (const [command, args, start] of cases) {
      test(command, async () => {
        const io = fakeIo();
        expect(await run([command, ...args], io)).toBeGreaterThan(0);
        expect(io.err()).toStartWith(start);
        expect(io.err().split("\n").filter((line) => line !== "")).toHaveLength(1);
        const usage = fakeIo();
        expect(await run([command, "--nope"], usage)).toBe(2);
        expect(usage.err()).toStartWith(`cairn ${command}: unknown flag --nope`);
      });
    }
  });

  for (const command of COMMANDS) {
    test(`${command} --help prints its usage and exits 0`, async () => {
      const io = fakeIo();
      expect(await run([command, "--help"], io)).toBe(0);
      expect(io.out()).toContain(`Usage: cairn ${command}`);
      expect(io.err()).toBe("");
    });
  }

  for (const command of COMMANDS) {
    test(`help ${command} prints the same as ${command} --help`, async () => {
      const io = fakeIo();
      const direct = fakeIo();
      expect(await run(["help", command], io)).toBe(0);
      expect(await run([command, "--help"], direct)).toBe(0);
      expect(io.out()).toBe(direct.out());
      expect(io.err()).toBe("");
    });
  }

  test("help with an unknown command says so and exits 2", async () => {
    const io = fakeIo();
    expect(await run(["help", "bogus"], io)).toBe(2);
    expect(io.err()).toBe('cairn: unknown command "bogus"; run `cairn --help` for the list\n');
  });

  test("--help lists every command", async () => {
    const io = fakeIo();
    expect(await run(["--help"], io)).toBe(0);
    for (const command of COMMANDS) expect(io.out()).toContain(`  ${command} `);
  });

  test("no command prints the help on stderr and exits 2", async () => {
    const io = fakeIo();
    expect(await run([], io)).toBe(2);
    expect(io.err()).toContain("Usage: cairn <command>");
  });

  const port = (value: string, from = "--port") =>
    `cairn serve: ${from} must be a whole number from 0 to 65535, in digits, not "${value}"\n`;
  const db = (command: string, from: string, shown: string) =>
    `cairn ${command}: ${from} must be an SQLite file or a postgres:// (or postgresql://) URL, ` +
    `not "${shown}"\n`;
  const adminToken = (from: string) =>
    `cairn serve: ${from} must be at least 16 characters, with no spaces ` +
    "(leave it out, and one is generated)\n";
  const usageErrors: [string[], string, Record<string, string>?][] = [
    [["bogus"], 'cairn: unknown command "bogus"; run `cairn --help` for the list\n'],
    [["--bogus"], "cairn: unknown flag --bogus; run `cairn --help` for the list\n"],
    // The nearest command or flag when it looks like a typo; -v and -V, for the version.
    [
      ["serv"],
      'cairn: unknown command "serv" (did you mean serve?); run `cairn --help` for the list\n',
    ],
    [["-v"], "cairn: unknown flag -v (did you mean --version?); run `cairn --help` for the list\n"],
    [["-V"], "cairn: unknown flag -V (did you mean --version?); run `cairn --help` for the list\n"],
    [
      ["--verison"],
      "cairn: unknown flag --verison (did you mean --version?); run `cairn --help` for the list\n",
    ],
    [
      ["serve", "--bogus"],
      "cairn serve: unknown flag --bogus; run `cairn serve --help` for its options\n",
    ],
    // A typo of a flag names the flag; `serve hunt.toml` says where the hunt file goes.
    [
      ["serve", "--hunt-file", "h.toml"],
      "cairn serve: unknown flag --hunt-file (did you mean --hunt?); run `cairn serve --help` for its options\n",
    ],
    [
      ["serve", "hunt.toml"],
      'cairn serve: unexpected argument "hunt.toml"; to run that hunt file, write cairn serve --hunt hunt.toml\n',
    ],
    [
      ["check"],
      "cairn check: missing FILE; usage: cairn check FILE [--graph | --dot] [--routes N] [--json]\n",
    ],
    [
      ["check", "a.toml", "b.toml"],
      'cairn check: unexpected argument "b.toml"; usage: cairn check FILE [--graph | --dot] [--routes N] [--json]\n',
    ],
    [["serve", "--port", "99999"], port("99999")],
    // An empty value (`--hunt "$HUNT"`, the variable unset) is no value, not a file named "".
    [["serve", "--port", ""], "cairn serve: --port needs a value\n"],
    [["serve", "--hunt", ""], "cairn serve: --hunt needs a value\n"],
    [
      ["check", ""],
      'cairn check: an empty argument ("") where FILE goes; usage: cairn check FILE [--graph | --dot] [--routes N] [--json]\n',
    ],
    [["serve", "--port", "1e3"], port("1e3")],
    [["serve", "--port", "0x50"], port("0x50")],
    [["serve", "--port", "80.0"], port("80.0")],
    [["serve"], port(" ", "CAIRN_PORT"), { CAIRN_PORT: " " }],
    [["serve"], port("1e3", "CAIRN_PORT"), { CAIRN_PORT: "1e3" }],
    [
      ["serve", "--log-level", "loud"],
      'cairn serve: --log-level must be one of debug, info, warn, error, not "loud"\n',
    ],
    [["check", "--json=yes", "x"], "cairn check: --json takes no value\n"],
    [["serve", "--help=1"], "cairn serve: --help takes no value\n"],
    [["serve", "--db"], "cairn serve: --db needs a value\n"],
    [["serve", "--db", "a.db", "--db", "b.db"], "cairn serve: --db given twice\n"],
    [["check", "x", "--json", "--json"], "cairn check: --json given twice\n"],
    // A misspelt scheme is no file name, and its password is not repeated.
    [
      ["serve", "--db", "postgress://cairn:pw@host/cairn"],
      db("serve", "--db", "postgress://cairn:***@host/cairn"),
    ],
    [["export"], db("export", "CAIRN_DB", "postgress://u:***@h/db"), {
      CAIRN_DB: "postgress://u:p#w@h/db",
    }],
    [["backup", "out.db", "--db", "mysql://u:pw@h/db"], db("backup", "--db", "mysql://u:***@h/db")],
    [["admin-token", "--db", "sqlite://a.db"], db("admin-token", "--db", "sqlite://a.db")],
    // A file name given where a URL goes is quoted whole: it has no password to hide.
    [
      ["migrate", "--from", "a.db", "--to", "cairn-data/b.db"],
      'cairn migrate: --to must be a postgres:// (or postgresql://) URL, not "cairn-data/b.db"\n',
    ],
    // CAIRN_DB set for the server to its file is named as where the value came from.
    [
      ["migrate", "--from", "a.db"],
      'cairn migrate: CAIRN_DB must be a postgres:// (or postgresql://) URL, not "cairn-data/cairn.db"\n',
      { CAIRN_DB: "cairn-data/cairn.db" },
    ],
    // An organizer's own admin token: long enough not to be guessed, and never repeated.
    [["serve", "--admin-token", "admin"], adminToken("--admin-token")],
    [["serve", "--admin-token", "fifteen-chars15"], adminToken("--admin-token")],
    [["serve", "--admin-token", "sixteen chars ok"], adminToken("--admin-token")],
    [["serve"], adminToken("CAIRN_ADMIN_TOKEN"), { CAIRN_ADMIN_TOKEN: "admin" }],
    // A value that starts with "-" must be joined on; a token is not repeated in saying so.
    [
      ["serve", "--admin-token", "-tvwCK2hHfLq1zTnB8qp"],
      'cairn serve: --admin-token needs a value; to give one that starts with "-", write ' +
      "--admin-token=-…\n",
    ],
    [
      ["serve", "--port", "-1"],
      'cairn serve: --port needs a value; to give "-1", write --port=-1\n',
    ],
    [["serve", "--port=-1"], port("-1")],
  ];
  for (const [argv, message, env] of usageErrors) {
    const name = `${env ? `${Object.keys(env)[0]}="${Object.values(env)[0]}" ` : ""}${
      argv.join(" ")
    }`;
    test(`${name} is a one-line usage error with exit 2`, async () => {
      const io = fakeIo(env);
      expect(await run(argv, io)).toBe(2);
      expect(io.err()).toBe(message);
      expect(io.out()).toBe("");
    });
  }

  test("version prints the package version", async () => {
    const io = fakeIo();
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8"));
    expect(await run(["version"], io)).toBe(0);
    expect(io.out()).toStartWith(`cairn ${pkg.version} (${RUNTIME_NAME} `);
  });
});

describe("cairn init", () => {
  test("writes hunt.toml that check accepts, and refuses to overwrite it", async () => {
    const dir = join(dirs.make("cairn-init-"), "new-hunt");
    const io = fakeIo();
    expect(await run(["init", dir], io)).toBe(0);
    const file = join(dir, "hunt.toml");
    expect(io.out()).toBe(
      // Its lines start with the command's name, as the README says every command's do.
      `cairn init: wrote ${file}; check it with: cairn check ${file}\n` +
        "cairn init: the reference for every key and rule function: cairn docs hunt-file\n",
    );
    // The starter points to the reference the binary carries, not to a file it lacks.
    const starter = readFileSync(file, "utf8");
    expect(starter).toContain("`cairn docs hunt-file`");
    expect(starter).not.toContain("docs/hunt-file.md");

    const checked = fakeIo();
    expect(await run(["check", file], checked)).toBe(0);

    const again = fakeIo();
    expect(await run(["init", dir], again)).toBe(1);
    expect(again.err()).toBe(`cairn init: ${file} already exists; pass --force to overwrite it\n`);
    writeFileSync(file, "changed");
    expect(await run(["init", dir, "--force"], fakeIo())).toBe(0);
    expect(readFileSync(file, "utf8")).not.toBe("changed");
  });

  test("--force replaces hunt.toml whole: a hard link to the earlier file keeps it", async () => {
    const dir = dirs.make("cairn-init-");
    const file = join(dir, "hunt.toml");
    writeFileSync(file, "mine");
    linkSync(file, join(dir, "mine.toml"));
    expect(await run(["init", dir, "--force"], fakeIo())).toBe(0);
    expect(readFileSync(file, "utf8")).toStartWith("#");
    expect(readFileSync(join(dir, "mine.toml"), "utf8")).toBe("mine");
    expect(readdirSync(dir).sort()).toEqual(["hunt.toml", "mine.toml"]);
  });

  test("says so when DIR is a file, and leaves it alone", async () => {
    const file = join(dirs.make("cairn-init-"), "hunt.toml");
    writeFileSync(file, "mine");
    for (const args of [["init", file], ["init", file, "--force"]]) {
      const io = fakeIo();
      expect(await run(args, io)).toBe(1);
      expect(io.err()).toBe(
        `cairn init: ${file} is a file, not a folder; give the folder to write hunt.toml into\n`,
      );
    }
    expect(readFileSync(file, "utf8")).toBe("mine");
    // A folder to make under that file: the same line, not the system's "ENOTDIR: not a directory".
    const io = fakeIo();
    expect(await run(["init", join(file, "my-hunt")], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn init: ${file} is a file, not a folder; give the folder to write hunt.toml into\n`,
    );
  });

  test("says in one line why DIR cannot be written, not the system's words", async () => {
    const long = join(dirs.make("cairn-init-"), "x".repeat(300));
    const cases: [string, string][] = [
      [long, `a name in ${long} is longer than the file system takes`],
    ];
    // /proc takes no new folder, even for root (Deno's test permissions refuse it before).
    if (RUNTIME_NAME === "bun") cases.push(["/proc/x", "/proc does not take new files or folders"]);
    for (const [dir, why] of cases) {
      const io = fakeIo();
      expect(await run(["init", dir], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn init: cannot write ${
          join(dir, "hunt.toml")
        }: ${why}; give a folder you can write to\n`,
      );
      expect(io.out()).toBe("");
    }
  });
});

describe("cairn docs", () => {
  test("lists the topics", async () => {
    const io = fakeIo();
    expect(await run(["docs"], io)).toBe(0);
    expect(io.out()).toStartWith("Reference pages built into this binary.");
    expect(io.out()).toContain("\n  hunt-file   The hunt file: every key");
    expect(io.out()).toContain("\n  api         The HTTP API:");
    expect(io.out()).toContain("\n  missions    Photo, video and text missions:");
  });

  for (const [topic, { file }] of Object.entries(DOC_TOPICS)) {
    test(`${topic} prints ${file} as it is`, async () => {
      const io = fakeIo();
      expect(await run(["docs", topic!], io)).toBe(0);
      expect(io.out()).toBe(readFileSync(join(import.meta.dirname, "../..", file), "utf8"));
      expect(io.err()).toBe("");
    });
  }

  test("an unknown topic is a one-line usage error that names the topics", async () => {
    const io = fakeIo();
    expect(await run(["docs", "hunt"], io)).toBe(2);
    expect(io.err()).toBe(
      'cairn docs: unknown topic "hunt"; the topics are hunt-file, api, ctfd, offline, missions, ' +
        "asks, operations, scale-out\n",
    );
    expect(io.out()).toBe("");
  });
});

describe("cairn check", () => {
  test("reports a TOML syntax error as file:line:col and exits 1", async () => {
    const dir = dirs.make("cairn-check-");
    const file = join(dir, "hunt.toml");
    writeFileSync(file, '[hunt]\ntitle = "x"\n\n[[puzzle]]\nid = "a"\nanswer = [ "b", \n');
    const io = fakeIo();
    expect(await run(["check", file], io)).toBe(1);
    expect(io.err()).toStartWith(`${file}:7:1: error: Invalid TOML: invalid value\n`);
  });

  test("reports a missing file without a stack trace", async () => {
    const io = fakeIo();
    expect(await run(["check", "/nonexistent/hunt.toml"], io)).toBe(1);
    expect(io.err()).toBe(
      "/nonexistent/hunt.toml: error: Cannot read: No such file\n1 error, 0 warnings\n",
    );
  });

  test("warns of an ends_at already past (last year's file), by its clock; before it, ok", async () => {
    const file = join(dirs.make("cairn-check-"), "hunt.toml");
    writeFileSync(
      file,
      '[hunt]\ntitle = "T"\nends_at = 2026-11-21T16:00:00+01:00\n\n' +
        '[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = "x"\n',
    );
    const end = Date.parse("2026-11-21T15:00:00Z");
    const after = { ...fakeIo(), now: () => end };
    expect(await run(["check", file], after)).toBe(0);
    expect(after.out()).toBe(
      `${file}:3:1: warning: field hunt.ends_at: ends_at (2026-11-21T16:00:00+01:00) has ` +
        "passed: the hunt has ended, so teams can neither join nor guess; set the end of this " +
        "event\n0 errors, 1 warning\n",
    );
    const before = { ...fakeIo(), now: () => end - 1 };
    expect(await run(["check", file], before)).toBe(0);
    expect(before.out()).toBe(`${file}: ok (1 puzzle in 1 round)\n`);
  });
});

describe("cairn serve", () => {
  test("refuses to start on an invalid hunt and prints every error", async () => {
    const dir = dirs.make("cairn-serve-");
    const file = join(dir, "hunt.toml");
    writeFileSync(
      file,
      '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = "x"\nunlock = \'solved("b")\'\npoints = "ten"\n',
    );
    const io = fakeIo();
    expect(await run(["serve", "--hunt", file, "--port", "0", "--db", join(dir, "c.db")], io)).toBe(
      1,
    );
    expect(io.err()).toBe(
      `${file}:8:18: error: puzzle "a", field unlock: Unknown puzzle "b"\n` +
        `    solved("b")\n           ^^^\n` +
        `${file}:9:1: error: puzzle "a", field points: Expected points as a number\n` +
        "2 errors, 0 warnings\n" +
        `cairn serve: not started: fix the errors in ${file} and start it again\n`,
    );
  });
});

describe("cairn check --graph, --dot and --json", () => {
  const example = join(import.meta.dirname, "../../config/example.toml");

  test("--graph prints each round's puzzles, rules and what they open", async () => {
    const io = fakeIo();
    expect(await run(["check", example, "--graph"], io)).toBe(0);
    expect(io.out()).toContain('Unlock graph of "The Lantern Trail": 8 puzzles, 2 rounds\n');
    expect(io.out()).toContain(
      "  lighthouse   open from the start\n               → opens clock-tower\n",
    );
    expect(io.out()).toContain('  clock-tower  solved("lighthouse")\n');
  });

  test("--dot prints a Graphviz digraph with an edge per prerequisite", async () => {
    const io = fakeIo();
    expect(await run(["check", example, "--dot"], io)).toBe(0);
    expect(io.out()).toStartWith("digraph unlocks {\n");
    expect(io.out()).toContain('  "lighthouse" -> "clock-tower";\n');
    expect(io.out()).toContain('  "harbor-meta" -> "lantern";\n');
  });

  test("--json reports problems and, with --graph, what each puzzle needs", async () => {
    const io = fakeIo();
    expect(await run(["check", example, "--json", "--graph"], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result).toMatchObject({ ok: true, errors: 0, warnings: 0, problems: [] });
    expect(result.graph.find((p: { id: string }) => p.id === "lantern")).toEqual({
      id: "lantern",
      round: "old-town",
      unlock: 'solved("harbor-meta") and solves_in_round("old-town") >= 2',
      needs: ["harbor-meta"],
    });
  });

  test("--graph and --dot together are a usage error", async () => {
    const io = fakeIo();
    expect(await run(["check", example, "--graph", "--dot"], io)).toBe(2);
    expect(io.err()).toBe("cairn check: give --graph or --dot, not both\n");
  });
});

describe("cairn check --routes", () => {
  const example = join(import.meta.dirname, "../../config/routes-example.toml");

  test("prints each team's order, the crowding against one fixed order, and variant counts", async () => {
    const io = fakeIo();
    expect(await run(["check", example, "--routes", "12"], io)).toBe(0);
    const lines = io.out().split("\n");
    expect(lines[0]).toBe(
      'route "old-town": 8 stops, spread by a search ("before" pairs rule out a rotation), next stop on a solve',
    );
    const orders = lines.filter((line) => line.startsWith("  team ")).map((line) =>
      line.slice(line.indexOf(": ") + 2).split(" → ")
    );
    expect(orders.length).toBe(12);
    for (const order of orders) {
      expect(order[0]).toBe("square");
      expect(order[7]).toBe("harbor");
      expect(order.indexOf("library")).toBeLessThan(order.indexOf("museum"));
      expect([...order].sort()).toEqual(
        ["bakery", "bridge", "chapel", "harbor", "library", "market", "museum", "square"],
      );
    }
    expect(io.out()).toContain(
      "  crowding: at most 3 teams at one stop at one step, not counting the fixed first and last stops (all teams on one fixed order: 12)\n",
    );
    expect(io.out()).toContain('puzzle "bakery": 2 variants, teams per variant: 6, 6\n');
    expect(io.out()).toContain('puzzle "bridge": 3 variants, teams per variant: 4, 4, 4\n');
  });

  test("--json carries the same orders and figures", async () => {
    const text = fakeIo();
    await run(["check", example, "--routes", "5"], text);
    const io = fakeIo();
    expect(await run(["check", example, "--routes", "5", "--json"], io)).toBe(0);
    const result = JSON.parse(io.out());
    expect(result.teams).toBe(5);
    expect(result.routes[0]).toMatchObject({ id: "old-town", method: "search", advance: "solve" });
    expect(result.routes[0].orders[2].join(" → ")).toBe(
      text.out().split("\n")[3]!.replace("  team 3: ", ""),
    );
    for (const row of result.variants as { puzzle: string; teams_per_variant: number[] }[]) {
      expect(text.out()).toContain(
        `puzzle "${row.puzzle}": ${row.teams_per_variant.length} variants, teams per variant: ${
          row.teams_per_variant.join(", ")
        }\n`,
      );
      expect(row.teams_per_variant.reduce((a, b) => a + b)).toBe(5);
    }
    expect(result.variants.map((row: { puzzle: string }) => row.puzzle)).toEqual([
      "bakery",
      "bridge",
    ]);
  });

  test("a hunt without routes says so", async () => {
    const io = fakeIo();
    expect(
      await run(
        ["check", join(import.meta.dirname, "../../config/example.toml"), "--routes", "3"],
        io,
      ),
    )
      .toBe(0);
    expect(io.out()).toBe("The hunt has no routes.\n");
  });

  for (const value of ["0", "ten", "10001"]) {
    test(`--routes ${value} is a one-line usage error`, async () => {
      const io = fakeIo();
      expect(await run(["check", example, "--routes", value], io)).toBe(2);
      expect(io.err()).toBe("cairn check: --routes needs a number of teams from 1 to 10000\n");
    });
  }
});

describe("README.md agrees with --help", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");
  const help = async (command: string) => {
    const io = fakeIo();
    await run([command, "--help"], io);
    return io.out();
  };
  /** The "what it does" cell of a command's row in the commands table. */
  const row = (command: string) =>
    readme.split("\n").find((line) => line.startsWith(`| \`cairn ${command}`)) ?? "";

  for (const command of COMMANDS) {
    test(`the commands table gives ${command}'s usage as its --help does`, async () => {
      const usage = /^Usage: (.*)$/m.exec(await help(command))?.[1];
      const cell = /^\| `([^`]+)`/.exec(row(command))?.[1]?.replaceAll("\\|", "|");
      expect(cell).toBe(usage);
    });
  }

  test("export's --help and README name every table export writes", async () => {
    const text = await help("export");
    const json = /results\.json +# \{([^}]+)\}/.exec(readme)?.[1]?.split(", ");
    expect(json).toEqual([...RESULT_TABLES]);
    for (const table of RESULT_TABLES) {
      expect(text).toContain(`${table}.csv`);
      expect(text).toMatch(new RegExp(`\\{[^}]*\\b${table}\\b[^}]*\\}`));
    }
  });

  test("the docs row names every topic", () => {
    for (const topic of Object.keys(DOC_TOPICS)) expect(row("docs")).toContain(`\`${topic}\``);
  });

  test("admin-token's row and --help say a reload (SIGHUP) makes the new token work", async () => {
    expect(row("admin-token")).toContain("SIGHUP");
    expect(row("admin-token")).not.toContain("next start");
    expect(await help("admin-token")).toContain("SIGHUP");
  });

  test("every setting without a CAIRN_* variable is named as a flag only", async () => {
    const flagsOnly = /is given as a flag only: ([^.]+)\./.exec(readme.replace(/\n/g, " "))?.[1] ??
      "";
    for (const command of COMMANDS) {
      const rows = (await help(command)).split("\n").filter((line) => /^ {2}--[a-z]/.test(line));
      for (const line of rows.filter((line) => !line.includes("[env: "))) {
        const flag = /^ {2}(--[a-z-]+)/.exec(line)![1]!;
        const named = flagsOnly.includes(`${flag}\``) ||
          new RegExp(`choices of \`${command}\``).test(flagsOnly);
        expect(`${command} ${flag}: ${named}`).toBe(`${command} ${flag}: true`);
      }
    }
  });
});
