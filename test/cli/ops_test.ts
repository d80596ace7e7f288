// The server's operations in-process: health, SIGHUP reload, the start-up
// integrity check, and the backup and export commands.
import { afterAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { acquireLock, openDatabase, RESULT_TABLES, saveScoring } from "../../src/store/mod.ts";
import { fakeIo } from "../_io.ts";
import { register, startServer } from "./_serve.ts";
import { open } from "../_sse.ts";
import { tempDirs } from "../_tmp.ts";
import { openConnection } from "../../src/store/driver.ts";
import { sleep } from "../_runtime.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const HUNT = `
[hunt]
title = "Ops"

[[puzzle]]
id = "first"
title = "First"
points = 10
answer = ["one"]

[[puzzle]]
id = "gated"
title = "Gated"
points = 20
unlock = 'after("2099-01-01T00:00:00Z")'
answer = ["two"]
`;

async function guess(base: string, token: string, puzzle: string, answer: string) {
  const res = await fetch(`${base}/api/puzzles/${puzzle}/guesses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ answer }),
  });
  return await res.json();
}

/** Waits until `text()` matches, or fails after 3 s. */
async function until(text: () => string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (pattern.test(text())) return;
    await sleep(10);
  }
  throw new Error(`nothing matched ${pattern} in:\n${text()}`);
}

describe("GET /healthz", () => {
  test("answers 503 with the envelope while the database cannot be written, then 200 again", async () => {
    const server = await startServer(dirs.make("cairn-ops-"), HUNT);
    try {
      const ok = await fetch(`${server.base}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true, db: "writable" });

      // Another process takes the database's write lock: the server could not save now.
      const other = openConnection(server.db);
      other.exec("BEGIN IMMEDIATE");
      const blocked = await fetch(`${server.base}/healthz`);
      expect(blocked.status).toBe(503);
      const body = (await blocked.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unavailable");
      expect(body.error.message).toStartWith("The database cannot be locked for writing");
      other.exec("ROLLBACK");
      other.close();

      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe("serve --commit-thread", () => {
  for (
    const [extra, commits] of [
      [[], "main thread"],
      [["--commit-thread", "off"], "main thread"],
      [["--commit-thread", "on"], "commit thread"],
    ] as const
  ) {
    test(
      `${
        extra.join(" ") || "by default"
      }: commits on the ${commits}, and a guess survives a restart`,
      async () => {
        const dir = dirs.make("cairn-ops-");
        const server = await startServer(dir, HUNT, [...extra]);
        let token: string;
        try {
          expect(server.io.out()).toContain(`commits="${commits}"`);
          token = await register(server.base, "Gulls");
          expect(await guess(server.base, token, "first", "one")).toMatchObject({
            result: "correct",
          });
        } finally {
          expect(await server.stop()).toBe(0);
        }
        // Answered means on disk: a new server on the file has it.
        const again = await startServer(dir, HUNT);
        try {
          expect(await guess(again.base, token, "first", "one")).toMatchObject({
            result: "already_solved",
          });
        } finally {
          expect(await again.stop()).toBe(0);
        }
        // Two servers started and stopped: on a busy machine more than the default 5 s.
      },
      30_000,
    );
  }
});

describe("SIGHUP", () => {
  test("re-reads the hunt file: unlocks are recomputed and pushed, the board follows", async () => {
    const server = await startServer(dirs.make("cairn-ops-"), HUNT);
    try {
      const token = await register(server.base, "Gulls");
      expect(await guess(server.base, token, "first", "one")).toMatchObject({ result: "correct" });
      const stream = await open(server.base, { authorization: `Bearer ${token}` });
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));

      // The gate opens for everyone, and the first puzzle is worth more.
      writeFileSync(
        server.hunt,
        HUNT.replace(/unlock = .*\n/, "").replace("points = 10", "points = 15"),
      );
      server.io.hup();
      const unlock = await stream.wait((e) => e.event === "unlock");
      expect(JSON.parse(unlock.data!)).toEqual({ puzzles: ["gated"], titles: ["Gated"] });
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":15'));
      expect(server.io.out()).toMatch(
        /level=info event=hunt_reloaded source=sighup puzzles=2 changed=first,gated\n/,
      );
      const puzzles = await fetch(`${server.base}/api/puzzles`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await puzzles.json()) as { puzzles: { id: string }[] }).puzzles.map((p) => p.id))
        .toEqual(["first", "gated"]);
      await stream.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("keeps the running hunt when the file has errors, and logs every one", async () => {
    const server = await startServer(dirs.make("cairn-ops-"), HUNT);
    try {
      const token = await register(server.base, "Gulls");
      await guess(server.base, token, "first", "one");
      writeFileSync(
        server.hunt,
        HUNT.replace("points = 20", "points = 20\ncolour = 1").replace(
          `after("2099-01-01T00:00:00Z")`,
          `solved("nope")`,
        ),
      );
      server.io.hup();
      await until(server.io.out, /event=hunt_reload_failed source=sighup errors=2 kept=old/);
      const lines = server.io.out().split("\n").filter((l) => l.includes("hunt_reload_error"));
      expect(lines).toHaveLength(2);
      expect(lines.join("\n")).toContain("colour");
      expect(lines.join("\n")).toContain('Unknown puzzle \\"nope\\"');
      // The old hunt still plays.
      expect(await guess(server.base, token, "first", "one")).toMatchObject({
        result: "already_solved",
      });

      // Removing a puzzle that has solves is refused, with the reason.
      writeFileSync(
        server.hunt,
        HUNT.replace(/\[\[puzzle\]\]\nid = "first"[\s\S]*?(?=\[\[puzzle)/, ""),
      );
      server.io.hup();
      await until(server.io.out, /errors=1 kept=old/);
      expect(server.io.out()).toContain(
        'event=hunt_reload_error message="Puzzle \\"first\\" has solves, so it cannot be removed: put it back in the file"',
      );
      const metrics = await (await fetch(`${server.base}/metrics`)).text();
      expect(metrics).toContain('cairn_hunt_reloads_total{result="error"} 2');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe("serve and a hunt already over", () => {
  test("warns in one line at start; a hunt still on, or with no end, does not", async () => {
    const hunt = (end: string) =>
      `[hunt]\ntitle = "Over"\n${end}\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["x"]\n`;
    const cases: [string, string, boolean][] = [
      ["ended", hunt("ends_at = 2020-05-01T18:00:00Z"), true],
      ["no-end", hunt(""), false],
      ["still-on", hunt("ends_at = 2099-05-01T18:00:00Z"), false],
    ];
    for (const [name, toml, warned] of cases) {
      const server = await startServer(dirs.make(`cairn-ended-${name}-`), toml);
      const out = server.io.out();
      await server.stop();
      const lines = out.split("\n").filter((line) => line.includes("event=hunt_ended"));
      expect([name, lines.length]).toEqual([name, warned ? 1 : 0]);
      if (warned) {
        expect(lines[0]).toContain("level=warn");
        expect(lines[0]).toContain("ends_at=2020-05-01T18:00:00.000Z");
      }
    }
  });
});

describe("serve on loopback only", () => {
  const toml = `[hunt]\ntitle = "Here"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["x"]\n`;

  test("--host 127.0.0.1 warns in one line that phones cannot reach it", async () => {
    const server = await startServer(dirs.make("cairn-loopback-"), toml);
    const out = server.io.out();
    await server.stop();
    const lines = out.split("\n").filter((line) => line.includes("event=loopback_only"));
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("level=warn");
    expect(lines[0]).toContain("host=127.0.0.1");
    expect(lines[0]).toContain("--host 0.0.0.0 (the default) lets them");
  });

  test("--host 127.0.0.1 behind a proxy on this machine does not; behind one elsewhere, it does", async () => {
    const cases: [string, boolean][] = [["127.0.0.1,::1", false], ["::1", false], [
      "10.0.0.5",
      true,
    ]];
    for (const [proxies, warned] of cases) {
      const server = await startServer(dirs.make("cairn-proxied-"), toml, [
        "--trust-proxy",
        proxies,
      ]);
      const out = server.io.out();
      await server.stop();
      expect(out).toContain(`trust_proxy=${proxies}`);
      expect([proxies, out.includes("event=loopback_only")]).toEqual([proxies, warned]);
    }
  });

  test("--host 0.0.0.0 does not", async () => {
    const dir = dirs.make("cairn-everywhere-");
    writeFileSync(join(dir, "hunt.toml"), toml);
    const io = fakeIo();
    const exited = run([
      ...["serve", "--hunt", join(dir, "hunt.toml"), "--db", join(dir, "cairn.db")],
      ...["--host", "0.0.0.0", "--port", "0", "--admin-token", "t".repeat(32)],
    ], io);
    for (let i = 0; i < 500 && !/event=listening/.test(io.out()); i++) await sleep(10);
    io.stop();
    expect(await exited).toBe(0);
    expect(io.out()).toContain("event=listening");
    expect(io.out()).not.toContain("loopback_only");
  });
});

describe("serve that cannot listen", () => {
  const toml = `[hunt]\ntitle = "Here"\n\n[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["x"]\n`;

  /** `serve` on `db` at `host` and `port`: its exit code and its error output. */
  async function serveAt(dir: string, db: string, host: string, port: string) {
    writeFileSync(join(dir, "hunt.toml"), toml);
    const io = fakeIo();
    const code = await run([
      ...["serve", "--hunt", join(dir, "hunt.toml"), "--db", db, "--host", host, "--port", port],
      ...["--admin-token", "t".repeat(32)],
    ], io);
    io.stop();
    return { code, err: io.err() };
  }

  test("says in one line what is wrong with --host, and leaves no new data folder", async () => {
    const dir = dirs.make("cairn-nohost-");
    const elsewhere = "give one of this machine's addresses, or leave --host out to listen on all";
    const cases: [string, string][] = [
      [
        "nope.invalid",
        "cairn serve: cannot listen on nope.invalid: it is neither an address of this machine nor a " +
        `name it can look up; ${elsewhere}\n`,
      ],
      // TEST-NET-2 (RFC 5737): an address no machine here has.
      [
        "198.51.100.7",
        `cairn serve: 198.51.100.7 is not an address of this machine: ${elsewhere}\n`,
      ],
    ];
    for (const [host, line] of cases) {
      const data = join(dir, `data-${host}`, "cairn-data");
      const seen = await serveAt(dir, join(data, "cairn.db"), host, "0");
      expect({ host, ...seen }).toEqual({ host, code: 1, err: line });
      expect(existsSync(join(dir, `data-${host}`))).toBe(false);
    }
  });

  test("a port in use: the line says so; a folder or a database that was there stays", async () => {
    const running = await startServer(dirs.make("cairn-busy-"), toml);
    const port = new URL(running.base).port;
    try {
      // A data folder holding a file of the organizer's: the folder and the file stay, the new
      // database goes.
      const dir = dirs.make("cairn-busy-");
      const data = join(dir, "cairn-data");
      mkdirSync(data);
      writeFileSync(join(data, "notes.txt"), "mine");
      let seen = await serveAt(dir, join(data, "cairn.db"), "127.0.0.1", port);
      expect(seen).toEqual({
        code: 1,
        err:
          `cairn serve: port ${port} is already in use on 127.0.0.1: stop what listens there, or ` +
          "give another --port\n",
      });
      expect(readdirSync(data)).toEqual(["notes.txt"]);
      // A database from an earlier start stays, with what is beside it.
      const earlier = await startServer(dirs.make("cairn-busy-"), toml);
      await register(earlier.base, "Gulls");
      expect(await earlier.stop()).toBe(0);
      const beside = readdirSync(dirname(earlier.db)).sort();
      seen = await serveAt(dirs.make("cairn-busy-"), earlier.db, "127.0.0.1", port);
      expect(seen.code).toBe(1);
      expect(readdirSync(dirname(earlier.db)).sort()).toEqual(beside);
      const db = openDatabase(earlier.db);
      expect(db.query("SELECT name FROM teams").all()).toEqual([{ name: "Gulls" }]);
      db.close();
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });
});

describe("start-up integrity check", () => {
  test("refuses a damaged database with one line", async () => {
    const dir = dirs.make("cairn-ops-");
    const path = join(dir, "cairn.db");
    const db = openDatabase(path);
    const insert = db.prepare(
      "INSERT INTO guesses (team_id, puzzle, raw, normalized, result, at) VALUES (1, 'p', ?, ?, 'incorrect', 0)",
    );
    db.exec("PRAGMA foreign_keys = OFF");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`guess ${i}`, `GUESS ${i}`);
    })();
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const pageSize = (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
    const pages = (db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    db.close();
    // Scribble over a page in the middle of the file: a table or index page, not the schema.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, Math.floor(pages / 2) * pageSize);

    const io = fakeIo();
    const code = await run(
      ["serve", "--db", path, "--host", "127.0.0.1", "--port", "0"],
      io,
    );
    expect(code).toBe(1);
    const lines = io.err().split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^cairn serve: cannot open the database .*: The database fails its integrity check \(.+\); restore it from a backup$/,
    );
  });
});

describe("cairn serve over an event with solves", () => {
  test("refuses a hunt file that lacks a solved puzzle, as a reload does", async () => {
    const dir = dirs.make("cairn-ops-");
    const server = await startServer(dir, HUNT);
    const token = await register(server.base, "Gulls");
    expect(await guess(server.base, token, "first", "one")).toMatchObject({ result: "correct" });
    expect(await server.stop()).toBe(0);
    // The same hunt without the puzzle "first".
    const without = join(dir, "without.toml");
    writeFileSync(
      without,
      HUNT.slice(HUNT.indexOf('[[puzzle]]\nid = "gated"')).replace(
        "[[puzzle]]",
        '[hunt]\ntitle = "Ops"\n\n[[puzzle]]',
      ),
    );
    const io = fakeIo();
    const db = join(dir, "cairn.db");
    expect(await run(["serve", "--hunt", without, "--db", db, "--port", "0"], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn serve: ${without} cannot run on ${db}:\n` +
        `  Puzzle "first" has solves, so it cannot be removed: put it back in the file\n`,
    );
  });
});

describe("cairn backup and cairn export", () => {
  test("work beside a running server, and export also once it stopped", async () => {
    const dir = dirs.make("cairn-ops-");
    const server = await startServer(dir, HUNT);
    let stopped = false;
    try {
      const token = await register(server.base, 'Gulls, "the" best');
      await guess(server.base, token, "first", "nope");
      await guess(server.base, token, "first", "one");

      const backup = fakeIo();
      expect(await run(["backup", join(dir, "copy.db"), "--db", server.db], backup)).toBe(0);
      expect(backup.out()).toMatch(/^cairn backup: wrote .*copy\.db \(\d+\.\d KiB\) in \d+ ms\n$/);
      const copy = openConnection(join(dir, "copy.db"), { readonly: true });
      expect(copy.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      expect(copy.query("SELECT count(*) AS n FROM guesses").get()).toEqual({ n: 2 });
      copy.close();

      // A folder gets a dated file; the database itself is refused.
      const toFolder = fakeIo();
      expect(await run(["backup", dir, "--db", server.db], toFolder)).toBe(0);
      expect(toFolder.out()).toMatch(/cairn-\d{8}-\d{6}\.db/);
      const onto = fakeIo();
      expect(await run(["backup", server.db, "--db", server.db], onto)).toBe(1);
      expect(onto.err()).toBe(
        `cairn backup: ${server.db} is the database itself; choose another file\n`,
      );

      const running = fakeIo();
      expect(await run(["export", "--db", server.db], running)).toBe(0);
      const results = JSON.parse(running.out());
      expect(results.scoreboard).toEqual([{
        rank: 1,
        team: 1,
        name: 'Gulls, "the" best',
        division: null,
        score: 10,
        solves: 1,
        last_solve_at: results.solves[0].at,
      }]);
      expect(running.err()).toBe("cairn export: 1 team, 1 solve, 2 guesses\n");

      expect(await server.stop()).toBe(0);
      stopped = true;
      const csv = fakeIo();
      const out = join(dir, "results");
      expect(await run(["export", "--db", server.db, "--format", "csv", "--out", out], csv)).toBe(
        0,
      );
      expect(csv.out()).toBe(`cairn export: 1 team, 1 solve, 2 guesses written to ${out}\n`);
      expect(readFileSync(join(out, "scoreboard.csv"), "utf8")).toBe(
        '\uFEFFrank,team,name,division,score,solves,last_solve_at\r\n1,1,"Gulls, ""the"" best",,10,1,"' +
          results.solves[0].at + '"\r\n',
      );
      expect(readFileSync(join(out, "guesses.csv"), "utf8").split("\r\n")).toHaveLength(4);
      const one = fakeIo();
      expect(await run(["export", "--db", server.db, "--format", "csv", "--table", "solves"], one))
        .toBe(0);
      expect(one.out()).toStartWith(
        '\uFEFFteam,team_name,puzzle,guess_id,at\r\n1,"Gulls, ""the"" best","first",2,',
      );

      // Restore: the copy becomes another server's database, with the same results.
      const restored = dirs.make("cairn-ops-");
      copyFileSync(join(dir, "copy.db"), join(restored, "cairn.db"));
      const second = await startServer(restored, HUNT);
      const board = await (await fetch(`${second.base}/api/scoreboard`)).json();
      expect(second.io.out()).toContain(" teams=1 ");
      expect(await second.stop()).toBe(0);
      expect(board).toMatchObject({ teams: [{ name: 'Gulls, "the" best', score: 10, solves: 1 }] });
    } finally {
      if (!stopped) await server.stop();
    }
  });

  // Each case: the command line, the variables set, and what is said. An option set by its
  // variable is named by the variable, which the user set, not by a flag they never typed.
  const usage: [string[], Record<string, string>, string][] = [
    [
      ["export", "--format", "csv"],
      {},
      "cairn export: csv writes one file per table: give --out FOLDER, or --table T\n",
    ],
    [["export", "--table", "teams"], {}, "cairn export: --table goes with --format csv\n"],
    [
      ["export", "--format", "json"],
      { CAIRN_EXPORT_TABLE: "teams" },
      "cairn export: CAIRN_EXPORT_TABLE goes with --format csv\n",
    ],
    [
      ["export"],
      { CAIRN_EXPORT_TABLE: "teams", CAIRN_EXPORT_FORMAT: "ctftime" },
      "cairn export: CAIRN_EXPORT_TABLE goes with --format csv\n",
    ],
    // The flag wins over the variable, and is named.
    [
      ["export", "--table", "teams"],
      { CAIRN_EXPORT_TABLE: "solves" },
      "cairn export: --table goes with --format csv\n",
    ],
    [["export", "--files-by", "team"], {}, "cairn export: --files-by goes with --files-out DIR\n"],
    [
      ["export"],
      { CAIRN_EXPORT_FILES_BY: "team" },
      "cairn export: CAIRN_EXPORT_FILES_BY goes with --files-out DIR\n",
    ],
    [
      ["export", "--format", "xml"],
      {},
      'cairn export: --format must be one of json, csv, ctftime, not "xml"\n',
    ],
    [
      ["export"],
      { CAIRN_EXPORT_FORMAT: "xml" },
      'cairn export: CAIRN_EXPORT_FORMAT must be one of json, csv, ctftime, not "xml"\n',
    ],
    [
      ["backup"],
      {},
      "cairn backup: missing OUT; usage: cairn backup OUT [--db FILE] [--files DIR]\n",
    ],
  ];
  for (const [argv, env, message] of usage) {
    const set = Object.entries(env).map(([name, value]) => `${name}=${value} `).join("");
    test(`${set}${argv.join(" ")} is a one-line usage error with exit 2`, async () => {
      const io = fakeIo(env);
      expect(await run(argv, io)).toBe(2);
      expect(io.err()).toBe(message);
    });
  }

  test("backup says in one line when the target folder does not exist", async () => {
    const dir = dirs.make("cairn-ops-");
    openDatabase(join(dir, "cairn.db")).close();
    const io = fakeIo();
    const out = join(dir, "missing", "copy.db");
    expect(await run(["backup", out, "--db", join(dir, "cairn.db")], io)).toBe(1);
    expect(io.err()).toBe(`cairn backup: the folder ${join(dir, "missing")} does not exist\n`);
  });

  test("say in one line when there is no database", async () => {
    const missing = join(dirs.make("cairn-ops-"), "none.db");
    for (const argv of [["backup", "out.db"], ["export"]]) {
      const io = fakeIo();
      expect(await run([...argv, "--db", missing], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn ${argv[0]}: there is no database at ${missing}: ` +
          "give the server's with --db (cairn serve logs it as db=…)\n",
      );
    }
  });
});

describe("backup and export never write over the database", () => {
  test("refuse the database, its -wal, -shm, -journal and .lock files, and a symlink to one, beside a running server", async () => {
    const dir = dirs.make("cairn-ops-");
    const server = await startServer(dir, HUNT);
    try {
      const token = await register(server.base, "Gulls");
      await guess(server.base, token, "first", "one");
      symlinkSync(server.db, join(dir, "link.db"));
      const cases: [string, string][] = [
        [server.db, "is the database itself"],
        [join(dir, "link.db"), "is the database itself"],
        [`${server.db}-wal`, "is the database's -wal file, which it needs"],
        [`${server.db}-shm`, "is the database's -shm file, which it needs"],
        [`${server.db}-journal`, "is the database's -journal file, which it needs"],
        [`${server.db}.lock`, "is the database's .lock file, which it needs"],
      ];
      const before = new Map(
        ["", "-wal", "-shm", ".lock"].map((s) => [s, readFileSync(`${server.db}${s}`)]),
      );
      for (const [out, what] of cases) {
        const backup = fakeIo();
        expect(await run(["backup", out, "--db", server.db], backup)).toBe(1);
        expect(backup.err()).toBe(`cairn backup: ${out} ${what}; choose another file\n`);
        for (const format of [["json"], ["ctftime"], ["csv", "--table", "teams"]]) {
          const io = fakeIo();
          const argv = ["export", "--db", server.db, "--format", ...format, "--out", out];
          expect(await run(argv, io)).toBe(1);
          expect(io.err()).toBe(`cairn export: ${out} ${what}; choose another file\n`);
        }
      }
      expect(existsSync(`${server.db}-journal`)).toBe(false);
      // The lock file was not replaced: a second server is still refused.
      const second = fakeIo();
      const argv = ["serve", "--db", server.db, "--host", "127.0.0.1", "--port", "0"];
      expect(await run(argv, second)).toBe(1);
      expect(second.err()).toBe(
        `cairn serve: another Cairn server is already running on ${server.db}\n`,
      );
      expect(readFileSync(`${server.db}.lock`)).toEqual(before.get(".lock")!);
      expect(await guess(server.base, token, "first", "one")).toMatchObject({
        result: "already_solved",
      });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Every guess is still there after the server stopped.
    const db = openConnection(join(dir, "cairn.db"), { readonly: true });
    expect(db.query("SELECT count(*) AS n FROM guesses").get()).toEqual({ n: 1 });
    db.close();
  });

  test("backup replaces an earlier backup or an empty file, and refuses any other file", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    openDatabase(db).close();
    const copy = join(dir, "copy.db");
    for (let i = 0; i < 2; i++) expect(await run(["backup", copy, "--db", db], fakeIo())).toBe(0);
    writeFileSync(join(dir, "empty.db"), "");
    expect(await run(["backup", join(dir, "empty.db"), "--db", db], fakeIo())).toBe(0);
    expect(readFileSync(join(dir, "empty.db")).subarray(0, 15).toString()).toBe("SQLite format 3");

    writeFileSync(join(dir, "hunt.toml"), HUNT);
    const io = fakeIo();
    expect(await run(["backup", join(dir, "hunt.toml"), "--db", db], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn backup: ${
        join(dir, "hunt.toml")
      } is not an SQLite database, and a backup replaces only an earlier backup; choose another file\n`,
    );
    expect(readFileSync(join(dir, "hunt.toml"), "utf8")).toBe(HUNT);
  });

  test("export refuses to write over another SQLite database", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    openDatabase(db).close();
    expect(await run(["backup", join(dir, "copy.db"), "--db", db], fakeIo())).toBe(0);
    const io = fakeIo();
    expect(await run(["export", "--db", db, "--out", join(dir, "copy.db")], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn export: ${
        join(dir, "copy.db")
      } is an SQLite database, which export never replaces; choose another file\n`,
    );
  });
});

describe("export refuses, in one line, an --out or --files-out it cannot write", () => {
  // Each case: the options after --db, and what is said, with {dir} for the test's folder, and
  // the variables set, if any. The folder holds a folder, a file, and a csv folder whose asks.csv
  // is a folder.
  const cases: [string[], string, Record<string, string>?][] = [
    [["--out", "{dir}/folder"], "{dir}/folder is a folder, not a file; choose another file"],
    [
      ["--format", "ctftime", "--out", "{dir}/folder"],
      "{dir}/folder is a folder, not a file; choose another file",
    ],
    [
      ["--format", "csv", "--table", "teams", "--out", "{dir}/folder"],
      "{dir}/folder is a folder, not a file; choose another file",
    ],
    // A name ending in "/" is a folder, as for backup, even before it exists: not a file's name.
    [
      ["--out", "{dir}/new/"],
      "{dir}/new/ names a folder (it ends in /), and json is written to one file; give a file's name",
    ],
    [
      ["--format", "ctftime", "--out", "{dir}/new/"],
      "{dir}/new/ names a folder (it ends in /), and ctftime is written to one file; give a file's name",
    ],
    [
      ["--format", "csv", "--table", "teams", "--out", "{dir}/new/"],
      "{dir}/new/ names a folder (it ends in /), and --table is written to one file; give a file's name",
    ],
    [
      ["--format", "csv", "--out", "{dir}/new/"],
      "{dir}/new/ names a folder (it ends in /), and CAIRN_EXPORT_TABLE is written to one file; give a file's name",
      { CAIRN_EXPORT_TABLE: "teams" },
    ],
    // Every table's csv goes into a folder: a name ending in .csv is a file's, unless a folder.
    [
      ["--format", "csv", "--out", "{dir}/r3.csv"],
      "{dir}/r3.csv names a file, and csv writes one file per table into a folder; give a folder's name, or --table T for one table's file",
    ],
    [["--out", "{dir}/missing/results.json"], "the folder {dir}/missing does not exist"],
    [["--out", "{dir}/file.txt/results.json"], "{dir}/file.txt is a file, not a folder"],
    [["--format", "csv", "--out", "{dir}/file.txt"], "{dir}/file.txt is a file, not a folder"],
    [["--format", "csv", "--out", "{dir}/file.txt/a/b"], "{dir}/file.txt is a file, not a folder"],
    [
      ["--format", "csv", "--out", "{dir}/results"],
      "{dir}/results/asks.csv is a folder, not a file; choose another file",
    ],
    [["--files-out", "{dir}/file.txt"], "{dir}/file.txt is a file, not a folder"],
    [["--files-out", "{dir}/file.txt/photos"], "{dir}/file.txt is a file, not a folder"],
  ];
  for (const [options, message, env = {}] of cases) {
    const set = Object.entries(env).map(([name, value]) => `${name}=${value} `).join("");
    test(`${set}export ${options.join(" ")}`, async () => {
      const dir = dirs.make("cairn-ops-");
      const db = join(dir, "cairn.db");
      const conn = openDatabase(db);
      saveScoring(conn, loadHunt(HUNT, { file: "hunt.toml" }).hunt!);
      conn.close();
      mkdirSync(join(dir, "folder"));
      mkdirSync(join(dir, "results", "asks.csv"), { recursive: true });
      writeFileSync(join(dir, "file.txt"), "mine");
      const io = fakeIo(env);
      const argv = ["export", "--db", db, ...options.map((option) => option.replace("{dir}", dir))];
      expect(await run(argv, io)).toBe(1);
      expect(io.err()).toBe(`cairn export: ${message.replaceAll("{dir}", dir)}\n`);
      expect(io.out()).toBe("");
      const made = readdirSync(dir).filter((name) => !name.startsWith("cairn.db"));
      expect(made.sort()).toEqual(["file.txt", "folder", "results"]);
      expect(readdirSync(join(dir, "results"))).toEqual(["asks.csv"]);
      expect(readFileSync(join(dir, "file.txt"), "utf8")).toBe("mine");
    });
  }
});

describe("export replaces an --out that is there whole, and never writes into it", () => {
  test("a hard link to the earlier file keeps it; the mode and a symlink stay; no temporary file is left", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    const conn = openDatabase(db);
    saveScoring(conn, loadHunt(HUNT, { file: "hunt.toml" }).hunt!);
    conn.close();
    const json = join(dir, "results.json");
    writeFileSync(json, "earlier");
    chmodSync(json, 0o600);
    linkSync(json, join(dir, "earlier.json"));
    mkdirSync(join(dir, "results"));
    writeFileSync(join(dir, "results", "teams.csv"), "earlier");
    linkSync(join(dir, "results", "teams.csv"), join(dir, "earlier.csv"));
    symlinkSync(join(dir, "results", "asks.csv"), join(dir, "asks.csv"));

    expect(await run(["export", "--db", db, "--out", json], fakeIo())).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).teams).toEqual([]);
    expect(readFileSync(join(dir, "earlier.json"), "utf8")).toBe("earlier");
    expect(statSync(json).mode & 0o777).toBe(0o600);
    const csv = ["export", "--db", db, "--format", "csv", "--out", join(dir, "results")];
    expect(await run(csv, fakeIo())).toBe(0);
    expect(readFileSync(join(dir, "results", "teams.csv"), "utf8")).toStartWith("\uFEFFid,");
    expect(readFileSync(join(dir, "earlier.csv"), "utf8")).toBe("earlier");
    const table = ["export", "--db", db, "--format", "csv", "--table", "asks"];
    expect(await run([...table, "--out", join(dir, "asks.csv")], fakeIo())).toBe(0);
    expect(lstatSync(join(dir, "asks.csv")).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, "results")).sort()).toEqual(
      [...RESULT_TABLES].map((name) => `${name}.csv`).sort(),
    );
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});

describe("export --files-out never writes into the server's uploads folder", () => {
  // Each case: what --files-out is, the options that say where the database and uploads are, and
  // what is said.
  const cases: [string, (dir: string) => string, (dir: string) => string[], string][] = [
    [
      "the folder beside the database",
      (dir) => join(dir, "cairn.db.files"),
      (dir) => ["--db", join(dir, "cairn.db")],
      "is the server's uploads folder",
    ],
    [
      "a folder inside it, not made yet",
      (dir) => join(dir, "cairn.db.files", "photos"),
      (dir) => ["--db", join(dir, "cairn.db")],
      `is inside the server's uploads folder {dir}/cairn.db.files`,
    ],
    [
      "a symlink to it",
      (dir) => join(dir, "link"),
      (dir) => ["--db", join(dir, "cairn.db")],
      "is the server's uploads folder",
    ],
    [
      "a folder inside it through a symlink to its parent",
      (dir) => join(dir, "data-link", "cairn.db.files", "out"),
      (dir) => ["--db", join(dir, "cairn.db")],
      `is inside the server's uploads folder {dir}/cairn.db.files`,
    ],
    [
      "the folder beside the file a symlinked --db names",
      (dir) => join(dir, "cairn.db.files"),
      (dir) => ["--db", join(dir, "db-link.db")],
      "is the server's uploads folder",
    ],
    [
      "the --files folder",
      (dir) => join(dir, "uploads") + "/",
      (dir) => ["--db", join(dir, "cairn.db"), "--files", join(dir, "uploads")],
      "is the server's uploads folder",
    ],
    [
      "a folder inside the --files folder",
      (dir) => join(dir, "uploads", "export"),
      (dir) => ["--db", join(dir, "cairn.db"), "--files", join(dir, "uploads")],
      `is inside the server's uploads folder {dir}/uploads`,
    ],
  ];
  for (const [what, filesOut, options, message] of cases) {
    test(`refuses ${what}, in one line, and writes nothing`, async () => {
      const dir = dirs.make("cairn-ops-");
      const db = join(dir, "cairn.db");
      openDatabase(db).close();
      mkdirSync(join(dir, "cairn.db.files"));
      mkdirSync(join(dir, "uploads"));
      symlinkSync(join(dir, "cairn.db.files"), join(dir, "link"));
      symlinkSync(dir, join(dir, "data-link"));
      symlinkSync(db, join(dir, "db-link.db"));
      const before = readdirSync(dir).sort();
      const io = fakeIo();
      const argv = ["export", ...options(dir), "--files-out", filesOut(dir)];
      expect(await run(argv, io)).toBe(1);
      expect(io.err()).toBe(
        `cairn export: ${resolve(filesOut(dir))} ${
          message.replace("{dir}", dir)
        }; choose another folder\n`,
      );
      expect(io.out()).toBe("");
      expect(readdirSync(dir).sort()).toEqual(before);
      expect(readdirSync(join(dir, "cairn.db.files"))).toEqual([]);
      expect(readdirSync(join(dir, "uploads"))).toEqual([]);
    });
  }
});

describe("backup OUT", () => {
  const dated = /^cairn backup: wrote (.*\/cairn-\d{8}-\d{6}(?:-\d+)?\.db) \(/;

  test("ending in / is a folder, made if missing, that gets a dated file", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    openDatabase(db).close();
    const io = fakeIo();
    expect(await run(["backup", join(dir, "backups") + "/", "--db", db], io)).toBe(0);
    expect(dated.exec(io.out())?.[1]).toStartWith(join(dir, "backups", "cairn-"));
    // The folder exists now: the same line without the / writes there too.
    const again = fakeIo();
    expect(await run(["backup", join(dir, "backups"), "--db", db], again)).toBe(0);
    expect(dated.exec(again.out())?.[1]).toStartWith(join(dir, "backups", "cairn-"));
  });

  /** A command's Io whose clock stands still at 2026-11-21 14:00:00 UTC. */
  const atTwoPm = () => Object.assign(fakeIo(), { now: () => Date.UTC(2026, 10, 21, 14, 0, 0) });

  test("backups into a folder in the same second get -2, -3…, and none replaces another", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    openDatabase(db).close();
    const folder = join(dir, "backups");
    mkdirSync(folder);
    // A name is taken by its .files folder alone too; a killed backup's temporary copy is removed.
    mkdirSync(join(folder, "cairn-20261121-140000-3.db.files"));
    writeFileSync(join(folder, ".cairn-20261121-135959-2.db.tmp"), "SQLite format 3\0 half");
    const written: string[] = [];
    for (let i = 0; i < 3; i++) {
      const io = atTwoPm();
      expect(await run(["backup", folder, "--db", db], io)).toBe(0);
      written.push(dated.exec(io.out())?.[1] ?? io.out() + io.err());
      // A team after each backup, so that each one holds one team more than the one before.
      const writer = openDatabase(db);
      writer.exec(
        `INSERT INTO teams (id, name, name_key, password_hash, created_at) VALUES (${
          i + 1
        }, 'T${i}', 't${i}', 'h', 0)`,
      );
      writer.close();
    }
    expect(written).toEqual(
      ["cairn-20261121-140000.db", "cairn-20261121-140000-2.db", "cairn-20261121-140000-4.db"]
        .map((name) => join(folder, name)),
    );
    const teams = written.map((path) => {
      const copy = openConnection(path, { readonly: true });
      const row = copy.query("SELECT count(*) AS n FROM teams").get() as { n: number };
      copy.close();
      return row.n;
    });
    expect(teams).toEqual([0, 1, 2]);
    expect(readdirSync(folder).sort()).toEqual([
      ".cairn-backup.lock",
      "cairn-20261121-140000-2.db",
      "cairn-20261121-140000-3.db.files",
      "cairn-20261121-140000-4.db",
      "cairn-20261121-140000.db",
    ]);
  });

  test("a backup into a folder another backup is writing into is refused, and writes nothing", async () => {
    const dir = dirs.make("cairn-ops-");
    const db = join(dir, "cairn.db");
    openDatabase(db).close();
    const folder = join(dir, "backups");
    mkdirSync(folder);
    // The lock a running backup holds.
    const lock = acquireLock(join(folder, ".cairn-backup"));
    if (lock.kind !== "held") throw new Error("the lock is busy");
    const io = atTwoPm();
    expect(await run(["backup", folder, "--db", db], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn backup: another backup is writing into ${folder}; run this one again once it has finished\n`,
    );
    expect(readdirSync(folder).filter((name) => !name.startsWith(".cairn-backup.lock"))).toEqual(
      [],
    );
    lock.release();
    const again = atTwoPm();
    expect(await run(["backup", folder, "--db", db], again)).toBe(0);
    expect(dated.exec(again.out())?.[1]).toBe(join(folder, "cairn-20261121-140000.db"));
  });

  const refusals: [string, (dir: string) => string, (dir: string) => string][] = [
    [
      "a name without an extension that does not exist",
      (dir) => join(dir, "backups"),
      (dir) =>
        `there is no folder ${join(dir, "backups")}: make it (mkdir ${
          join(dir, "backups")
        }) to write dated backups into it, or give a file name such as ${join(dir, "backups")}.db`,
    ],
    [
      "a name ending in / that is a file",
      (dir) => join(dir, "afile") + "/",
      (dir) => `${join(dir, "afile")} is a file, not a folder`,
    ],
    [
      "a file inside a file",
      (dir) => join(dir, "afile", "x.db"),
      (dir) => `${join(dir, "afile")} is a file, not a folder`,
    ],
    [
      "a folder ending in / whose parent does not exist",
      (dir) => join(dir, "no", "backups") + "/",
      (dir) => `the folder ${join(dir, "no")} does not exist`,
    ],
  ];
  for (const [name, out, message] of refusals) {
    test(`refuses ${name}, and writes nothing`, async () => {
      const dir = dirs.make("cairn-ops-");
      const db = join(dir, "cairn.db");
      openDatabase(db).close();
      writeFileSync(join(dir, "afile"), "data");
      const io = fakeIo();
      expect(await run(["backup", out(dir), "--db", db], io)).toBe(1);
      expect(io.err()).toBe(`cairn backup: ${message(dir)}\n`);
      expect(readdirSync(dir).sort()).toEqual(["afile", "cairn.db"]);
    });
  }
});

describe("backup and admin-token on a PostgreSQL URL", () => {
  const url = "postgres://cairn:S3cretPw@127.0.0.1:1/cairn";
  const cases: [string[], string][] = [
    [
      ["backup", "copy.db"],
      "cairn backup: works on SQLite files only; back up a PostgreSQL database with pg_dump (docs/scale-out.md)\n",
    ],
    [
      ["admin-token"],
      "cairn admin-token: works on SQLite files only; to change the admin token of nodes on PostgreSQL, " +
      "restart them with a new --admin-token (docs/scale-out.md)\n",
    ],
  ];
  for (const [argv, message] of cases) {
    for (const from of ["--db", "CAIRN_DB"]) {
      test(`${argv[0]} with the URL in ${from} says it works on SQLite files only, without the password`, async () => {
        const io = fakeIo(from === "CAIRN_DB" ? { CAIRN_DB: url } : {});
        const code = await run(from === "--db" ? [...argv, "--db", url] : argv, io);
        expect(code).toBe(1);
        expect(io.err()).toBe(message);
        expect(io.out()).toBe("");
      });
    }
  }
});

describe("export and migrate name a PostgreSQL they cannot reach, without its password", () => {
  const url = "postgres://cairn:S3cretPw@127.0.0.1:1/cairn";
  const shown = "postgres://cairn:***@127.0.0.1:1/cairn";
  const NOTHING_THERE = "nothing listens there: check the URL's host and port, and that " +
    "PostgreSQL runs and listens on them (its listen_addresses and port settings)";
  test("export", async () => {
    const io = fakeIo();
    expect(await run(["export", "--db", url], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn export: cannot open the database ${shown}: connect ECONNREFUSED 127.0.0.1:1: ${NOTHING_THERE}\n`,
    );
  });
  test("migrate", async () => {
    const db = join(dirs.make("cairn-ops-"), "cairn.db");
    openDatabase(db).close();
    const io = fakeIo();
    expect(await run(["migrate", "--from", db, "--to", url], io)).toBe(1);
    expect(io.err()).toBe(
      `cairn migrate: cannot move the event into ${shown}: connect ECONNREFUSED 127.0.0.1:1: ${NOTHING_THERE}\n`,
    );
  });
});

describe("serve refuses at start, in one line", () => {
  /** Another program's SQLite database, with user_version `version`. */
  const foreign = (path: string, version: number) => {
    const db = openConnection(path);
    db.exec(`CREATE TABLE posts (id INTEGER PRIMARY KEY); PRAGMA user_version = ${version}`);
    db.close();
  };
  const cases: [string, (dir: string) => string[], (dir: string) => string][] = [
    [
      "--files that is a file",
      (dir) => ["--db", join(dir, "cairn.db"), "--files", join(dir, "afile")],
      (dir) => `the uploads folder ${join(dir, "afile")} is a file, not a folder`,
    ],
    [
      "--files under a file",
      (dir) => ["--db", join(dir, "cairn.db"), "--files", join(dir, "afile", "uploads")],
      (dir) =>
        `the uploads folder ${join(dir, "afile", "uploads")} cannot be made: ${
          join(dir, "afile")
        } is a file, not a folder`,
    ],
    [
      "a database whose uploads folder is a file",
      (dir) => ["--db", join(dir, "a.db")],
      (dir) => `the uploads folder ${join(dir, "a.db.files")} is a file, not a folder`,
    ],
    [
      "--db that is a folder",
      (dir) => ["--db", join(dir, "data")],
      (dir) => `${join(dir, "data")} is a folder, not a database file`,
    ],
    ...[0, 3].map((version): [string, (dir: string) => string[], (dir: string) => string] => [
      `another program's database (user_version ${version})`,
      (dir) => {
        foreign(join(dir, "other.db"), version);
        return ["--db", join(dir, "other.db")];
      },
      (dir) =>
        `cannot open the database ${
          join(dir, "other.db")
        }: The file is not a Cairn database (it holds other tables: posts); give Cairn a file of its own`,
    ]),
  ];
  for (const [name, argv, message] of cases) {
    test(name, async () => {
      const dir = dirs.make("cairn-ops-");
      writeFileSync(join(dir, "afile"), "data");
      writeFileSync(join(dir, "a.db.files"), "data");
      mkdirSync(join(dir, "data"));
      const io = fakeIo();
      const code = await run(
        [
          "serve",
          ...argv(dir),
          "--host",
          "127.0.0.1",
          "--port",
          "0",
          "--admin-token",
          "ops-admin-token-16",
        ],
        io,
      );
      expect(io.err()).toBe(`cairn serve: ${message(dir)}\n`);
      expect(code).toBe(1);
      // No lock file is left beside what could not be opened.
      expect(readdirSync(dir).filter((name) => name.endsWith(".lock"))).toEqual([]);
    });
  }
});

test("backup, export, admin-token and migrate say in one line that --db is a folder", async () => {
  const dir = dirs.make("cairn-ops-");
  const cases: [string[], string][] = [
    [["backup", join(dir, "copy.db"), "--db", dir], "backup"],
    [["export", "--db", dir], "export"],
    [["admin-token", "--db", dir], "admin-token"],
    [["migrate", "--from", dir, "--to", "postgres://127.0.0.1:1/none"], "migrate"],
  ];
  for (const [argv, name] of cases) {
    const io = fakeIo();
    expect(await run(argv, io)).toBe(1);
    expect(io.err()).toBe(`cairn ${name}: ${dir} is a folder, not a database file\n`);
  }
  expect(readdirSync(dir)).toEqual([]);
});
