// The failed tests in a JUnit report (bun test's or deno test's), for test/run.ts
// to print again at the end of its output: a CI log that keeps only its tail
// still says which test failed, where, and with what error.

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

/** An attribute of a start tag, decoded; undefined when the tag has none. */
function attribute(tag: string, key: string): string | undefined {
  const value = new RegExp(`\\s${key}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decode(value);
}

/**
 * The report's failed test cases (a `<failure>` or `<error>` in a `<testcase>`), in the
 * report's order. Bun names the file in `file`, Deno in `classname`.
 */
export function failures(xml: string): Failure[] {
  const found: Failure[] = [];
  const testcase = /<testcase\b([^>]*?)(\/?)>/g;
  for (let match = testcase.exec(xml); match !== null; match = testcase.exec(xml)) {
    if (match[2] === "/") continue;
    const end = xml.indexOf("</testcase>", testcase.lastIndex);
    const body = xml.slice(testcase.lastIndex, end === -1 ? xml.length : end);
    const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (failure === null) continue;
    const tag = match[1]!;
    const file = attribute(tag, "file") ?? attribute(tag, "classname") ?? "";
    const line = attribute(tag, "line");
    found.push({
      where: line === undefined ? file : `${file}:${line}`,
      name: attribute(tag, "name") ?? "",
      text: decode(failure[3] ?? "").trim() || (attribute(failure[2]!, "message") ?? ""),
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
