// `npm run bench`: every mitata suite in bench/, one after another.
// Pass names to run a few: `npm run bench -- toml rules`; `--smoke` runs each
// benchmark a few times without measuring (bench/_smoke.ts), to see that they run.
import { readdirSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const wanted = args.filter((arg) => arg !== "--smoke");
const all = readdirSync(import.meta.dir).filter((name) => name.endsWith("_bench.ts")).sort();
const usage =
  `Usage: npm run bench [-- [--smoke] NAME ...]   (bun bench/run.ts [--smoke] [NAME ...])

Runs every mitata suite in bench/, or those whose file names start with a NAME:
${all.map((name) => name.slice(0, -"_bench.ts".length)).join(", ")}.

  --smoke   run each benchmark a few times, without measuring, to check that it runs`;
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
  const preload = smoke ? ["--preload", join(import.meta.dir, "_smoke.ts")] : [];
  const proc = Bun.spawn([process.execPath, ...preload, join(import.meta.dir, suite)], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) process.exit(1);
}
