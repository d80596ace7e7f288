// The CTFtime feed built from the running engine: each solve's points as the scoreboard counts them.
import { describe, expect, test } from "bun:test";
import { engineFeed } from "../../src/play/mod.ts";
import { engineWithTeam, MISSIONS_TOML, ok } from "../engine/_hunt.ts";

const PHOTO = { hash: "a".repeat(64), type: "image/jpeg", size: 1_000 };

describe("engineFeed", () => {
  test("a mission's solve is worth what its judge gave, as in the team's score", () => {
    const { engine, team } = engineWithTeam(MISSIONS_TOML);
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
