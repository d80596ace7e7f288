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
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
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

/** What `copyFiles` did. */
export interface CopyResult {
  copied: number;
  /** Hard-linked from an earlier backup. */
  linked: number;
  /** Already in the target with the same size (names are content hashes, so the same bytes). */
  kept: number;
  bytes: number;
  /** Hashes the source folder does not hold. */
  missing: string[];
}

/**
 * Copies stored files from the folder `from` into `to` (made if needed), each
 * under `name(file)`: through a temporary name, fsynced, renamed, then the
 * folder fsynced, so a crash never leaves a half file under a real name. A
 * file already in `to` with the same size is kept as it is (names are content
 * hashes). With `linkFrom`, a file that folder holds under the same name and
 * size is hard-linked instead of copied (stored files never change in place,
 * so an earlier backup's copy can be shared); when linking fails (another
 * file system), it is copied.
 */
export function copyFiles(
  from: string,
  to: string,
  files: readonly NamedFile[],
  options: { name: (file: NamedFile) => string; linkFrom?: string },
): CopyResult {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  const result: CopyResult = { copied: 0, linked: 0, kept: 0, bytes: 0, missing: [] };
  for (const file of files) {
    if (!HASH.test(file.hash)) continue;
    const source = join(from, file.hash);
    const name = options.name(file);
    const target = join(to, name);
    const size = sizeOf(source);
    if (size === undefined) {
      result.missing.push(file.hash);
      continue;
    }
    if (sizeOf(target) === size) {
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
