/**
 * Writing a command's output files so that a failure leaves each one as it
 * was: each is written under a temporary name beside it and synced, and only
 * once all of them are written do they take their names. Their folders are
 * then synced, so that a power cut after the command ends cannot bring back
 * the old names.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { syncPath } from "../store/sync_path.ts";
import { realPath } from "./_paths.ts";

/**
 * Writes every file of `files` whole, replacing one already there (it keeps
 * its mode, and its owner when allowed), or leaves them all as they were. A
 * file given a mode gets that mode, whatever the one it replaces had (a
 * private key: 0o600). A path that is not a plain file (/dev/stdout, a pipe)
 * is written directly.
 */
export function writeFiles(
  files: readonly (readonly [path: string, text: string, mode?: number])[],
): void {
  const temps: [temp: string, target: string][] = [];
  try {
    for (const [path, text, mode] of files) {
      const existing = statIfThere(path);
      if (existing !== undefined && !existing.isFile()) {
        writeFileSync(path, text);
        continue;
      }
      // A symlink stays one: the file it points to is the one replaced.
      const target = realPath(path);
      const temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
      temps.push([temp, target]);
      writeSynced(temp, text, existing, mode);
    }
    for (const [temp, target] of temps) renameSync(temp, target);
  } catch (error) {
    for (const [temp] of temps) rmSync(temp, { force: true });
    throw error;
  }
  for (const folder of new Set(temps.map(([, target]) => dirname(target)))) syncPath(folder);
}

/** The file's status, or undefined when nothing is there; any other failure is thrown. */
function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes `text` to a new file at `path`, with the owner of `like` and its mode
 * (or `mode`, when given), and syncs it.
 */
function writeSynced(
  path: string,
  text: string,
  like: Stats | undefined,
  mode: number | undefined,
): void {
  // A temporary file a killed run left under this process id is no one's.
  rmSync(path, { force: true });
  const wanted = mode ?? (like === undefined ? undefined : like.mode & 0o7777);
  const fd = openSync(path, "wx", wanted ?? 0o666);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The mode given to open is narrowed by the umask.
  if (wanted !== undefined) chmodSync(path, wanted);
  if (like === undefined) return;
  try {
    chownSync(path, like.uid, like.gid);
  } catch {
    // Only root may give a file away: the file is then its writer's, as a new one would be.
  }
}
