import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { EXAMPLE_HUNT, loadHunt, loadHuntFile, STARTER_HUNT } from "../../src/hunt/mod.ts";
import { checkpointKey, roundTitle } from "../../src/engine/mod.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

describe("loadHunt()", () => {
  test("loads the embedded example hunt with no problems at all", () => {
    const { hunt, problems } = loadHunt(EXAMPLE_HUNT, { file: "example.toml" });
    expect(problems).toEqual([]);
    expect(hunt?.title).toBe("The Lantern Trail");
    expect(hunt?.rounds).toEqual(["harbor", "old-town"]);
    expect(hunt?.startsAt).toBeUndefined();
    expect(hunt?.endsAt).toBeUndefined();
    expect(hunt?.checkpoints.get(checkpointKey("bakery-5c1e"))).toBe(
      hunt?.puzzleIndex.get("bakery"),
    );
  });

  test("loads the starter hunt that cairn init writes with no problems", () => {
    expect(loadHunt(STARTER_HUNT, { file: "hunt.toml" }).problems).toEqual([]);
  });

  test("applies the brief's defaults", () => {
    const { hunt } = loadHunt(
      '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = "x"\n',
      {
        file: "t.toml",
      },
    );
    expect(hunt).toBeDefined();
    expect(hunt!.registration).toBe("open");
    expect(hunt!.teamSize).toEqual({ min: 1, max: Infinity });
    expect(hunt!.divisions).toEqual([]);
    const puzzle = hunt!.puzzles[0]!;
    expect([puzzle.round, puzzle.points, puzzle.body, puzzle.unlock]).toEqual([
      "main",
      0,
      "",
      undefined,
    ]);
    expect(puzzle.guessLimit).toEqual({ count: 10, perMs: 60_000 });
    expect(puzzle.answers.check(" X! ")).toEqual({ kind: "correct" });
  });

  test("reads times with their offset, and durations", () => {
    const { hunt } = loadHunt(
      [
        "[hunt]",
        'title = "T"',
        "starts_at = 2026-11-21T10:00:00+01:00",
        'ends_at = "2026-11-21T16:00:00Z"',
        "",
        "[[puzzle]]",
        'id = "a"',
        'title = "A"',
        'answer = "x"',
        'guess_limit = { count = 5, per = "10m" }',
        "",
        "[[puzzle.hint]]",
        'id = "h"',
        'text = "t"',
      ].join("\n"),
      { file: "t.toml" },
    );
    expect(hunt!.startsAt).toBe(Date.parse("2026-11-21T09:00:00Z"));
    expect(hunt!.endsAt).toBe(Date.parse("2026-11-21T16:00:00Z"));
    expect(hunt!.puzzles[0]!.guessLimit).toEqual({ count: 5, perMs: 600_000 });
    expect(hunt!.puzzles[0]!.hints[0]).toEqual({ index: 0, id: "h", text: "t", cost: 0 });
  });
});

describe("loadHuntFile()", () => {
  test("reads body_file relative to the hunt file and finds assets/ beside it", () => {
    const dir = dirs.make("cairn-hunt-");
    mkdirSync(join(dir, "puzzles"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "puzzles", "a.md"), "# The body\n");
    writeFileSync(
      join(dir, "hunt.toml"),
      '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nbody_file = "puzzles/a.md"\nanswer = "x"\n',
    );
    const { hunt, problems } = loadHuntFile(join(dir, "hunt.toml"));
    expect(problems).toEqual([]);
    expect(hunt!.puzzles[0]!.body).toBe("# The body\n");
    expect(hunt!.assetsDir).toBe(join(dir, "assets"));
  });

  test("refuses a body_file or solution_file that leads out of the hunt file's folder, or is no file", () => {
    const outside = dirs.make("cairn-host-");
    writeFileSync(join(outside, "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    const dir = dirs.make("cairn-hunt-");
    mkdirSync(join(dir, "puzzles"));
    writeFileSync(join(dir, "puzzles", "shared.md"), "Shared text\n");
    // A hunt folder from elsewhere: a path that climbs out, a symlink that leads out, a folder.
    symlinkSync(join(outside, "id_ed25519"), join(dir, "puzzles", "intro.md"));
    symlinkSync(join("puzzles", "shared.md"), join(dir, "inside.md"));
    mkdirSync(join(dir, "puzzles", "folder.md"));
    const pipe = join(dir, "puzzles", "pipe.md");
    execFileSync("mkfifo", [pipe]);
    // Reading a FIFO waits for a writer: this one comes after 1 s, so a read ends rather than hangs.
    spawn("timeout", ["10", "sh", "-c", `sleep 1; : > '${pipe}'`], { stdio: "ignore" }).unref();
    const climb = join("..", basename(outside), "id_ed25519");
    const puzzle = (id: string, keys: string) =>
      `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\nanswer = "x"\n${keys}\n`;
    writeFileSync(
      join(dir, "hunt.toml"),
      '[hunt]\ntitle = "T"\n\n' +
        puzzle("a", `body_file = "${climb}"`) +
        puzzle("b", 'body_file = "puzzles/intro.md"') +
        puzzle("c", 'solution_file = "puzzles/intro.md"') +
        puzzle("d", 'body_file = "puzzles/folder.md"') +
        puzzle("e", 'body_file = "inside.md"') +
        puzzle("f", 'body_file = "puzzles/pipe.md"'),
    );
    const { problems } = loadHuntFile(join(dir, "hunt.toml"));
    const outsideReason = "It leads out of the hunt file's folder: put the file in that folder";
    expect(problems.map((p) => `${p.puzzle} ${p.message}`)).toEqual([
      `a Cannot read body_file "${climb}": ${outsideReason}`,
      `b Cannot read body_file "puzzles/intro.md": ${outsideReason}`,
      `c Cannot read solution_file "puzzles/intro.md": ${outsideReason}`,
      'd Cannot read body_file "puzzles/folder.md": It is a folder, not a file',
      'f Cannot read body_file "puzzles/pipe.md": It is not a regular file',
    ]);
  });

  test("refuses an assets folder that leads to the hunt file's folder or one holding it, warns of one elsewhere", () => {
    const file = (dir: string) => {
      writeFileSync(
        join(dir, "hunt.toml"),
        '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = "x"\n',
      );
      return join(dir, "hunt.toml");
    };
    const refused = (dir: string, link: string) => {
      symlinkSync(link, join(dir, "assets"));
      const { hunt, problems } = loadHuntFile(file(dir));
      expect(hunt).toBeUndefined();
      return problems.map((p) => [p.severity, p.message, p.file]);
    };
    // A hunt folder from elsewhere: a puzzle named as the database's folder (cairn-data), or as
    // one of a folder holding the hunt's.
    const self = dirs.make("cairn-hunt-");
    const up = dirs.make("cairn-hunt-");
    for (const [dir, link] of [[self, "."], [up, ".."]] as const) {
      expect(refused(dir, link)).toEqual([[
        "error",
        `The assets folder leads to ${realpathSync(join(dir, link))}, which holds the hunt file ` +
        "(and the database beside it), and teams are served what it holds: make it a folder of " +
        "its own",
        file(dir),
      ]]);
    }
    // Another disk's folder is served, as docs/hunt-file.md says, with a warning of where it leads.
    const outside = dirs.make("cairn-disk-");
    const away = dirs.make("cairn-hunt-");
    symlinkSync(outside, join(away, "assets"));
    const elsewhere = loadHuntFile(file(away));
    expect(elsewhere.problems.map((p) => [p.severity, p.message])).toEqual([[
      "warning",
      `The assets folder leads out of the hunt file's folder, to ${realpathSync(outside)}: teams ` +
      "are served the files in its puzzles' folders there; make sure that is where it should lead",
    ]]);
    expect(elsewhere.hunt!.assetsDir).toBe(join(away, "assets"));
    // One that leads to a folder inside it is as a folder.
    const inside = dirs.make("cairn-hunt-");
    mkdirSync(join(inside, "media"));
    symlinkSync("media", join(inside, "assets"));
    const { hunt, problems } = loadHuntFile(file(inside));
    expect(problems).toEqual([]);
    expect(hunt!.assetsDir).toBe(join(inside, "assets"));
  });

  test("reads solution_file relative to the hunt file; a variant without one has the puzzle's", () => {
    const dir = dirs.make("cairn-hunt-");
    mkdirSync(join(dir, "solutions"));
    writeFileSync(join(dir, "solutions", "a.md"), "Seven windows.\n");
    writeFileSync(join(dir, "solutions", "a-red.md"), "Red: seven doors.\n");
    writeFileSync(
      join(dir, "hunt.toml"),
      `[hunt]
title = "T"
seed = "s"

[[puzzle]]
id = "a"
title = "A"
answer = "seven"
solution_file = "solutions/a.md"

[[puzzle.variant]]
answer = "doors"
solution_file = "solutions/a-red.md"

[[puzzle.variant]]
answer = "windows"

[[puzzle]]
id = "b"
title = "B"
answer = "b"
`,
    );
    const { hunt, problems } = loadHuntFile(join(dir, "hunt.toml"));
    expect(problems).toEqual([]);
    const [a, b] = hunt!.puzzles;
    expect(a!.solution).toBe("Seven windows.\n");
    expect(a!.variants!.map((variant) => variant.solution)).toEqual([
      "Red: seven doors.\n",
      "Seven windows.\n",
    ]);
    expect(b!.solution).toBeUndefined();
  });

  test("warns of each file a body links to in assets/ that is not in the puzzle's folder", () => {
    const dir = dirs.make("cairn-hunt-");
    mkdirSync(join(dir, "puzzles"));
    mkdirSync(join(dir, "assets", "a", "maps"), { recursive: true });
    mkdirSync(join(dir, "assets", "b"));
    writeFileSync(join(dir, "assets", "a", "map.png"), "png");
    writeFileSync(join(dir, "assets", "a", "maps", "north map.png"), "png");
    writeFileSync(join(dir, "assets", "b", "tides.pdf"), "pdf");
    // Names as the pages reach them: spaces in <…>, parentheses, and any script.
    writeFileSync(join(dir, "assets", "a", "tide table.pdf"), "pdf");
    writeFileSync(join(dir, "assets", "a", "map(1).png"), "png");
    writeFileSync(join(dir, "assets", "a", "データ.txt"), "txt");
    // Puzzle b's file is not puzzle a's; a path out of the folder is not served either.
    writeFileSync(
      join(dir, "puzzles", "a.md"),
      [
        "![The map](assets/map.png) ![North](assets/maps/north%20map.png?v=2)",
        "[Tides](assets/tides.pdf) [again](assets/tides.pdf) ![Typo](<assets/mpa.png>)",
        "[Out](assets/../b/tides.pdf) and [ref]",
        "[Table](<assets/tide table.pdf>) ![Map](assets/map(1).png) [データ](assets/データ.txt)",
        "[Missing](assets/ない.txt), and in code, not a link: `![x](assets/code.png)`",
        "",
        "    ![x](assets/indented-code.png)",
        "",
        "[ref]: assets/ref.txt",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "hunt.toml"),
      `[hunt]
title = "T"

[[puzzle]]
id = "a"
title = "A"
body_file = "puzzles/a.md"
answer = "x"

[[puzzle]]
id = "b"
title = "B"
body = "[Tides](assets/tides.pdf) ![Gone](assets/gone.jpg)"
answer = "y"
`,
    );
    const { hunt, problems } = loadHuntFile(join(dir, "hunt.toml"));
    expect(hunt).toBeDefined();
    const missing = (id: string, file: string) =>
      `The body links to assets/${file}, but there is no file assets/${id}/${file} beside the hunt file`;
    expect(problems.map((p) => `${p.severity} ${p.line} ${p.puzzle} ${p.field}: ${p.message}`))
      .toEqual([
        `warning 7 a body_file: ${missing("a", "tides.pdf")}`,
        `warning 7 a body_file: ${missing("a", "mpa.png")}`,
        `warning 7 a body_file: ${missing("a", "../b/tides.pdf")}`,
        `warning 7 a body_file: ${missing("a", "ref.txt")}`,
        `warning 7 a body_file: ${missing("a", "ない.txt")}`,
        `warning 13 b body: ${missing("b", "gone.jpg")}`,
      ]);
    // loadHunt() alone reads no disk, and checks no link.
    expect(
      loadHunt(
        '[hunt]\ntitle = "T"\n[[puzzle]]\nid = "a"\ntitle = "A"\nbody = "![x](assets/x.png)"\nanswer = "x"\n',
        { file: "t.toml" },
      ).problems,
    ).toEqual([]);
  });

  test("reports a folder given as the hunt file", () => {
    const dir = dirs.make("cairn-hunt-");
    expect(loadHuntFile(dir).problems).toEqual([
      { severity: "error", message: "Cannot read: It is a folder, not a file", file: dir },
    ]);
  });

  test("names the hunt.toml inside a folder given as the hunt file (cairn init DIR wrote it)", () => {
    const dir = dirs.make("cairn-hunt-");
    writeFileSync(join(dir, "hunt.toml"), '[hunt]\ntitle = "T"\n');
    expect(loadHuntFile(dir).problems).toEqual([
      {
        severity: "error",
        message: `Cannot read: It is a folder, not a file: give the hunt file in it, ${
          join(dir, "hunt.toml")
        }`,
        file: dir,
      },
    ]);
  });
});

describe("[[round]]", () => {
  test("gives a round its title; a round without one is its id, title-cased", () => {
    const { hunt, problems } = loadHunt(
      `[hunt]
title = "T"

[[round]]
id = "harbor"
title = "The Harbor at Dawn"

[[puzzle]]
id = "a"
title = "A"
round = "harbor"
answer = "x"

[[puzzle]]
id = "b"
title = "B"
round = "old-town_2"
answer = "x"
`,
      { file: "hunt.toml" },
    );
    expect(problems).toEqual([]);
    expect(hunt!.rounds).toEqual(["harbor", "old-town_2"]);
    expect(roundTitle(hunt!, "harbor")).toBe("The Harbor at Dawn");
    expect(roundTitle(hunt!, "old-town_2")).toBe("Old Town 2");
  });

  test("refuses two titles for one round", () => {
    const { problems } = loadHunt(
      `[hunt]
title = "T"

[[puzzle]]
id = "a"
title = "A"
answer = "x"

[[round]]
id = "main"
title = "One"

[[round]]
id = "main"
title = "Two"
`,
      { file: "hunt.toml" },
    );
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '14:1 Duplicate round id "main"',
    ]);
  });
});

describe("a hunt's points", () => {
  /** A hunt of `n` puzzles worth `points` each, the first with a first-solve bonus. */
  const hunt = (n: number, points: number, bonus = 0) =>
    '[hunt]\ntitle = "T"\n' + Array.from(
      { length: n },
      (_, i) =>
        `\n[[puzzle]]\nid = "p${i}"\ntitle = "P"\nanswer = "x"\npoints = ${points}\n` +
        (i === 0 ? `first_solve_bonus = [${bonus}]\n` : ""),
    ).join("");

  test("may add up to 1,000,000,000, bonuses included", () => {
    expect(loadHunt(hunt(1000, 1_000_000), { file: "t.toml" }).problems).toEqual([]);
    expect(loadHunt(hunt(999, 1_000_000, 1_000_000), { file: "t.toml" }).problems).toEqual([]);
  });

  test("are refused when all solved they would not fit in a score", () => {
    for (const text of [hunt(1001, 1_000_000), hunt(1000, 1_000_000, 1)]) {
      const { hunt: loaded, problems } = loadHunt(text, { file: "t.toml" });
      expect(loaded).toBeUndefined();
      expect(problems.map((p) => p.message)).toEqual([
        expect.stringMatching(
          /^The puzzles' points and first-solve bonuses add up to 1,00\d,00\d,00\d, more than a score can hold \(1,000,000,000\)/,
        ),
      ]);
    }
  });
});

describe("loadHuntFile() of a file it may not read", () => {
  /** Runs `read` as a user other than the files' owner: as root, with the effective user nobody. */
  const asAnotherUser = <T>(read: () => T): T => {
    if (process.geteuid?.() !== 0) return read();
    process.seteuid!(65534);
    try {
      return read();
    } finally {
      process.seteuid!(0);
    }
  };
  const NO_READ = "The user running cairn has no permission to read it: " +
    "make it readable (chmod a+r), or run cairn as its owner";

  test("says the hunt file is there but not readable, and what to do", () => {
    const dir = dirs.make("cairn-unreadable-");
    chmodSync(dir, 0o755);
    const path = join(dir, "hunt.toml");
    writeFileSync(path, '[hunt]\ntitle = "T"\n', { mode: 0o600 });
    chmodSync(path, 0o000);
    expect(asAnotherUser(() => loadHuntFile(path)).problems).toEqual([
      { severity: "error", message: `Cannot read: ${NO_READ}`, file: path },
    ]);
  });

  test("says a body_file is there but not readable, rather than to check its path", () => {
    const dir = dirs.make("cairn-unreadable-");
    chmodSync(dir, 0o755);
    const path = join(dir, "hunt.toml");
    writeFileSync(
      path,
      '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nbody_file = "a.md"\nanswer = "x"\n',
    );
    writeFileSync(join(dir, "a.md"), "Body");
    chmodSync(join(dir, "a.md"), 0o000);
    expect(asAnotherUser(() => loadHuntFile(path)).problems.map((p) => p.message)).toEqual([
      `Cannot read body_file "a.md": ${NO_READ}`,
    ]);
  });
});

describe("loadHuntFile() of a file that is not UTF-8", () => {
  const dir = dirs.make("cairn-encoding-");
  const write = (name: string, bytes: number[] | string) => {
    const path = join(dir, name);
    writeFileSync(path, typeof bytes === "string" ? bytes : new Uint8Array(bytes));
    return path;
  };
  const latin1 = (text: string) => [...text].map((ch) => ch.charCodeAt(0));
  const HUNT = '[hunt]\ntitle = "T"\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = "café"\n';

  test("refuses Latin-1 with the line and column of its first bad byte", () => {
    const { hunt, problems } = loadHuntFile(write("latin1.toml", latin1(HUNT)));
    expect(hunt).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({
      message: "The file is not UTF-8 text: byte 0xE9 here is not UTF-8. Save the file as UTF-8",
      line: 7,
      column: 14,
    })]);
  });

  test("names UTF-16, as Notepad may save it", () => {
    const utf16 = [0xff, 0xfe, ...latin1(HUNT).flatMap((code) => [code, 0])];
    const { problems } = loadHuntFile(write("utf16.toml", utf16));
    expect(problems.map((p) => p.message)).toEqual([
      "The file is saved as UTF-16; save it as UTF-8 (in Notepad: File, Save as, Encoding)",
    ]);
  });

  test("names UTF-16 saved without its byte-order mark, either way round", () => {
    const little = latin1(HUNT).flatMap((code) => [code, 0]);
    const big = latin1(HUNT).flatMap((code) => [0, code]);
    for (const [name, bytes] of [["le.toml", little], ["be.toml", big]] as const) {
      const { hunt, problems } = loadHuntFile(write(name, bytes));
      expect(hunt).toBeUndefined();
      expect(problems.map((p) => [p.message, p.line])).toEqual([
        ["The file is saved as UTF-16; save it as UTF-8 (in Notepad: File, Save as, Encoding)", 1],
      ]);
    }
  });

  test("calls binary data not text", () => {
    const { problems } = loadHuntFile(
      write("binary.toml", [0x7f, 0x45, 0x4c, 0x46, 2, 1, 0, 0xff]),
    );
    expect(problems.map((p) => p.message)).toEqual(["The file is not text (it holds binary data)"]);
  });

  test("refuses a body_file in another encoding, and reads UTF-8 with or without a BOM", () => {
    const hunt = HUNT + 'body_file = "body.md"\n';
    write("body.md", latin1("Line one\nnaïve\n"));
    const { problems } = loadHuntFile(write("body.toml", hunt));
    expect(problems.map((p) => p.message)).toEqual([
      'Cannot read body_file "body.md": The file is not UTF-8 text: byte 0xEF here is not UTF-8. Save the file as UTF-8 (line 2, column 3)',
    ]);
    write("body.md", "Line one\nnaïve\n");
    const utf8 = loadHuntFile(write("bom.toml", "\ufeff" + hunt));
    expect(utf8.problems).toEqual([]);
    expect(utf8.hunt?.puzzles[0]?.title).toBe("A");
  });
});
