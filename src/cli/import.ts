/**
 * `cairn import ctfd EXPORT.zip --out DIR`: reads a CTFd export, converts it
 * (src/ctfd/), and writes DIR/hunt.toml, the puzzles' bodies and files,
 * DIR/cairn.db and DIR/import-report.txt. Everything is written into a
 * temporary folder beside DIR and renamed into place at the end, so a failure
 * leaves nothing half-written.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import {
  type Conversion,
  convertExport,
  type ExportInput,
  parseTable,
  type Row,
} from "../ctfd/mod.ts";
import { openDatabase, saveScoring, setMeta, Writer } from "../store/mod.ts";
import { type CommandSpec, sourceOf, type Sources, type Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { isFolder, parentProblem } from "./_paths.ts";
import { type ZipEntry, ZipError, ZipFile } from "./_zip.ts";

export const importSpec: CommandSpec = {
  name: "import",
  summary: "Move an event to Cairn from another server's export (CTFd).",
  usage: "cairn import ctfd EXPORT.zip --out DIR [--max-size MB]",
  options: {
    out: {
      type: "string",
      value: "DIR",
      env: "CAIRN_IMPORT_OUT",
      help: "A new (or empty) folder for hunt.toml, its files and cairn.db",
    },
    "max-size": {
      type: "string",
      value: "MB",
      env: "CAIRN_IMPORT_MAX_SIZE",
      default: "512",
      help: "Refuse an export that inflates past this many megabytes",
    },
  },
  positionals: { min: 2, max: 2, names: "ctfd EXPORT.zip" },
  notes: [
    "EXPORT.zip is what CTFd's Admin Panel > Config > Backup > Export gives (CTFd 2 or later).",
    "DIR gets hunt.toml, puzzles/<id>.md, solutions/<id>.md, assets/<id>/<files>, cairn.db and",
    "import-report.txt, which lists what did not carry over.",
    "Then: cairn serve --hunt DIR/hunt.toml --db DIR/cairn.db.",
    "Teams keep their CTFd passwords; each is replaced with argon2id at the team's next login.",
  ].join("\n"),
};

/** A mistake in the export or the folder, told in one line. */
class ImportError extends Error {}

/** Reads, converts and writes; one clear error and nothing written when anything fails. */
export async function importEvent(
  values: Values,
  positionals: string[],
  io: Io,
  sources: Sources = {},
): Promise<number> {
  const [source, file] = positionals as [string, string];
  if (source !== "ctfd") {
    io.stderr(
      `cairn import: unknown source "${source}"; the one source is ctfd: cairn import ctfd EXPORT.zip --out DIR\n`,
    );
    return EXIT.usage;
  }
  const maxMb = Number(values["max-size"]);
  if (!Number.isInteger(maxMb) || maxMb < 1) {
    const given = sourceOf(sources, "max-size");
    io.stderr(
      `cairn import: ${given} must be a whole number of megabytes, not "${values["max-size"]}"\n`,
    );
    return EXIT.usage;
  }
  if (values.out === undefined) {
    io.stderr("cairn import: give the folder to write with --out DIR\n");
    return EXIT.usage;
  }
  const out = resolve(values.out as string);
  try {
    if (existsSync(out) && !isFolder(out)) {
      throw new ImportError(`${out} is a file, not a folder; give a new folder`);
    }
    const parent = parentProblem(out);
    if (parent !== undefined) throw new ImportError(parent);
    if (existsSync(out) && readdirSync(out).length > 0) {
      throw new ImportError(`${out} already exists and is not empty; give a new folder`);
    }
    const input = readExport(file, maxMb * 1024 * 1024);
    try {
      const converted = convertExport(input.export);
      if (converted.kind === "error") throw new ImportError(converted.message);
      await writeFolder(out, converted.conversion, (from, to) => copyUpload(input, from, to));
      io.stdout(summary(out, converted.conversion, io.now?.() ?? Date.now()));
    } finally {
      input.zip.close();
    }
  } catch (error) {
    io.stderr(`cairn import: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

/** The export's tables, and its uploads still in the zip, to be copied out one at a time. */
type ReadExport = { export: ExportInput; zip: ZipFile; uploads: Map<string, ZipEntry> };

/**
 * The export's tables and uploads. Refuses a file that is not a zip, an entry
 * whose path could climb out of a folder, and a zip whose entries inflate past
 * `maxBytes` in all (checked before inflating; an entry that lies about its
 * size is cut at the size it declared). Only the tables are read into memory;
 * close the zip when done.
 */
function readExport(file: string, maxBytes: number): ReadExport {
  const zip = openZip(file);
  try {
    let declared = 0;
    for (const entry of zip.entries) {
      if (climbs(entry.name)) {
        throw new ImportError(
          `${file} holds a path that climbs out of its folder: ${JSON.stringify(entry.name)}`,
        );
      }
      declared += entry.originalSize;
      if (declared > maxBytes) {
        throw new ImportError(
          `${file} inflates to more than ${maxBytes / 1024 / 1024} MB (a zip bomb?); ` +
            "raise --max-size if the export is really that large",
        );
      }
    }
    const tables = new Map<string, Row[]>();
    const uploads = new Map<string, ZipEntry>();
    const decoder = new TextDecoder("utf-8", { fatal: false });
    for (const entry of zip.entries) {
      if (/^uploads\/[^/]+\/[^/]+$/.test(entry.name)) uploads.set(entry.name, entry);
      else if (/^db\/[A-Za-z0-9_]+\.json$/.test(entry.name)) {
        const table = entry.name.slice("db/".length, -".json".length);
        try {
          tables.set(table, parseTable(table, decoder.decode(zip.read(entry))));
        } catch (error) {
          if (error instanceof ZipError) {
            throw new ImportError(`${file} is not a readable zip file (${error.message})`);
          }
          throw new ImportError(`${file}: ${(error as Error).message}`);
        }
      }
    }
    if (tables.size === 0) {
      throw new ImportError(`${file} is not a CTFd export: it has no db/ folder`);
    }
    return { export: { tables, uploads: new Set(uploads.keys()) }, zip, uploads };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** Opens the export's zip, or says in one line why it cannot be read as one. */
function openZip(file: string): ZipFile {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      throw new ImportError(`cannot read ${file}: it is a folder, not a file`);
    }
    return ZipFile.open(file, stat.size);
  } catch (error) {
    if (error instanceof ImportError) throw error;
    if (error instanceof ZipError) {
      throw new ImportError(`${file} is not a readable zip file (${error.message})`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "there is no such file" : (error as Error).message;
    throw new ImportError(`cannot read ${file}: ${reason}`);
  }
}

/** Copies one upload out of the zip into the file `to`, a chunk at a time. */
function copyUpload(input: ReadExport, from: string, to: string): void {
  const fd = openSync(to, "wx");
  try {
    input.zip.copy(input.uploads.get(from)!, fd);
  } catch (error) {
    if (error instanceof ZipError) {
      throw new ImportError(`the export's ${from} cannot be read: ${error.message}`);
    }
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** Whether a zip entry's name could reach outside the folder it is unpacked in. */
function climbs(name: string): boolean {
  return name.startsWith("/") || name.includes("\\") || name.includes("\0") ||
    /^[A-Za-z]:/.test(name) ||
    name.split("/").some((part) => part === "..");
}

/** Writes everything into a temporary folder beside `out`, then renames it into place. */
async function writeFolder(
  out: string,
  conversion: Conversion,
  copy: (from: string, to: string) => void,
): Promise<void> {
  const temp = join(dirname(out), `.${basename(out)}.import-${process.pid}-${Date.now()}`);
  mkdirSync(temp);
  try {
    const place = (relative: string) => {
      const path = resolve(temp, relative);
      // Every path is built by the conversion; this makes sure none leaves the folder.
      if (!path.startsWith(temp + sep)) {
        throw new ImportError(`refusing to write outside the folder: ${relative}`);
      }
      mkdirSync(dirname(path), { recursive: true });
      return path;
    };
    writeFileSync(place("hunt.toml"), conversion.toml);
    for (const [path, body] of conversion.bodies) writeFileSync(place(path), body);
    for (const file of conversion.files) copy(file.from, place(file.to));
    writeFileSync(place("import-report.txt"), reportText(conversion));
    await writeDatabase(join(temp, "cairn.db"), conversion);
    if (existsSync(out)) rmdirSync(out);
    renameSync(temp, out);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/** The database: the hunt's scoring, its start when the file has none, and every record in one transaction. */
async function writeDatabase(path: string, conversion: Conversion): Promise<void> {
  const db = openDatabase(path);
  try {
    saveScoring(db, conversion.hunt);
    if (conversion.startedAt !== undefined) {
      setMeta(db, "hunt_started_at", String(conversion.startedAt));
    }
    const writer = new Writer(db);
    const done = writer.commit(conversion.writes);
    writer.flush();
    await done;
    writer.close();
  } finally {
    // Closed for good (its statements finalized), so SQLite folds the WAL in and removes
    // the -wal and -shm files before the folder takes its name.
    db.close(true);
  }
}

/** The report of what did not carry over, as written to import-report.txt. */
function reportText(conversion: Conversion): string {
  const lines = conversion.report.length === 0
    ? ["Everything carried over."]
    : ["What did not carry over from CTFd:", "", ...conversion.report.map((line) => `- ${line}`)];
  return lines.join("\n") + "\n";
}

/**
 * What the import wrote, the report, and how to serve it: an event that has ended, last year's
 * say, also how to run its puzzles again, for teams that join anew.
 */
function summary(out: string, conversion: Conversion, now: number): string {
  const c = conversion.counts;
  const hunt = join(out, "hunt.toml");
  const lines = [
    `cairn import: wrote ${out}: ${c.puzzles} puzzles, ${c.teams} teams, ${c.guesses} guesses (${c.solves} solves), ` +
    `${c.hints} hint takes, ${c.adjustments} adjustments, ${c.announcements} announcements`,
    reportText(conversion).trimEnd(),
    `Serve it: cairn serve --hunt ${hunt} --db ${join(out, "cairn.db")}`,
  ];
  const { endsAt } = conversion.hunt;
  if (endsAt !== undefined && endsAt <= now) {
    const ended = new Date(endsAt).toISOString();
    lines.push(
      `The event ended at ${ended}. To run its puzzles again as a new event, set starts_at, ends_at and freeze_at in ${hunt} ` +
        `(or remove them) and serve it on a new database, where teams join anew: ` +
        `cairn serve --hunt ${hunt} --db ${join(out, "new-event.db")}`,
    );
  }
  return lines.join("\n") + "\n";
}
