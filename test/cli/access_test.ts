// A database or a folder another user made (root, with `sudo cairn …` once, or the service's
// user): each command that opens it says which file this user may not use, and what to do,
// rather than SQLite's "unable to open database file", which names neither.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { EXAMPLE_FILE, EXAMPLE_HUNT, loadHunt } from "../../src/hunt/mod.ts";
import { openDatabase, saveScoring } from "../../src/store/mod.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const root = process.geteuid?.() === 0;
/** Who runs the commands: nobody, as root; else this user, whose files are made unreadable. */
const user = root ? "nobody" : undefined;

/** Runs a command as a user that does not own the files: as root, with the effective user nobody. */
async function asAnotherUser(argv: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = fakeIo();
  if (root) process.seteuid!(65534);
  try {
    const code = await run(argv, io);
    return { code, err: io.err(), out: io.out() };
  } finally {
    if (root) process.seteuid!(0);
  }
}

/** A folder anyone may enter, holding `data/` with a database only its owner may read and write. */
function event(dataMode = 0o700, dbMode = 0o600) {
  const dir = dirs.make("cairn-access-");
  chmodSync(dir, 0o755);
  const data = join(dir, "data");
  mkdirSync(data);
  const db = join(data, "cairn.db");
  const conn = openDatabase(db);
  // As a server's first start records them, for export.
  saveScoring(conn, loadHunt(EXAMPLE_HUNT, { file: EXAMPLE_FILE }).hunt!);
  // Everything into the file itself, and no -wal or -shm left, as after a server's clean stop.
  conn.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  conn.close();
  for (const suffix of ["-wal", "-shm"]) {
    if (existsSync(db + suffix)) expect(statSync(db + suffix).size <= 32768).toBe(true);
    rmSync(db + suffix, { force: true });
  }
  chmodSync(db, dbMode);
  chmodSync(data, dataMode);
  return { dir, data, db };
}

const owner = () => process.env.USER ?? "";
const FIX = (who: string) => `run cairn as ${who}, or give this user permission there`;

describe("a database this user may not use", () => {
  // Not root: the files are made unreadable to their owner, which the check sees the same way.
  const made = root ? "root" : owner();
  const me = user ?? made;

  test("serve names the file and its owner, and exits 1", async () => {
    const { db } = event(0o755, root ? 0o600 : 0o000);
    const { code, err } = await asAnotherUser(["serve", "--db", db, "--port", "0"]);
    expect(code).toBe(1);
    const mode = root ? "0600" : "0000";
    expect(err).toBe(
      `cairn serve: cannot open the database ${db}: this user (${me}) may not read and write ` +
        `${db} (${made}'s, mode ${mode}): ${FIX(made)}\n`,
    );
  });

  test("serve names a folder it may not make the -wal and -shm files in", async () => {
    const { data, db } = event(0o555, 0o666);
    const { code, err } = await asAnotherUser(["serve", "--db", db, "--port", "0"]);
    expect(code).toBe(1);
    expect(err).toBe(
      `cairn serve: cannot open the database ${db}: this user (${me}) may not make files in ` +
        `${data} (${made}'s, mode 0555), where SQLite keeps the database's -wal and -shm: ` +
        `${FIX(made)}\n`,
    );
    expect(readdirSync(data)).toEqual(["cairn.db"]);
  });

  for (const command of ["backup", "export", "admin-token"]) {
    test(`${command} names the database it may not read, and exits 1`, async () => {
      const { dir, db } = event(0o755, root ? 0o600 : 0o000);
      const argv = command === "backup"
        ? ["backup", join(dir, "copy.db"), "--db", db]
        : [command, "--db", db];
      const { code, err, out } = await asAnotherUser(argv);
      expect([code, out]).toEqual([1, ""]);
      const what = command === "admin-token" ? "read and write" : "read";
      const mode = root ? "0600" : "0000";
      expect(err).toBe(
        `cairn ${command}: cannot open the database ${db}: this user (${me}) may not ${what} ` +
          `${db} (${made}'s, mode ${mode}): ${FIX(made)}\n`,
      );
    });
  }

  test("restore says it may not replace the database, rather than that it is none", async () => {
    const { dir, data, db } = event(0o755, root ? 0o600 : 0o000);
    const backup = join(dir, "backup.db");
    openDatabase(backup).close();
    chmodSync(backup, 0o644);
    const { code, err } = await asAnotherUser(["restore", backup, "--db", db]);
    expect(code).toBe(1);
    const mode = root ? "0600" : "0000";
    expect(err).toBe(
      `cairn restore: cannot replace the database ${db}: this user (${me}) may not read and ` +
        `write ${db} (${made}'s, mode ${mode}): ${FIX(made)}\n`,
    );
    expect(readdirSync(data).sort()).toEqual(["cairn.db"]);
  });

  test.skipIf(!root)("serve says it may not make the data folder, and what to do", async () => {
    const dir = dirs.make("cairn-access-");
    chmodSync(dir, 0o755);
    const db = join(dir, "cairn-data", "cairn.db");
    const { code, err } = await asAnotherUser(["serve", "--db", db, "--port", "0"]);
    expect(code).toBe(1);
    expect(err).toBe(
      `cairn serve: cannot create the data folder for ${db}: no permission to write ` +
        `${join(dir, "cairn-data")}; give a --db in a folder this user may write\n`,
    );
  });

  test.skipIf(!root)(
    "export says it may not write --out's folder, not a temporary file",
    async () => {
      // The data folder takes the reader's -shm file; the folder --out names does not take files.
      const { dir, db } = event(0o777, 0o644);
      const out = join(dir, "results.json");
      const { code, err } = await asAnotherUser(["export", "--db", db, "--out", out]);
      expect(code).toBe(1);
      expect(err).toBe(
        `cairn export: cannot write ${out}: no permission to write in ${dir}; ` +
          "give an --out this user may write\n",
      );
    },
  );
});

test("serve makes the folders for a new database its user's only, whatever the umask", async () => {
  const dir = dirs.make("cairn-access-");
  chmodSync(dir, 0o755);
  const data = join(dir, "cairn-data");
  const io = fakeIo();
  const argv = ["serve", "--db", join(data, "events", "cairn.db"), "--host", "127.0.0.1"];
  const exited = run([...argv, "--port", "0", "--admin-token", "access-test-admin-token"], io);
  for (let i = 0; i < 500 && !/event=listening/.test(io.out()) && io.err() === ""; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  io.stop();
  expect(await exited).toBe(0);
  expect(io.err()).toBe("");
  expect([statSync(data).mode & 0o777, statSync(join(data, "events")).mode & 0o777]).toEqual([
    0o700,
    0o700,
  ]);
});
