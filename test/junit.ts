// The failed tests in a JUnit report (bun test's or deno test's), for test/run.ts
// to print again at the end of its output: a CI log that keeps only its tail
// still says which test failed, where, and with what error.
import { join, relative } from "node:path";

/** One failed test case. */
export interface Failure {
  /** The test's file, and its line when the report gives one: `test/e2e/board_browser_test.ts:211`. */
  where: string;
  name: string;
  /** The failure's text (the error and its stack), entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** XML's character and entity references, decoded. */
function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, ref: string) => {
    if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()]!;
    const code = ref[1] === "x" || ref[1] === "X"
      ? parseInt(ref.slice(2), 16)
      : parseInt(ref.slice(1), 10);
    return String.fromCodePoint(code);
  });
}

/**
 * The shim that runs the Bun tests on Deno (scripts/deno.sh): Deno's report names its
 * `deno.test` call as every test's place.
 */
const DENO_SHIM = /(^|\/)test\/_deno\/bun_test\.ts$/;

/** The project's root, which the places printed are relative to. */
const ROOT = join(import.meta.dirname!, "..");

/**
 * A failed test's place in its test file, from its failure's stack (`at file:///…/x_test.ts:4:41`):
 * the first frame in a `_test.ts` file but the shim, relative to the project's root; undefined
 * with none (a timeout, say).
 */
function placeInStack(text: string): string | undefined {
  const frames = text.matchAll(/file:\/\/([^\s()]+_test\.ts):(\d+):\d+/g);
  const frame = [...frames].find((found) => !DENO_SHIM.test(found[1]!));
  if (frame === undefined) return undefined;
  const path = decodeURIComponent(frame[1]!);
  const inRoot = relative(ROOT, path);
  return `${inRoot.startsWith("..") ? path : inRoot}:${frame[2]}`;
}

/** An attribute of a start tag, decoded; undefined when the tag has none. */
function attribute(tag: string, key: string): string | undefined {
  const value = new RegExp(`\\s${key}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decode(value);
}

/**
 * The report's failed test cases (a `<failure>` or `<error>` in a `<testcase>`), in the
 * report's order, each named with its describe blocks (`outer > inner > test`): the
 * `<testsuite>`s it is in, but the outermost, which is its file. Bun names the file in `file`,
 * Deno in `classname`: for a Bun test run on Deno, the shim's, so the test's own place is taken
 * from its failure's stack.
 */
export function failures(xml: string): Failure[] {
  const found: Failure[] = [];
  /** The names of the `<testsuite>`s open around the current place. */
  const suites: string[] = [];
  const tag = /<(\/?)(testsuite|testcase)\b([^>]*?)(\/?)>/g;
  for (let match = tag.exec(xml); match !== null; match = tag.exec(xml)) {
    const [, closing, element, attributes, empty] = match as unknown as string[];
    if (element === "testsuite") {
      if (closing === "/") suites.pop();
      else if (empty !== "/") suites.push(attribute(attributes!, "name") ?? "");
      continue;
    }
    if (closing === "/" || empty === "/") continue;
    const end = xml.indexOf("</testcase>", tag.lastIndex);
    const body = xml.slice(tag.lastIndex, end === -1 ? xml.length : end);
    if (end !== -1) tag.lastIndex = end + "</testcase>".length;
    const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (failure === null) continue;
    const file = attribute(attributes!, "file") ?? attribute(attributes!, "classname") ?? "";
    const line = attribute(attributes!, "line");
    const name = attribute(attributes!, "name") ?? "";
    const text = decode(failure[3] ?? "").trim() || (attribute(failure[2]!, "message") ?? "");
    // On Deno, a Bun test's place is the shim's, the same for all: its stack has the test's.
    const shim = DENO_SHIM.test(file) ? placeInStack(text) : undefined;
    found.push({
      where: shim ?? (line === undefined ? file : `${file}:${line}`),
      name: [...suites.slice(1), name].join(" > "),
      text,
    });
  }
  return found;
}

/**
 * The failures as lines to print: each test's place and name, then at most `lines` lines of
 * its text, indented; at most `count` tests, and a line saying how many more there were.
 */
export function describeFailures(list: Failure[], count = 20, lines = 15): string[] {
  const out: string[] = [];
  for (const failure of list.slice(0, count)) {
    out.push(`${failure.where}  ${failure.name}`);
    const text = failure.text.split("\n");
    for (const line of text.slice(0, lines)) out.push(`    ${line}`);
    if (text.length > lines) out.push(`    … ${text.length - lines} more lines`);
  }
  if (list.length > count) out.push(`… and ${list.length - count} more failed tests`);
  return out;
}
