import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";
import { SourceMap } from "../../src/hunt/locate.ts";

describe("SourceMap", () => {
  test("indexes a dotted key's first tables only, so a key of 10,000 parts is placed at once", () => {
    // A hostile hunt file: each of the key's 10,000 tables was a path string of its own (minutes
    // for 100,000 parts, in `cairn check` and in a server's reload).
    const text = '[hunt]\ntitle = "T"\n' + "a.".repeat(10_000) + "b = 1\n";
    const map = new SourceMap(text);
    // `hunt`, `hunt.title`, the first 16 tables of the key, and the key itself.
    expect(map.size).toBe(1 + 1 + 16 + 1);
    // The key is in [hunt]'s table; any of its tables, the deepest too, is found at the key.
    expect(map.find(["hunt", "a"])).toEqual({ line: 3, column: 1 });
    expect(map.find(["hunt", ...Array(10_000).fill("a"), "b"])).toEqual({ line: 3, column: 1 });
    const { problems } = loadHunt(text, { file: "hunt.toml" });
    expect(problems.map((p) => [p.line, p.column, p.message])).toContainEqual([
      3,
      1,
      'Unknown key "a"',
    ]);
  });
});
