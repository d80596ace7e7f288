/**
 * A puzzle's files (`assets/<puzzle id>/…` beside the hunt file), served only
 * to teams that have the puzzle unlocked. Anyone else gets the same 404 as for
 * a file that does not exist, so a locked puzzle's files do not leak that it
 * exists.
 */
import { realpathSync, statSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Engine, Team } from "../engine/mod.ts";
import { ApiError } from "../play/mod.ts";
import { DiskFile, fileResponse } from "../store/mod.ts";

const TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".svg": "image/svg+xml",
  ".mp3": "audio/mpeg",
  ".ogg": "audio/ogg",
  ".wav": "audio/wav",
  ".m4a": "audio/mp4",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".pdf": "application/pdf",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".json": "application/json",
  ".zip": "application/zip",
};

/** The response for `/puzzles/:id/assets/<file>`, or a 404 ApiError. */
export function puzzleFileResponse(
  engine: Engine,
  team: Team,
  puzzleId: string,
  file: string,
): Response {
  const dir = engine.hunt.assetsDir;
  const puzzle = engine.unlockedPuzzle(team, puzzleId);
  if (dir === undefined || puzzle === undefined) throw new ApiError("not_found");
  // Only plain relative paths inside the puzzle's own folder.
  const parts = file.split("/");
  if (
    file.includes("\0") || file.includes("\\") ||
    parts.some((p) => p === "" || p === "." || p === "..")
  ) {
    throw new ApiError("not_found");
  }
  // A solution's files (assets/<puzzle>/solution/), as the solution itself: once solved, or from
  // the hunt's `solutions_at`. (Named as a case-insensitive file system, or Windows', would find
  // the folder too.)
  const now = engine.now();
  const first = parts[0]!.replace(/[. ]+$/, "").toLowerCase();
  if (first === "solution" && !engine.solutionShown(team, puzzle, now)) {
    throw new ApiError("not_found");
  }
  const root = resolve(dir, puzzle.id);
  const path = resolve(root, ...parts);
  if (!path.startsWith(root + sep)) throw new ApiError("not_found");
  let size: number;
  let owners: string[];
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ApiError("not_found");
    size = stat.size;
    // A symlink may share another puzzle's file, never lead out of assets/ (a hunt folder from
    // elsewhere could link the host's files, or the database beside it).
    const real = realpathSync(path);
    const assets = realpathSync(dir);
    if (!inside(real, assets)) throw new ApiError("not_found");
    owners = solutionOwners(dir, puzzle.id, { real, assets });
  } catch {
    throw new ApiError("not_found");
  }
  // Reached by a symlink, a solution's file is still the solution's.
  for (const owner of owners) {
    const shown = engine.unlockedPuzzle(team, owner);
    if (shown === undefined || !engine.solutionShown(team, shown, now)) {
      throw new ApiError("not_found");
    }
  }
  return fileResponse(fileBody(path, size), {
    headers: {
      "content-type": TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
      "content-length": String(size),
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
    },
  });
}

/**
 * The puzzles whose solution folder holds the file whose real path (its symlinks followed) is
 * `real`, inside `assets`, the assets folder's real path: this puzzle's
 * (`assets/<puzzle>/solution/`, wherever it leads), or any puzzle's in `assets/`, as the file
 * system names it (by the folder itself, not its name: a case-insensitive one has others).
 */
function solutionOwners(
  dir: string,
  puzzleId: string,
  { real, assets }: { real: string; assets: string },
): string[] {
  const owners: string[] = [];
  const own = join(dir, puzzleId, "solution");
  if (statSync(own, { throwIfNoEntry: false })?.isDirectory() && inside(real, realpathSync(own))) {
    owners.push(puzzleId);
  }
  const [owner, folder, ...rest] = relative(assets, real).split(sep);
  if (owner === undefined || owner === ".." || isAbsolute(owner) || rest.length === 0) {
    return owners;
  }
  const solution = statSync(join(assets, owner, "solution"), { throwIfNoEntry: false });
  const found = statSync(join(assets, owner, folder!));
  if (solution?.isDirectory() && solution.dev === found.dev && solution.ino === found.ino) {
    owners.push(owner);
  }
  return owners;
}

/** Whether `path` is inside the folder `folder` (both real paths). */
function inside(path: string, folder: string): boolean {
  return path.startsWith(folder + sep);
}

/**
 * The file's bytes as a response body: Bun's lazy file, else a file read from
 * disk as it is sent, whose byte ranges the listener answers (server/_range.ts).
 */
function fileBody(path: string, size: number): Blob {
  return "Bun" in globalThis ? Bun.file(path) : new DiskFile(path, size);
}
