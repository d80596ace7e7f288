// What the phone, projector and organizer screens need from the API
// (issue 17): check-in codes as phones type them, the projector's history by
// division, and the export's team names, hint takes, check-ins and
// adjustments.
import { describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";

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

describe("the export", () => {
  test("names teams in solves and guesses, and has hint takes, check-ins and adjustments", async () => {
    const { call, register, admin } = makeApp();
    const token = await register("Équipe Ünïcode");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nah" } });
    expect((await call("POST", "/api/puzzles/a/hints/late", { token })).status).toBe(200);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await call("POST", "/api/checkins", { token, body: { code: "cp-123" } });
    await admin("POST", "/api/admin/adjustments", { team: 1, points: -3, reason: "Littering" });
    const { body } = await admin("GET", "/api/admin/export?format=json");
    const at = expect.any(String);
    const name = "Équipe Ünïcode";
    expect(body.solves).toEqual([{ team: 1, team_name: name, puzzle: "a", guess_id: 3, at }]);
    expect(body.guesses[0]).toMatchObject({ id: 1, team: 1, team_name: name, raw: "nope" });
    expect(body.hints).toEqual([
      { team: 1, team_name: name, puzzle: "a", hint: "late", cost: 4, at },
    ]);
    expect(body.checkins).toEqual([{ team: 1, team_name: name, puzzle: "cp", at }]);
    expect(body.adjustments).toEqual([
      { id: expect.any(Number), team: 1, team_name: name, points: -3, reason: "Littering", at },
    ]);
    // 10 for the solve, 4 for the hint, 3 taken away.
    expect(body.scoreboard[0]).toMatchObject({ name, score: 3 });
  });

  test("CSV files start with a UTF-8 byte-order mark, so Excel reads accents", async () => {
    const { register, admin, app } = makeApp();
    await register("Équipe");
    for (const table of ["teams", "hints", "checkins", "adjustments"]) {
      const res = await app.request(`http://localhost/api/admin/export?format=csv&table=${table}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect({ table, head: [...bytes.slice(0, 3)] }).toEqual({ table, head: [0xef, 0xbb, 0xbf] });
    }
    const teams = await admin("GET", "/api/admin/export?format=csv&table=teams");
    expect(teams.text).toContain('"Équipe"');
  });
});
