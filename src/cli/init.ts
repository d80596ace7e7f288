import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { STARTER_HUNT } from "../hunt/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { folderProblem, writeProblem } from "./_paths.ts";
import { writeFiles } from "./_write.ts";

export const initSpec: CommandSpec = {
  name: "init",
  summary: "Write a commented starter hunt file, hunt.toml, into DIR.",
  usage: "cairn init [DIR] [--force]",
  options: {
    force: { type: "boolean", help: "Overwrite an existing hunt.toml" },
  },
  positionals: { min: 0, max: 1, names: "DIR" },
  notes: [
    "DIR defaults to the current folder and is created if missing. The file's comments say",
    "what each key does; `cairn docs hunt-file` is the full reference.",
  ].join("\n"),
};

/** Writes a starter hunt that passes `cairn check`, never clobbering one by accident. */
export function init(values: Values, positionals: string[], io: Io): Promise<number> {
  const dir = positionals[0] ?? ".";
  const file = join(dir, "hunt.toml");
  // `cairn init hunt.toml` names a file where a folder is meant (or `hunt.toml/my-hunt`, under one).
  const where = folderProblem(dir);
  if (where !== undefined) {
    io.stderr(`cairn init: ${where}; give the folder to write hunt.toml into\n`);
    return Promise.resolve(EXIT.failure);
  }
  if (existsSync(file) && values.force !== true) {
    io.stderr(`cairn init: ${file} already exists; pass --force to overwrite it\n`);
    return Promise.resolve(EXIT.failure);
  }
  try {
    mkdirSync(dir, { recursive: true });
    writeFiles([[file, STARTER_HUNT]]);
  } catch (error) {
    const problem = writeProblem(error, file);
    io.stderr(
      problem === undefined
        ? `cairn init: cannot write ${file}: ${error instanceof Error ? error.message : error}\n`
        : `cairn init: cannot write ${file}: ${problem}; give a folder you can write to\n`,
    );
    return Promise.resolve(EXIT.failure);
  }
  io.stdout(
    `cairn init: wrote ${file}; check it with: cairn check ${file}\n` +
      "cairn init: the reference for every key and rule function: cairn docs hunt-file\n",
  );
  return Promise.resolve(EXIT.ok);
}
