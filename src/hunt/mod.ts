/**
 * The hunt file: reading it from disk (or the embedded example), validating
 * it, and compiling it into the engine's `Hunt`.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { EXAMPLE_FILE, EXAMPLE_HUNT } from "./example.ts";
import { loadHunt, type LoadResult } from "./load.ts";
import type { Problem } from "./problem.ts";

export { EXAMPLE_FILE, EXAMPLE_HUNT, STARTER_HUNT } from "./example.ts";
export { plural, prerequisites, unlockGraph, unlockGraphDot } from "./graph.ts";
export { loadHunt } from "./load.ts";
export { MAX_COUNT } from "./schema.ts";
export type { LoadOptions, LoadResult } from "./load.ts";
export { formatProblem, sortProblems } from "./problem.ts";
export type { Problem } from "./problem.ts";

/** Why a file that is there cannot be read, and what to do. */
const NO_READ = "The user running cairn has no permission to read it: " +
  "make it readable (chmod a+r), or run cairn as its owner";

/**
 * Why a folder given as the hunt file cannot be read, and, for one that holds a hunt.toml (the
 * folder `cairn init DIR` wrote), the file to give instead.
 */
function folderReason(path: string): string {
  const inside = join(path, "hunt.toml");
  return existsSync(inside)
    ? `It is a folder, not a file: give the hunt file in it, ${inside}`
    : "It is a folder, not a file";
}

/**
 * Loads a hunt file from disk; `body_file` and `assets/` are found beside it. With `now`, an
 * `ends_at` already past is a warning (`LoadOptions.now`).
 */
export function loadHuntFile(path: string, options: { now?: number } = {}): LoadResult {
  let text: string;
  try {
    const decoded = decodeText(readFileSync(path));
    if (typeof decoded !== "string") {
      const { message, line, column } = decoded;
      return { problems: [{ severity: "error", message, file: path, line, column }] };
    }
    text = decoded;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === "ENOENT"
      ? "No such file"
      : code === "EISDIR"
      ? folderReason(path)
      : code === "EACCES" || code === "EPERM"
      ? NO_READ
      : error instanceof Error
      ? error.message
      : String(error);
    const problem: Problem = { severity: "error", message: `Cannot read: ${reason}`, file: path };
    return { problems: [problem] };
  }
  const base = dirname(resolve(path));
  const assets = join(base, "assets");
  const problem = assetsProblem(base, assets);
  const result = loadHunt(text, {
    file: path,
    ...(options.now !== undefined && { now: options.now }),
    readFile: (relative) => {
      let real: string;
      try {
        real = realpathSync(join(base, relative));
      } catch {
        return undefined;
      }
      // Its teams see what it reads: a hunt folder from elsewhere must not show them the host's
      // files, by a path that climbs out or a symlink that leads out.
      const folder = realpathSync(base);
      if (!real.startsWith(folder.endsWith(sep) ? folder : folder + sep)) {
        throw new Error("It leads out of the hunt file's folder: put the file in that folder");
      }
      // A folder, or a FIFO or a device, which a read would wait on, or read without end.
      const stat = statSync(real);
      if (stat.isDirectory()) throw new Error("It is a folder, not a file");
      if (!stat.isFile()) throw new Error("It is not a regular file");
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(real);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "EACCES" || code === "EPERM") throw new Error(NO_READ);
        return undefined;
      }
      const decoded = decodeText(bytes);
      if (typeof decoded === "string") return decoded;
      throw new Error(`${decoded.message} (line ${decoded.line}, column ${decoded.column})`);
    },
    ...(existsSync(assets) && statSync(assets).isDirectory() && { assetsDir: assets }),
    assetExists: (puzzleId, file) => {
      // As the server serves them: plain paths inside the puzzle's own folder only.
      if (file.split("/").some((part) => part === "" || part === "." || part === "..")) {
        return false;
      }
      try {
        return statSync(join(assets, puzzleId, file)).isFile();
      } catch {
        return false;
      }
    },
  });
  if (problem === undefined) return result;
  const problems = [...result.problems, { ...problem, file: path }];
  return problem.severity === "error" ? { problems } : { ...result, problems };
}

/**
 * What is wrong with `assets` (the folder beside the hunt file, in `base`), if anything: teams are
 * served what it holds. It may be a symlink to another disk (a warning names where it leads, as a
 * hunt folder from elsewhere could lead it to the host's files), but not to the hunt file's folder
 * or a folder holding it, which hold the hunt's answers and the database beside it.
 */
function assetsProblem(base: string, assets: string): Omit<Problem, "file"> | undefined {
  let real: string;
  try {
    real = realpathSync(assets);
  } catch {
    return undefined; // None (or a broken link): the hunt has no files.
  }
  const folder = realpathSync(base);
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
  if (within(folder, real)) {
    return {
      severity: "error",
      message: `The assets folder leads to ${real}, which holds the hunt file (and the ` +
        "database beside it), and teams are served what it holds: make it a folder of its own",
    };
  }
  if (within(real, folder)) return undefined;
  return {
    severity: "warning",
    message: `The assets folder leads out of the hunt file's folder, to ${real}: teams are ` +
      "served the files in its puzzles' folders there; make sure that is where it should lead",
  };
}

/** Loads the hunt at `path`, or the embedded example hunt when there is none. */
export function loadHuntOrExample(path: string | undefined): LoadResult & { file: string } {
  if (path !== undefined) return { ...loadHuntFile(path), file: path };
  return { ...loadHunt(EXAMPLE_HUNT, { file: EXAMPLE_FILE }), file: EXAMPLE_FILE };
}

/**
 * A file's bytes as text. TOML (and Markdown here) is UTF-8: a file saved in
 * another encoding is refused with where its first bad byte is, rather than
 * read with replacement characters that would make its answers unguessable.
 */
export function decodeText(
  bytes: Uint8Array,
): string | { message: string; line: number; column: number } {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) || utf16WithoutMark(bytes);
  if (utf16) {
    return {
      message:
        "The file is saved as UTF-16; save it as UTF-8 (in Notepad: File, Save as, Encoding)",
      line: 1,
      column: 1,
    };
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, at));
    const line = before.split("\n").length;
    const column = [...before.slice(before.lastIndexOf("\n") + 1)].length + 1;
    const byte = bytes[at]!.toString(16).padStart(2, "0").toUpperCase();
    return {
      message: bytes.includes(0)
        ? "The file is not text (it holds binary data)"
        : `The file is not UTF-8 text: byte 0x${byte} here is not UTF-8. Save the file as UTF-8`,
      line,
      column,
    };
  }
}

/**
 * Whether the bytes read as UTF-16 saved without its byte-order mark: text of the first 64 bytes
 * (a TOML file starts with a comment or `[hunt]`) with a zero byte in every other place, which
 * UTF-8 text never has. Read as UTF-8 it would pass, and TOML would refuse its first key.
 */
function utf16WithoutMark(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 64) & ~1);
  if (head.length < 4) return false;
  for (const zero of [0, 1]) {
    let matches = true;
    for (let i = 0; i < head.length && matches; i += 2) {
      matches = head[i + zero] === 0 && head[i + 1 - zero] !== 0;
    }
    if (matches) return true;
  }
  return false;
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    const length = lead < 0x80
      ? 1
      : lead >= 0xc2 && lead < 0xe0
      ? 2
      : lead >= 0xe0 && lead < 0xf0
      ? 3
      : lead >= 0xf0 && lead < 0xf5
      ? 4
      : 0;
    if (length === 0 || i + length > bytes.length) return i;
    const chunk = bytes.subarray(i, i + length);
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(chunk);
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}
