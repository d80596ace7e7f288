// `npm test`: the machine's setup (scripts/setup.sh), then format check, lint,
// type check, and every bun test (unit and end-to-end). Ends with one line
// `N passed, N failed`, where each static check counts as one test beside the
// bun tests. When the setup cannot install a tool the tests need, it stops the
// run at once with one line naming the Debian packages.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

let passed = 0;
let failed = 0;

async function stage(name: string, cmd: string[]): Promise<boolean> {
  console.log(
    `\n== ${name}: ${cmd.map((part) => part.replace(/.*node_modules\/\.bin\//, "")).join(" ")}`,
  );
  const proc = Bun.spawn(cmd, { stdout: "inherit", stderr: "inherit", env });
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

// bun test writes a JUnit report beside its console output; the counts come from it.
const reportDir = mkdtempSync(join(tmpdir(), "cairn-test-"));
const report = join(reportDir, "junit.xml");
const testsOk = await stage("tests", [
  bin("bun"),
  "test",
  "--reporter=junit",
  `--reporter-outfile=${report}`,
  ...only,
]);
let counted = false;
try {
  const xml = readFileSync(report, "utf8");
  const suite = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? "";
  const attr = (key: string) => Number(new RegExp(`\\b${key}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const total = attr("tests");
  const bad = attr("failures") + attr("errors");
  const skipped = attr("skipped");
  passed += total - bad - skipped;
  failed += bad;
  counted = total > 0;
} catch {
  // No report: bun test crashed before writing it; counted below as one failure.
}
rmSync(reportDir, { recursive: true, force: true });
if (!counted || (!testsOk && failed === 0)) failed++;

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
