/**
 * The `node:sqlite` driver, for Deno (2.2+) and Node: `DatabaseSync` wrapped
 * into a `Connection`. Statements are node:sqlite's own; transactions are
 * BEGIN … COMMIT around the function (ROLLBACK if it throws), with a
 * savepoint when one is already open, as bun:sqlite nests them.
 */
import { existsSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { Connection, OpenOptions, Param, Scan, Statement, Transaction } from "./driver.ts";

/** node:sqlite, taken when first used: driver.ts imports this module on Bun too, and never picks it there. */
let nodeSqlite: typeof import("node:sqlite") | undefined;
function sqlite(): typeof import("node:sqlite") {
  return nodeSqlite ??= process.getBuiltinModule("node:sqlite") as typeof import("node:sqlite");
}

/** Opens a SQLite file with node:sqlite. */
export function openConnection(path: string, options: OpenOptions = {}): Connection {
  if (options.create === false && path !== ":memory:") {
    // node:sqlite always creates a missing file; refuse here as bun:sqlite would.
    if (!existsSync(path)) throw new Error("unable to open database file");
  }
  const { DatabaseSync } = sqlite();
  return new NodeConnection(new DatabaseSync(path, { readOnly: options.readonly ?? false }));
}

/**
 * Copies the database with SQLite's online backup in one step, inside one
 * read transaction: the copy is one commit's, and in WAL mode writers go on
 * meanwhile. (In steps of a few pages, a write by another connection between
 * two steps starts the copy over: under a steady stream of writes, it never
 * finished.) The copy is then made a rollback-journal database, as
 * `VACUUM INTO` writes it on Bun, so that opening it leaves no -wal or -shm file.
 */
export async function copyDatabase(connection: Connection, path: string): Promise<void> {
  const { backup, DatabaseSync } = sqlite();
  await backup((connection as NodeConnection).db, path, { rate: ALL_PAGES });
  const copy = new DatabaseSync(path);
  try {
    copy.exec("PRAGMA journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

/** Rows `scanRows` reads in one step: a few hundred kilobytes of arrays at most. */
const SCAN_STEP = 5000;

/**
 * `scanRows` (driver.ts): node:sqlite builds each row of `iterate()` or `all()` as an object from
 * native code, which costs Deno about 2.4 µs a row. Read in steps of arrays, by key, with the
 * objects made here, a million guesses take 0.5 s instead of 2.4. A node:sqlite older than arrays
 * (Node before 22.16) reads the same steps as objects.
 */
export function* scanRows<Row>(connection: Connection, scan: Scan): Generator<Row> {
  const order = scan.key.join(", ");
  const past = ` WHERE (${order}) > (${scan.key.map(() => "?").join(", ")})`;
  // Kept by their SQL, which only this function asks for (with its arrays).
  const step = (where: string) =>
    connection.query(
      `${scan.select}${where} ORDER BY ${order} LIMIT ${SCAN_STEP}`,
    ) as unknown as StatementSync;
  const first = step(scan.after === undefined ? "" : past);
  const next = step(past);
  const arrays = typeof first.setReturnArrays === "function" &&
    typeof first.columns === "function";
  if (arrays) {
    first.setReturnArrays(true);
    next.setReturnArrays(true);
  }
  const names = arrays ? first.columns().map((column) => column.name) : [];
  let rows = first.all(...(scan.after ?? [])) as unknown[];
  for (;;) {
    for (const values of rows) {
      if (!arrays) {
        yield values as Row;
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = (values as unknown[])[i];
      yield row as Row;
    }
    if (rows.length < SCAN_STEP) return;
    const end = rows[rows.length - 1]!;
    const values = arrays ? end as Param[] : Object.values(end as object) as Param[];
    rows = next.all(...values.slice(0, scan.key.length)) as unknown[];
  }
}

/** A page count no database reaches (SQLite's largest is 2^32 - 2): the whole file in one step. */
const ALL_PAGES = 2 ** 31 - 1;

class NodeConnection implements Connection {
  private readonly cache = new Map<string, StatementSync>();
  private depth = 0;

  constructor(readonly db: DatabaseSync) {}

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare<Row>(sql: string): Statement<Row> {
    return this.db.prepare(sql) as unknown as Statement<Row>;
  }

  query<Row>(sql: string): Statement<Row> {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement as unknown as Statement<Row>;
  }

  transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R> {
    const run = (begin: string) => (...args: A): R => this.inTransaction(begin, () => fn(...args));
    return Object.assign(run("BEGIN"), {
      deferred: run("BEGIN DEFERRED"),
      immediate: run("BEGIN IMMEDIATE"),
      exclusive: run("BEGIN EXCLUSIVE"),
    });
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }

  private inTransaction<R>(begin: string, body: () => R): R {
    // Inside another transaction: a savepoint, released or rolled back on its own.
    const savepoint = this.depth > 0 ? `cairn_${this.depth}` : undefined;
    this.db.exec(savepoint === undefined ? begin : `SAVEPOINT ${savepoint}`);
    this.depth++;
    try {
      const result = body();
      this.db.exec(savepoint === undefined ? "COMMIT" : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      if (savepoint !== undefined) {
        this.db.exec(`ROLLBACK TO ${savepoint}`);
        this.db.exec(`RELEASE ${savepoint}`);
      } else if (this.db.isTransaction) {
        this.db.exec("ROLLBACK");
      }
      throw error;
    } finally {
      this.depth--;
    }
  }
}
