// `npm test`: the machine's setup (scripts/setup.sh), then format check, lint,
// type check, every bun test (unit and end-to-end), and most suites again on
// Deno (`deno task test`). Ends with the failed tests again, each with its
// error, then one line `N passed, N failed`, where each static check counts as
// one test beside the bun tests. When the setup cannot install a tool the
// tests need, it stops the run at once with one line naming the Debian packages. Every stage runs with
// the run's own TMPDIR; whatever the tests leave in it counts as one failed
// test ("temporary files left behind"), and the folder is removed at the end.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeFailures, type Failure, failures } from "./junit.ts";

const bin = (name: string) => join(import.meta.dir, "..", "node_modules", ".bin", name);
const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

// The outside tools the tests call (promtool, systemd-analyze, cc, chromium…):
// installed now if missing, so that no test times out waiting for one.
const setup = Bun.spawn(["sh", join(import.meta.dir, "..", "scripts", "setup.sh")], {
  stdout: "inherit",
  stderr: "inherit",
  env,
});
if ((await setup.exited) !== 0) process.exit(1);

// The tests' temporary folder (TMPDIR for every stage), and the runner's own for the JUnit reports
// (bun test and deno test write them beside their console output; the counts come from them).
// 0755: the PostgreSQL tests run initdb as the postgres user, in a folder of theirs inside it.
const testTmp = mkdtempSync(join(tmpdir(), "cairn-tmp-"));
chmodSync(testTmp, 0o755);
const reportDir = mkdtempSync(join(tmpdir(), "cairn-test-"));
const removeTemporary = () => {
  for (const dir of [testTmp, reportDir]) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
};
// Interrupted (Ctrl-C, or CI cancelling the job): the folders go too.
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    removeTemporary();
    process.exit(code);
  });
}
const stageEnv = { ...env, TMPDIR: testTmp };

let passed = 0;
let failed = 0;
/** The failed tests of each test stage, printed again at the end (a CI log may keep only its tail). */
const failedTests: [string, Failure[]][] = [];

async function stage(name: string, cmd: string[]): Promise<boolean> {
  console.log(
    `\n== ${name}: ${cmd.map((part) => part.replace(/.*node_modules\/\.bin\//, "")).join(" ")}`,
  );
  const proc = Bun.spawn(cmd, { stdout: "inherit", stderr: "inherit", env: stageEnv });
  const ok = (await proc.exited) === 0;
  console.log(`== ${name}: ${ok ? "ok" : "FAILED"}`);
  return ok;
}

const checks: [string, string[]][] = [
  ["format", [bin("deno"), "fmt", "--check"]],
  ["lint", [bin("deno"), "lint"]],
  ["types", [bin("tsc"), "--noEmit", "-p", "."]],
];
const only = process.argv.slice(2);
for (const [name, cmd] of checks) {
  if (only.length > 0) break;
  if (await stage(name, cmd)) passed++;
  else failed++;
}

/** Runs one test stage and adds its JUnit counts; a stage with no report counts as one failure. */
async function tests(name: string, cmd: string[], report: string): Promise<void> {
  const ok = await stage(name, cmd);
  let counted = false;
  let bad = 0;
  try {
    const xml = readFileSync(report, "utf8");
    const suite = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? "";
    const attr = (key: string) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(suite)?.[1] ?? 0);
    const total = attr("tests");
    bad = attr("failures") + attr("errors");
    const skipped = attr("skipped");
    passed += total - bad - skipped;
    failed += bad;
    counted = total > 0;
    const list = failures(xml);
    if (list.length > 0) failedTests.push([name, list]);
  } catch {
    // No report: the runner crashed before writing it; counted below as one failure.
  }
  if (!counted || (!ok && bad === 0)) failed++;
}

const bunReport = join(reportDir, "bun.xml");
await tests("tests", [
  bin("bun"),
  "test",
  "--reporter=junit",
  `--reporter-outfile=${bunReport}`,
  ...only,
], bunReport);

// Most suites again, on Deno (`deno task test`; all but e2e, bench and most of cluster),
// unless a subset was asked for.
if (only.length === 0) {
  const denoReport = join(reportDir, "deno.xml");
  await tests("deno tests", [
    bin("deno"),
    "task",
    "test",
    "--reporter=dot",
    `--junit-path=${denoReport}`,
  ], denoReport);
}

/**
 * What the stages left in their TMPDIR, one line per kind of entry (its name without the random
 * suffix mkdtemp and the like add, and how many); anything there counts as one failed test.
 */
function leftovers(): void {
  const names = readdirSync(testTmp);
  if (names.length === 0) return;
  const counts = new Map<string, number>();
  for (const name of names) {
    const kind = name.replace(/(?<=[-._])[A-Za-z0-9]{6}$|[0-9a-f]{8,}|\d{4,}/g, "*");
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const entries = `${names.length} ${names.length === 1 ? "entry" : "entries"}`;
  console.log(`\n== temporary files left behind: ${entries} in TMPDIR ${testTmp}`);
  for (const [kind, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    console.log(`left behind: ${kind} (${count})`);
  }
  console.log("== temporary files left behind: FAILED");
  failed++;
}
try {
  leftovers();
} finally {
  removeTemporary();
}

for (const [name, list] of failedTests) {
  console.log(`\n== ${name}: ${list.length} failed, again`);
  for (const line of describeFailures(list)) console.log(line);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
