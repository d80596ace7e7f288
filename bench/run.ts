// `npm run bench`: every mitata suite in bench/, one after another.
// Pass names to run a few: `npm run bench -- toml rules`.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const wanted = process.argv.slice(2);
const all = readdirSync(import.meta.dir).filter((name) => name.endsWith("_bench.ts")).sort();
const usage = `Usage: npm run bench [-- NAME ...]   (bun bench/run.ts [NAME ...])

Runs every mitata suite in bench/, or those whose file names start with a NAME:
${all.map((name) => name.slice(0, -"_bench.ts".length)).join(", ")}.`;
if (wanted.includes("--help")) {
  console.log(usage);
  process.exit(0);
}
const unknown = wanted.filter((w) => !all.some((name) => name.startsWith(w)));
if (unknown.length > 0) {
  console.error(`no suite named ${unknown.join(", ")}\n\n${usage}`);
  process.exit(2);
}
const suites = all.filter((name) => wanted.length === 0 || wanted.some((w) => name.startsWith(w)));
for (const suite of suites) {
  console.log(`\n# ${suite}`);
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, suite)], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) process.exit(1);
}
