/**
 * `cairn <command>`: finds the command, parses its flags, and runs it.
 * Usage mistakes get one line on stderr and exit code 2.
 */
import { type CommandSpec, formatHelp, parseCommand, type Sources, type Values } from "./_args.ts";
import { adminToken, adminTokenSpec } from "./admin_token.ts";
import { suggest } from "../rules/suggest.ts";
import { EXIT, type Io } from "./_io.ts";
import { backup, backupSpec } from "./backup.ts";
import { check, checkSpec } from "./check.ts";
import { docs, docsSpec } from "./docs.ts";
import { exportResults, exportSpec } from "./export.ts";
import { importEvent, importSpec } from "./import.ts";
import { init, initSpec } from "./init.ts";
import { migrateEvent, migrateSpec } from "./migrate.ts";
import { restore, restoreSpec } from "./restore.ts";
import { serve, serveSpec } from "./serve.ts";
import { systemd, systemdSpec } from "./systemd.ts";
import { tls, tlsSpec } from "./tls.ts";
import { version, versionSpec } from "./version.ts";

export type { Io } from "./_io.ts";
export { EXIT } from "./_io.ts";

interface Command {
  spec: CommandSpec;
  /** `sources` says how each option was set, for a message that names it (a flag or a variable). */
  run(values: Values, positionals: string[], io: Io, sources: Sources): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: { spec: serveSpec, run: serve },
  check: { spec: checkSpec, run: check },
  init: { spec: initSpec, run: init },
  backup: { spec: backupSpec, run: backup },
  restore: { spec: restoreSpec, run: restore },
  export: { spec: exportSpec, run: exportResults },
  import: { spec: importSpec, run: importEvent },
  migrate: { spec: migrateSpec, run: migrateEvent },
  "admin-token": { spec: adminTokenSpec, run: adminToken },
  systemd: { spec: systemdSpec, run: systemd },
  tls: { spec: tlsSpec, run: tls },
  docs: { spec: docsSpec, run: docs },
  version: { spec: versionSpec, run: version },
};

/** The top-level help: every command and its one-line summary. */
export function topHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const rows = names.map((name) => `  ${name.padEnd(width)}${COMMANDS[name]!.spec.summary}`);
  return [
    "Cairn: a self-hosted treasure-hunt engine.",
    "",
    "Usage: cairn <command> [options]",
    "",
    "Commands:",
    ...rows,
    "",
    "Run `cairn <command> --help` (or `cairn help <command>`) for a command's options.",
  ].join("\n") + "\n";
}

/** Runs the command line `argv` (without the program name) and returns the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(topHelp());
    return EXIT.usage;
  }
  if (name === "help" && rest.length > 0) {
    // `cairn help serve` is `cairn serve --help`.
    const [topic, ...extra] = rest;
    if (extra.length > 0) {
      io.stderr(`cairn help: unexpected argument "${extra[0]}"\n`);
      return EXIT.usage;
    }
    return await run([topic!, "--help"], io);
  }
  if (name === "--help" || name === "-h" || name === "help") {
    io.stdout(topHelp());
    return EXIT.ok;
  }
  if (name === "--version") return version({}, [], io);

  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr(`cairn: ${unknownWord(name)}; run \`cairn --help\` for the list\n`);
    return EXIT.usage;
  }
  const parsed = parseCommand(command.spec, rest, io.env);
  switch (parsed.kind) {
    case "help":
      io.stdout(formatHelp(command.spec));
      return EXIT.ok;
    case "usage_error":
      io.stderr(`cairn ${parsed.message}\n`);
      return EXIT.usage;
    case "ok":
      try {
        return await command.run(parsed.values, parsed.positionals, io, parsed.sources);
      } catch (error) {
        // Deno refuses a path its permissions do not cover (under /dev, /proc and /sys, even with
        // --allow-read and --allow-write): Deno's own message says which path and what to do.
        if (!isDenoPermissionError(error)) throw error;
        io.stderr(`cairn ${name}: ${error.message}\n`);
        return EXIT.failure;
      }
  }
}

/** Whether `error` is Deno's refusal of an access its permissions do not allow. */
function isDenoPermissionError(error: unknown): error is Error {
  return error instanceof Error &&
    (error.name === "NotCapable" || error.name === "PermissionDenied");
}

/**
 * What `cairn NAME` is when NAME is no command: a flag written as a command's are (unquoted), or a
 * command (quoted, as an argument), with the nearest one when it looks like a typo. `-v` and `-V`,
 * the version in many tools, point to --version.
 */
function unknownWord(name: string): string {
  if (name.startsWith("-")) {
    const near = name === "-v" || name === "-V"
      ? "version"
      : name.startsWith("--")
      ? suggest(name.slice(2).split("=")[0]!, ["help", "version"])
      : undefined;
    return `unknown flag ${name}${near === undefined ? "" : ` (did you mean --${near}?)`}`;
  }
  const near = suggest(name, Object.keys(COMMANDS));
  return `unknown command "${name}"${near === undefined ? "" : ` (did you mean ${near}?)`}`;
}
