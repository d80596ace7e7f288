// What the phone, projector and organizer screens need from the API
// (issue 17): check-in codes as phones type them, the projector's history by
// division, and the export's team names, hint takes, check-ins and
// adjustments.
import { describe, expect, test } from "bun:test";
import { makeApp } from "./_app.ts";

describe("POST /api/checkins", () => {
  test("matches a code ignoring case, surrounding space, inner spaces and dashes", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    for (const code of [" CP-123 ", "Cp-123", "cp 123", "cp123", "CP–123"]) {
      const reply = await call("POST", "/api/checkins", { token, body: { code } });
      expect({ code, status: reply.status, puzzle: reply.body.puzzle }).toEqual({
        code,
        status: 200,
        puzzle: "cp",
      });
    }
    // Other characters still count.
    const wrong = await call("POST", "/api/checkins", { token, body: { code: "cp_123" } });
    expect(wrong.status).toBe(404);
  });
});

describe("GET /api/scoreboard/history", () => {
  test("?division=D gives that division's top teams only; an unknown one is 400", async () => {
    const { call, register } = makeApp();
    const kid = await register("Gulls", { division: "kids" });
    const adult = await register("Terns", { division: "adults" });
    await call("POST", "/api/puzzles/a/guesses", { token: kid, body: { answer: "alpha" } });
    await call("POST", "/api/puzzles/a/guesses", { token: adult, body: { answer: "alpha" } });
    const names = async (query: string) =>
      (await call("GET", `/api/scoreboard/history${query}`)).body.teams.map(
        (t: { name: string }) => t.name,
      );
    expect(await names("")).toEqual(["Gulls", "Terns"]);
    expect(await names("?division=kids")).toEqual(["Gulls"]);
    expect(await names("?division=adults")).toEqual(["Terns"]);
    const unknown = await call("GET", "/api/scoreboard/history?division=pirates");
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("bad_request");
  });
});
