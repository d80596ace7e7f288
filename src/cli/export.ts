import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  copyFiles,
  type CopyResult,
  exportName,
  filesByTeam,
  filesDirOf,
  hasScoring,
  isSqliteFile,
  missingFiles,
  namedFiles,
  openForReadingMigrated,
  readResults,
  readSolvePoints,
  RESULT_COLUMNS,
  RESULT_TABLES,
  type ResultTable,
  toCsv,
} from "../store/mod.ts";
import { ctftimeFeed, ctftimeJson } from "../play/mod.ts";
import type { Results } from "../store/mod.ts";
import { type CommandSpec, sourceOf, type Sources, type Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import {
  accessProblem,
  databaseFailure,
  databaseFileProblem,
  dbOption,
  folderProblem,
  isFolder,
  parentProblem,
  realPath,
  uploadsFolderProblem,
  writeProblem,
} from "./_paths.ts";
import { writeFiles } from "./_write.ts";
import { DEFAULT_PG_FILES } from "./serve.ts";
import { isPostgresUrl, PgStore } from "../store/pg.ts";

export const exportSpec: CommandSpec = {
  name: "export",
  summary:
    "Write the results: teams, solves, guesses, the final scoreboard, route orders, hints taken, check-ins, adjustments, mission submissions and asks, and with --files-out the uploaded files.",
  usage:
    "cairn export [--db FILE|postgres://…] [--format json|csv|ctftime] [--table T] [--out PATH] [--files DIR] [--files-out DIR [--files-by hash|team]]",
  options: {
    db: dbOption("Database: an SQLite file, or the postgres://… URL of a shared event"),
    format: {
      type: "string",
      value: "F",
      env: "CAIRN_EXPORT_FORMAT",
      default: "json",
      choices: ["json", "csv", "ctftime"],
      help: "Output format",
    },
    table: {
      type: "string",
      value: "T",
      env: "CAIRN_EXPORT_TABLE",
      choices: RESULT_TABLES,
      help: "With csv: write only this table, to --out FILE or stdout",
    },
    out: {
      type: "string",
      value: "PATH",
      env: "CAIRN_EXPORT_OUT",
      help: "json, ctftime: a file (default: stdout); csv: a folder for every table's file",
    },
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help:
        "Where the mission uploads are, as for serve (default: beside the SQLite file; with PostgreSQL, ./cairn-data/files)",
    },
    "files-out": {
      type: "string",
      value: "DIR",
      env: "CAIRN_EXPORT_FILES_OUT",
      help: "Also copy the submissions' uploaded files into this folder",
    },
    "files-by": {
      type: "string",
      value: "B",
      env: "CAIRN_EXPORT_FILES_BY",
      choices: ["hash", "team"],
      help:
        "With --files-out: each file once, named by its hash (default), or a folder per team, a file per submission",
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "json writes one document {teams, solves, guesses, scoreboard, routes, hints, checkins,",
    "adjustments, submissions, asks}. csv writes one file per table into the folder --out",
    "(teams.csv, solves.csv, guesses.csv, scoreboard.csv, routes.csv, hints.csv, checkins.csv,",
    "adjustments.csv, submissions.csv, asks.csv), or one table with --table; each starts with a UTF-8",
    "byte-order mark, for Excel. --files-out DIR copies each file a submission names into DIR,",
    "under the name its `file` column gives (content hash and extension); with --files-by team,",
    "into a folder per team instead, each submission's file named MISSION-ID.EXT after its mission",
    "and its `id` (Gulls/statue-12.jpg), for handing each team its photos. It reads the",
    "database file only: the server may be running or not; --out is never the database, a file",
    "beside it (-wal, -shm, -journal, .lock) or any other SQLite database, and --files-out never",
    "the uploads folder (--files) or a folder inside it. An --out ending in / names a folder, never",
    "a file, and csv's folder is never a name ending in .csv that is not a folder yet. Any other",
    "file at --out is replaced whole (written beside it, then renamed): an",
    "export that fails leaves it as it was. The scoreboard is the organizers' view, unfrozen.",
    "ctftime writes the final standings as CTFtime imports them:",
    "{tasks, standings: [{pos, team, score, taskStats, lastAccept}]}. A file an older Cairn wrote",
    "(a backup, or an event this version has not served yet) is read through a copy brought to",
    "this version's schema in the temporary folder, and left as it was.",
  ].join("\n"),
};

/**
 * Writes the results read from the database file, or from a PostgreSQL log. Its usage errors
 * name each option as it was set (`sources`): `CAIRN_EXPORT_TABLE`, not `--table`, from a variable.
 */
export async function exportResults(
  values: Values,
  _positionals: string[],
  io: Io,
  sources: Sources = {},
): Promise<number> {
  const format = values.format as "json" | "csv" | "ctftime";
  const table = values.table as ResultTable | undefined;
  const out = values.out as string | undefined;
  const filesOut = values["files-out"] === undefined
    ? undefined
    : resolve(values["files-out"] as string);
  const filesBy = values["files-by"] as "hash" | "team" | undefined;
  const usage = usageProblem(values, sources);
  if (usage !== undefined) {
    io.stderr(`cairn export: ${usage}\n`);
    return EXIT.usage;
  }

  const slash = outNameProblem(out, table === undefined ? format : sourceOf(sources, "table"));
  if (slash !== undefined) {
    io.stderr(`cairn export: ${slash}\n`);
    return EXIT.failure;
  }

  const url = values.db as string;
  const filesIn = values.files !== undefined
    ? resolve(values.files as string)
    : isPostgresUrl(url)
    ? resolve(DEFAULT_PG_FILES)
    : filesDirOf(resolve(url));
  // Where a server on this database keeps its uploads: beside a symlinked file's target too.
  const uploads = values.files !== undefined || isPostgresUrl(url)
    ? [filesIn]
    : [filesIn, filesDirOf(realPath(resolve(url)))];
  const refused = outProblem(out, table === undefined && format === "csv", url) ??
    (filesOut === undefined
      ? undefined
      : folderProblem(filesOut) ?? uploadsFolderProblem(filesOut, uploads));
  if (refused !== undefined) {
    io.stderr(`cairn export: ${refused}\n`);
    return EXIT.failure;
  }
  let shared: PgStore | undefined;
  let scratch: string | undefined;
  try {
    // A PostgreSQL log is read into memory, as a node reads it at boot.
    if (isPostgresUrl(url)) {
      scratch = mkdtempSync(join(tmpdir(), "cairn-export-"));
      shared = await openLog(url, scratch);
      shared.restoreScoring();
    }
    // An older Cairn's file (a backup, or an event this version has not served yet) is read
    // as this version's schema, through a migrated copy.
    const db = shared?.tables ?? await openForReadingMigrated(resolve(url));
    let results;
    let feed: string | undefined;
    let files: CopyResult | undefined;
    try {
      if (!hasScoring(db)) {
        throw new Error(
          "The database has no record of the hunt's points yet: start `cairn serve` on it once with this version",
        );
      }
      results = readResults(db);
      if (format === "ctftime") feed = ctftimeText(results, readSolvePoints(db));
      if (filesOut !== undefined) files = copyInto(db, { filesIn, filesOut, filesBy });
    } finally {
      if (shared === undefined) db.close();
    }
    const counts = [
      count(results.teams.length, "team"),
      count(results.solves.length, "solve"),
      count(results.guesses.length, "guess", "guesses"),
      ...(results.submissions.length > 0 || files !== undefined
        ? [count(results.submissions.length, "submission")]
        : []),
    ].join(", ");
    if (feed !== undefined) {
      if (out === undefined) io.stdout(feed);
      else writeFiles([[out, feed]]);
    } else if (format === "json") {
      const text = JSON.stringify(results, null, 2) + "\n";
      if (out === undefined) io.stdout(text);
      else writeFiles([[out, text]]);
    } else if (table !== undefined) {
      const text = toCsv(results[table], RESULT_COLUMNS[table]);
      if (out === undefined) io.stdout(text);
      else writeFiles([[out, text]]);
    } else {
      mkdirSync(out!, { recursive: true });
      writeFiles(RESULT_TABLES.map((name) => [
        join(out!, `${name}.csv`),
        toCsv(results[name], RESULT_COLUMNS[name]),
      ]));
    }
    // The summary goes to stderr when the results go to stdout (or a pipe), so they get only them.
    const stream = out === undefined || isStream(out);
    const say = (line: string) => stream ? io.stderr(line) : io.stdout(line);
    say(`cairn export: ${counts}${out === undefined ? "" : ` written to ${out}`}\n`);
    if (files !== undefined) {
      const held = files.copied + files.linked + files.kept;
      say(`cairn export: ${count(held, "file")} in ${filesOut}\n`);
      if (files.missing.length > 0) {
        io.stderr(`cairn export: ${missingFiles(files.missing, filesIn)}\n`);
        return EXIT.failure;
      }
    }
  } catch (error) {
    io.stderr(`cairn export: ${exportFailure(error, url, out)}\n`);
    return failureCode(error);
  } finally {
    shared?.close();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
  return EXIT.ok;
}

/** Copies the files the submissions name into `filesOut`, by hash or a folder per team. */
function copyInto(
  db: Parameters<typeof namedFiles>[0],
  { filesIn, filesOut, filesBy }: {
    filesIn: string;
    filesOut: string;
    filesBy: "hash" | "team" | undefined;
  },
): CopyResult {
  try {
    return filesBy === "team"
      ? copyFiles(filesIn, filesOut, filesByTeam(db), { name: (file) => file.path, verify: true })
      : copyFiles(filesIn, filesOut, namedFiles(db), { name: exportName });
  } catch (error) {
    const problem = copyProblem(error, filesOut);
    if (problem === undefined) throw error;
    throw new Error(problem);
  }
}

/**
 * Why files could not be written into `filesOut`, in words (a team's folder there that is a
 * file: "…/Gulls is a file, not a folder"), if that is what failed; not for a file read.
 */
function copyProblem(error: unknown, filesOut: string): string | undefined {
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (path === undefined || !path.startsWith(join(filesOut, "/"))) return undefined;
  const problem = writeProblem(error, filesOut);
  return problem === undefined ? undefined : `cannot copy the files into ${filesOut}: ${problem}`;
}

/** Why these options do not go together (a usage error), if they do not, naming them as set. */
function usageProblem(values: Values, sources: Sources): string | undefined {
  if (values["files-by"] !== undefined && values["files-out"] === undefined) {
    return `${sourceOf(sources, "files-by")} goes with --files-out DIR`;
  }
  if (values.format !== "csv" && values.table !== undefined) {
    return `${sourceOf(sources, "table")} goes with --format csv`;
  }
  if (values.format === "csv" && values.table === undefined && values.out === undefined) {
    return "csv writes one file per table: give --out FOLDER, or --table T";
  }
  return undefined;
}

/**
 * Why `out` cannot take `what` (json, ctftime, or one csv `--table`, named as it was set), which
 * is one file: a name ending in "/" names a folder, made or not, as for backup. Undefined when it
 * can, and for csv.
 */
function folderNameProblem(out: string | undefined, what: string): string | undefined {
  if (out === undefined || !out.endsWith("/") || what === "csv") return undefined;
  return `${out} names a folder (it ends in /), and ${what} is written to one file; give a file's name`;
}

/** Why `out`, by its name alone, cannot take `what` (json, ctftime, csv, or one csv `--table`). */
function outNameProblem(out: string | undefined, what: string): string | undefined {
  return what === "csv" ? csvFolderNameProblem(out) : folderNameProblem(out, what);
}

/**
 * Why `out` cannot be the folder of every table's csv file: a name ending in ".csv", not yet a
 * folder, is a file's (`--out results.csv` made a folder of that name). Undefined when it can.
 */
function csvFolderNameProblem(out: string | undefined): string | undefined {
  if (out === undefined || !/\.csv$/i.test(out) || isFolder(resolve(out))) return undefined;
  return `${out} names a file, and csv writes one file per table into a folder; ` +
    "give a folder's name, or --table T for one table's file";
}

/**
 * Why the results may not go to `out`: the csv folder cannot be made there, a
 * file's folder does not exist, or a file there (each table's file, when `out`
 * is the csv folder) is a folder, the database, one of the files beside it, or
 * an SQLite database. Undefined when they may.
 */
function outProblem(out: string | undefined, folder: boolean, db: string): string | undefined {
  if (out === undefined) return undefined;
  const path = resolve(out);
  const where = folder ? folderProblem(path) : existsSync(path) ? undefined : parentProblem(path);
  if (where !== undefined) return where;
  const targets = folder ? RESULT_TABLES.map((name) => join(path, `${name}.csv`)) : [path];
  for (const target of targets) {
    if (isFolder(target)) return `${target} is a folder, not a file; choose another file`;
    const problem = isPostgresUrl(db) ? undefined : databaseFileProblem(target, resolve(db));
    if (problem !== undefined) return problem;
    if (isSqliteFile(target)) {
      return `${target} is an SQLite database, which export never replaces; choose another file`;
    }
  }
  return undefined;
}

/** CTFtime's feed of the final (unfrozen) scoreboard, from the results and each solve's points. */
function ctftimeText(results: Results, points: ReturnType<typeof readSolvePoints>): string {
  const byTeam = new Map<number, { puzzle: string; points: number; at: number }[]>();
  for (const solve of points.solves) {
    let list = byTeam.get(solve.team);
    if (list === undefined) byTeam.set(solve.team, list = []);
    list.push(solve);
  }
  const rows = results.scoreboard.map((row) => ({
    pos: row.rank as number,
    team: row.name as string,
    score: row.score as number,
    solves: byTeam.get(row.team as number) ?? [],
  }));
  return ctftimeJson(ctftimeFeed(points.puzzles, rows)) + "\n";
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A PostgreSQL log, read into memory as a node reads it at boot; a failure names the database. */
async function openLog(url: string, scratch: string): Promise<PgStore> {
  try {
    return await PgStore.open(url, { filesDir: scratch, readOnly: true });
  } catch (error) {
    // The same error (an OutdatedError still exits 3), with the database named once.
    if (error instanceof Error) {
      error.message = databaseFailure("cannot open the database", url, error);
    }
    throw error;
  }
}

/** Whether `path` is written as a stream (/dev/stdout, a pipe, a terminal), not as a file. */
function isStream(path: string): boolean {
  try {
    const stat = statSync(path);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

/**
 * The line for an export that failed with `error`: why this user cannot open the database file,
 * when that is the cause; why `out` could not be written, for a system's refusal there; else the
 * error's own message.
 */
function exportFailure(error: unknown, url: string, out: string | undefined): string {
  if (!isPostgresUrl(url)) {
    const problem = accessProblem(resolve(url), false);
    if (problem !== undefined) return `cannot open the database ${resolve(url)}: ${problem}`;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const written = out !== undefined && code?.startsWith("E") ? writeProblem(error, out) : undefined;
  if (written === undefined) return error instanceof Error ? error.message : String(error);
  const how = code === "EACCES" || code === "EPERM" ? "; give an --out this user may write" : "";
  return `cannot write ${out}: ${written}${how}`;
}
