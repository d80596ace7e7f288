// The CTFtime feed built from the running engine: each solve's points as the scoreboard counts them.
import { describe, expect, test } from "bun:test";
import { engineFeed } from "../../src/play/mod.ts";
import { engineWithTeam, ok } from "../engine/_hunt.ts";

const HUNT = `
[hunt]
title = "Feed"
starts_at = 2026-11-21T10:00:00Z

[[puzzle]]
id = "statue"
title = "Statue"
points = 30
submit = "photo"

[[puzzle]]
id = "story"
title = "Story"
points = 10
submit = "text"
judge = "auto"
`;

const PHOTO = { hash: "a".repeat(64), type: "image/jpeg", size: 1_000 };

describe("engineFeed", () => {
  test("a mission's solve is worth what its judge gave, as in the team's score", () => {
    const { engine, team } = engineWithTeam(HUNT);
    const { submission } = ok(engine.submit(team, "statue", { file: PHOTO }));
    ok(engine.judge(submission.id, { accept: true, points: 12 }));
    ok(engine.submit(team, "story", { text: "Once upon a time" }));
    const [row] = engineFeed(engine, undefined).standings;
    expect(row).toMatchObject({
      team: "Gulls",
      score: 22,
      taskStats: { Statue: { points: 12 }, Story: { points: 10 } },
    });
  });
});
