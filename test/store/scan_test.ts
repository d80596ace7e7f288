// scanRows: a whole table's rows in its key's order, in the driver's own steps (node:sqlite reads
// 5,000 at a time as arrays and makes the objects itself; bun:sqlite one row at a time). Runs on
// both runtimes.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Connection, openConnection, scanRows } from "../../src/store/driver.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

interface Row {
  id: number;
  team: number;
  name: string;
  note: string | null;
}

const open = () => openConnection(join(dirs.make("cairn-scan-"), "scan.db"));

/** A table of `count` rows with ids from 1, with gaps (as after a delete), inserted out of order. */
function table(count: number): { db: Connection; ids: number[] } {
  const db = open();
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, team INTEGER NOT NULL, name TEXT, note TEXT)");
  const insert = db.prepare("INSERT INTO t (id, team, name, note) VALUES (?, ?, ?, ?)");
  const ids: number[] = [];
  db.transaction(() => {
    for (let i = count; i >= 1; i--) {
      const id = i + Math.floor(i / 6);
      ids.push(id);
      insert.run(id, id % 97, `row ${id}`, id % 3 === 0 ? null : `n${id}`);
    }
  })();
  ids.sort((a, b) => a - b);
  return { db, ids };
}

const ALL = { select: "SELECT id, team, name, note FROM t", key: ["id"] };

describe("scanRows", () => {
  for (const count of [0, 1, 4_999, 5_000, 10_000, 12_345]) {
    test(`every row of ${count}, in id order, with its columns' names`, () => {
      const { db, ids } = table(count);
      try {
        const rows = [...scanRows<Row>(db, ALL)];
        expect(rows.map((row) => row.id)).toEqual(ids);
        for (const row of rows) {
          expect(row).toEqual({
            id: row.id,
            team: row.id % 97,
            name: `row ${row.id}`,
            note: row.id % 3 === 0 ? null : `n${row.id}`,
          });
        }
      } finally {
        db.close(true);
      }
    });
  }

  test("only the rows past `after`, across steps", () => {
    const { db, ids } = table(12_345);
    try {
      for (const after of [0, 3, ids[4_998]!, ids[5_000]!, ids[ids.length - 1]!]) {
        const got = [...scanRows<{ id: number }>(db, { ...ALL, after: [after] })].map((r) => r.id);
        expect(got).toEqual(ids.filter((id) => id > after));
      }
    } finally {
      db.close(true);
    }
  });

  test("a key of two columns, on a table without rowid, in the key's order across steps", () => {
    const db = open();
    try {
      db.exec(
        "CREATE TABLE u (team_id INTEGER, puzzle TEXT, at INTEGER, PRIMARY KEY (team_id, puzzle)) WITHOUT ROWID",
      );
      const insert = db.prepare("INSERT INTO u (team_id, puzzle, at) VALUES (?, ?, ?)");
      const keys: [number, string][] = [];
      db.transaction(() => {
        // 3 teams of 4,003 puzzles: steps of 5,000 end inside a team, and between two of its
        // puzzles that sort apart as text ("p-10" before "p-9").
        for (let team = 3; team >= 1; team--) {
          for (let p = 0; p < 4_003; p++) {
            insert.run(team, `p-${p}`, team * 10_000 + p);
            keys.push([team, `p-${p}`]);
          }
        }
      })();
      keys.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const rows = [
        ...scanRows<{ teamId: number; puzzle: string; at: number }>(db, {
          select: "SELECT team_id AS teamId, puzzle, at FROM u",
          key: ["team_id", "puzzle"],
        }),
      ];
      expect(rows.map((row) => [row.teamId, row.puzzle])).toEqual(keys);
      for (const row of rows) {
        expect(row.at).toBe(row.teamId * 10_000 + Number(row.puzzle.slice(2)));
      }
      const after = [
        ...scanRows<{ teamId: number; puzzle: string }>(db, {
          select: "SELECT team_id AS teamId, puzzle FROM u",
          key: ["team_id", "puzzle"],
          after: [2, "p-5"],
        }),
      ].map((row) => [row.teamId, row.puzzle]);
      const from = keys.findIndex(([team, puzzle]) => team === 2 && puzzle === "p-5");
      expect(after).toEqual(keys.slice(from + 1));
    } finally {
      db.close(true);
    }
  });

  test("aliases name the columns, and other reads of the table still give objects", () => {
    const { db } = table(7);
    try {
      const scan = { select: "SELECT id, team AS who FROM t", key: ["id"] };
      const scanned = [...scanRows<{ id: number; who: number }>(db, scan)];
      expect(scanned[0]).toEqual({ id: 1, who: 1 });
      expect(db.query("SELECT id, team AS who FROM t ORDER BY id").all()[0]).toEqual({
        id: 1,
        who: 1,
      });
      // The same scan again (its statements kept) starts over.
      expect([...scanRows(db, scan)]).toEqual(scanned);
    } finally {
      db.close(true);
    }
  });
});
