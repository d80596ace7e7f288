import { existsSync } from "node:fs";
import { hashToken, newToken } from "../play/mod.ts";
import {
  acquireLock,
  type Lock as StoreLock,
  openDatabase,
  openForReading,
  setMeta,
} from "../store/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import { dbOption, openFailure, sqliteFiles } from "./_paths.ts";

type Lock = StoreLock | { kind: "absent" };

export const adminTokenSpec: CommandSpec = {
  name: "admin-token",
  summary: "Make a new admin token, for a lost admin link, and print its link once.",
  usage: "cairn admin-token [--db FILE] [--url URL]",
  options: {
    db: dbOption("Database"),
    url: {
      type: "string",
      value: "URL",
      env: "CAIRN_URL",
      default: "http://localhost:8080",
      help: "The server's address, for the link",
      valid: {
        test: isServerAddress,
        must: "must be the server's address, with http:// or https:// (http://cairn.lan:8080)",
      },
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "It stores only the new token's hash in the database, in place of the old one. A running",
    "server reads the hash at start and at every reload, so reload it (systemctl reload cairn,",
    "or SIGHUP) to use the new token; until then the old one still works. A server started",
    "with --admin-token or CAIRN_ADMIN_TOKEN uses that token instead, and ignores the stored one.",
    "SQLite files only: nodes on PostgreSQL take a new --admin-token when they restart.",
  ].join("\n"),
};

/** An http:// or https:// address with a host: what a browser opens from the printed link. */
function isServerAddress(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).host !== "";
  } catch {
    return false;
  }
}

const ADMIN_TOKEN_ON_POSTGRES = "to change the admin token of nodes on PostgreSQL, restart them " +
  "with a new --admin-token (docs/scale-out.md)";

/** Replaces the stored admin token's hash with a new token's, and prints the token once. */
export function adminToken(values: Values, _positionals: string[], io: Io): Promise<number> {
  const files = sqliteFiles("admin-token", values, io, ADMIN_TOKEN_ON_POSTGRES);
  if (files === undefined) return Promise.resolve(EXIT.failure);
  const { dbPath } = files;
  if (!existsSync(dbPath)) {
    io.stderr(
      `cairn admin-token: there is no database at ${dbPath}; the server makes one on its first ` +
        "start, and prints its admin link then\n",
    );
    return Promise.resolve(EXIT.failure);
  }
  // A server holds the lock while it runs, and keeps the old token until it restarts. The server
  // made the lock file when it first started; this command never makes one, which, run as root
  // beside a service, its own user could not open.
  const lock: Lock = existsSync(`${dbPath}.lock`) ? acquireLock(dbPath) : { kind: "absent" };
  const token = newToken();
  try {
    // Checks that it is a Cairn database this binary can read, before writing to it. Its schema
    // stays as it is: migrated under a running older server, the database would refuse that
    // server's next start ("written by a newer Cairn"), and the server would run on tables it
    // does not know meanwhile. The token is in `meta`, which every schema has.
    openForReading(dbPath).close();
    const db = openDatabase(dbPath, { migrate: false });
    try {
      setMeta(db, "admin_token_hash", hashToken(token));
    } finally {
      db.close();
    }
  } catch (error) {
    io.stderr(`cairn admin-token: ${openFailure(error, dbPath, true)}\n`);
    return Promise.resolve(failureCode(error));
  } finally {
    if (lock.kind === "held") lock.release();
  }
  const base = (values.url as string).replace(/\/+$/, "");
  io.stdout(
    [
      `A new admin token is stored in ${dbPath}; this is the only time it is shown.`,
      `Admin link: ${base}/admin#token=${token}`,
      `Token:      ${token}`,
      lock.kind === "busy"
        ? "A server is running on this database: reload it (systemctl reload cairn, or SIGHUP) to use the new token."
        : "Start the server with this database, then open the link.",
    ].join("\n") + "\n",
  );
  return Promise.resolve(EXIT.ok);
}
