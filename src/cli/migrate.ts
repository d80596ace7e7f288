import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  acquireLock,
  filesDirOf,
  MIGRATIONS,
  openForReading,
  schemaVersion,
} from "../store/mod.ts";
import { eventWrites } from "../store/event_writes.ts";
import { isPostgresUrl, PgStore, redactUrl } from "../store/pg.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";

export const migrateSpec: CommandSpec = {
  name: "migrate",
  summary:
    "Move an event from its SQLite file into an empty PostgreSQL database, for several nodes.",
  usage: "cairn migrate --from FILE --to postgres://… [--files DIR]",
  options: {
    from: {
      type: "string",
      value: "FILE",
      help: "The event's SQLite database (the server stopped)",
    },
    to: {
      type: "string",
      value: "URL",
      env: "CAIRN_DB",
      help: "An empty PostgreSQL database: postgres://user:password@host/db",
    },
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help: "Copy the mission uploads into this folder (the nodes' --files)",
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "Stop the server first: the file must not change while it is copied. Every team, session,",
    "guess, solve, hint, check-in, route, adjustment, announcement, submission, key and setting",
    "(the hunt's start, the admin token, the freeze) moves, in one transaction; a database that",
    "already holds an event is refused. Then start the nodes with --db and the same URL.",
  ].join("\n"),
};

/** Copies an SQLite event into an empty PostgreSQL log. */
export async function migrateEvent(
  values: Values,
  _positionals: string[],
  io: Io,
): Promise<number> {
  const from = values.from as string | undefined;
  const to = values.to as string | undefined;
  if (from === undefined || to === undefined) {
    io.stderr("migrate: give both --from FILE and --to postgres://…\n");
    return EXIT.usage;
  }
  if (!isPostgresUrl(to)) {
    io.stderr(`migrate: --to must be a postgres:// URL, not "${to}"\n`);
    return EXIT.usage;
  }
  const path = resolve(from);
  if (!existsSync(path)) {
    io.stderr(`migrate: there is no database at ${path}\n`);
    return EXIT.failure;
  }
  const lock = acquireLock(path);
  if (lock.kind === "busy") {
    io.stderr(`migrate: a Cairn server is running on ${path}; stop it first\n`);
    return EXIT.failure;
  }
  try {
    const db = openForReading(path);
    let writes;
    try {
      if (schemaVersion(db) < MIGRATIONS.length) {
        throw new Error(
          `${path} was written by an older Cairn: start \`cairn serve\` on it once with this version, stop it, and migrate again`,
        );
      }
      writes = eventWrites(db);
    } finally {
      db.close();
    }
    const { rows } = await PgStore.importLog(to, writes);
    const teams = writes.filter((write) => write.kind === "team").length;
    const guesses = writes.filter((write) => write.kind === "guess").length;
    io.stdout(
      `migrate: ${teams} teams, ${guesses} guesses (${rows} log rows) moved to ${redactUrl(to)}\n`,
    );
    const uploads = filesDirOf(path);
    const names = existsSync(uploads)
      ? readdirSync(uploads).filter((n) => /^[0-9a-f]{64}$/.test(n))
      : [];
    if (names.length > 0) {
      const dir = values.files as string | undefined;
      if (dir === undefined) {
        io.stdout(
          `migrate: ${names.length} mission uploads stay in ${uploads}; copy them into the nodes' --files folder\n`,
        );
      } else {
        mkdirSync(resolve(dir), { recursive: true });
        for (const name of names) copyFileSync(join(uploads, name), join(resolve(dir), name));
        io.stdout(`migrate: ${names.length} mission uploads copied to ${resolve(dir)}\n`);
      }
    }
  } catch (error) {
    io.stderr(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  } finally {
    if (lock.kind === "held") lock.release();
  }
  return EXIT.ok;
}
