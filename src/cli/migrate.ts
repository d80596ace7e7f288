import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  acquireLock,
  copyFiles,
  filesDirOf,
  type Lock,
  missingFiles,
  namedFiles,
  openForReading,
  openForReadingMigrated,
} from "../store/mod.ts";
import { eventWrites } from "../store/event_writes.ts";
import { isPostgresUrl, PgStore, redactUrl, scoringRecord } from "../store/pg.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import { databaseFailure, folderProblem } from "./_paths.ts";

export const migrateSpec: CommandSpec = {
  name: "migrate",
  summary:
    "Move an event from its SQLite file into an empty PostgreSQL database, for several nodes.",
  usage: "cairn migrate --from FILE --to postgres://… [--from-files DIR] [--files DIR]",
  options: {
    from: {
      type: "string",
      value: "FILE",
      help: "The event's SQLite database (the server stopped)",
    },
    "from-files": {
      type: "string",
      value: "DIR",
      help:
        "Where the SQLite server kept the mission uploads: its --files (default: beside the --from file)",
    },
    to: {
      type: "string",
      value: "URL",
      env: "CAIRN_DB",
      // Said as the value came: from --to, or from CAIRN_DB (set for the server, say, to a file).
      valid: {
        test: isPostgresUrl,
        must: "must be a postgres:// (or postgresql://) URL",
        shown: redactUrl,
      },
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
    "A file an older Cairn wrote moves too: it is read through a copy brought to this version's",
    "schema in the temporary folder, and left as it was.",
    "With --files, the uploaded files the database names are copied from --from-files into DIR;",
    "without it, they stay where they are, to copy by hand. When uploads the database names are",
    "not in --from-files' default folder, nothing moves: give the folder the server used. When",
    "they are not in a folder given with --from-files, the event moves without them, and the",
    "missing files are listed.",
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
    io.stderr("cairn migrate: give both --from FILE and --to postgres://…\n");
    return EXIT.usage;
  }
  const path = resolve(from);
  if (!existsSync(path)) {
    io.stderr(`cairn migrate: there is no database at ${path}\n`);
    return EXIT.failure;
  }
  const fromFiles = values["from-files"] as string | undefined;
  const uploads = fromFiles === undefined ? filesDirOf(path) : resolve(fromFiles);
  const filesOut = values.files === undefined ? undefined : resolve(values.files as string);
  // Checked before anything moves: the uploads are copied once the event has moved.
  const where = filesOut === undefined ? undefined : folderProblem(filesOut);
  if (where !== undefined) {
    io.stderr(`cairn migrate: ${where}\n`);
    return EXIT.failure;
  }
  let lock: Lock | undefined;
  try {
    // A Cairn database this binary reads, checked before its lock file is made beside it.
    openForReading(path).close();
    lock = acquireLock(path);
    if (lock.kind === "busy") {
      io.stderr(`cairn migrate: a Cairn server is running on ${path}; stop it first\n`);
      return EXIT.failure;
    }
    // An older Cairn's file moves as this version's schema, read through a migrated copy.
    const db = await openForReadingMigrated(path);
    let writes;
    let files;
    try {
      // With the hunt's scoring, which `cairn export` reads from the log.
      const scoring = scoringRecord(db);
      writes = [...eventWrites(db), ...(scoring === undefined ? [] : [scoring])];
      files = namedFiles(db);
    } finally {
      db.close();
    }
    // Uploads the database names but the folder lacks would be left behind: say so before
    // anything moves, unless the folder was named (then they are lost, and only said).
    const missing = files.filter((file) => !existsSync(join(uploads, file.hash)));
    if (missing.length > 0 && fromFiles === undefined) {
      io.stderr(
        `cairn migrate: ${missingFiles(missing.map((file) => file.hash), uploads)}; ` +
          "if the server ran with --files DIR (or CAIRN_FILES), give that folder as --from-files DIR\n",
      );
      return EXIT.failure;
    }
    const { rows } = await PgStore.importLog(to, writes).catch((error) => {
      throw new Error(databaseFailure("cannot move the event into", to, error));
    });
    const teams = writes.filter((write) => write.kind === "team").length;
    const guesses = writes.filter((write) => write.kind === "guess").length;
    io.stdout(
      `cairn migrate: ${count(teams, "team")}, ${count(guesses, "guess", "guesses")} (${
        count(rows, "log row")
      }) moved to ${redactUrl(to)}\n`,
    );
    // A warning: the event moved, and the command did what it was asked.
    if (missing.length > 0) {
      io.stderr(
        `cairn migrate: warning: ${missingFiles(missing.map((file) => file.hash), uploads)}\n`,
      );
    }
    const present = files.length - missing.length;
    if (present === 0) return EXIT.ok;
    if (filesOut === undefined) {
      const them = present === 1 ? "it" : "them";
      io.stdout(
        `cairn migrate: ${count(present, "uploaded file")} left in ${uploads}; copy ${them} into ` +
          "the nodes' --files folder, or migrate with --files DIR\n",
      );
    } else {
      const copied = copyFiles(uploads, filesOut, files, { name: (file) => file.hash });
      io.stdout(
        `cairn migrate: ${
          count(copied.copied + copied.kept, "uploaded file")
        } copied from ${uploads} ` +
          `to ${filesOut}\n`,
      );
    }
  } catch (error) {
    io.stderr(`cairn migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    return failureCode(error);
  } finally {
    if (lock?.kind === "held") lock.release();
  }
  return EXIT.ok;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
