/**
 * Mission uploads on disk: a folder beside the database (`cairn.db` keeps
 * them in `cairn.db.files/`), each file named by the SHA-256 of its bytes. An
 * upload is written to a temporary name, fsynced, renamed to its hash and the
 * folder fsynced, all before the submission that names it is committed; a
 * failed upload removes its temporary file. What a crash leaves behind (a
 * temporary file, or a file no submission names) is removed at the next start.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { extensionOf } from "../engine/mod.ts";
import { DiskFile } from "./disk_file.ts";
import type { Connection } from "./driver.ts";
import type { UploadSink } from "./store.ts";
import { syncPath } from "./sync_path.ts";

const HASH = /^[0-9a-f]{64}$/;
const TEMP_PREFIX = ".upload-";

/** The folder of uploads that belongs to a database file. */
export function filesDirOf(dbPath: string): string {
  return `${dbPath}.files`;
}

/** The uploads folder: writes new files, finds stored ones, removes orphans. */
export class FileStore {
  private made = false;
  private sequence = 0;

  constructor(readonly dir: string) {}

  /** Starts an upload under a temporary name; nothing is visible until `finish()`. */
  async begin(): Promise<UploadSink> {
    this.ensureDir();
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${++this.sequence}`);
    const handle = await open(temp, "wx", 0o600);
    const hasher = createHash("sha256");
    let size = 0;
    let closed = false;
    const close = async () => {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    };
    const dir = this.dir;
    return {
      async write(chunk) {
        hasher.update(chunk);
        size += chunk.byteLength;
        let offset = 0;
        while (offset < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, offset);
          offset += bytesWritten;
        }
      },
      async finish() {
        try {
          await handle.sync();
          await close();
          const hash = hasher.digest("hex");
          renameSync(temp, join(dir, hash));
          syncPath(dir);
          return { hash, size };
        } catch (error) {
          await close().catch(() => {});
          rmSync(temp, { force: true });
          throw error;
        }
      },
      async abort() {
        await close().catch(() => {});
        rmSync(temp, { force: true });
      },
    };
  }

  /**
   * A stored file by its hash, or undefined for a name that is not a hash or
   * a file that is not there: Bun's lazy file, else one read from disk only
   * as its body is (disk_file.ts).
   */
  file(hash: string): Blob | undefined {
    if (!HASH.test(hash)) return undefined;
    const path = join(this.dir, hash);
    if ("Bun" in globalThis) return existsSync(path) ? Bun.file(path) : undefined;
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return undefined;
    }
    return new DiskFile(path, size);
  }

  /** Removes a stored file (one no submission names). */
  remove(hash: string): void {
    if (HASH.test(hash)) rmSync(join(this.dir, hash), { force: true });
  }

  /** Removes temporary files and files no submission names; returns how many went. */
  clean(referenced: ReadonlySet<string>): number {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (name.startsWith(TEMP_PREFIX) || (HASH.test(name) && !referenced.has(name))) {
        rmSync(join(this.dir, name), { force: true });
        removed++;
      }
    }
    if (removed > 0) syncPath(this.dir);
    return removed;
  }

  private ensureDir(): void {
    if (this.made) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.made = true;
  }
}

/** A file a database's submissions name: its hash (its name on disk) and its media type. */
export interface NamedFile {
  hash: string;
  type: string | null;
}

/** The distinct files a database's submissions name (none before missions existed). */
export function namedFiles(db: Connection): NamedFile[] {
  const table = db.query(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'",
  )
    .get();
  if (table == null) return [];
  return db.query<NamedFile>(
    `SELECT file_hash AS hash, min(file_type) AS type FROM submissions
     WHERE file_hash IS NOT NULL GROUP BY file_hash ORDER BY file_hash`,
  ).all();
}

/** The name an export gives a stored file: its hash and the extension of its type. */
export function exportName(file: NamedFile): string {
  const extension = extensionOf(file.type);
  return extension === undefined ? file.hash : `${file.hash}.${extension}`;
}

/** A stored file as one submission names it, and the path it gets in a team's folder. */
export interface SubmissionFile extends NamedFile {
  /** `TEAM/PUZZLE-ID.EXT`: the team's name made safe for a folder, the mission, the submission. */
  path: string;
}

/** A submission's file, and its team, as `filesByTeam` and `teamFilePaths` take them. */
export interface TeamFileRow {
  /** The submission's id. */
  id: number;
  puzzle: string;
  hash: string;
  type: string | null;
  team: number;
  /** The team's name. */
  name: string;
}

/**
 * Every file the submissions name, once per submission, each under a folder
 * for its team (`teamFilePaths`). A file two submissions name is there twice.
 */
export function filesByTeam(db: Connection): SubmissionFile[] {
  const table = db.query(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'",
  )
    .get();
  if (table == null) return [];
  return teamFilePaths(
    db.query<TeamFileRow>(
      `SELECT s.id, s.puzzle, s.file_hash AS hash, s.file_type AS type, s.team_id AS team, t.name
       FROM submissions s JOIN teams t ON t.id = s.team_id
       WHERE s.file_hash IS NOT NULL ORDER BY s.id`,
    ).all(),
  );
}

/**
 * Each submission's file under a folder for its team (`teamFolders`):
 * `Gulls/statue-12.jpg` is submission 12's photo for the mission `statue`.
 */
export function teamFilePaths(rows: readonly TeamFileRow[]): SubmissionFile[] {
  const folders = teamFolders(rows.map((row) => ({ id: row.team, name: row.name })));
  return rows.map((row) => {
    const extension = extensionOf(row.type);
    const file = `${safeName(row.puzzle, "mission")}-${row.id}`;
    return {
      hash: row.hash,
      type: row.type,
      path: `${folders.get(row.team)}/${extension === undefined ? file : `${file}.${extension}`}`,
    };
  });
}

/** The zip's list of the files it lacks, beside the teams' folders, which never take its name. */
export const MISSING_LIST = "MISSING.txt";

/**
 * A name as macOS and Windows compare names, ignoring case: upper-cased first,
 * so that letters with two lower cases (Greek σ and ς) are one.
 */
function folderKey(name: string): string {
  return name.toUpperCase().toLowerCase();
}

/**
 * Each team's folder name: its name, made safe for a file system (`safeName`).
 * Teams whose names give the same folder, ignoring case as macOS and Windows
 * do, each get their id too: `Gulls (team 3)`, and so does a team whose
 * folder would be `MISSING.txt`; no folder is another's, whatever the names.
 */
export function teamFolders(teams: readonly { id: number; name: string }[]): Map<number, string> {
  const safe = new Map<number, string>();
  const users = new Map<string, number>();
  for (const { id, name } of teams) {
    if (safe.has(id)) continue;
    const folder = safeName(name, `team ${id}`);
    safe.set(id, folder);
    users.set(folderKey(folder), (users.get(folderKey(folder)) ?? 0) + 1);
  }
  const reserved = folderKey(MISSING_LIST);
  const unique = (folder: string) =>
    users.get(folderKey(folder)) === 1 && folderKey(folder) !== reserved;
  // The folders kept as they are, then each one given its id, which a team's own name may be.
  const taken = new Set([reserved]);
  for (const folder of safe.values()) if (unique(folder)) taken.add(folderKey(folder));
  for (const [id, folder] of safe) {
    if (unique(folder)) continue;
    let named = `${folder} (team ${id})`;
    for (let n = 2; taken.has(folderKey(named)); n++) named = `${folder} (team ${id}, ${n})`;
    taken.add(folderKey(named));
    safe.set(id, named);
  }
  return safe;
}

/** Control characters, written for a RegExp's class. */
const CONTROLS = "\\x00-\\x1f\\x7f";
/** What no file name may hold on some common file system: control characters, `/\:*?"<>|`. */
const UNSAFE_CHARS = new RegExp(`[${CONTROLS}/\\\\:*?"<>|]`, "g");
/** Names Windows keeps for devices, with or without an extension. */
const DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
/** The most of a name kept, in UTF-8 bytes: well under any file system's 255. */
const NAME_BYTES = 120;

/**
 * `name` as one file or folder name on any common file system: no slash,
 * backslash, control character or character Windows refuses (each becomes
 * "_"), no leading or trailing space, no trailing dot, no leading dot (which
 * hides a file; they become one "_"), not a device name, at
 * most 120 UTF-8 bytes (cut between characters); `fallback` when nothing is
 * left of it (or it was "." or "..").
 */
export function safeName(name: string, fallback: string): string {
  let safe = name.normalize("NFC").replace(UNSAFE_CHARS, "_").trim();
  if (Buffer.byteLength(safe) > NAME_BYTES) {
    let cut = "";
    for (const char of safe) {
      if (Buffer.byteLength(cut + char) > NAME_BYTES) break;
      cut += char;
    }
    safe = cut.trim();
  }
  safe = safe.replace(/[. ]+$/, "");
  if (safe === "") return fallback;
  // A leading dot hides the folder (Finder, ls, the file chooser): it becomes "_".
  safe = safe.replace(/^[.]+/, "_");
  return DEVICE.test(safe) ? `${safe}_` : safe;
}

/** What `copyFiles` did. */
export interface CopyResult {
  copied: number;
  /** Hard-linked from an earlier backup. */
  linked: number;
  /**
   * Already in the target with the same size (names are content hashes, so
   * the same bytes), and with `verify` the same bytes.
   */
  kept: number;
  bytes: number;
  /** Hashes the source folder does not hold. */
  missing: string[];
}

/**
 * Copies stored files from the folder `from` into `to` (made if needed), each
 * under `name(file)`, which may name a folder in `to` too: through a temporary
 * name, fsynced, renamed, then the folder fsynced, so a crash never leaves a
 * half file under a real name. A file already in `to` with the same size is
 * kept as it is (names are content hashes); with `verify`, for names that do
 * not say the content (a submission's, which another event's export may have
 * used), only when its bytes hash to the file's, else it is replaced. With
 * `linkFrom`, a file that folder holds under the same name and size is
 * hard-linked instead of copied (stored files never change in place, so an
 * earlier backup's copy can be shared); when linking fails (another file
 * system), it is copied.
 */
export function copyFiles<F extends NamedFile>(
  from: string,
  to: string,
  files: readonly F[],
  options: { name: (file: F) => string; linkFrom?: string; verify?: boolean },
): CopyResult {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  const result: CopyResult = { copied: 0, linked: 0, kept: 0, bytes: 0, missing: [] };
  /** The folders under `to` that names put files in (`Gulls/statue-12.jpg`). */
  const folders = new Set<string>();
  for (const file of files) {
    if (!HASH.test(file.hash)) continue;
    const source = join(from, file.hash);
    const name = options.name(file);
    const target = join(to, name);
    const folder = dirname(target);
    if (folder !== to && !folders.has(folder)) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      folders.add(folder);
    }
    const size = sizeOf(source);
    if (size === undefined) {
      result.missing.push(file.hash);
      continue;
    }
    if (sizeOf(target) === size && (options.verify !== true || hashOf(target) === file.hash)) {
      result.kept++;
      continue;
    }
    const temp = join(to, `${TEMP_PREFIX}${process.pid}-${file.hash}`);
    rmSync(temp, { force: true });
    try {
      const earlier = options.linkFrom === undefined ? undefined : join(options.linkFrom, name);
      if (earlier !== undefined && sizeOf(earlier) === size && tryLink(earlier, temp)) {
        result.linked++;
      } else {
        copyFileSync(source, temp);
        syncPath(temp);
        result.copied++;
        result.bytes += size;
      }
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }
  for (const folder of folders) syncPath(folder);
  syncPath(to);
  return result;
}

/** A sentence naming files a folder lacks (the first three hashes). */
export function missingFiles(missing: readonly string[], dir: string): string {
  const names = missing.slice(0, 3).join(", ") + (missing.length > 3 ? ", …" : "");
  return missing.length === 1
    ? `1 file the database names is missing from ${dir}: ${names}`
    : `${missing.length} files the database names are missing from ${dir}: ${names}`;
}

/** Removes from `dir` the stored files (hash-named) not in `keep`, and temporary leftovers. */
export function pruneFiles(dir: string, keep: ReadonlySet<string>): number {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    const stored = HASH.test(name.replace(/\.[a-z0-9]+$/, ""));
    if (name.startsWith(TEMP_PREFIX) || (stored && !keep.has(name))) {
      rmSync(join(dir, name), { force: true });
      removed++;
    }
  }
  if (removed > 0) syncPath(dir);
  return removed;
}

/** The SHA-256 of a file's bytes (as a stored file is named), read a chunk at a time. */
function hashOf(path: string): string {
  const hasher = createHash("sha256");
  const chunk = new Uint8Array(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      hasher.update(chunk.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hasher.digest("hex");
}

function sizeOf(path: string): number | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}
