// Multiple-choice puzzles over the API: the choices in the puzzle's JSON, and a guess that is
// none of them refused (neither stored nor counted), while a choice is judged as any answer.
import { describe, expect, test } from "bun:test";
import { makeApp } from "./_app.ts";

const TOML = `
[hunt]
title = "Quiz"
starts_at = 2026-11-21T10:00:00Z
seed = "quiz"

[[puzzle]]
id = "colour"
title = "Colour"
points = 10
choices = ["Red", "Green", "Blue", "The Old Lighthouse"]
answer = "Blue"
guess_limit = { count = 2, per = "hunt" }

[[puzzle]]
id = "words"
title = "Words"
answer = "anchor"

[[puzzle]]
id = "compass"
title = "Compass"
choices = ["North", "South"]
answer = "North"
guess_limit = { count = 1, per = "hunt" }

[[puzzle.variant]]

[[puzzle.variant]]
choices = ["East", "West", "Up"]
answer = "up"
`;

async function setup() {
  const app = makeApp({ toml: TOML });
  app.clock.advance(60_000);
  const token = await app.register("Gulls");
  const guess = (puzzle: string, answer: string, as = token) =>
    app.call("POST", `/api/puzzles/${puzzle}/guesses`, { token: as, body: { answer } });
  const stored = () => app.db.query("SELECT raw, result FROM guesses ORDER BY id").all();
  return { ...app, token, guess, stored };
}

describe("multiple-choice puzzles over the API", () => {
  test("GET /api/puzzles/:id gives a choices puzzle's choices in file order, and none on another", async () => {
    const { call, token } = await setup();
    const colour = await call("GET", "/api/puzzles/colour", { token });
    expect(colour.status).toBe(200);
    expect(colour.body.choices).toEqual(["Red", "Green", "Blue", "The Old Lighthouse"]);
    const words = await call("GET", "/api/puzzles/words", { token });
    expect("choices" in words.body).toBe(false);
  });

  test("each team gets its variant's choices", async () => {
    const app = await setup();
    const other = await app.register("Terns");
    const seen = await Promise.all(
      [app.token, other].map(async (token) =>
        (await app.call("GET", "/api/puzzles/compass", { token })).body.choices
      ),
    );
    expect(seen.sort()).toEqual([["East", "West", "Up"], ["North", "South"]]);
  });

  test("a guess that is none of the choices is refused: not stored, not counted", async () => {
    const { guess, stored, call, token } = await setup();
    for (const answer of ["Purple", "Blu", "Lighthouse"]) {
      const reply = await guess("colour", answer);
      expect([reply.status, reply.body.error]).toEqual([400, {
        code: "bad_request",
        message: "Pick one of the choices",
      }]);
    }
    expect(stored()).toEqual([]);
    const history = await call("GET", "/api/puzzles/colour/guesses", { token });
    expect(history.body.guesses).toEqual([]);
    // Both wrong guesses of the cap are still there.
    expect((await guess("colour", "Red")).body.result).toBe("incorrect");
    expect((await guess("colour", "green")).body.result).toBe("incorrect");
    expect((await guess("colour", "Red")).status).toBe(429);
  });

  test("a wrong choice counts against the limit; the right one, compared as answers are, solves", async () => {
    const { guess, stored, call, token } = await setup();
    expect((await guess("colour", "the old lighthouse")).body).toEqual({
      result: "incorrect",
      unlocked: [],
    });
    expect((await guess("colour", " BLUE ")).body).toEqual({ result: "correct", unlocked: [] });
    expect(stored()).toEqual([
      { raw: "the old lighthouse", result: "incorrect" },
      { raw: " BLUE ", result: "correct" },
    ]);
    const puzzle = await call("GET", "/api/puzzles/colour", { token });
    expect([puzzle.body.solved, puzzle.body.points]).toEqual([true, 10]);
    expect((await guess("colour", "Red")).body.result).toBe("already_solved");
  });

  test("a wrong choice past the cap is refused with 429, as any guess", async () => {
    const { guess } = await setup();
    await guess("colour", "Red");
    await guess("colour", "Green");
    const reply = await guess("colour", "Blue");
    expect([reply.status, reply.body.error.code]).toEqual([429, "rate_limited"]);
  });

  test("a variant's team is judged by its own choices", async () => {
    const app = await setup();
    const other = await app.register("Terns");
    for (const token of [app.token, other]) {
      const choices = (await app.call("GET", "/api/puzzles/compass", { token })).body.choices;
      const wrong = choices[0] === "North" ? "Up" : "North";
      expect((await app.guess("compass", wrong, token)).status).toBe(400);
      const right = choices[0] === "North" ? "north" : "UP";
      expect((await app.guess("compass", right, token)).body.result).toBe("correct");
    }
  });

  test("the page's form refuses a non-choice in the same words, and keeps nothing", async () => {
    const { app, stored, token } = await setup();
    const cookie = `cairn_session=${token}`;
    const res = await app.request("http://localhost/puzzles/colour/guess", {
      method: "POST",
      headers: {
        cookie,
        origin: "http://localhost",
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "answer=Purple",
    });
    expect(res.status).toBe(303);
    const page = await app.request("http://localhost/puzzles/colour", {
      headers: { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0] + `; ${cookie}` },
    });
    expect(await page.text()).toContain("Pick one of the choices");
    expect(stored()).toEqual([]);
  });
});
