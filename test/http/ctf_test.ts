import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportResults } from "../../src/cli/export.ts";
import { backupDatabase } from "../../src/store/mod.ts";
import { MINUTE, START } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const CTF = `
[hunt]
title = "CTF"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z

[[puzzle]]
id = "web"
title = "Web 500"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
first_solve_bonus = [50]
answer = ["flag{web}"]
normalize = "exact"

[[puzzle]]
id = "pwn"
title = "Pwn — Ünïcode"
points = 100
answer = ["flag{pwn}"]
guess_limit = { count = 1, per = "hunt" }
`;

const unix = (ms: number) => Math.floor(ms / 1000);

describe("CTF mode over HTTP", () => {
  test("GET /api/ctftime gives CTFtime's feed, escaped to ASCII, frozen with the board", async () => {
    const { call, register, admin, clock } = makeApp({ toml: CTF });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/web/guesses", { token: gulls, body: { answer: "flag{web}" } });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/pwn/guesses", { token: gulls, body: { answer: "flag{pwn}" } });
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/web/guesses", { token: terns, body: { answer: "flag{web}" } });

    // Frozen: as at the freeze, when web was still worth 500.
    const frozen = await call("GET", "/api/ctftime");
    expect(frozen.status).toBe(200);
    expect(frozen.text).toContain('"Pwn \\u2014 \\u00dcn\\u00efcode"');
    expect([...frozen.text].every((char) => char.charCodeAt(0) < 0x80)).toBe(true);
    expect(frozen.body).toEqual({
      tasks: ["Web 500", "Pwn — Ünïcode"],
      standings: [
        {
          pos: 1,
          team: "Gulls",
          score: 650,
          taskStats: {
            "Web 500": { points: 550, time: unix(START + MINUTE) },
            "Pwn — Ünïcode": { points: 100, time: unix(START + 2 * MINUTE) },
          },
          lastAccept: unix(START + 2 * MINUTE),
        },
        { pos: 2, team: "Terns", score: 0, taskStats: {} },
      ],
    });

    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    const live = await call("GET", "/api/ctftime");
    expect(live.body.standings.map((s: { team: string; score: number }) => [s.team, s.score]))
      .toEqual([["Gulls", 640], ["Terns", 490]]);
    expect(live.body.standings[1].taskStats).toEqual({
      "Web 500": { points: 490, time: unix(START + 3 * MINUTE) },
    });
    // The puzzle list shows the value now.
    const list = await call("GET", "/api/puzzles", { token: terns });
    expect(list.body.puzzles.find((p: { id: string }) => p.id === "web").points).toBe(490);
  });

  test("while frozen, a team's own view shows no other team's solve since the freeze", async () => {
    const toml = CTF.replace("first_solve_bonus = [50]", "first_solve_bonus = [50, 30, 10]");
    const { call, register, admin, clock } = makeApp({ toml });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    const skuas = await register("Skuas");
    clock.advance(MINUTE);
    const solveWeb = (token: string) =>
      call("POST", "/api/puzzles/web/guesses", { token, body: { answer: "flag{web}" } });
    await solveWeb(gulls);
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(MINUTE);
    await solveWeb(terns);
    clock.advance(MINUTE);
    await solveWeb(skuas);
    const seen = async (token: string) => {
      const list = await call("GET", "/api/puzzles", { token });
      const one = await call("GET", "/api/puzzles/web", { token });
      const page = await call("GET", "/puzzles", { headers: { cookie: `cairn_session=${token}` } });
      const score = page.text.match(/id="team-score">(\d+)</)?.[1];
      const listed = list.body.puzzles.find((p: { id: string }) => p.id === "web").points;
      return { listed, page: one.body.points, score: Number(score) };
    };
    // Web as at the freeze (one solve: 500), and as if each team had solved it next after then
    // (the second solve: 490, with the second bonus): the same for the Terns and the Skuas.
    expect(await seen(gulls)).toEqual({ listed: 500, page: 500, score: 550 });
    expect(await seen(terns)).toEqual({ listed: 490, page: 490, score: 520 });
    expect(await seen(skuas)).toEqual({ listed: 490, page: 490, score: 520 });

    // The reveal shows the truth at once: three solves (480), the Skuas third (bonus 10).
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    expect(await seen(gulls)).toEqual({ listed: 480, page: 480, score: 530 });
    expect(await seen(terns)).toEqual({ listed: 480, page: 480, score: 510 });
    expect(await seen(skuas)).toEqual({ listed: 480, page: 480, score: 490 });
  });

  test('a per = "hunt" cap answers 429 with no Retry-After; an extra guess lifts it once', async () => {
    const { call, register, admin, clock } = makeApp({ toml: CTF });
    const token = await register("Gulls");
    clock.advance(MINUTE);
    const wrong = () =>
      call("POST", "/api/puzzles/pwn/guesses", { token, body: { answer: "nope" } });
    /** The puzzle page's answer box: off, and the note that says why, once the cap is reached. */
    const page = async () => {
      const { text } = await call("GET", "/puzzles/pwn", {
        headers: { cookie: `cairn_session=${token}` },
      });
      const form = /<form[^>]*id="guess-form"[\s\S]*?<\/form>/.exec(text)![0];
      return {
        off: /<input[^>]*name="answer"[^>]*disabled/.test(form),
        note: /id="limit-note"[^>]*>([^<]*)</.exec(form)![1]!.trim(),
      };
    };
    expect(await page()).toEqual({
      off: false,
      note: "1 of 1 wrong guesses left per hunt. Capitals, spaces and punctuation do not matter.",
    });
    expect((await wrong()).body.result).toBe("incorrect");
    const cappedNote = "No wrong guesses left on this puzzle; an organizer can grant more.";
    expect(await page()).toEqual({ off: true, note: cappedNote });
    const capped = await wrong();
    expect(capped.status).toBe(429);
    expect(capped.headers.get("retry-after")).toBeNull();
    expect(capped.body).toEqual({
      error: {
        code: "rate_limited",
        message: "No wrong guesses left on this puzzle; an organizer can grant more",
      },
    });
    clock.advance(60 * MINUTE);
    expect((await wrong()).status).toBe(429);
    const granted = await admin("POST", "/api/admin/extra-guesses", {
      team: 1,
      puzzle: "pwn",
      count: 1,
    });
    expect(granted.status).toBe(201);
    expect((await page()).off).toBe(false);
    expect((await wrong()).body.result).toBe("incorrect");
    expect(await page()).toEqual({ off: true, note: cappedNote });
    expect((await wrong()).status).toBe(429);
  });

  test("cairn export --format ctftime writes the unfrozen feed from the database", async () => {
    const { call, register, admin, clock, store } = makeApp({ toml: CTF });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/web/guesses", { token: gulls, body: { answer: "flag{web}" } });
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/web/guesses", { token: terns, body: { answer: "flag{web}" } });
    const dir = dirs.make("cairn-ctftime-");
    const dbPath = join(dir, "cairn.db");
    store.flush();
    // A consistent copy of the live database, as `cairn backup` takes it (on either runtime).
    await backupDatabase(store.db, dbPath);
    const out = join(dir, "feed.json");
    const stderr: string[] = [];
    const io = { stdout: () => {}, stderr: (text: string) => void stderr.push(text) };
    const code = await exportResults({ db: dbPath, format: "ctftime", out }, [], io as never);
    expect([code, stderr]).toEqual([0, []]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({
      tasks: ["Web 500"],
      standings: [
        {
          pos: 1,
          team: "Gulls",
          score: 540,
          taskStats: { "Web 500": { points: 540, time: unix(START + MINUTE) } },
          lastAccept: unix(START + MINUTE),
        },
        {
          pos: 2,
          team: "Terns",
          score: 490,
          taskStats: { "Web 500": { points: 490, time: unix(START + 2 * MINUTE) } },
          lastAccept: unix(START + 2 * MINUTE),
        },
      ],
    });
  });
});

describe("CTFd's addresses", () => {
  /** The answer to `method path` from a browser, with a team's session cookie when given. */
  async function open(
    app: ReturnType<typeof makeApp>,
    path: string,
    token?: string,
    method = "GET",
  ) {
    const res = await app.app.request(`http://localhost${path}`, {
      method,
      headers: {
        accept: "text/html",
        origin: "http://localhost",
        ...(token !== undefined && { cookie: `cairn_session=${token}` }),
      },
    });
    return { status: res.status, location: res.headers.get("location") };
  }

  test("each with a page of the same use here redirects there (302, GET only, query dropped)", async () => {
    const app = makeApp({ toml: CTF });
    const cases: [string, string][] = [
      ["/challenges", "/puzzles"],
      ["/login?next=%2Fchallenges", "/#login"],
      ["/register", "/"],
      ["/teams?q=gulls&field=name", "/scoreboard"],
      ["/users?page=2", "/scoreboard"],
      ["/notifications", "/announcements"],
    ];
    for (const [from, to] of cases) {
      expect({ from, ...(await open(app, from)) }).toEqual({ from, status: 302, location: to });
      expect({ from, ...(await open(app, from, undefined, "HEAD")) }).toEqual({
        from,
        status: 302,
        location: to,
      });
    }
    // Where they lead: the list (or, logged out, the landing page), the login form, the board.
    const token = await app.register("Gulls");
    // The announcements CTFd's /notifications listed, every one, newest first: a team that
    // dismissed the banner (which shows the latest only) reads them there.
    await app.admin("POST", "/api/admin/announcements", { text: "Flags reset at noon" });
    await app.admin("POST", "/api/admin/announcements", { text: "Scoreboard frozen at 17:00" });
    const list = await app.app.request("http://localhost/announcements", {
      headers: { accept: "text/html", cookie: `cairn_session=${token}; cairn_dismissed=2` },
    });
    expect(list.status).toBe(200);
    const text = await list.text();
    const newer = text.indexOf("Scoreboard frozen at 17:00");
    expect(newer).toBeGreaterThan(0);
    expect(text.indexOf("Flags reset at noon")).toBeGreaterThan(newer);
    expect((await open(app, "/puzzles", token)).status).toBe(200);
    expect(await open(app, "/puzzles")).toEqual({ status: 303, location: "/" });
    expect(await open(app, "/", token)).toEqual({ status: 303, location: "/puzzles" });
    expect((await open(app, "/")).status).toBe(200);
    expect((await open(app, "/scoreboard")).status).toBe(200);
    // A form posted to CTFd's addresses is not taken for Cairn's own.
    expect((await open(app, "/register", undefined, "POST")).status).toBe(404);
    expect((await open(app, "/challenges", token, "POST")).status).toBe(404);
  });

  test("those with no such page stay 404: /logout (a GET must not log out), /settings, a team's", async () => {
    const app = makeApp({ toml: CTF });
    const token = await app.register("Gulls");
    for (const path of ["/logout", "/settings", "/team", "/teams/1", "/users/1", "/profile"]) {
      expect({ path, ...(await open(app, path, token)) }).toEqual({
        path,
        status: 404,
        location: null,
      });
    }
    // Still logged in.
    expect((await open(app, "/puzzles", token)).status).toBe(200);
  });
});
