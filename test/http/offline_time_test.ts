// Fair times for actions made offline: every answer to a team carries a
// signed last-contact token; a queued action sends when it was pressed and
// the newest token, and counts at that time, clamped between the token's time
// and its arrival, flagged when clamped or late. The hunt's end is enforced
// on arrival plus the hunt's offline grace.
import { createHmac } from "node:crypto";
import { describe, expect, test } from "bun:test";
import { HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { makeApp } from "./_app.ts";

const END = Date.parse("2026-11-21T16:00:00Z");

/** A team's newest last-contact token, from an answer to it. */
async function contactOf(app: ReturnType<typeof makeApp>, token: string): Promise<string> {
  const reply = await app.call("GET", "/api/puzzles", { token });
  return reply.headers.get("cairn-contact")!;
}

function queued(token: string, pressedAt: number, contact?: string) {
  return {
    token,
    headers: {
      "cairn-pressed-at": String(pressedAt),
      ...(contact !== undefined && { "cairn-contact": contact }),
    },
  };
}

const guessRow = (app: ReturnType<typeof makeApp>, raw: string) =>
  app.db.query("SELECT at, effective_at, flag FROM guesses WHERE raw = ?").get(raw);

describe("the last-contact token", () => {
  test("every answer to a team carries one, and its pages carry it too", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const contact = await contactOf(app, token);
    expect(contact).toMatch(/^1\.\d+\.[\w-]{16}\.[\w-]{43}$/);
    expect(contact.split(".")[1]).toBe(String(START / 1000));
    const page = await app.call("GET", "/puzzles", {
      headers: { cookie: `cairn_session=${token}` },
    });
    expect(page.text).toContain(`<meta name="cairn-contact" content="${contact}">`);
    // Nobody's answers carry none.
    expect((await app.call("GET", "/api/hunt")).headers.get("cairn-contact")).toBeNull();
  });

  test("is signed with HMAC-SHA-256 under the key in the meta table, a new signature each second", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const { value } = app.db.query("SELECT value FROM meta WHERE key = 'contact_key'").get() as {
      value: string;
    };
    const key = Buffer.from(value, "base64url");
    const signatures = new Set<string>();
    for (let second = 0; second < 3; second++) {
      const contact = await contactOf(app, token);
      const payload = contact.slice(0, contact.lastIndexOf("."));
      const signature = contact.slice(contact.lastIndexOf(".") + 1);
      expect(payload.split(".")[1]).toBe(String(START / 1000 + second));
      expect(signature).toBe(createHmac("sha256", key).update(payload).digest("base64url"));
      signatures.add(signature);
      app.clock.advance(1000);
    }
    expect(signatures.size).toBe(3);
  });
});

describe("a guess made offline", () => {
  test("counts when it was pressed: its solve, the unlocks it caused, the tie-break", async () => {
    const app = makeApp();
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    const contact = await contactOf(app, gulls);
    // The Gulls solve at minute 1, offline; the Terns at minute 10, online.
    app.clock.advance(10 * MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token: terns, body: { answer: "alpha" } });
    app.clock.advance(10 * MINUTE);
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(gulls, START + MINUTE, contact),
      body: { answer: "alpha" },
    });
    expect(reply.body).toEqual({ result: "correct", unlocked: ["after-a"] });
    expect(guessRow(app, "alpha")).toMatchObject({ at: START + 10 * MINUTE });
    expect(app.db.query("SELECT at, effective_at, flag FROM guesses WHERE team_id = 1").get())
      .toEqual({ at: START + 20 * MINUTE, effective_at: START + MINUTE, flag: "late" });
    expect(app.db.query("SELECT at FROM solves WHERE team_id = 1").get()).toEqual({
      at: START + MINUTE,
    });
    expect(
      app.db.query("SELECT at FROM unlocks WHERE team_id = 1 AND puzzle = 'after-a'").get(),
    ).toEqual({ at: START + MINUTE });
    // Equal scores: the team whose score changed first ranks first.
    const board = await app.call("GET", "/api/scoreboard");
    expect(board.body.teams.map((t: { name: string }) => t.name)).toEqual(["Gulls", "Terns"]);
    // The organizers see it flagged in the feed.
    const feed = await app.admin("GET", "/api/admin/guesses?after=0&limit=10");
    expect(feed.body.guesses[1]).toMatchObject({
      team_name: "Gulls",
      at: new Date(START + 20 * MINUTE).toISOString(),
      effective_at: new Date(START + MINUTE).toISOString(),
      flag: "late",
    });
    expect(feed.body.guesses[0].flag).toBeUndefined();
  });

  test.each([
    ["a clock 2 hours ahead", 2 * 60 * MINUTE, 0],
    ["a time before the last contact", -30 * MINUTE, -3 * MINUTE],
  ])("with %s is clamped and flagged", async (_name, offset, expected) => {
    const app = makeApp();
    const token = await app.register("Gulls");
    app.clock.advance(30 * MINUTE);
    const contact = await contactOf(app, token);
    app.clock.advance(3 * MINUTE);
    const now = app.clock.now();
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(token, now + offset, contact),
      body: { answer: "nope" },
    });
    const row = guessRow(app, "nope") as { at: number; effective_at: number | null; flag: string };
    expect(row.flag).toBe("clamped");
    expect((row.effective_at ?? row.at) - now).toBe(expected);
  });

  test("a forged or another team's token vouches for nothing: the guess counts now", async () => {
    const app = makeApp();
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    const theirs = await contactOf(app, terns);
    const [id, second, mac] = (await contactOf(app, gulls)).split(".");
    const forged = `${id}.${Number(second) - 3600}.${mac}`;
    app.clock.advance(20 * MINUTE);
    for (const [raw, contact] of [["one", theirs], ["two", forged], ["three", "junk"]]) {
      await app.call("POST", "/api/puzzles/a/guesses", {
        ...queued(gulls, START + MINUTE, contact),
        body: { answer: raw },
      });
      expect([raw, guessRow(app, raw!)]).toEqual([raw, {
        at: START + 20 * MINUTE,
        effective_at: null,
        flag: "clamped",
      }]);
    }
  });

  test("an old token cannot count before what its phone did online since, whichever phone sends it", async () => {
    const app = makeApp();
    const gulls = await app.register("Gulls");
    const old = await contactOf(app, gulls);
    const other = await app.login("Gulls");
    const otherOld = await contactOf(app, other);
    // Ten minutes later the phone guesses online (no Cairn-Pressed-At), then, a minute on,
    // claims a solve made offline right after its old token.
    app.clock.advance(10 * MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "nope" } });
    app.clock.advance(MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(gulls, START + 1000, old),
      body: { answer: "alpha" },
    });
    expect(guessRow(app, "alpha")).toEqual({
      at: START + 11 * MINUTE,
      effective_at: START + 10 * MINUTE,
      flag: "clamped",
    });
    // Another phone of the team, with nothing online since its own token, still counts from it.
    await app.call("POST", "/api/puzzles/b/guesses", {
      ...queued(other, START + 2000, otherOld),
      body: { answer: "wrong-b" },
    });
    expect(guessRow(app, "wrong-b")).toEqual({
      at: START + 11 * MINUTE,
      effective_at: START + 2000,
      flag: "late",
    });
    // But the first phone's old token, sent by it or from a new login, counts from its action.
    const again = await app.login("Gulls");
    for (const [session, raw] of [[other, "wrong-c"], [again, "wrong-d"]] as const) {
      await app.call("POST", "/api/puzzles/b/guesses", {
        ...queued(session, START + 3000, old),
        body: { answer: raw },
      });
      expect(guessRow(app, raw)).toEqual({
        at: START + 11 * MINUTE,
        effective_at: START + 10 * MINUTE,
        flag: "clamped",
      });
    }
  });

  test("sent at once, it counts now and is not flagged", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const contact = await contactOf(app, token);
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(token, START, contact),
      body: { answer: "nope" },
    });
    expect(guessRow(app, "nope")).toEqual({ at: START, effective_at: null, flag: null });
  });

  test("a bad Cairn-Pressed-At is a 400", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      token,
      headers: { "cairn-pressed-at": "yesterday" },
      body: { answer: "nope" },
    });
    expect(reply.status).toBe(400);
  });
});

describe("the hunt's end and its offline grace", () => {
  const toml = HUNT_TOML.replace(
    "ends_at = 2026-11-21T16:00:00Z\n",
    'ends_at = 2026-11-21T16:00:00Z\noffline_grace = "15m"\n',
  );

  test("an action made before the end is accepted until the grace runs out", async () => {
    const app = makeApp({ toml });
    const token = await app.register("Gulls");
    app.clock.time = END - 2 * MINUTE;
    const contact = await contactOf(app, token);
    app.clock.time = END + 5 * MINUTE;
    const inGrace = await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(token, END - MINUTE, contact),
      body: { answer: "alpha" },
    });
    expect(inGrace.body.result).toBe("correct");
    // Made after the end, or sent at once after it: refused.
    for (const pressed of [END + MINUTE, undefined]) {
      const late = await app.call("POST", "/api/puzzles/b/guesses", {
        ...(pressed === undefined ? { token } : queued(token, pressed, contact)),
        body: { answer: "bravo" },
      });
      expect(late.body.error.code).toBe("hunt_not_running");
    }
    // Past the grace, even one made before the end is refused.
    app.clock.time = END + 16 * MINUTE;
    const after = await app.call("POST", "/api/puzzles/b/guesses", {
      ...queued(token, END - MINUTE, contact),
      body: { answer: "bravo" },
    });
    expect(after.body.error.code).toBe("hunt_not_running");
  });

  test("without offline_grace, nothing is accepted after the end", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    app.clock.time = END - 2 * MINUTE;
    const contact = await contactOf(app, token);
    app.clock.time = END + MINUTE;
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(token, END - MINUTE, contact),
      body: { answer: "alpha" },
    });
    expect(reply.body.error.code).toBe("hunt_not_running");
  });
});

describe("hints and check-ins made offline", () => {
  test("count when pressed, and keep their flag", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const contact = await contactOf(app, token);
    app.clock.advance(30 * MINUTE);
    await app.call("POST", "/api/puzzles/a/hints/free", {
      ...queued(token, START + 2 * MINUTE, contact),
    });
    await app.call("POST", "/api/checkins", {
      ...queued(token, START + 3 * MINUTE, contact),
      body: { code: "cp-123" },
    });
    expect(app.db.query("SELECT at, flag FROM hint_takes").get()).toEqual({
      at: START + 2 * MINUTE,
      flag: "late",
    });
    expect(app.db.query("SELECT at, flag FROM checkins").get()).toEqual({
      at: START + 3 * MINUTE,
      flag: "late",
    });
    const detail = await app.admin("GET", "/api/admin/teams/1");
    expect(detail.body.checkins).toEqual([{
      puzzle: "cp",
      at: new Date(START + 3 * MINUTE).toISOString(),
      flag: "late",
    }]);
  });
});

describe("offline_times = false", () => {
  const toml = HUNT_TOML.replace("[hunt]\n", "[hunt]\noffline_times = false\n");

  test("an action made offline counts when it arrives: no claimed time moves a solve earlier", async () => {
    const app = makeApp({ toml });
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    const contact = await contactOf(app, gulls);
    // The Gulls claim a solve at minute 1 with a token of then; the Terns solved at minute 10.
    app.clock.advance(10 * MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token: terns, body: { answer: "alpha" } });
    app.clock.advance(5 * MINUTE);
    // A hint taken offline too.
    await app.call("POST", "/api/puzzles/a/hints/free", {
      ...queued(gulls, START + MINUTE / 2, contact),
    });
    expect(app.db.query("SELECT at FROM hint_takes WHERE team_id = 1").get()).toEqual({
      at: START + 15 * MINUTE,
    });
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(gulls, START + MINUTE, contact),
      body: { answer: "alpha" },
    });
    expect(reply.body.result).toBe("correct");
    expect(app.db.query("SELECT at, effective_at, flag FROM guesses WHERE team_id = 1").get())
      .toEqual({ at: START + 15 * MINUTE, effective_at: null, flag: null });
    expect(app.db.query("SELECT at FROM solves WHERE team_id = 1").get()).toEqual({
      at: START + 15 * MINUTE,
    });
    const board = await app.call("GET", "/api/scoreboard");
    expect(board.body.teams.map((t: { name: string }) => t.name)).toEqual(["Terns", "Gulls"]);
  });

  test("after the end nothing is accepted, and check warns that offline_grace does nothing", async () => {
    const graced = toml.replace(
      "ends_at = 2026-11-21T16:00:00Z\n",
      'ends_at = 2026-11-21T16:00:00Z\noffline_grace = "15m"\n',
    );
    const { problems } = loadHunt(graced, { file: "hunt.toml" });
    expect(problems.map((p) => [p.severity, p.message])).toEqual([[
      "warning",
      "offline_grace does nothing with offline_times = false: every action counts when it " +
      "arrives, so none arrives before ends_at that was held on a phone past it",
    ]]);
    const app = makeApp({ toml: graced });
    const token = await app.register("Gulls");
    app.clock.time = END - 2 * MINUTE;
    const contact = await contactOf(app, token);
    app.clock.time = END + 5 * MINUTE;
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...queued(token, END - MINUTE, contact),
      body: { answer: "alpha" },
    });
    expect(reply.body.error.code).toBe("hunt_not_running");
  });
});
