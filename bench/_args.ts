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
