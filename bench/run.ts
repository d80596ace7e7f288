// `npm run bench`: every mitata suite in bench/, one after another.
// Pass names to run a few: `npm run bench -- toml rules`.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const wanted = process.argv.slice(2);
const suites = readdirSync(import.meta.dir)
  .filter((name) => name.endsWith("_bench.ts"))
  .filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)))
  .sort();
for (const suite of suites) {
  console.log(`\n# ${suite}`);
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, suite)], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) process.exit(1);
}
