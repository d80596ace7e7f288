/**
 * The one option parser every command shares: flags from `node:util`'s
 * `parseArgs`, each setting also read from its `CAIRN_*` variable, the flag
 * winning, and `--help` text generated from the same table.
 */
import { parseArgs } from "node:util";
import { suggest } from "../rules/suggest.ts";

export interface OptionSpec {
  type: "string" | "boolean";
  help: string;
  /** Placeholder shown in help, e.g. `FILE`. */
  value?: string;
  /** The environment variable that also sets it, e.g. `CAIRN_DB`. */
  env?: string;
  /** Shown in help; applied when neither flag nor variable is given. */
  default?: string;
  /** Allowed values, checked after parsing. */
  choices?: readonly string[];
  /**
   * What a value must be, when `test` refuses it: "must be …", checked after
   * parsing; `shown` gives the value as the message quotes it (a URL without its password),
   * and `secret` leaves it out of the message (a token).
   */
  valid?: {
    test: (value: string) => boolean;
    must: string;
    shown?: (value: string) => string;
    secret?: boolean;
  };
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number; names: string };
  /** Extra paragraphs printed after the options. */
  notes?: string;
}

export type Values = Record<string, string | boolean | undefined>;

/**
 * How each option given was set, as a message names it: its flag (`--table`),
 * or its variable (`CAIRN_EXPORT_TABLE`) when the flag was not given. An
 * option left to its default is not in it.
 */
export type Sources = Record<string, string>;

export type ParsedArgs =
  | { kind: "ok"; values: Values; positionals: string[]; sources: Sources }
  | { kind: "help" }
  | { kind: "usage_error"; message: string };

/** Parses a command's arguments against its spec, with environment fallback. */
export function parseCommand(
  spec: CommandSpec,
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, option] of Object.entries(spec.options)) options[name] = { type: option.type };

  let parsed: { values: Values; positionals: string[]; tokens: { kind: string; name?: string }[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
      tokens: true,
    }) as typeof parsed;
  } catch (error) {
    return { kind: "usage_error", message: describeParseError(spec, argv, error) };
  }
  if (parsed.values.help === true) return { kind: "help" };
  // parseArgs keeps the last of a repeated option: which one was meant is not for it to guess.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || token.name === undefined) continue;
    if (seen.has(token.name)) {
      return { kind: "usage_error", message: `${spec.name}: --${token.name} given twice` };
    }
    seen.add(token.name);
  }

  const values: Values = {};
  const sources: Sources = {};
  for (const [name, option] of Object.entries(spec.options)) {
    // `--hunt ""` or `--hunt "$HUNT"` with the shell variable unset: no value, as an empty variable.
    if (parsed.values[name] === "") {
      return { kind: "usage_error", message: `${spec.name}: --${name} needs a value` };
    }
    // An empty variable counts as unset.
    const fromEnv = option.env === undefined ? undefined : env[option.env] || undefined;
    let value = parsed.values[name] ?? fromEnv ?? option.default;
    if (parsed.values[name] !== undefined) sources[name] = `--${name}`;
    else if (fromEnv !== undefined && option.env !== undefined) sources[name] = option.env;
    if (option.type === "boolean" && typeof value === "string") {
      value = value === "1" || value.toLowerCase() === "true";
    }
    const source = sourceOf(sources, name);
    if (typeof value === "string" && option.choices && !option.choices.includes(value)) {
      return {
        kind: "usage_error",
        message: `${spec.name}: ${source} must be one of ${
          option.choices.join(", ")
        }, not "${value}"`,
      };
    }
    if (typeof value === "string" && option.valid && !option.valid.test(value)) {
      const shown = option.valid.secret ? "" : `, not "${option.valid.shown?.(value) ?? value}"`;
      return {
        kind: "usage_error",
        message: `${spec.name}: ${source} ${option.valid.must}${shown}`,
      };
    }
    values[name] = value;
  }

  const { min, max } = spec.positionals;
  const count = parsed.positionals.length;
  // `cairn check "$FILE"` with the variable unset names no file, rather than a file named "".
  if (parsed.positionals.includes("")) {
    return {
      kind: "usage_error",
      message: `${spec.name}: an empty argument ("") where ${spec.positionals.names} goes; ` +
        `usage: ${spec.usage}`,
    };
  }
  if (count < min) {
    return {
      kind: "usage_error",
      message: `${spec.name}: missing ${spec.positionals.names}; usage: ${spec.usage}`,
    };
  }
  if (count > max) {
    const extra = parsed.positionals[max]!;
    // `cairn serve hunt.toml`: the hunt file is a flag's value there, not an argument.
    const how = Object.hasOwn(spec.options, "hunt") && extra.endsWith(".toml")
      ? `to run that hunt file, write cairn ${spec.name} --hunt ${extra}`
      : `usage: ${spec.usage}`;
    return { kind: "usage_error", message: `${spec.name}: unexpected argument "${extra}"; ${how}` };
  }
  return { kind: "ok", values, positionals: parsed.positionals, sources };
}

/** How option `name` was set, for a message: its variable when only that set it, else its flag. */
export function sourceOf(sources: Sources, name: string): string {
  return sources[name] ?? `--${name}`;
}

/** Turns parseArgs' exceptions into one short line naming the command. */
function describeParseError(spec: CommandSpec, argv: readonly string[], error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? "option";
    // A typo (--levle), or a flag with a word added (--hunt-file for --hunt).
    const given = flag.startsWith("--") ? flag.slice(2).split("=")[0]! : undefined;
    const names = Object.keys(spec.options);
    const near = given === undefined ? undefined : suggest(given, names) ??
      names.find((name) => given.startsWith(`${name}-`) || given.startsWith(`${name}_`));
    const guess = near === undefined ? "" : ` (did you mean --${near}?)`;
    return `${spec.name}: unknown flag ${flag}${guess}; run \`cairn ${spec.name} --help\` for its options`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /(--[a-z-]+)/.exec(message)?.[1] ?? "option";
    // A flag that takes no value was given one (--json=yes), or one that takes a value had none.
    const name = flag.slice(2);
    const takesValue = Object.hasOwn(spec.options, name) && spec.options[name]!.type === "string";
    if (!takesValue) return `${spec.name}: ${flag} takes no value`;
    // parseArgs takes no value that starts with "-" (it could be a flag) unless it is joined on.
    const next = argv[argv.indexOf(flag) + 1];
    if (next?.startsWith("-") && !next.startsWith("--") && next !== "-h") {
      // A secret (a token) is not repeated.
      const how = spec.options[name]!.valid?.secret
        ? `one that starts with "-", write ${flag}=-…`
        : `"${next}", write ${flag}=${next}`;
      return `${spec.name}: ${flag} needs a value; to give ${how}`;
    }
    return `${spec.name}: ${flag} needs a value`;
  }
  return `${spec.name}: ${message.split("\n")[0]}`;
}

/** Renders `--help` for a command from its spec. */
export function formatHelp(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, option]) => {
    const flag = option.value ? `--${name} ${option.value}` : `--${name}`;
    const details = [option.help];
    if (option.choices) details.push(`(${option.choices.join(" | ")})`);
    if (option.default !== undefined) details.push(`[default: ${option.default}]`);
    if (option.env) details.push(`[env: ${option.env}]`);
    return [flag, details.join(" ")];
  });
  rows.push(["-h, --help", "Show this help"]);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const lines = [
    `${spec.summary}`,
    "",
    `Usage: ${spec.usage}`,
    "",
    "Options:",
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
  ];
  if (spec.notes) lines.push("", spec.notes);
  return lines.join("\n") + "\n";
}
