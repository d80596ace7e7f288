/**
 * The `bun:sqlite` driver. A bun:sqlite `Database` already has the shape of a
 * `Connection`, so it is returned as it is: statements and transactions are
 * Bun's own, with no wrapper on the write path.
 */
import { Database } from "bun:sqlite";
import type { Connection, OpenOptions } from "./driver.ts";

/** Opens a SQLite file with bun:sqlite. */
export function openConnection(path: string, options: OpenOptions = {}): Connection {
  const db = options.readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { readwrite: true, create: options.create ?? true, strict: true });
  return db as unknown as Connection;
}
