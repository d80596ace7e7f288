// The benchmark tools' command lines: `--help` and mistakes, the same way in
// every tool.

/**
 * A tool's command line, read by `parse` (node:util's `parseArgs`): `--help`
 * prints `usage` and exits 0; a mistake `parse` throws (an unknown option, a
 * stray argument) is printed with `usage`, and the tool exits 2.
 */
export function toolArgs<T>(usage: string, parse: () => T): T {
  if (process.argv.slice(2).includes("--help")) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
}

/**
 * An option's value as a whole number of at least `min`; throws, for
 * `toolArgs` to print, naming the option (and `why`, when given) otherwise.
 */
export function wholeNumber(
  name: string,
  value: string | undefined,
  options: { min: number; why?: string },
): number {
  const number = Number(value);
  if (
    value === undefined || value.trim() === "" || !Number.isInteger(number) || number < options.min
  ) {
    const why = options.why === undefined ? "" : `: ${options.why}`;
    throw new Error(`--${name} must be a whole number of at least ${options.min}${why}`);
  }
  return number;
}
