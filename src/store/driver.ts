/**
 * What the store needs of a SQLite connection, so that one set of SQL serves
 * both runtimes: `bun:sqlite` on Bun, `node:sqlite` on Deno. The shape is
 * bun:sqlite's own (statements with `run`/`get`/`all`, transactions as
 * wrapped functions with `.immediate()` and `.deferred()`), so on Bun the
 * connection is the `Database` itself, with nothing in between on the write
 * path. The runtime's driver is picked once, when this module loads.
 */
import * as bunDriver from "./driver_bun.ts";
import * as nodeDriver from "./driver_node.ts";

/** A value a statement binds. */
export type Param = string | number | bigint | null | Uint8Array;

/** A prepared statement. */
export interface Statement<Row = unknown> {
  run(...params: Param[]): unknown;
  /** The first row, or null (Bun) or undefined (node:sqlite) when there is none. */
  get(...params: Param[]): Row | null | undefined;
  all(...params: Param[]): Row[];
  /** The rows one at a time, for reads too large to hold as one array. */
  iterate(...params: Param[]): IterableIterator<Row>;
}

/** `fn` run inside a transaction: plain (BEGIN), `.deferred()`, `.immediate()` or `.exclusive()`. */
export interface Transaction<A extends unknown[], R> {
  (...args: A): R;
  deferred(...args: A): R;
  immediate(...args: A): R;
  exclusive(...args: A): R;
}

/** One SQLite connection. */
export interface Connection {
  exec(sql: string): void;
  /** A new prepared statement. */
  prepare<Row = unknown>(sql: string): Statement<Row>;
  /** A prepared statement cached by its SQL, for statements run now and then. */
  query<Row = unknown>(sql: string): Statement<Row>;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R>;
  /**
   * Closes the connection. On Bun, statements still prepared keep it open
   * until they are collected, unless `finalize` is true: then they are
   * finalized and the connection is released now (node:sqlite always does).
   */
  close(finalize?: boolean): void;
}

/** How to open a file: created if missing (the default), or only read. */
export interface OpenOptions {
  create?: boolean;
  readonly?: boolean;
}

/**
 * The runtime's driver: bun:sqlite under Bun, node:sqlite elsewhere (Deno). Both modules are
 * imported statically, and each takes its SQLite module when first used: a top-level await here
 * (a dynamic import of one of them) made Bun's compiled binary, built with bytecode, start no worker
 * that imports this module after the main thread had loaded it by a dynamic import (Bun 1.4.5;
 * docs/performance.md, "Bytecode in the binary").
 */
const driver: {
  openConnection(path: string, options?: OpenOptions): Connection;
  copyDatabase(db: Connection, path: string): Promise<void>;
  scanRows<Row>(db: Connection, scan: Scan): Iterable<Row>;
} = "Bun" in globalThis ? bunDriver : nodeDriver;

/** Opens a SQLite file (or `:memory:`) with the runtime's driver. */
export const openConnection: (path: string, options?: OpenOptions) => Connection =
  driver.openConnection;

/**
 * Writes a consistent copy of the open database to the new file `path`, while
 * others keep writing: `VACUUM INTO` on Bun; SQLite's online backup on Deno,
 * whose SQLite allows no attached database, which VACUUM INTO needs.
 */
export const copyDatabase: (db: Connection, path: string) => Promise<void> = driver.copyDatabase;

/**
 * A pass over a whole table in the order of its primary key: `select` is `SELECT …
 * FROM table` with no WHERE or ORDER BY, whose first columns are `key`'s, in its order and as
 * stored (their values are where the next step resumes); with `after`, only the rows whose key is
 * past it.
 */
export interface Scan {
  select: string;
  key: readonly string[];
  after?: readonly Param[];
}

/**
 * The rows of `scan`, for a table too large to hold as one array. Each driver reads it its fastest
 * way: bun:sqlite one row at a time; node:sqlite in steps of a few thousand rows as arrays, since
 * it builds each row's object natively, which costs Deno about 2.4 µs a row in `iterate()`
 * (docs/performance.md, "Boot on Deno").
 */
export const scanRows: <Row>(db: Connection, scan: Scan) => Iterable<Row> = driver.scanRows;
