// The broken-hunt corpus: each file under corpus/ states, in `# expect:`
// lines at its top, every problem `cairn check` must report for it, exactly
// and in order (the first line of each; rule excerpts are tested elsewhere).
// Files under valid/ must load with no errors, and with exactly the warnings
// their `# expect:` lines give.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatProblem, loadHunt, sortProblems } from "../../src/hunt/mod.ts";

/**
 * A bad pattern's reason is the runtime's own words (JSC: "missing )", V8 on Deno: "Unterminated
 * group"): on another runtime than Bun, it is compared up to the reason.
 */
const runtimeWords = "Bun" in globalThis
  ? (line: string) => line
  : (line: string) => line.replace(/(Invalid regular expression: ).*$/, "$1…");

function expectations(text: string): string[] {
  return text.split("\n")
    .filter((line) => line.startsWith("# expect: "))
    .map((line) => line.slice("# expect: ".length));
}

function load(dir: string, name: string) {
  const text = readFileSync(join(dir, name), "utf8");
  const result = loadHunt(text, {
    file: name,
    readFile: (relative) => {
      try {
        return readFileSync(join(dir, relative), "utf8");
      } catch {
        return undefined;
      }
    },
  });
  const reported = sortProblems(result.problems).map((p) => formatProblem(p).split("\n")[0]);
  return { text, result, reported };
}

for (const [folder, valid] of [["corpus", false], ["valid", true]] as const) {
  const dir = join(import.meta.dirname!, folder);
  const files = readdirSync(dir).filter((name) => name.endsWith(".toml")).sort();
  describe(`hunt files in ${folder}/`, () => {
    test(`${folder}/ is not empty`, () => expect(files.length).toBeGreaterThan(0));
    for (const name of files) {
      test(name, () => {
        const { text, result, reported } = load(dir, name);
        const expected = expectations(text);
        if (!valid) expect(expected.length).toBeGreaterThan(0);
        expect(reported.map((line) => runtimeWords(line ?? ""))).toEqual(
          expected.map(runtimeWords),
        );
        expect(result.hunt === undefined).toBe(!valid);
      });
    }
  });
}
