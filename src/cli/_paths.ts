/**
 * Checks on the paths commands are given to write to: never the database or
 * the files SQLite and Cairn keep beside it, and never a file that is not
 * what the command would replace.
 */
import {
  constants,
  existsSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { filesDirOf } from "../store/mod.ts";
import { isPostgresUrl, openHint, redactUrl } from "../store/pg.ts";
import type { OptionSpec, Values } from "./_args.ts";
import type { Io } from "./_io.ts";

/**
 * The check every `--db` (and `CAIRN_DB`) gets: an SQLite file, or a
 * PostgreSQL URL. Any other `scheme://` is a mistake (`postgress://`), never
 * a file name: it would start a separate event in a file named after the URL.
 */
export const DB_VALUE: NonNullable<OptionSpec["valid"]> = {
  test: (value) => !value.includes("://") || isPostgresUrl(value),
  must: "must be an SQLite file or a postgres:// (or postgresql://) URL",
  shown: redactUrl,
};

/**
 * A failure on the PostgreSQL database at `url`, as one line that names it
 * once (its password hidden): `what` and the URL lead a message that does not
 * name it already, such as the driver's "connect ECONNREFUSED 127.0.0.1:5432",
 * and what to check follows it, where the driver's words do not say (`openHint`).
 */
export function databaseFailure(what: string, url: string, error: unknown): string {
  const hint = openHint(error);
  const message = (error instanceof Error ? error.message : String(error)) +
    (hint === undefined ? "" : `: ${hint}`);
  const shown = redactUrl(url);
  return message.includes(shown) ? message : `${what} ${shown}: ${message}`;
}

/** Where the database is when neither `--db` nor `CAIRN_DB` says. */
export const DEFAULT_DB = "./cairn-data/cairn.db";

/** The `--db` option every command that opens the event's database takes, with its help line. */
export function dbOption(help: string): OptionSpec {
  return {
    type: "string",
    value: "FILE",
    env: "CAIRN_DB",
    default: DEFAULT_DB,
    valid: DB_VALUE,
    help,
  };
}

/** What SQLite (`-wal`, `-shm`, `-journal`) and Cairn (`.lock`) keep beside a database. */
const COMPANIONS = ["-wal", "-shm", "-journal", ".lock"] as const;

/**
 * Why writing to `out` would destroy the database at `dbPath`: it is that
 * file, or one of the files beside it, symlinks resolved. Undefined when it is not.
 */
export function databaseFileProblem(out: string, dbPath: string): string | undefined {
  const target = realPath(out);
  const databases = new Set([dbPath, realPath(dbPath)]);
  for (const db of databases) {
    if (target === realPath(db)) return `${out} is the database itself; choose another file`;
    for (const suffix of COMPANIONS) {
      if (target === realPath(`${db}${suffix}`)) {
        return `${out} is the database's ${suffix} file, which it needs; choose another file`;
      }
    }
  }
  return undefined;
}

/**
 * Why writing into the folder `out` would write into the live uploads folder
 * (one of `uploads`: a server keeps mission files there, and removes at its
 * next start what it takes for leftovers): it is that folder or inside it,
 * symlinks resolved. Undefined when it is neither.
 */
export function uploadsFolderProblem(out: string, uploads: readonly string[]): string | undefined {
  const target = realPath(out);
  for (const folder of uploads) {
    const real = realPath(folder);
    if (target === real) return `${out} is the server's uploads folder; choose another folder`;
    if (target.startsWith(real + sep)) {
      return `${out} is inside the server's uploads folder ${folder}; choose another folder`;
    }
  }
  return undefined;
}

/** Whether something is at `path` and it is a folder (a symlink to one counts). */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Why the folder that would hold `path` cannot: it does not exist, or it is
 * not a folder. Undefined when it is one.
 */
export function parentProblem(path: string): string | undefined {
  const parent = dirname(path);
  if (!existsSync(parent)) return `the folder ${parent} does not exist`;
  if (!isFolder(parent)) return `${parent} is a file, not a folder`;
  return undefined;
}

/**
 * Why `path` cannot be a folder, made with its parents if missing: it, or the
 * nearest of its parents that exists, is a file. Undefined when it can.
 */
export function folderProblem(path: string): string | undefined {
  for (let at = path;; at = dirname(at)) {
    if (existsSync(at)) return isFolder(at) ? undefined : `${at} is a file, not a folder`;
    if (dirname(at) === at) return undefined;
  }
}

/**
 * The path with every symlink resolved: the file's own when it exists, else
 * its folder's (as far as it exists) joined with the rest of the name.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realPath(parent), basename(path));
  }
}

/**
 * The SQLite file a command of SQLite files only works on (`--db`) and its
 * uploads folder (`--files`, else beside the file), both resolved; or
 * undefined, having said in one line that the command takes no PostgreSQL URL
 * and what to do there instead (`onPostgres`).
 */
export function sqliteFiles(
  command: string,
  values: Values,
  io: Pick<Io, "stderr">,
  onPostgres: string,
): { dbPath: string; filesDir: string } | undefined {
  if (isPostgresUrl(values.db as string)) {
    io.stderr(`cairn ${command}: works on SQLite files only; ${onPostgres}\n`);
    return undefined;
  }
  const dbPath = resolve(values.db as string);
  const filesDir = values.files === undefined
    ? filesDirOf(dbPath)
    : resolve(values.files as string);
  return { dbPath, filesDir };
}

/**
 * Why the system refused to make or write `path`, in words, from its error code (EACCES,
 * ENOENT…), for a one-line error with what to do after it; undefined for an error with no code
 * (a sentence of Cairn's own, to print as it is).
 */
export function writeProblem(error: unknown, path: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return undefined;
  const where = (error as NodeJS.ErrnoException).path ?? path;
  switch (code) {
    case "EACCES":
    case "EPERM":
      // A file written under a temporary name beside its own (`.name.PID.tmp`): its folder is refused.
      return /^\..+\.\d+\.tmp$/.test(basename(where))
        ? `no permission to write in ${dirname(where)}`
        : `no permission to write ${where}`;
    case "EROFS":
      return `${where} is on a read-only file system`;
    case "ENOSPC":
    case "EDQUOT":
      return `the disk that would hold ${where} is full`;
    case "ENOTDIR":
      return `a part of ${where} is a file, not a folder`;
    case "EEXIST":
      // A folder to make is there, as a file.
      return `${where} is a file, not a folder`;
    case "ENAMETOOLONG":
      return `a name in ${where} is longer than the file system takes`;
    case "ENOENT":
      // The parent exists (folders are made with their parents): it takes no new entries (/proc).
      return `${dirname(where)} does not take new files or folders`;
    default:
      return `${where}: ${(error as Error).message}`;
  }
}

/**
 * Before a first start on the SQLite file `dbPath`: what that start makes (the file, the files
 * SQLite and Cairn keep beside it, its uploads folder and the folders that hold it), with a
 * function that takes them away again, for a start that fails before serving (it cannot listen).
 * Nothing that was there before is touched, and a folder goes only when empty. A file that was
 * there already makes it a function that does nothing.
 */
export function firstStartFiles(dbPath: string, filesDir: string): () => void {
  if (existsSync(dbPath)) return () => {};
  const uploads = existsSync(filesDir) ? undefined : filesDir;
  // The folders made for the file, the deepest first.
  const folders: string[] = [];
  for (let at = dirname(dbPath); !existsSync(at) && dirname(at) !== at; at = dirname(at)) {
    folders.push(at);
  }
  return () => {
    for (const suffix of ["", "-wal", "-shm", "-journal", ".lock"]) {
      rmSync(`${dbPath}${suffix}`, { force: true });
    }
    for (const folder of uploads === undefined ? folders : [uploads, ...folders]) {
      try {
        rmdirSync(folder);
      } catch {
        // Not empty (or not there): kept, and the folders above it too.
        if (folder !== uploads) return;
      }
    }
  };
}

/**
 * A command's line for `error`, met while it worked on the SQLite file `dbPath`: why this user
 * cannot open that file (`accessProblem`), when that is the cause, else the error's own message.
 */
export function openFailure(error: unknown, dbPath: string, write: boolean): string {
  const problem = accessProblem(dbPath, write);
  if (problem !== undefined) return `cannot open the database ${dbPath}: ${problem}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why this user cannot open the SQLite file `dbPath` (to read it, and with `write` to write it too;
 * SQLite also makes and writes its `-wal` and `-shm` files beside it), in words with what to do,
 * or undefined when the permissions allow it. For the line after an open failed: SQLite's own
 * "unable to open database file" names neither the file nor why (a folder root made, say, and a
 * server run as another user).
 */
export function accessProblem(dbPath: string, write: boolean): string | undefined {
  try {
    return accessProblemOf(dbPath, write);
  } catch {
    // A path the runtime itself refuses to look at (Deno, under /proc): the error says it.
    return undefined;
  }
}

function accessProblemOf(dbPath: string, write: boolean): string | undefined {
  const user = userName(process.geteuid?.());
  const folder = dirname(dbPath);
  const refused = (verb: string, path: string, why = "") => {
    const stat = statSync(path);
    const owner = userName(stat.uid);
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    return `this user (${user}) may not ${verb} ${path} (${owner}'s, mode ${mode})${why}: ` +
      `run cairn as ${owner}, or give this user permission there`;
  };
  if (!allowed(folder, constants.X_OK)) {
    return existsSync(folder) ? refused("open the folder", folder) : undefined;
  }
  const beside = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`];
  for (const path of beside) {
    if (!existsSync(path)) continue;
    // A reader too writes the -shm file (WAL mode), and a read-write connection the -wal.
    const mode = path === dbPath && !write ? constants.R_OK : constants.R_OK | constants.W_OK;
    if (!allowed(path, mode)) {
      return refused(mode & constants.W_OK ? "read and write" : "read", path);
    }
  }
  if (beside.some((path) => !existsSync(path)) && !allowed(folder, constants.W_OK)) {
    return refused("make files in", folder, ", where SQLite keeps the database's -wal and -shm");
  }
  return undefined;
}

/**
 * Whether the mode bits of `path` let this process's effective user `mode` (R_OK, W_OK, X_OK
 * together), as the kernel decides on an open: `access()` would ask for the real user instead.
 */
function allowed(path: string, mode: number): boolean {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return false;
  }
  const uid = process.geteuid?.();
  if (uid === undefined || uid === 0) return true;
  const groups = new Set([process.getegid?.(), ...(process.getgroups?.() ?? [])]);
  const shift = stat.uid === uid ? 6 : groups.has(stat.gid) ? 3 : 0;
  return ((stat.mode >> shift) & mode) === mode;
}

/** A user's name from /etc/passwd, or `uid N` when it has none there. */
function userName(uid: number | undefined): string {
  if (uid === undefined) return "this user";
  try {
    for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name && id === String(uid)) return name;
    }
  } catch {
    // No passwd file (a container without one): the number says it.
  }
  return `uid ${uid}`;
}
