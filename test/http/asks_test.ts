import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { EVENTS } from "../../src/play/responses.ts";
import { ASKS_TOML } from "../engine/_asks.ts";
import { FakeClock, MINUTE, START } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN } from "./_app.ts";

const HOUR = 60 * MINUTE;

async function setup(tokens = "") {
  const app = makeApp({ toml: ASKS_TOML(tokens), clock: new FakeClock(START + MINUTE) });
  const token = await app.register("Gulls");
  const teamId = app.game.accounts.teamFor(token)!;
  const events: string[] = [];
  const adminEvents: string[] = [];
  const decoder = new TextDecoder();
  app.live.connect(teamId, {
    write: (chunk: Uint8Array) => void events.push(decoder.decode(chunk)),
    closed: false,
  });
  app.live.connect(
    undefined,
    {
      write: (chunk: Uint8Array) => void adminEvents.push(decoder.decode(chunk)),
      closed: false,
    },
    undefined,
    { admin: true },
  );
  const ask = (question: string, as = token) =>
    app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", { token: as, body: { question } });
  const askEvents = (from = events) =>
    [...from.join("").matchAll(/event: ask\ndata: (.*)\n/g)].map((m) =>
      v.parse(EVENTS.ask, JSON.parse(m[1]!))
    );
  return { ...app, token, teamId, ask, askEvents, adminEvents };
}

describe("asks over HTTP", () => {
  test("an ask on a puzzle the team does not have (gone by a reload) says it is not open", async () => {
    const app = await setup();
    for (
      const path of ["/api/puzzles/gone/hints/ask/asks", "/api/puzzles/lighthouse/hints/no/asks"]
    ) {
      expect(await app.call("POST", path, { token: app.token, body: { question: "Hello?" } }))
        .toMatchObject({
          status: 404,
          body: {
            error: {
              code: "not_found",
              message: "This puzzle is not open to your team, or has no such hint",
            },
          },
        });
    }
  });

  test("ask → organizer sees it with the team's guesses → answer → the team sees it live", async () => {
    const app = await setup();
    await app.call("POST", "/api/puzzles/lighthouse/guesses", {
      token: app.token,
      body: { answer: "vega" },
    });
    const asked = await app.ask("  Is it a star?  ");
    expect(asked.status).toBe(201);
    expect(asked.body.ask).toMatchObject({
      id: 1,
      puzzle: "lighthouse",
      hint: "ask",
      question: "Is it a star?",
      status: "open",
      answer: null,
      cost: 10,
      token: false,
      closed_at: null,
    });
    expect(app.askEvents()).toEqual([
      { id: 1, puzzle: "lighthouse", hint: "ask", status: "open", answer: null },
    ]);
    expect(app.askEvents(app.adminEvents).map((e) => e.status)).toEqual(["open"]);

    const open = await app.admin("GET", "/api/admin/asks");
    expect(open.status).toBe(200);
    expect(open.body.asks).toHaveLength(1);
    expect(open.body.asks[0]).toMatchObject({
      id: 1,
      team_name: "Gulls",
      question: "Is it a star?",
    });
    expect(open.body.asks[0].guesses.map((g: { raw: string; result: string }) => [g.raw, g.result]))
      .toEqual([["vega", "incorrect"]]);

    const reply = await app.admin("POST", "/api/admin/asks/1/reply", { answer: "Look north" });
    expect(reply.status).toBe(200);
    expect(reply.body.ask).toMatchObject({ status: "answered", answer: "Look north" });
    expect(app.askEvents().at(-1)).toEqual({
      id: 1,
      puzzle: "lighthouse",
      hint: "ask",
      status: "answered",
      answer: "Look north",
    });
    // The first reply wins.
    const second = await app.admin("POST", "/api/admin/asks/1/reply", { answer: "Other" });
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({
      code: "conflict",
      message: "This ask is already answered",
    });

    const mine = await app.call("GET", "/api/puzzles/lighthouse/asks", { token: app.token });
    expect(mine.body).toMatchObject({ tokens: null, asks: [{ status: "answered" }] });
    expect((await app.admin("GET", "/api/admin/asks")).body.asks).toEqual([]);
    expect((await app.admin("GET", "/api/admin/asks?status=all")).body.asks).toHaveLength(1);
    const board = await app.call("GET", "/api/scoreboard");
    expect(board.body.teams[0].score).toBe(-10);
  });

  test("two organizers answering at once: one wins, the other gets 409", async () => {
    const app = await setup();
    await app.ask("?");
    const replies = await Promise.all([
      app.admin("POST", "/api/admin/asks/1/reply", { answer: "A" }),
      app.admin("POST", "/api/admin/asks/1/reply", { refuse: true, message: "B" }),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  test("a question sent again with its Idempotency-Key asks and pays once, answered meanwhile", async () => {
    // The phone's outbox sends it again when the first send's answer was lost (no network, or no
    // answer within 15 s): by then an organizer may have answered it, and nothing is open.
    const app = await setup();
    const teamScore = () => app.game.engine.score(app.game.engine.teams.get(app.teamId)!);
    const send = () =>
      app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
        token: app.token,
        headers: { "idempotency-key": "ask-key-1" },
        body: { question: "Is it a star?" },
      });
    const first = await send();
    expect(first.status).toBe(201);
    expect(teamScore()).toBe(-10);
    await app.admin("POST", `/api/admin/asks/${first.body.ask.id}/reply`, { answer: "Look north" });
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.body.ask).toEqual(first.body.ask);
    const mine = await app.call("GET", "/api/puzzles/lighthouse/asks", { token: app.token });
    expect(mine.body.asks.map((a: { status: string }) => a.status)).toEqual(["answered"]);
    expect(teamScore()).toBe(-10);
    // The same key for another question is refused; a new key asks again.
    const other = await app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
      token: app.token,
      headers: { "idempotency-key": "ask-key-1" },
      body: { question: "Is it a planet?" },
    });
    expect(other.status).toBe(422);
  });

  test("refuse and withdraw give points and the token back", async () => {
    const app = await setup('hint_tokens = { start = 1, every = "1h" }');
    expect((await app.ask("One?")).body.ask.token).toBe(true);
    const none = await app.ask("Two?");
    expect(none.status).toBe(409);
    expect(none.body.error.message).toBe(
      "Your team's last question on this hint is still waiting",
    );
    const refused = await app.admin("POST", "/api/admin/asks/1/reply", {
      refuse: true,
      message: "Read the title again",
    });
    expect(refused.body.ask).toMatchObject({ status: "refused", answer: "Read the title again" });
    expect(app.askEvents().at(-1)!.status).toBe("refused");
    let mine = await app.call("GET", "/api/puzzles/lighthouse/asks", { token: app.token });
    expect(mine.body.tokens).toEqual({
      left: 1,
      given: 1,
      spent: 0,
      next_at: new Date(START + HOUR).toISOString(),
    });
    expect((await app.call("GET", "/api/scoreboard")).body.teams[0].score).toBe(0);

    await app.ask("Two?");
    const out = await app.call("DELETE", "/api/asks/2", { token: app.token });
    expect(out.status).toBe(200);
    expect(out.body.ask.status).toBe("withdrawn");
    expect((await app.call("DELETE", "/api/asks/2", { token: app.token })).status).toBe(409);
    mine = await app.call("GET", "/api/puzzles/lighthouse/asks", { token: app.token });
    expect(mine.body.tokens.left).toBe(1);

    await app.ask("Three?");
    const empty = await app.ask("Four?");
    expect(empty.status).toBe(409);
    await app.admin("POST", "/api/admin/asks/3/reply", { answer: "Yes" });
    const spent = await app.ask("Four?");
    expect(spent.status).toBe(409);
    expect(spent.body.error.message).toBe(
      `Your team has no hint token left; the next one comes at ${
        new Date(START + HOUR).toISOString()
      }`,
    );
  });

  test("after the end: a withdrawal and a refusal get 409 and change no score; an answer is taken", async () => {
    const app = await setup('hint_tokens = { start = 1, every = "30m", max = 20 }');
    const other = await app.register("Terns");
    await app.ask("Mine?");
    await app.ask("Theirs?", other);
    const board = async () => (await app.call("GET", "/api/scoreboard")).body.teams;
    const before = await board();
    const tokens = async () =>
      (await app.call("GET", "/api/puzzles/lighthouse/asks", { token: app.token })).body.tokens;
    app.clock.time = START + 6 * HOUR;
    expect(await tokens()).toEqual({ left: 11, given: 12, spent: 1, next_at: null });
    expect(await app.call("DELETE", "/api/asks/1", { token: app.token })).toMatchObject({
      status: 409,
      body: {
        error: {
          code: "hunt_not_running",
          message: "The hunt has ended: a question can no longer be withdrawn",
        },
      },
    });
    expect(await app.admin("POST", "/api/admin/asks/2/reply", { refuse: true })).toMatchObject({
      status: 409,
      body: {
        error: {
          code: "hunt_not_running",
          message:
            "The hunt has ended: a refusal would give the cost back and change the final score; answer the question, or adjust the team's score",
        },
      },
    });
    const answered = await app.admin("POST", "/api/admin/asks/2/reply", { answer: "Look up" });
    expect(answered.body.ask).toMatchObject({ status: "answered", answer: "Look up" });
    expect(await board()).toEqual(before);
    // Tokens stop at the end: hours later, still none more.
    app.clock.advance(5 * HOUR);
    expect(await tokens()).toEqual({ left: 11, given: 12, spent: 1, next_at: null });
  });

  test("refusals: bad bodies, another team's ask, a text hint, no session, no admin", async () => {
    const app = await setup();
    expect((await app.ask("")).status).toBe(400);
    expect((await app.ask("x".repeat(1001))).status).toBe(400);
    const extra = await app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
      token: app.token,
      body: { question: "?", extra: 1 },
    });
    expect(extra.status).toBe(400);
    const text = await app.call("POST", "/api/puzzles/lighthouse/hints/nudge/asks", {
      token: app.token,
      body: { question: "?" },
    });
    expect(text.status).toBe(400);
    const take = await app.call("POST", "/api/puzzles/lighthouse/hints/ask", { token: app.token });
    expect(take.status).toBe(400);
    expect(
      (await app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
        body: { question: "?" },
      })).status,
    ).toBe(401);
    await app.ask("Mine");
    const other = await app.register("Terns");
    expect((await app.call("DELETE", "/api/asks/1", { token: other })).status).toBe(404);
    expect((await app.call("DELETE", "/api/asks/nope", { token: other })).status).toBe(404);
    expect((await app.call("GET", "/api/admin/asks", { token: app.token })).status).toBe(401);
    expect((await app.admin("GET", "/api/admin/asks?status=closed")).status).toBe(400);
    expect((await app.admin("POST", "/api/admin/asks/1/reply", { answer: "" })).status).toBe(400);
    expect((await app.admin("POST", "/api/admin/asks/1/reply", { refuse: false })).status).toBe(
      400,
    );
    expect((await app.admin("POST", "/api/admin/asks/9/reply", { answer: "x" })).status).toBe(404);
    const view = await app.call("GET", "/api/puzzles/lighthouse", { token: app.token });
    expect(view.body.hints[0]).toEqual({
      id: "ask",
      kind: "ask",
      cost: 10,
      available: true,
      taken: false,
      text: "Stuck? Ask us.",
    });
  });

  test("a restart keeps the asks: the server boots them from the database", async () => {
    const app = await setup('hint_tokens = { start = 2, every = "1h" }');
    await app.ask("One?");
    await app.admin("POST", "/api/admin/asks/1/reply", { answer: "North" });
    await app.ask("Two?");
    app.store.flush();

    const again = app.restart({
      toml: ASKS_TOML('hint_tokens = { start = 2, every = "1h" }'),
      clock: new FakeClock(START + 2 * MINUTE),
    });
    const get = (path: string, token: string) =>
      again.app.request(`${ORIGIN}${path}`, { headers: { authorization: `Bearer ${token}` } });
    // deno-lint-ignore no-explicit-any -- inspected field by field
    const mine: any = await (await get("/api/puzzles/lighthouse/asks", app.token)).json();
    expect(mine.asks.map((a: { status: string; answer: string | null }) => [a.status, a.answer]))
      .toEqual([["answered", "North"], ["open", null]]);
    expect(mine.tokens).toMatchObject({ given: 2, spent: 2, left: 0 });
    // deno-lint-ignore no-explicit-any -- inspected field by field
    const open: any = await (await get("/api/admin/asks", ADMIN_TOKEN)).json();
    expect(open.asks.map((a: { question: string }) => a.question)).toEqual(["Two?"]);
    // deno-lint-ignore no-explicit-any -- inspected field by field
    const board: any = await (await again.app.request(`${ORIGIN}/api/scoreboard`)).json();
    expect(board.teams[0].score).toBe(-20);
  });
});
