import { describe, expect, test } from "bun:test";
import { loadHunt, unlockGraph, unlockGraphDot } from "../../src/hunt/mod.ts";

// A route's stops open in each team's own order: only its fixed first stop is open at the start.
const HUNT = `
[hunt]
title = "Trail"
seed = "trail"

[[puzzle]]
id = "square"
title = "Square"
checkpoint = { code = "square-1c4e" }
answer = "a"

[[puzzle]]
id = "bakery"
title = "Bakery"
checkpoint = { code = "bakery-77d0" }
answer = "b"

[[puzzle]]
id = "museum"
title = "Museum"
checkpoint = { code = "museum-d3f6" }
unlock = 'checked_in("museum")'
answer = "c"

[[puzzle]]
id = "tides"
title = "Tides"
answer = "d"

[[route]]
id = "old-town"
stops = ["square", "bakery", "museum"]
first = "square"
`;

describe("the unlock graph of a hunt with a route", () => {
  const hunt = loadHunt(HUNT, { file: "hunt.toml" }).hunt!;

  test("unlockGraph() says a stop opens in its turn on the route, not from the start", () => {
    expect(unlockGraph(hunt)).toBe(
      [
        'Unlock graph of "Trail": 4 puzzles, 1 round',
        "",
        "round main",
        "  square  open from the start, the first stop of route old-town  [checkpoint square-1c4e]",
        "  bakery  its turn on route old-town  [checkpoint bakery-77d0]",
        '  museum  its turn on route old-town, and checked_in("museum")  [checkpoint museum-d3f6]',
        "  tides   open from the start",
        "",
      ].join("\n"),
    );
  });

  test("unlockGraphDot() gives the double border only to what is open at the start", () => {
    const open = unlockGraphDot(hunt).split("\n").filter((line) => line.includes("peripheries"));
    expect(open.map((line) => line.trim().split(" ")[0])).toEqual(['"square"', '"tides"']);
  });

  test("an ordered route's first listed stop is its first", () => {
    const ordered = loadHunt(HUNT.replace('first = "square"', "ordered = true"), {
      file: "hunt.toml",
    }).hunt!;
    expect(unlockGraph(ordered)).toContain(
      "square  open from the start, the first stop of route old-town",
    );
  });
});
