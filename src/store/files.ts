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
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { UploadSink } from "./store.ts";

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
          syncDir(dir);
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
   * a file that is not there: Bun's lazy file, else the bytes read from disk.
   */
  file(hash: string): Blob | undefined {
    if (!HASH.test(hash)) return undefined;
    const path = join(this.dir, hash);
    if (!existsSync(path)) return undefined;
    return "Bun" in globalThis ? Bun.file(path) : new Blob([readFileSync(path)]);
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
    if (removed > 0) syncDir(this.dir);
    return removed;
  }

  private ensureDir(): void {
    if (this.made) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.made = true;
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
