/**
 * The `bun:sqlite` driver. A bun:sqlite `Database` already has the shape of a
 * `Connection`, so it is returned as it is: statements and transactions are
 * Bun's own, with no wrapper on the write path.
 */
import type { Database } from "bun:sqlite";
import type { Connection, OpenOptions, Scan } from "./driver.ts";

/**
 * bun:sqlite, taken when first used. driver.ts imports this module on every runtime, and
 * picks it on Bun only: a static import of bun:sqlite would fail on Deno.
 */
let bunSqlite: typeof import("bun:sqlite") | undefined;
function sqlite(): typeof import("bun:sqlite") {
  return bunSqlite ??= process.getBuiltinModule("bun:sqlite") as typeof import("bun:sqlite");
}

/** Opens a SQLite file with bun:sqlite. */
export function openConnection(path: string, options: OpenOptions = {}): Connection {
  const { Database } = sqlite();
  const db = options.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { readwrite: true, create: options.create ?? true, strict: true });
  return db as unknown as Connection;
}

/** Copies the database with `VACUUM INTO`: one read transaction, so the copy is one commit's. */
export function copyDatabase(connection: Connection, path: string): Promise<void> {
  const db = connection as unknown as Database;
  // VACUUM INTO only reads this database, but SQLite refuses it on a query-only connection.
  const queryOnly = db.query<{ query_only: number }, []>("PRAGMA query_only").get()?.query_only;
  db.exec("PRAGMA query_only = OFF");
  try {
    db.query("VACUUM INTO ?").run(path);
  } finally {
    db.exec(`PRAGMA query_only = ${queryOnly ? "ON" : "OFF"}`);
  }
  return Promise.resolve();
}

/** `scanRows` (driver.ts): bun:sqlite's `iterate()` is already its fastest way through a table. */
export function scanRows<Row>(connection: Connection, scan: Scan): Iterable<Row> {
  const order = scan.key.join(", ");
  const after = scan.after === undefined
    ? ""
    : ` WHERE (${order}) > (${scan.key.map(() => "?").join(", ")})`;
  return connection.query<Row>(`${scan.select}${after} ORDER BY ${order}`).iterate(
    ...(scan.after ?? []),
  );
}
