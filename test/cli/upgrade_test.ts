// This version's commands on a database an older Cairn wrote (an event it has not served yet,
// or a backup taken before the upgrade): `export` reads it as this version would once upgraded,
// and neither `export` nor `admin-token` changes its schema, so the older server that wrote it
// can still run on it.
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import { EXIT } from "../../src/cli/_io.ts";
import {
  getMeta,
  MIGRATIONS,
  openDatabase,
  openForReading,
  schemaVersion,
} from "../../src/store/mod.ts";
import { OLDER, tablesAt, writeEvent } from "../store/_old_event.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** The schema version of the database at `path`. */
function versionOf(path: string): number {
  const db = openForReading(path);
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

/** The temporary copies `export` made and left behind. */
const copiesLeft = () => readdirSync(tmpdir()).filter((name) => name.startsWith("cairn-read-"));

describe("cairn export on an older Cairn's database", () => {
  // From schema 3 on, a server records the hunt's points, which the export scores with.
  for (const version of OLDER.filter((v) => tablesAt(v).has("hunt_puzzles"))) {
    test(`reads schema ${version} as the same event at schema ${MIGRATIONS.length}, and leaves the file as it was`, async () => {
      const tables = tablesAt(version);
      const old = writeEvent(dirs.make(`cairn-export-${version}-`), version, tables);
      const now = writeEvent(dirs.make("cairn-export-now-"), MIGRATIONS.length, tables);
      const before = readFileSync(old);
      const copies = copiesLeft();

      const fromOld = fakeIo();
      expect(await run(["export", "--format", "json", "--db", old], fromOld)).toBe(0);
      expect(fromOld.err()).toMatch(/^cairn export: 3 teams, \d solves, 11 guesses/);
      const fromNow = fakeIo();
      expect(await run(["export", "--format", "json", "--db", now], fromNow)).toBe(0);
      expect(JSON.parse(fromOld.out())).toEqual(JSON.parse(fromNow.out()));
      expect(JSON.parse(fromOld.out()).scoreboard.map((row: { name: string }) => row.name))
        .toEqual(["Gulls", "Eels", "Crabs"]);

      expect(readFileSync(old)).toEqual(before);
      expect(versionOf(old)).toBe(version);
      expect(copiesLeft()).toEqual(copies);
    });
  }

  test("says in one line that a schema with no record of the hunt's points needs a start first", async () => {
    const old = writeEvent(dirs.make("cairn-export-1-"), 1, tablesAt(1));
    const io = fakeIo();
    expect(await run(["export", "--format", "json", "--db", old], io)).toBe(1);
    expect(io.err()).toBe(
      "cairn export: The database has no record of the hunt's points yet: start `cairn serve` on it once with this version\n",
    );
    expect(versionOf(old)).toBe(1);
  });
});

describe("cairn admin-token on an older Cairn's database", () => {
  for (const version of [1, 8, MIGRATIONS.length - 1]) {
    test(`stores the new token and keeps schema ${version}, which the older server runs on`, async () => {
      const old = writeEvent(
        dirs.make(`cairn-admin-token-${version}-`),
        version,
        tablesAt(version),
      );
      const io = fakeIo();
      expect(await run(["admin-token", "--db", old], io)).toBe(0);
      const token = /^Token: +([\w-]+)$/m.exec(io.out())?.[1] ?? "";
      expect(versionOf(old)).toBe(version);
      const db = openForReading(old);
      try {
        expect(getMeta(db, "admin_token_hash")).toBe(hashToken(token));
      } finally {
        db.close();
      }
    });
  }
});

describe("a database a newer Cairn wrote", () => {
  // Only a newer binary can go on: exit 3, which the systemd units do not restart.
  const cases: [string, (db: string, dir: string) => string[]][] = [
    ["serve", (db) => ["serve", "--db", db, "--port", "0", "--admin-token", "upgrade-admin-16"]],
    ["export", (db) => ["export", "--db", db]],
    ["backup", (db, dir) => ["backup", join(dir, "copy.db"), "--db", db]],
    ["migrate", (db) => ["migrate", "--from", db, "--to", "postgres://127.0.0.1:1/none"]],
    ["admin-token", (db) => ["admin-token", "--db", db]],
  ];
  for (const [name, argv] of cases) {
    test(`${name} refuses it in one line, exits 3, and leaves it as it was`, async () => {
      const dir = dirs.make("cairn-newer-");
      const db = join(dir, "cairn.db");
      const conn = openDatabase(db);
      conn.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
      conn.close(true);
      const before = readFileSync(db);
      const io = fakeIo();
      expect(await run(argv(db, dir), io)).toBe(EXIT.outdated);
      expect(io.err()).toMatch(
        new RegExp(
          `^cairn ${name}: .*The database was written by a newer Cairn \\(schema ${
            MIGRATIONS.length + 1
          }; this one knows ${MIGRATIONS.length}\\)\\n$`,
        ),
      );
      expect(readFileSync(db)).toEqual(before);
    });
  }
});
