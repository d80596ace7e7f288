import pkg from "../../package.json" with { type: "json" };
import { RUNTIME } from "../runtime.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";

export const VERSION: string = pkg.version;

export const versionSpec: CommandSpec = {
  name: "version",
  summary: "Print Cairn's version.",
  usage: "cairn version",
  options: {},
  positionals: { min: 0, max: 0, names: "" },
};

/** Prints the version and the runtime it runs on (the one it was built with, when compiled). */
export function version(_values: Values, _positionals: string[], io: Io): Promise<number> {
  io.stdout(`cairn ${VERSION} (${RUNTIME.name} ${RUNTIME.version})\n`);
  return Promise.resolve(EXIT.ok);
}
