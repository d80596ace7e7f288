// A small disk for the full-disk tests (test/faults, test/cluster): a tmpfs mounted on a folder,
// filled until it refuses more, and taken away again.
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";

/** Mounts a tmpfs of `size` (such as "16m") at `dir`, or throws naming what is missing. */
export function mountTmpfs(dir: string, size: string): void {
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (mount.status !== 0) {
    throw new Error(
      `The full-disk tests mount a tmpfs at ${dir}, which needs root (CAP_SYS_ADMIN) and ` +
        `mount(8): ${mount.stderr?.toString().trim() || `exit ${mount.status}`}. ` +
        "Run the suite as root, or set CAIRN_FAULTS_NO_MOUNT=1 to skip these tests knowingly.",
    );
  }
}

/** Unmounts `dir`, lazily if it is still busy. */
export function unmount(dir: string): void {
  if (spawnSync("umount", [dir]).status !== 0) spawnSync("umount", ["-l", dir]);
}

/** Writes zeros to `file` until the disk refuses more (ENOSPC). */
export function fillDisk(file: string): void {
  const chunk = new Uint8Array(256 * 1024);
  const fd = openSync(file, "w");
  try {
    for (;;) {
      try {
        // A short write means the disk is nearly full; the next one fails.
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as { code?: string }).code === "ENOSPC") return;
        throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}
