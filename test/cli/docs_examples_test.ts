// docs/hunt-file.md shows whole hunts and what `cairn check` prints for them. An organizer copies
// them as they are, so each whole hunt must load, and each printed answer must be the one `check`
// gives today: a changed message or a renamed key fails here, not in an organizer's hands.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

// URLs, not import.meta.dir: this file runs on Deno too.
const page = readFileSync(new URL("../../docs/hunt-file.md", import.meta.url), "utf8");
const example = new URL("../../config/example.toml", import.meta.url).pathname;

/** The page's fenced blocks, in order: the language after the fence, and the text inside. */
const blocks = [...page.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
  lang: match[1]!,
  text: match[2]!,
  line: page.slice(0, match.index).split("\n").length,
}));

/** A block of a whole hunt: the [hunt] table with its title, and puzzles. */
const isWholeHunt = (text: string) =>
  text.startsWith("[hunt]\n") && /^title = /m.test(text) && text.includes("[[puzzle]]");

/**
 * Before the examples' event (21 November 2026): `check` warns of an `ends_at` already past, which
 * the page's answers leave out, as an organizer checks the file before the event.
 */
const BEFORE_THE_EVENT = Date.parse("2026-11-01T00:00:00Z");

/** What `cairn check hunt.toml ARGS` prints for `toml`, as the page shows it: out, then err. */
async function check(toml: string, args: string[] = []) {
  const file = join(dirs.make("cairn-docs-examples-"), "hunt.toml");
  writeFileSync(file, toml);
  const io = { ...fakeIo(), now: () => BEFORE_THE_EVENT };
  const code = await run(["check", file, ...args], io);
  return { code, printed: (io.out() + io.err()).replaceAll(file, "hunt.toml") };
}

/** The block that follows the one whose text starts with `start`. */
function blockAfter(start: string) {
  const index = blocks.findIndex((block) => block.text.startsWith(start));
  expect(index, `a block starting with ${JSON.stringify(start)}`).toBeGreaterThanOrEqual(0);
  return blocks[index + 1]!;
}

const minimal = blocks.find((block) => block.lang === "toml" && isWholeHunt(block.text))!.text;

describe("docs/hunt-file.md's examples", () => {
  const wholeHunts = blocks
    .map((block, index) => ({ ...block, index }))
    .filter((block) => block.lang === "toml" && isWholeHunt(block.text));

  test("the page has its whole hunts", () => {
    // The minimal hunt, the missions, the warnings, the cycle and the "never unlock" examples.
    expect(wholeHunts.length).toBeGreaterThanOrEqual(5);
  });

  for (const hunt of wholeHunts) {
    test(`the hunt at line ${hunt.line} loads, or prints what the page shows for it`, async () => {
      const { code, printed } = await check(hunt.text);
      // What the page shows for it: the next block without a language, before any other hunt.
      const shown = blocks.slice(hunt.index + 1).find((block) =>
        block.lang === "" || block.lang === "toml"
      );
      if (shown?.lang === "" && shown.text.startsWith("hunt.toml")) {
        expect(printed).toBe(shown.text);
        expect(code).toBe(/^[1-9]\d* errors?, /m.test(shown.text) ? 1 : 0);
      } else {
        expect(printed).toMatch(/: ok \(/);
        expect(code).toBe(0);
      }
    });
  }

  test("the minimal hunt with a typo in a puzzle id prints the error shown, and as JSON", async () => {
    const typo = minimal.replace('solved("lighthouse")', 'solved("lighthous")');
    expect(typo).not.toBe(minimal);
    const shown = blockAfter("hunt.toml: ok (2 puzzles in 1 round)");
    expect(await check(typo)).toEqual({ code: 1, printed: shown.text });
    const json = blocks.find((block) =>
      block.lang === "json" && block.text.includes('"ok": false')
    )!;
    const { code, printed } = await check(typo, ["--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(printed)).toEqual(JSON.parse(json.text));
  });

  test("the minimal hunt with an unquoted title prints the TOML error shown", async () => {
    const unquoted = minimal.replace('title = "The Lighthouse"', "title = The Lighthouse");
    expect(unquoted).not.toBe(minimal);
    const shown = blocks.find((block) => block.text.includes("Invalid TOML: invalid value"))!;
    expect(await check(unquoted)).toEqual({ code: 1, printed: shown.text });
  });

  test("the minimal hunt with a number added to a condition prints the type error shown", async () => {
    const typed = minimal.replace(
      `unlock = 'solved("lighthouse")'`,
      `unlock = 'solved("lighthouse") + 1 >= 2'`,
    );
    expect(typed).not.toBe(minimal);
    const shown = blocks.find((block) => block.text.includes('"+" needs a number'))!;
    expect(await check(typed)).toEqual({ code: 1, printed: shown.text });
  });

  test("the minimal hunt's --json --graph is the object shown", async () => {
    const json = blocks.find((block) => block.lang === "json" && block.text.includes('"graph"'))!;
    const { code, printed } = await check(minimal, ["--json", "--graph"]);
    expect(code).toBe(0);
    expect(JSON.parse(printed)).toEqual(JSON.parse(json.text));
  });

  for (const flag of ["--graph", "--dot"]) {
    test(`cairn check config/example.toml ${flag} prints the graph shown`, async () => {
      const shown = blocks.find((block) =>
        block.lang === "" &&
        block.text.startsWith(flag === "--graph" ? "Unlock graph of" : "digraph unlocks")
      )!;
      const io = fakeIo();
      expect(await run(["check", example, flag], io)).toBe(0);
      expect(io.out()).toBe(shown.text);
    });
  }
});
