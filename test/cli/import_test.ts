// cairn import ctfd: a CTFd export built as CTFd's exporter builds one, imported, then served;
// the scores must be those CTFd computes for the same data, worked out by hand below.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync } from "fflate";
import { run } from "../../src/cli/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import { startGame } from "../../src/server/mod.ts";
import { filesDirOf, openDatabase, readResults, SqliteStore } from "../../src/store/mod.ts";
import { fakeIo } from "../_io.ts";
import { at, exportZip, harborCtf, T0, type Tables } from "../ctfd/_export.ts";
import { tempDirs } from "../_tmp.ts";
import { jsonCaller } from "../_json_call.ts";
import { bcrypt } from "hash-wasm";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const MINUTE = 60_000;

async function importZip(zip: Uint8Array, extra: string[] = []) {
  const dir = dirs.make("cairn-import-");
  const file = join(dir, "export.zip");
  writeFileSync(file, zip);
  const out = join(dir, "event");
  const io = fakeIo();
  const code = await run(["import", "ctfd", file, "--out", out, ...extra], io);
  return { dir, out, code, stdout: io.out(), stderr: io.err() };
}

/** The imported event, served by the same composition root as `cairn serve`, at `now`. */
function serve(out: string, now: number) {
  const text = readFileSync(join(out, "hunt.toml"), "utf8");
  const load = () =>
    loadHunt(text, {
      file: "hunt.toml",
      readFile: (path) => readFileSync(join(out, path), "utf8"),
      assetsDir: join(out, "assets"),
    });
  const { hunt, problems } = load();
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  const db = join(out, "cairn.db");
  // Its uploads beside it, as serve keeps them (inside `out`, removed with it).
  const store = SqliteStore.over(openDatabase(db), { filesDir: filesDirOf(db) });
  const server = startGame({
    store,
    hunt,
    reread: load,
    clock: { now: () => now },
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => hashToken("admin"),
  });
  const call = jsonCaller(server.app);
  return { server, store, call };
}

describe("cairn import ctfd", () => {
  test("an event that has ended (last year's) says how to run its puzzles again for new teams", async () => {
    const dir = dirs.make("cairn-import-");
    const file = join(dir, "export.zip");
    writeFileSync(file, exportZip(harborCtf("")));
    // Harbor CTF ends 6 hours after it starts: imported an hour after, and during it.
    const told = async (now: number, name: string) => {
      const io = { ...fakeIo(), now: () => now };
      const out = join(dir, name);
      expect(await run(["import", "ctfd", file, "--out", out], io)).toBe(0);
      return io.out().trimEnd().split("\n").slice(-2);
    };
    const out = join(dir, "after");
    expect(await told(T0 + 7 * 60 * MINUTE, "after")).toEqual([
      `Serve it: cairn serve --hunt ${out}/hunt.toml --db ${out}/cairn.db`,
      "The event ended at 2026-03-07T15:00:00.000Z. To run its puzzles again as a new event, set " +
      `starts_at, ends_at and freeze_at in ${out}/hunt.toml (or remove them) and serve it on a ` +
      `new database, where teams join anew: cairn serve --hunt ${out}/hunt.toml --db ` +
      `${out}/new-event.db`,
    ]);
    const during = join(dir, "during");
    expect((await told(T0 + 60 * MINUTE, "during")).at(-1)).toBe(
      `Serve it: cairn serve --hunt ${during}/hunt.toml --db ${during}/cairn.db`,
    );
  });

  // An import, then six logins with real password hashing (bcrypt, argon2): seconds on a busy
  // machine. Beside two busy loops it took up to 3.8 s of bun's default 5 s timeout.
  test("imports an event so that Cairn serves CTFd's scores, solves and accounts", async () => {
    const ternsHash = await bcrypt({
      password: "terns-pass",
      salt: globalThis.crypto.getRandomValues(new Uint8Array(16)),
      costFactor: 4,
      outputType: "encoded",
    });
    const tables = harborCtf(ternsHash);
    // A file named in another script keeps its name (its space, which a link would need to
    // escape, becomes "_").
    tables.files = [...tables.files!, {
      id: 2,
      type: "challenge",
      location: "def456/データ 1.txt",
      challenge_id: 1,
      sha1sum: null,
    }];
    const zip = exportZip(tables, {
      "uploads/abc123/index.php": "<?php echo 1; ?>",
      "uploads/def456/データ 1.txt": "データ",
    });
    const { out, code, stdout, stderr } = await importZip(zip);
    expect([code, stderr]).toEqual([0, ""]);
    expect(stdout).toContain("cairn import: wrote");
    expect(stdout).toContain(
      "5 puzzles, 4 teams, 14 guesses (11 solves), 2 hint takes, 1 adjustments, 1 announcements",
    );
    expect(readFileSync(join(out, "assets", "web-1", "index.php"), "utf8")).toBe(
      "<?php echo 1; ?>",
    );
    const webBody = readFileSync(join(out, "puzzles", "web-1.md"), "utf8");
    expect(webBody).toContain("**Connection:** `http://web.ctf:8080`");
    expect(webBody).toContain("- [index.php](assets/index.php)");
    expect(readFileSync(join(out, "assets", "web-1", "データ_1.txt"), "utf8")).toBe("データ");
    expect(webBody).toContain("- [データ_1.txt](assets/データ_1.txt)");

    // The report lists what did not carry over.
    const report = readFileSync(join(out, "import-report.txt"), "utf8");
    for (
      const line of [
        'challenge(s) of plugin types were left out, with their submissions: "Quiz" (multiple_choice)',
        '"Banned Crew" (banned)',
        "1 page(s) had no place in Cairn",
        'Brackets are divisions in Cairn: "Students" is "students"',
        "2 team(s) had no password in CTFd",
        "discarded, rate-limited or repeated submission(s) were left out",
      ]
    ) expect(report).toContain(line);

    // CTFd's formulas, by hand. Solve counts leave out the banned team (hidden in Cairn, off the
    // board, its solve of web-1 kept but counted for no one else); the first solve keeps
    // the initial value, so the count the formulas see is the solves less one.
    const web = Math.max(100, Math.ceil(500 - 50 * (3 - 1))); // linear 500/100/50, 3 solves: 400
    const crypto = Math.max(200, Math.ceil(1000 + ((200 - 1000) / 3 ** 2) * (2 - 1) ** 2)); // 912
    const core = Math.max(100, Math.ceil(300 + ((100 - 300) / 4 ** 2) * (3 - 1) ** 2)); // 250
    const misc = 100;
    expect([web, crypto, core]).toEqual([400, 912, 250]);
    const expected = [
      { name: "Gulls", score: web + crypto + misc + core - 10, solves: 4 },
      { name: "Terns", score: web + crypto + core + 25, solves: 3 },
      { name: "Puffins", score: web + misc + core - 10, solves: 3 },
    ];

    // Served after the event: the board is frozen at the freeze, after every solve.
    const { store, call } = serve(out, T0 + 7 * 60 * MINUTE);
    const board = await call("GET", "/api/scoreboard");
    expect(board.body.frozen).toBe(true);
    expect(board.body.teams.map((t: { name: string; score: number; solves: number }) => ({
      name: t.name,
      score: t.score,
      solves: t.solves,
    }))).toEqual(expected);
    const results = readResults(store.db);
    expect(results.scoreboard.map((row) => [row.name, row.score])).toEqual(
      expected.map((row) => [row.name, row.score]),
    );
    expect(results.solves.map((s) => [s.team, s.puzzle, s.at])).toEqual([
      [1, "web-1", new Date(T0 + 10 * MINUTE).toISOString()],
      [2, "web-1", new Date(T0 + 12 * MINUTE).toISOString()],
      [4, "web-1", new Date(T0 + 13 * MINUTE).toISOString()],
      [3, "web-1", new Date(T0 + 14 * MINUTE).toISOString()],
      [1, "crypto-log", new Date(T0 + 20 * MINUTE).toISOString()],
      [2, "crypto-log", new Date(T0 + 22 * MINUTE).toISOString()],
      [1, "misc-static", new Date(T0 + 30 * MINUTE).toISOString()],
      [3, "misc-static", new Date(T0 + 31 * MINUTE).toISOString()],
      [1, "core-dynamic", new Date(T0 + 40 * MINUTE).toISOString()],
      [2, "core-dynamic", new Date(T0 + 41 * MINUTE).toISOString()],
      [3, "core-dynamic", new Date(T0 + 42 * MINUTE).toISOString()],
    ]);
    expect(readFileSync(join(out, "hunt.toml"), "utf8")).toContain(
      "freeze_at = 2026-03-07T14:00:00.000Z",
    );

    // Teams keep their CTFd passwords (passlib's bcrypt_sha256, plain bcrypt), upgraded at login.
    const login = (name: string, password: string) =>
      call("POST", "/api/session", { body: { name, password } });
    expect((await login("Gulls", "Password")).status).toBe(401);
    const gulls = await login("Gulls", "password");
    expect(gulls.status).toBe(200);
    expect((await login("Terns", "terns-pass")).status).toBe(200);
    expect((await login("Puffins", "anything")).status).toBe(401);
    store.flush();
    const hashes = store.db.query("SELECT name, password_hash AS hash FROM teams ORDER BY id")
      .all() as {
        name: string;
        hash: string;
      }[];
    expect(hashes.map((h) => [h.name, h.hash.slice(0, 10)])).toEqual([
      ["Gulls", "$argon2id$"],
      ["Terns", "$argon2id$"],
      ["Puffins", "!no-passwo"],
      ["Banned Crew", "!no-passwo"],
    ]);
    // The banned team came over banned (and so hidden), as the board above leaves it out.
    expect(store.db.query("SELECT name, hidden, banned FROM teams WHERE id = 4").get()).toEqual({
      name: "Banned Crew",
      hidden: 1,
      banned: 1,
    });
    expect((await login("Gulls", "password")).status).toBe(200);

    // What Gulls sees: the hidden challenge stays hidden; the taken hint is shown.
    const list = await call("GET", "/api/puzzles", { token: gulls.body.token });
    expect(
      list.body.puzzles.map((
        p: { id: string; points: number; solved: boolean },
      ) => [p.id, p.points, p.solved]),
    )
      .toEqual([
        ["web-1", web, true],
        ["crypto-log", crypto, true],
        ["misc-static", misc, true],
        ["core-dynamic", core, true],
      ]);
    // Gulls solved it: the hint it took stays shown, the other is no longer offered.
    const miscView = await call("GET", "/api/puzzles/misc-static", { token: gulls.body.token });
    expect(miscView.body.hints).toEqual([
      { id: "hint-1", cost: 10, available: true, taken: true, text: "Try harder" },
      { id: "hint-2", cost: 0, available: false, taken: false },
    ]);
    // Hint 2 needed hint 1 taken first (CTFd's hint prerequisites): Terns never took it.
    const terns = await login("Terns", "terns-pass");
    const ternsMisc = await call("GET", "/api/puzzles/misc-static", { token: terns.body.token });
    expect(ternsMisc.body.hints.map((h: { id: string; available: boolean }) => [h.id, h.available]))
      .toEqual([["hint-1", true], ["hint-2", false]]);
    const announcements = store.db.query("SELECT text FROM announcements").all();
    expect(announcements).toEqual([{ text: "Welcome\n\nGood luck" }]);
    // Puffins had no password in CTFd: an organizer gives it one, as the report says.
    const set = await call("PUT", "/api/admin/teams/3/password", {
      token: "admin",
      body: { password: "puffin-pass" },
    });
    expect(set.status).toBe(200);
    expect((await login("Puffins", "puffin-pass")).status).toBe(200);
    store.close();
  }, 30_000);

  test("carries over flags: exact, case-insensitive, regex, several per challenge", async () => {
    const { out, code } = await importZip(exportZip(harborCtf("$2b$04$x")));
    expect(code).toBe(0);
    const { hunt } = loadHunt(readFileSync(join(out, "hunt.toml"), "utf8"), {
      file: "hunt.toml",
      readFile: (path) => readFileSync(join(out, path), "utf8"),
    });
    const check = (id: string, guess: string) =>
      hunt!.puzzles[hunt!.puzzleIndex.get(id)!]!.answers.check(guess).kind;
    const cases: [string, string, string][] = [
      ["web-1", "flag{web}", "correct"],
      ["web-1", "flag{WEB}", "incorrect"],
      ["web-1", "  flag{web} ", "correct"],
      ["misc-static", "flag{misc}", "correct"],
      ["misc-static", "FLAG{MISC}", "correct"],
      ["misc-static", "flag{misc}x", "incorrect"],
      ["misc-static", "alt-flag", "correct"],
      ["misc-static", "ALT-FLAG", "incorrect"],
      ["crypto-log", "flag{c123}", "correct"],
      ["crypto-log", "FLAG{C1}", "correct"],
      ["crypto-log", "flag{c}", "incorrect"],
      ["crypto-log", "xflag{c1}", "incorrect"],
    ];
    expect(cases.map(([id, guess]) => [id, guess, check(id, guess)])).toEqual(cases);
    const text = readFileSync(join(out, "hunt.toml"), "utf8");
    expect(text).toContain('unlock = "solved(\\"web-1\\")"');
    expect(text).toContain('[puzzle.guess_limit]\ncount = 3\nper = "hunt"');
  });

  test("leaves out a regex flag a crafted guess could stall, and caps points a hunt cannot hold", async () => {
    const tables = harborCtf("$2b$04$x");
    tables.flags = [
      ...tables.flags!,
      { id: 8, challenge_id: 4, type: "regex", content: "(\\w|\\d)+", data: "case_insensitive" },
    ];
    tables.challenges = tables.challenges!.map((row) =>
      row.id === 4 ? { ...row, value: 5_000_000 } : row
    );
    const { out, code, stdout, stderr } = await importZip(exportZip(tables));
    expect(code).toBe(0);
    const said = stdout + stderr;
    expect(said).toContain(
      'A regex flag of "Hidden One" was left out: a crafted guess could make it run for seconds',
    );
    expect(said).toContain(
      '"Hidden One" is worth 5000000 points in CTFd, more than a hunt file allows: it is worth 1000000',
    );
    const { hunt, problems } = loadHunt(readFileSync(join(out, "hunt.toml"), "utf8"), {
      file: "hunt.toml",
      readFile: (path) => readFileSync(join(out, path), "utf8"),
    });
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    const hidden = hunt!.puzzles[hunt!.puzzleIndex.get("hidden-one")!]!;
    expect(hidden.points).toBe(1_000_000);
    expect(hidden.answers.check("x").kind).toBe("correct");
    expect(hidden.answers.check("abc123").kind).toBe("incorrect");
  });

  test("uploads a description links to (CTFd's editor puts them there) come over as assets", async () => {
    const tables = harborCtf("$2b$04$x");
    tables.challenges = tables.challenges!.map((row) =>
      row.id === 1
        ? {
          ...row,
          description:
            "See the map:\n\n![map](https://ctf.example.org/files/f00d/map.png?t=1)\n\n" +
            "[Notes](/files/beef/notes%20v2.txt), [the source](/files/abc123/index.php) and " +
            "[gone](/files/dead/gone.txt). Not CTFd's: https://example.org/repo/files/abc123/index.php",
        }
        : row
    );
    const { out, code, stdout } = await importZip(
      exportZip(tables, {
        "uploads/abc123/index.php": "<?php echo 1; ?>",
        "uploads/f00d/map.png": "PNG",
        "uploads/beef/notes v2.txt": "notes",
      }),
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      'The description of puzzle "web-1" links to /files/dead/gone.txt, which is not in the export',
    );
    expect(stdout).not.toContain("links to https://example.org");
    const body = readFileSync(join(out, "puzzles", "web-1.md"), "utf8");
    // A file of the challenge is linked where it was, and listed once; one not in the export stays.
    expect(body).toBe(
      "See the map:\n\n![map](assets/map.png)\n\n[Notes](assets/notes_v2.txt), " +
        "[the source](assets/index.php) and [gone](/files/dead/gone.txt). Not CTFd's: " +
        "https://example.org/repo/files/abc123/index.php\n\n" +
        "**Connection:** `http://web.ctf:8080`\n\n**Files:**\n- [index.php](assets/index.php)\n",
    );
    expect(readdirSync(join(out, "assets", "web-1")).sort()).toEqual([
      "index.php",
      "map.png",
      "notes_v2.txt",
    ]);
    expect(readFileSync(join(out, "assets", "web-1", "notes_v2.txt"), "utf8")).toBe("notes");
    const { problems } = loadHunt(readFileSync(join(out, "hunt.toml"), "utf8"), {
      file: "hunt.toml",
      readFile: (path) => readFileSync(join(out, path), "utf8"),
      assetsDir: join(out, "assets"),
    });
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  });
});

describe("cairn import ctfd: challenge solutions (CTFd 3.8)", () => {
  test("a solution shown once solved, or to every team, comes over as the puzzle's; a hidden one does not", async () => {
    const tables = harborCtf("$2b$04$x");
    tables.challenges = tables.challenges!.map((row) =>
      row.id === 1 ? { ...row, description: "See ![map](/files/f00d/map.png)." } : row
    );
    tables.solutions = [
      {
        id: 1,
        challenge_id: 1,
        content:
          "Inject `' OR 1=1`. ![The page](/files/cafe/solved.png) on ![map](/files/f00d/map.png)",
        state: "solved",
      },
      { id: 2, challenge_id: 2, content: "Factor **n**.", state: "visible" },
      { id: 3, challenge_id: 3, content: "Never shown.", state: "hidden" },
      { id: 4, challenge_id: 6, content: "  ", state: "solved" },
    ];
    tables.unlocks = [
      { id: 1, user_id: 1, team_id: 1, target: 2, date: at(30), type: "solutions" },
    ];
    const { out, code, stdout } = await importZip(
      exportZip(tables, {
        "uploads/abc123/index.php": "<?php echo 1; ?>",
        "uploads/f00d/map.png": "PNG",
        "uploads/cafe/solved.png": "SOLVED",
      }),
    );
    expect(code).toBe(0);
    // The solution's own picture goes where teams get it once solved; the body's map stays put.
    expect(readFileSync(join(out, "solutions", "web-1.md"), "utf8")).toBe(
      "Inject `' OR 1=1`. ![The page](assets/solution/solved.png) on ![map](assets/map.png)\n",
    );
    expect(readFileSync(join(out, "assets", "web-1", "solution", "solved.png"), "utf8"))
      .toBe("SOLVED");
    expect(readFileSync(join(out, "solutions", "crypto-log.md"), "utf8")).toBe("Factor **n**.\n");
    expect(readdirSync(join(out, "solutions")).sort()).toEqual(["crypto-log.md", "web-1.md"]);
    for (
      const line of [
        "1 solution(s) CTFd showed to every team that could see the challenge; Cairn shows a " +
        'solution to a team once it solved the challenge: "Crypto Log"',
        '1 hidden solution(s) were left out, as in CTFd no team saw them: "Misc Static"',
        "1 unlock(s) of challenge solutions had no place in Cairn",
      ]
    ) expect(stdout).toContain(line);
    expect(stdout).not.toContain("challenge solution(s) had no place");
    const { hunt, problems } = loadHunt(readFileSync(join(out, "hunt.toml"), "utf8"), {
      file: "hunt.toml",
      readFile: (path) => readFileSync(join(out, path), "utf8"),
      assetExists: (puzzle, file) => existsSync(join(out, "assets", puzzle, file)),
    });
    expect(problems.filter((p) => p.field?.startsWith("solution"))).toEqual([]);
    const solution = (id: string) => hunt!.puzzles[hunt!.puzzleIndex.get(id)!]!.solution;
    expect(solution("web-1")).toContain("assets/solution/solved.png");
    expect(solution("misc-static")).toBeUndefined();
    expect(solution("core-dynamic")).toBeUndefined();
  });
});

describe("cairn import ctfd: what a solution meets", () => {
  test("a file named solution, HTML, a solution of a challenge left out, an export before 3.8", async () => {
    const tables = harborCtf("$2b$04$x");
    tables.files = [
      ...tables.files!,
      // A challenge's own file (the teams' at once, as in CTFd), named as the solution's folder,
      // which teams get only once they solved the puzzle: renamed. (Was: hidden until the solve;
      // named `solution`, an import that failed, EEXIST.)
      { id: 2, type: "challenge", location: "beef/Solution", challenge_id: 1, sha1sum: null },
      // A CTFd 3.8 solution's upload: no challenge_id, so never one of the challenge's files.
      { id: 3, type: "solution", location: "cafe/solved.png", solution_id: 1, sha1sum: null },
    ];
    tables.solutions = [
      {
        id: 1,
        challenge_id: 1,
        content: '<img src="/files/cafe/solved.png"> It was SQL.',
        state: "solved",
      },
      // Quiz is a plugin's challenge, left out; challenge 99 is none.
      { id: 2, challenge_id: 5, content: "The answer is b.", state: "solved" },
      { id: 3, challenge_id: 99, content: "Gone.", state: "visible" },
    ];
    const uploads = {
      "uploads/abc123/index.php": "<?php echo 1; ?>",
      "uploads/beef/Solution": "PUBLIC",
      "uploads/cafe/solved.png": "SOLVED",
    };
    const { out, code, stdout } = await importZip(exportZip(tables, uploads));
    expect(code).toBe(0);
    expect(readdirSync(join(out, "assets", "web-1"), { recursive: true }).sort()).toEqual([
      "2-Solution",
      "index.php",
      "solution",
      "solution/solved.png",
    ]);
    expect(readFileSync(join(out, "puzzles", "web-1.md"), "utf8")).toContain(
      "- [2-Solution](assets/2-Solution)",
    );
    expect(readFileSync(join(out, "solutions", "web-1.md"), "utf8")).toBe(
      '<img src="assets/solution/solved.png"> It was SQL.\n',
    );
    for (
      const line of [
        'The solution of "Web 1" has HTML (<img src="assets/solution/solved.png">), which CTFd ' +
        "rendered and Cairn shows as text: write it in Markdown in solutions/web-1.md",
        '2 solution(s) of challenges that did not come over were left out: "Quiz", "Challenge 99"',
      ]
    ) expect(stdout).toContain(line);
    // Before CTFd 3.8 there is no solutions table: no solution, no solutions/ folder.
    delete tables.solutions;
    const before = await importZip(exportZip(tables, uploads));
    expect(before.code).toBe(0);
    expect(existsSync(join(before.out, "solutions"))).toBe(false);
    expect(readFileSync(join(before.out, "hunt.toml"), "utf8")).not.toContain("solution");
  });
});

/** 8 MB of spaces after a "[", declared (in both zip headers) as 100 bytes. */
function lyingZip(): Uint8Array {
  const big = new Uint8Array(8 * 1024 * 1024).fill(32);
  big[0] = 91;
  const zip = zipSync({
    "db/alembic_version.json": new TextEncoder().encode('{"results":[{"version_num":"x"}]}'),
    "db/challenges.json": big,
  }, { level: 9 });
  const view = new DataView(zip.buffer);
  for (let i = 0; i + 30 < zip.length; i++) {
    const signature = view.getUint32(i, true);
    // The uncompressed size: at 22 in a local header, at 24 in a central directory entry.
    const field = signature === 0x04034b50 ? i + 22 : signature === 0x02014b50 ? i + 24 : -1;
    if (field >= 0 && view.getUint32(field, true) === big.length) view.setUint32(field, 100, true);
  }
  return zip;
}

describe("cairn import ctfd refuses, with one clear error and nothing written", () => {
  const tooOld: Tables = { ...harborCtf("x"), alembic_version: [{ version_num: "cbf5620f8e15" }] };
  const cases: [string, () => Uint8Array, string[], RegExp][] = [
    [
      "a file that is not a zip",
      () => new TextEncoder().encode("not a zip at all"),
      [],
      /is not a readable zip file/,
    ],
    [
      "a path that climbs out",
      () =>
        zipSync({
          "db/alembic_version.json": new Uint8Array(2),
          "uploads/../../evil.txt": new Uint8Array(1),
        }),
      [],
      /holds a path that climbs out of its folder: "uploads\/..\/..\/evil.txt"/,
    ],
    [
      "a zip bomb",
      () => zipSync({ "db/challenges.json": new Uint8Array(3 * 1024 * 1024) }, { level: 9 }),
      ["--max-size", "1"],
      /inflates to more than 1 MB \(a zip bomb\?\)/,
    ],
    [
      "a zip bomb that declares a small size: inflated only to that size",
      lyingZip,
      [],
      /db\/challenges.json is not valid JSON/,
    ],
    [
      "an export from CTFd 1",
      () => exportZip(tooOld),
      [],
      /from CTFd 1 \(database version cbf5620f8e15\)/,
    ],
    [
      "a zip that is not a CTFd export",
      () => zipSync({ "readme.txt": new Uint8Array(3) }),
      [],
      /is not a CTFd export: it has no db\/ folder/,
    ],
  ];
  for (const [what, zip, extra, message] of cases) {
    test(what, async () => {
      const { dir, out, code, stdout, stderr } = await importZip(zip(), extra);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toMatch(/^cairn import: /);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir)).toEqual(["export.zip"]);
    });
  }

  test("a folder that is not empty", async () => {
    const dir = dirs.make("cairn-import-");
    writeFileSync(join(dir, "export.zip"), exportZip(harborCtf("x")));
    writeFileSync(join(dir, "keep.txt"), "mine");
    const io = fakeIo();
    expect(await run(["import", "ctfd", join(dir, "export.zip"), "--out", dir], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn import: ${dir} already exists and is not empty; give a new folder\n`,
    );
    expect(readdirSync(dir).sort()).toEqual(["export.zip", "keep.txt"]);
  });

  test("an unknown source or a missing --out is a usage error", async () => {
    const io = fakeIo();
    expect(await run(["import", "rctf", "x.zip", "--out", "d"], io)).toBe(2);
    expect(io.err()).toContain('cairn import: unknown source "rctf"');
    const io2 = fakeIo();
    expect(await run(["import", "ctfd", "x.zip"], io2)).toBe(2);
    expect(io2.err()).toBe("cairn import: give the folder to write with --out DIR\n");
  });

  test("a bad --max-size is a usage error naming it as it was set: the flag or its variable", async () => {
    const argv = ["import", "ctfd", "x.zip", "--out", "d"];
    const flag = fakeIo({ CAIRN_IMPORT_MAX_SIZE: "64" });
    expect(await run([...argv, "--max-size", "0.5"], flag)).toBe(2);
    expect(flag.err()).toBe(
      'cairn import: --max-size must be a whole number of megabytes, not "0.5"\n',
    );
    const variable = fakeIo({ CAIRN_IMPORT_MAX_SIZE: "lots" });
    expect(await run(argv, variable)).toBe(2);
    expect(variable.err()).toBe(
      'cairn import: CAIRN_IMPORT_MAX_SIZE must be a whole number of megabytes, not "lots"\n',
    );
  });
});

describe("cairn import ctfd names a path it cannot use, in one line, and writes nothing", () => {
  // Each case: EXPORT.zip and --out, and what is said, with {dir} for a folder that holds
  // export.zip, a file and a folder.
  const cases: [string, string, string][] = [
    ["{dir}/none.zip", "{dir}/event", "cannot read {dir}/none.zip: there is no such file"],
    ["{dir}/folder", "{dir}/event", "cannot read {dir}/folder: it is a folder, not a file"],
    [
      "{dir}/export.zip",
      "{dir}/file.txt",
      "{dir}/file.txt is a file, not a folder; give a new folder",
    ],
    ["{dir}/export.zip", "{dir}/file.txt/event", "{dir}/file.txt is a file, not a folder"],
    ["{dir}/export.zip", "{dir}/missing/event", "the folder {dir}/missing does not exist"],
  ];
  for (const [file, out, message] of cases) {
    test(`import ctfd ${file} --out ${out}`, async () => {
      const dir = dirs.make("cairn-import-");
      writeFileSync(join(dir, "export.zip"), exportZip(harborCtf("x")));
      writeFileSync(join(dir, "file.txt"), "mine");
      mkdirSync(join(dir, "folder"));
      const io = fakeIo();
      const argv = ["import", "ctfd", file, "--out", out].map((arg) => arg.replace("{dir}", dir));
      expect(await run(argv, io)).toBe(1);
      expect(io.err()).toBe(`cairn import: ${message.replaceAll("{dir}", dir)}\n`);
      expect(io.out()).toBe("");
      expect(readdirSync(dir).sort()).toEqual(["export.zip", "file.txt", "folder"]);
      expect(readFileSync(join(dir, "file.txt"), "utf8")).toBe("mine");
    });
  }
});
