// A reload of an edited hunt file mid-event (server/reload.ts): what its summary says, what it
// refuses, and that a restart on the same file and database gives what the reload gave.
import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";
import { huntFingerprint } from "../../src/server/fingerprint.ts";
import { makeApp } from "../http/_app.ts";

const HUNT = `
[hunt]
title = "Reload Hunt"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
divisions = ["kids", "adults"]

[[puzzle]]
id = "a"
title = "A"
points = 10
answer = ["polarsi"]

[[puzzle.hint]]
id = "nudge"
text = "Look up"
cost = 4

[[puzzle.hint]]
id = "free"
text = "Free"

[[puzzle]]
id = "b"
title = "B"
points = 20
answer = ["bravo"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Ask us"
cost = 3

[[puzzle]]
id = "photo"
title = "Photo"
points = 5
submit = "text"
`;

describe("reload", () => {
  test("the summary lists a puzzle whose answers changed, and the [hunt] keys that changed", async () => {
    const { admin } = makeApp({ toml: HUNT });
    const cases: [string, string, { changed: string[]; hunt: string[] }][] = [
      ['answer = ["polarsi"]', 'answer = ["polaris"]', { changed: ["a"], hunt: [] }],
      ['answer = ["bravo"]', 'answer = ["bravo"]\nnormalize = "exact"', {
        changed: ["b"],
        hunt: [],
      }],
      ['answer = ["bravo"]', "answer = [\"bravo\"]\nanswer_regex = ['br.*']", {
        changed: ["b"],
        hunt: [],
      }],
      [
        'answer = ["bravo"]',
        'answer = ["bravo"]\npartial = [{ answer = "brav", message = "Go on" }]',
        {
          changed: ["b"],
          hunt: [],
        },
      ],
      ['submit = "text"', 'submit = "photo"', { changed: ["photo"], hunt: [] }],
      [
        "ends_at = 2026-11-21T16:00:00Z",
        "ends_at = 2026-11-21T15:00:00Z\nfreeze_at = 2026-11-21T14:00:00Z",
        {
          changed: [],
          hunt: ["ends_at", "freeze_at"],
        },
      ],
      ["[hunt]\n", '[hunt]\nteam_size = { max = 4 }\nregistration = "closed"\n', {
        changed: [],
        hunt: ["registration", "team_size"],
      }],
    ];
    for (const [from, to, expected] of cases) {
      const app = makeApp({ toml: HUNT });
      app.setToml(HUNT.replace(from, to));
      expect(await app.admin("POST", "/api/admin/reload")).toMatchObject({
        status: 200,
        body: { reloaded: true, added: [], removed: [], ...expected },
      });
    }
    // Reloading the same file changes nothing.
    expect((await admin("POST", "/api/admin/reload")).body).toMatchObject({
      changed: [],
      hunt: [],
    });
  });
});

describe("the hunt's fingerprint (nodes sharing a log compare it)", () => {
  test("differs when only an answer differs", () => {
    const one = loadHunt(HUNT, { file: "hunt.toml" }).hunt!;
    const two = loadHunt(HUNT.replace('"polarsi"', '"polaris"'), { file: "hunt.toml" }).hunt!;
    expect(huntFingerprint(one)).not.toBe(huntFingerprint(two));
    expect(huntFingerprint(one)).toBe(huntFingerprint(loadHunt(HUNT, { file: "hunt.toml" }).hunt!));
  });
});
