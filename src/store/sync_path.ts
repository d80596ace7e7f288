/**
 * fsync by path, for a file or a folder. A file renamed into place is only
 * safe from a power cut once its folder is synced too: the new name is an
 * entry in the folder, not part of the file.
 */
import { closeSync, fsyncSync, openSync } from "node:fs";

/** Syncs the file or the folder at `path` to disk. */
export function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
