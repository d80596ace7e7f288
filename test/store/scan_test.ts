// scanRows: a whole table's rows by id, in the driver's own steps (node:sqlite reads 5,000 at a
// time as arrays and makes the objects itself; bun:sqlite one row at a time). Runs on both.
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

/** A table of `count` rows, ids 1… with every seventh left out (ids with gaps, as after a delete). */
function table(count: number): { db: Connection; ids: number[] } {
  const db = openConnection(join(dirs.make("cairn-scan-"), "scan.db"));
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, team INTEGER NOT NULL, name TEXT, note TEXT)");
  const insert = db.prepare("INSERT INTO t (id, team, name, note) VALUES (?, ?, ?, ?)");
  const ids: number[] = [];
  db.transaction(() => {
    // Inserted out of order: the scan's order is the ids', not the inserts'.
    for (let i = count; i >= 1; i--) {
      const id = i + Math.floor(i / 6);
      ids.push(id);
      insert.run(id, id % 97, `row ${id}`, id % 3 === 0 ? null : `n${id}`);
    }
  })();
  ids.sort((a, b) => a - b);
  return { db, ids };
}

describe("scanRows", () => {
  for (const count of [0, 1, 4_999, 5_000, 10_000, 12_345]) {
    test(`every row of ${count}, in id order, with its columns' names`, () => {
      const { db, ids } = table(count);
      try {
        const rows = [...scanRows<Row>(db, "SELECT id, team, name, note FROM t", 0)];
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

  test("only the rows over `after`, across steps", () => {
    const { db, ids } = table(12_345);
    try {
      for (const after of [0, 3, ids[4_998]!, ids[5_000]!, ids[ids.length - 1]!]) {
        const got = [...scanRows<{ id: number }>(db, "SELECT id FROM t", after)].map((r) => r.id);
        expect(got).toEqual(ids.filter((id) => id > after));
      }
    } finally {
      db.close(true);
    }
  });

  test("aliases name the columns, and other reads of the table still give objects", () => {
    const { db } = table(7);
    try {
      const scanned = [
        ...scanRows<{ id: number; who: number }>(db, "SELECT id, team AS who FROM t", 0),
      ];
      expect(scanned[0]).toEqual({ id: 1, who: 1 });
      expect(db.query("SELECT id, team AS who FROM t ORDER BY id").all()[0]).toEqual({
        id: 1,
        who: 1,
      });
      // The same scan again (its statement kept) starts over.
      expect([...scanRows(db, "SELECT id, team AS who FROM t", 0)]).toEqual(scanned);
    } finally {
      db.close(true);
    }
  });
});
