// `cairn restore BACKUP`: the server stopped, a backup takes the database's place in one step,
// its uploads too, and the database it replaces is kept, to restore back.
import { afterAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { openDatabase } from "../../src/store/mod.ts";
import { fakeIo } from "../_io.ts";
import { jpegWithGps } from "../http/_jpeg.ts";
import { tempDirs } from "../_tmp.ts";
import { register, startServer } from "./_serve.ts";
import { openConnection } from "../../src/store/driver.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const HUNT = `
[hunt]
title = "Restore"

[[puzzle]]
id = "first"
title = "First"
points = 10
answer = ["one"]

[[puzzle]]
id = "second"
title = "Second"
points = 20
answer = ["two"]

[[puzzle]]
id = "statue"
title = "Statue"
points = 30
submit = "photo"
judge = "auto"
`;

/** 2026-12-05 20:15:00 UTC, the time the restores below run at. */
const NOW = Date.UTC(2026, 11, 5, 20, 15, 0);
const STAMP = "20261205-201500";

function restoreIo(env: Record<string, string | undefined> = {}) {
  return { ...fakeIo(env), now: () => NOW };
}

async function call(base: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      "content-type": "application/json",
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

async function submitPhoto(base: string, token: string, bytes: Uint8Array): Promise<number> {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type: "image/jpeg" }), "me.jpg");
  const res = await fetch(`${base}/api/puzzles/statue/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { submission: { id: number } }).submission.id;
}

type Served = Awaited<ReturnType<typeof file>>;

async function file(base: string, token: string, id: number) {
  const res = await fetch(`${base}/api/submissions/${id}/file`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** A folder's entries, and the bytes of the database: what a refused restore must leave alone. */
function snapshot(dir: string) {
  return { names: readdirSync(dir).sort(), db: readFileSync(join(dir, "cairn.db")) };
}

function addTeam(db: ReturnType<typeof openDatabase>, name: string): void {
  db.prepare(
    "INSERT INTO teams (name, name_key, password_hash, created_at) VALUES (?, ?, 'x', 0)",
  ).run(name, name.toLowerCase());
}

/** DIR/backup.db: a database of one team, `name`, as a backup to restore. */
function backupOfOneTeam(dir: string, name: string): string {
  const backup = join(dir, "backup.db");
  const source = openDatabase(backup);
  addTeam(source, name);
  source.close();
  return backup;
}

function teamNames(path: string): string[] {
  const reader = openConnection(path, { readonly: true });
  try {
    return reader.query<{ name: string }>("SELECT name FROM teams ORDER BY id").all()
      .map((row) => row.name);
  } finally {
    reader.close();
  }
}

/**
 * Writes at `db` what a server killed mid-event leaves: a database whose teams
 * `names` are only in its -wal (copied while the writer still held it open).
 */
function crashedWith(db: string, names: string[]): void {
  const live = join(dirs.make("cairn-restore-"), "cairn.db");
  const writer = openDatabase(live);
  writer.exec("PRAGMA wal_autocheckpoint = 0");
  for (const name of names) addTeam(writer, name);
  for (const suffix of ["", "-wal", "-shm"]) copyFileSync(live + suffix, db + suffix);
  writer.close();
  expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
}

describe("cairn restore", () => {
  test("puts the backup in place: the server serves its teams, sessions, scoreboard and files; the kept database restores back", async () => {
    const dir = dirs.make("cairn-restore-");
    const backup = join(dir, "backup.db");
    const first = await startServer(dir, HUNT);
    const db = first.db;
    const photoA = jpegWithGps(2_000);
    const photoB = jpegWithGps(3_000);
    let gulls: string, terns: string, late: string;
    let boardAtBackup: unknown, boardAtEnd: unknown;
    let submissionB: number;
    // As served (the server strips the photo's location before storing it).
    let servedA: Served, servedB: Served;
    try {
      gulls = await register(first.base, "Gulls");
      terns = await register(first.base, "Terns");
      expect(
        (await call(first.base, "/api/puzzles/first/guesses", gulls, { answer: "one" })).status,
      )
        .toBe(200);
      expect(await submitPhoto(first.base, gulls, photoA)).toBe(1);
      servedA = await file(first.base, gulls, 1);
      boardAtBackup = (await call(first.base, "/api/scoreboard")).body;
      expect(await run(["backup", backup, "--db", db], fakeIo())).toBe(0);

      // After the backup: a new team, a solve, an upload. The restore goes back before them.
      late = await register(first.base, "Late");
      await call(first.base, "/api/puzzles/second/guesses", terns, { answer: "two" });
      submissionB = await submitPhoto(first.base, terns, photoB);
      servedB = await file(first.base, terns, submissionB);
      boardAtEnd = (await call(first.base, "/api/scoreboard")).body;
      expect(boardAtEnd).not.toEqual(boardAtBackup);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const io = restoreIo();
    expect(await run(["restore", backup, "--db", db], io)).toBe(0);
    const kept = `${db}.before-restore-${STAMP}`;
    expect(io.err()).toBe("");
    expect(io.out()).toMatch(
      new RegExp(
        `^cairn restore: the database it replaces is kept in ${kept} \\(to undo: cairn restore ${kept}/cairn\\.db --db ${db}\\)\\n` +
          `cairn restore: restored ${db} from ${backup}: 2 teams, 1 guess, the last at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; ` +
          `1 uploaded file in ${db}\\.files \\(0 copied\\)\\n` +
          `cairn restore: start the server now, as before: cairn serve --db ${db} \\(with your --hunt\\), ` +
          "or systemctl start cairn\\n$",
      ),
    );
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(existsSync(`${db}-shm`)).toBe(false);
    // The database it replaced, with both uploads, beside it; no temporary file is left.
    expect(readdirSync(kept).filter((name) => !name.endsWith("-shm")).sort()).toEqual([
      "cairn.db",
      "cairn.db.files",
    ]);
    expect(readdirSync(join(kept, "cairn.db.files"))).toHaveLength(2);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);

    const second = await startServer(dir, HUNT);
    try {
      expect((await call(second.base, "/api/scoreboard")).body).toEqual(boardAtBackup);
      // Sessions in the backup still work; the one made after it does not.
      expect((await call(second.base, "/api/puzzles", gulls!)).status).toBe(200);
      expect((await call(second.base, "/api/puzzles", terns!)).status).toBe(200);
      expect((await call(second.base, "/api/puzzles", late!)).status).toBe(401);
      expect(await file(second.base, gulls!, 1)).toEqual(servedA!);
      const guess = await call(second.base, "/api/puzzles/second/guesses", gulls!, {
        answer: "nope",
      });
      expect(guess.status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    const check = openConnection(db, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    check.close();

    // Undo: the kept database goes back, with the upload made after the backup (which the server
    // removed from its folder, as the restored database does not name it).
    const undo = restoreIo();
    expect(await run(["restore", join(kept, "cairn.db"), "--db", db], undo)).toBe(0);
    expect(undo.err()).toBe("");
    // Same second: the second kept folder gets -2.
    expect(undo.out()).toContain(`kept in ${kept}-2 `);
    expect(undo.out()).toContain(`: 3 teams, 2 guesses, `);
    expect(undo.out()).toContain(`2 uploaded files in ${db}.files (1 copied)`);
    const third = await startServer(dir, HUNT);
    try {
      expect((await call(third.base, "/api/scoreboard")).body).toEqual(boardAtEnd);
      expect((await call(third.base, "/api/puzzles", late!)).status).toBe(200);
      expect(await file(third.base, terns!, submissionB!)).toEqual(servedB!);
    } finally {
      expect(await third.stop()).toBe(0);
    }
  });

  test("over a database a crashed server left with its -wal: the -wal is kept with it, and does not reach the restored one", async () => {
    const dir = dirs.make("cairn-restore-");
    const db = join(dir, "cairn.db");
    const backup = backupOfOneTeam(dir, "Backed up");
    crashedWith(db, ["Gulls", ...Array.from({ length: 200 }, (_, i) => `Team ${i}`)]);

    const io = restoreIo();
    expect(await run(["restore", backup, "--db", db], io)).toBe(0);
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(teamNames(db)).toEqual(["Backed up"]);
    const check = openConnection(db, { readonly: true });
    expect(check.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    check.close();

    const kept = `${db}.before-restore-${STAMP}`;
    expect(readdirSync(kept).sort()).toEqual(["cairn.db", "cairn.db-shm", "cairn.db-wal"]);
    const undo = restoreIo();
    expect(await run(["restore", join(kept, "cairn.db"), "--db", db], undo)).toBe(0);
    expect(teamNames(db)).toHaveLength(201);
  });

  test("a restore that fails before the swap leaves the database as it was, and what an interrupted one kept goes", async () => {
    const dir = dirs.make("cairn-restore-");
    const server = await startServer(dir, HUNT);
    try {
      const token = await register(server.base, "Gulls");
      await submitPhoto(server.base, token, jpegWithGps(1_200));
      expect(await run(["backup", join(dir, "backup.db"), "--db", server.db], fakeIo())).toBe(0);
      await register(server.base, "Late");
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const db = join(dir, "cairn.db");
    // What a restore killed after keeping the database, before the swap, leaves: hard links.
    const stale = `${db}.before-restore-20261205-100000`;
    mkdirSync(stale);
    linkSync(db, join(stale, "cairn.db"));
    // The upload cannot go in (a folder has its name), once the copy is made beside the database.
    const [hash] = readdirSync(join(dir, "backup.db.files"));
    rmSync(join(`${db}.files`, hash!));
    mkdirSync(join(`${db}.files`, hash!));
    const before = snapshot(dir);
    const failed = restoreIo();
    expect(await run(["restore", join(dir, "backup.db"), "--db", db], failed)).toBe(1);
    expect(failed.err()).toMatch(/^cairn restore: E[A-Z]+: .*\n$/);
    expect(failed.out()).toBe("");
    expect(snapshot(dir)).toEqual(before);
    rmSync(join(`${db}.files`, hash!), { recursive: true });

    // --files names a file: refused before anything.
    const blocked = join(dir, "uploads");
    writeFileSync(blocked, "not a folder");
    const refused = restoreIo();
    expect(await run(["restore", join(dir, "backup.db"), "--db", db, "--files", blocked], refused))
      .toBe(1);
    expect(refused.err()).toBe(
      `cairn restore: ${blocked} is a file, not a folder: the uploads go there; check --files (or CAIRN_FILES)\n`,
    );

    const io = restoreIo();
    expect(await run(["restore", join(dir, "backup.db"), "--db", db], io)).toBe(0);
    expect(readdirSync(dir).filter((name) => name.includes("before-restore"))).toEqual([
      `cairn.db.before-restore-${STAMP}`,
    ]);
  });

  test("stopped while it replaced the database: the server refuses to start, and a restore run again finishes it", async () => {
    const dir = dirs.make("cairn-restore-");
    const db = join(dir, "cairn.db");
    const backup = backupOfOneTeam(dir, "Backed up");
    // A database a killed server left with its last commits in the -wal, then a restore stopped
    // (a power cut) after it kept the database and removed the old -wal, before the rename.
    crashedWith(db, ["Gulls", "Terns"]);
    const kept = `${db}.before-restore-20261205-100000`;
    mkdirSync(kept);
    for (const suffix of ["", "-wal", "-shm"]) {
      linkSync(db + suffix, join(kept, `cairn.db${suffix}`));
    }
    writeFileSync(`${db}.restoring`, `${kept}/cairn.db\n`);
    rmSync(`${db}-wal`);
    rmSync(`${db}-shm`);

    writeFileSync(join(dir, "hunt.toml"), HUNT);
    const serve = fakeIo();
    const args = ["serve", "--hunt", join(dir, "hunt.toml"), "--db", db, "--port", "0"];
    expect(await run(args, serve)).toBe(1);
    expect(serve.err()).toBe(
      `cairn serve: a restore of ${db} did not finish: run the same cairn restore again, or put back ` +
        `the database it replaced: cairn restore ${kept}/cairn.db\n`,
    );

    const io = restoreIo();
    expect(await run(["restore", backup, "--db", db], io)).toBe(0);
    expect(io.out()).toStartWith(
      `cairn restore: an earlier restore did not finish; the database it replaced is ${kept}/cairn.db\n`,
    );
    expect(existsSync(`${db}.restoring`)).toBe(false);
    expect(teamNames(db)).toEqual(["Backed up"]);
    // The earlier restore's copy holds the only -wal: it stays, and restores back whole.
    expect(await run(["restore", join(kept, "cairn.db"), "--db", db], restoreIo())).toBe(0);
    expect(teamNames(db)).toEqual(["Gulls", "Terns"]);
  });

  test("refuses while a server runs on the database, and changes nothing", async () => {
    const dir = dirs.make("cairn-restore-");
    const server = await startServer(dir, HUNT);
    try {
      const token = await register(server.base, "Gulls");
      const backup = join(dirs.make("cairn-restore-"), "backup.db");
      expect(await run(["backup", backup, "--db", server.db], fakeIo())).toBe(0);
      const before = readdirSync(dir).sort();
      const io = restoreIo({ CAIRN_DB: server.db });
      expect(await run(["restore", backup], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn restore: a Cairn server is running on ${server.db}; stop it first (systemctl stop cairn), then run this again\n`,
      );
      expect(io.out()).toBe("");
      expect(readdirSync(dir).sort()).toEqual(before);
      expect((await call(server.base, "/api/puzzles", token)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("restores onto a machine with no database yet, the uploads into --files", async () => {
    const dir = dirs.make("cairn-restore-");
    const server = await startServer(dir, HUNT);
    const photo = jpegWithGps(2_500);
    let token: string;
    let served: Served;
    try {
      token = await register(server.base, "Gulls");
      await submitPhoto(server.base, token, photo);
      served = await file(server.base, token, 1);
      expect(await run(["backup", join(dir, "backup.db"), "--db", server.db], fakeIo())).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // A new file in a folder that exists: the report says it is a new database, and how to serve it.
    const other = join(dirs.make("cairn-restore-"), "data");
    mkdirSync(other);
    const db = join(other, "cairn.db");
    const uploads = join(dirname(other), "uploads");
    const io = restoreIo({ CAIRN_FILES: uploads });
    expect(await run(["restore", join(dir, "backup.db"), "--db", db], io)).toBe(0);
    expect(io.out()).toBe(
      `cairn restore: restored into a new database at ${db} (there was none) from ${dir}/backup.db: ` +
        `1 team, no guesses; 1 uploaded file in ${uploads} (1 copied)\n` +
        `cairn restore: start the server on it: cairn serve --db ${db} --files ${uploads} ` +
        `(with your --hunt), or a service whose CAIRN_DB is ${db}\n`,
    );
    expect(readdirSync(uploads)).toHaveLength(1);
    expect(statSync(join(uploads, readdirSync(uploads)[0]!)).mode & 0o777).toBe(0o600);
    const restored = await startServer(other, HUNT, ["--files", uploads]);
    try {
      expect(served).toMatchObject({ status: 200 });
      expect(await file(restored.base, token!, 1)).toEqual(served!);
    } finally {
      expect(await restored.stop()).toBe(0);
    }
    // Again: the undo line names the uploads folder, which is kept with the database.
    const again = restoreIo({ CAIRN_FILES: uploads });
    expect(await run(["restore", join(dir, "backup.db"), "--db", db], again)).toBe(0);
    const kept = `${db}.before-restore-${STAMP}`;
    expect(again.out()).toStartWith(
      `cairn restore: the database it replaces is kept in ${kept} (to undo: cairn restore ` +
        `${kept}/cairn.db --db ${db} --files ${uploads})\n`,
    );
    expect(readdirSync(join(kept, "cairn.db.files"))).toEqual(readdirSync(uploads));
  });

  // A typo in --db or CAIRN_DB would restore into a database no server serves from.
  for (const from of ["--db", "CAIRN_DB"]) {
    test(`refuses a new database in a folder that does not exist, naming it and ${from}`, async () => {
      const dir = dirs.make("cairn-restore-");
      const backup = join(dir, "backup.db");
      openDatabase(backup).close();
      const db = join(dir, "typo", "cairn.db");
      const io = restoreIo(from === "CAIRN_DB" ? { CAIRN_DB: db } : {});
      const argv = ["restore", backup, ...(from === "--db" ? ["--db", db] : [])];
      expect(await run(argv, io)).toBe(1);
      expect(io.err()).toBe(
        `cairn restore: the folder ${dir}/typo does not exist, so there is no database at ${db} to ` +
          `replace; check ${from}, or make the folder first (mkdir -p ${dir}/typo)\n`,
      );
      expect(io.out()).toBe("");
      expect(readdirSync(dir)).toEqual(["backup.db"]);
    });
  }

  test("makes the default database's folder, as serve does", async () => {
    const dir = dirs.make("cairn-restore-");
    const backup = join(dir, "backup.db");
    openDatabase(backup).close();
    const cwd = process.cwd();
    const io = restoreIo();
    process.chdir(dir);
    try {
      expect(await run(["restore", backup], io)).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(io.err()).toBe("");
    expect(io.out()).toStartWith(
      `cairn restore: restored into a new database at ${dir}/cairn-data/cairn.db (there was none)`,
    );
    expect(existsSync(join(dir, "cairn-data", "cairn.db"))).toBe(true);
    expect(statSync(join(dir, "cairn-data")).mode & 0o777).toBe(0o700);
  });

  test("says which uploads the backup lacks, and restores the rest (exit 1)", async () => {
    const dir = dirs.make("cairn-restore-");
    const server = await startServer(dir, HUNT);
    try {
      const token = await register(server.base, "Gulls");
      await submitPhoto(server.base, token, jpegWithGps(1_500));
      expect(await run(["backup", join(dir, "backup.db"), "--db", server.db], fakeIo())).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // Only the database was copied to the new machine, without its .files folder.
    const other = dirs.make("cairn-restore-");
    copyFileSync(join(dir, "backup.db"), join(other, "backup.db"));
    const io = restoreIo();
    const db = join(other, "cairn.db");
    expect(await run(["restore", join(other, "backup.db"), "--db", db], io)).toBe(1);
    const [hash] = readdirSync(`${dir}/cairn.db.files`);
    expect(io.err()).toBe(
      `cairn restore: 1 file the database names is missing from ${other}/backup.db.files: ${hash} ` +
        `(nor in ${db}.files); the database is restored, and their submissions have no file\n`,
    );
    expect(io.out()).toContain(`0 uploaded files in ${db}.files (0 copied)`);
  });

  describe("refuses, in one line, and changes nothing:", () => {
    const dir = dirs.make("cairn-restore-");
    const db = join(dir, "cairn.db");
    const good = join(dirs.make("cairn-restore-"), "good.db");
    const cases: [string, () => string, string | RegExp, number][] = [
      [
        "a damaged backup",
        () => {
          const path = join(dirname(good), "damaged.db");
          const writer = openDatabase(path);
          const insert = writer.prepare(
            "INSERT INTO guesses (team_id, puzzle, raw, normalized, result, at) VALUES (1, 'p', ?, ?, 'incorrect', 0)",
          );
          writer.exec("PRAGMA foreign_keys = OFF");
          writer.transaction(() => {
            for (let i = 0; i < 2000; i++) insert.run(`guess ${i}`, `GUESS ${i}`);
          })();
          writer.exec("PRAGMA journal_mode = DELETE");
          const pages = (writer.query("PRAGMA page_count").get() as { page_count: number })
            .page_count;
          writer.close();
          const fd = openSync(path, "r+");
          writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(pages / 2) * 4096);
          return path;
        },
        /^cairn restore: \/.*\/damaged\.db fails its integrity check \(.+\); choose another backup\n$/,
        1,
      ],
      [
        "a backup a newer Cairn wrote (exit 3)",
        () => {
          const path = join(dirname(good), "newer.db");
          copyFileSync(good, path);
          const newer = openConnection(path);
          newer.exec("PRAGMA user_version = 999");
          newer.close();
          return path;
        },
        /^cairn restore: \/.*\/newer\.db was written by a newer Cairn \(schema 999; this one knows \d+\): restore it with that Cairn, or a newer one\n$/,
        3,
      ],
      [
        "a file that is not a Cairn database",
        () => {
          const path = join(dirname(good), "hunt.toml");
          writeFileSync(path, HUNT);
          return path;
        },
        /^cairn restore: \/.*\/hunt\.toml is not a Cairn database; give a file that cairn backup wrote\n$/,
        1,
      ],
      [
        "the database itself",
        () => db,
        `cairn restore: ${db} is the database restore would replace, or a file beside it; give a backup of it\n`,
        1,
      ],
      [
        "a folder, naming its newest backup",
        () => {
          const folder = join(dirname(good), "dated");
          mkdirSync(folder, { recursive: true });
          for (const name of ["cairn-20261121-140000.db", "cairn-20261121-150000.db"]) {
            copyFileSync(good, join(folder, name));
          }
          return folder;
        },
        /^cairn restore: \/.*\/dated is a folder; give one of its backups, such as the newest, \/.*\/dated\/cairn-20261121-150000\.db\n$/,
        1,
      ],
      [
        "a backup that is not there",
        () => join(dir, "nope.db"),
        /^cairn restore: there is no backup at /,
        1,
      ],
    ];
    for (const [name, make, message, code] of cases) {
      test(name, async () => {
        if (!existsSync(db)) {
          openDatabase(db).close();
          openDatabase(good).close();
        }
        const backup = make();
        const before = snapshot(dir);
        const io = restoreIo();
        expect(await run(["restore", backup, "--db", db], io)).toBe(code);
        if (typeof message === "string") expect(io.err()).toBe(message);
        else expect(io.err()).toMatch(message);
        expect(io.out()).toBe("");
        expect(snapshot(dir)).toEqual(before);
      });
    }
  });

  for (const from of ["--db", "CAIRN_DB"]) {
    test(`refuses a PostgreSQL URL in ${from}, pointing to pg_restore`, async () => {
      const url = "postgres://cairn:S3cretPw@127.0.0.1:1/cairn";
      const io = restoreIo(from === "CAIRN_DB" ? { CAIRN_DB: url } : {});
      const argv = ["restore", "backup.db", ...(from === "--db" ? ["--db", url] : [])];
      expect(await run(argv, io)).toBe(1);
      expect(io.err()).toBe(
        "cairn restore: works on SQLite files only; restore a PostgreSQL database with pg_restore (docs/scale-out.md)\n",
      );
    });
  }

  test.skipIf(process.getuid?.() !== 0)(
    "run as root, gives the database, its lock file and the kept folder to the folder's owner",
    async () => {
      const dir = dirs.make("cairn-restore-");
      const data = join(dir, "data");
      mkdirSync(data, { mode: 0o700 });
      chownSync(data, 65534, 65534);
      const db = join(data, "cairn.db");
      openDatabase(db).close();
      chownSync(db, 65534, 65534);
      const backup = join(dir, "backup.db");
      openDatabase(backup).close();
      chmodSync(backup, 0o600);
      const io = restoreIo();
      expect(await run(["restore", backup, "--db", db], io)).toBe(0);
      for (const path of [db, `${db}.lock`, `${db}.before-restore-${STAMP}`]) {
        expect([path, statSync(path).uid, statSync(path).gid]).toEqual([path, 65534, 65534]);
      }
      expect(statSync(db).mode & 0o777).toBe(0o600);
      expect(readdirSync(data).filter((name) => name.includes("-journal"))).toEqual([]);
    },
  );
});
