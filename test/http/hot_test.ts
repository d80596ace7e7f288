// The hot routes (GET /api/puzzles, GET /api/puzzles/:id, POST
// /api/puzzles/:id/guesses and GET /api/scoreboard) are served two ways: directly by the app's
// `fetch` (and on Bun as Bun.serve routes), and by Hono behind its
// middleware. The same requests go to two identical games, one each way, and
// every answer must match: status, headers and body byte for byte, the
// last-contact token, the metrics and the logged errors.
import { afterAll, describe, expect, test } from "bun:test";
import { CONTACT_HEADER } from "../../src/play/mod.ts";
import { composeApp, listen, type Listener } from "../../src/server/mod.ts";
import { FakeClock, START } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";

interface Case {
  name: string;
  method?: string;
  path: string;
  /** Whose session the request carries (default: the team's Bearer token). */
  as?: "bearer" | "cookie" | "nobody" | "stranger" | "synced" | "admin";
  headers?: Record<string, string>;
  /** An Origin header; "same" is the server's own. */
  origin?: string;
  body?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
  /** Sent this many times at once; the answers are compared as a sorted set. */
  together?: number;
  /** The status both ways must answer, where the case is there for it. */
  status?: number;
  /** Done to each game before the request. */
  before?: (side: Side) => void;
}

interface Side {
  made: ReturnType<typeof makeApp>;
  /** The team's session token, and one opened on "another node" that only `sync` brings here. */
  token: string;
  synced: string;
  origin: string;
  send(request: Request): Promise<Response>;
  logs: string[];
}

const HUNT = `
[hunt]
title = "Hot routes"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z

[[puzzle]]
id = "a"
title = "A"
round = "r1"
points = 10
answer = ["alpha"]
partial = [{ answer = "alp", message = "Keep going" }]

[[puzzle.hint]]
id = "free"
text = "Free hint"

[[puzzle]]
id = "b"
title = "B"
round = "r1"
points = 20
answer = ["bravo"]
guess_limit = { count = 1000, per = "1m" }

[[puzzle]]
id = "c"
title = "C"
round = "r1"
answer = ["charlie"]
guess_limit = { count = 2, per = "1m" }

[[puzzle]]
id = "after-a"
title = "After A"
round = "r2"
unlock = 'solved("a")'
answer = ["x"]

[[puzzle]]
id = "later"
title = "Later"
round = "r2"
unlock = "minutes() >= 300"
answer = ["y"]
`;

const guess = (answer: unknown) => JSON.stringify({ answer });
const bigBody = `{"answer":"${"x".repeat(70_000)}"}`;
const chunked = (text: string) => () => {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 8192) {
        controller.enqueue(bytes.slice(at, at + 8192));
      }
      controller.close();
    },
  });
};
const badUtf8 = new Uint8Array([...new TextEncoder().encode('{"answer":"'), 0xff, 34, 125]);
const A = "/api/puzzles/a/guesses";
const B = "/api/puzzles/b/guesses";
const C = "/api/puzzles/c/guesses";
const EVIL = "https://evil.example";
/** Stands for the ETag the side's board (or its part) has when the request is sent. */
const ETAG = "<the current ETag>";

/**
 * Holds the game's next commit until the next request with the same Idempotency-Key has found
 * the first in flight, so that the second comes while the first is in flight however slow the
 * machine (a fixed delay let a late second request find the first answered, and replay it).
 */
function slowCommit({ made }: Side): void {
  const game = made.game;
  const keys = game.idempotency;
  const commit = game.commit;
  const begin = keys.begin;
  let found: () => void = () => {};
  const inFlight = new Promise<void>((resolve) => found = resolve);
  keys.begin = (...args) => {
    const check = begin.apply(keys, args);
    if (check.kind === "in_flight") {
      keys.begin = begin;
      found();
    }
    return check;
  };
  game.commit = async (writes) => {
    game.commit = commit;
    // Bounded, so that a second request that never finds the first in flight fails the test
    // (compare() checks `stalls`) instead of hanging it: Deno's runner has no test timeout.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = await Promise.race([
      inFlight.then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 4_000)),
    ]);
    clearTimeout(timer);
    if (!waited) stalls.push("no second request found the first in flight");
    await commit(writes);
  };
}

/** What slowCommit waited for in vain. */
const stalls: string[] = [];

/** Makes the game's next Idempotency-Key lookup throw, as a bug would. */
function brokenKeys({ made }: Side): void {
  const keys = made.game.idempotency;
  const begin = keys.begin;
  keys.begin = () => {
    keys.begin = begin;
    throw new Error("The key index broke");
  };
}

const CASES: Case[] = [
  // The list.
  { name: "the list", path: "/api/puzzles" },
  { name: "the list with a query", path: "/api/puzzles?view=all" },
  { name: "the list with the cookie", path: "/api/puzzles", as: "cookie" },
  { name: "the list without a session", path: "/api/puzzles", as: "nobody" },
  { name: "the list with an unknown token", path: "/api/puzzles", as: "stranger" },
  { name: "the list with another node's session", path: "/api/puzzles", as: "synced" },
  { name: "the list, HEAD", method: "HEAD", path: "/api/puzzles" },
  { name: "the list, trailing slash", path: "/api/puzzles/" },
  { name: "the list, POST", method: "POST", path: "/api/puzzles", body: "{}" },
  {
    name: "the list, cookie from another origin",
    path: "/api/puzzles",
    as: "cookie",
    origin: EVIL,
  },
  // One puzzle.
  { name: "a puzzle", path: "/api/puzzles/a" },
  { name: "a puzzle, escaped id", path: "/api/puzzles/%61" },
  { name: "a puzzle, escaped slash", path: "/api/puzzles/a%2Fb" },
  { name: "a locked puzzle", path: "/api/puzzles/after-a" },
  { name: "an unknown puzzle", path: "/api/puzzles/nope" },
  { name: "a puzzle without a session", path: "/api/puzzles/a", as: "nobody" },
  { name: "a puzzle, trailing slash", path: "/api/puzzles/a/" },
  { name: "a puzzle, DELETE", method: "DELETE", path: "/api/puzzles/a" },
  { name: "a puzzle, HEAD", method: "HEAD", path: "/api/puzzles/a" },
  // The board, whole or in parts.
  { name: "the board", path: "/api/scoreboard" },
  { name: "the board without a session", path: "/api/scoreboard", as: "nobody" },
  { name: "the board with the cookie", path: "/api/scoreboard", as: "cookie" },
  { name: "the board with an unknown token", path: "/api/scoreboard", as: "stranger" },
  {
    name: "the board, unchanged since its ETag",
    path: "/api/scoreboard",
    headers: { "if-none-match": ETAG },
    status: 304,
  },
  { name: "the board, an old ETag", path: "/api/scoreboard", headers: { "if-none-match": '"x"' } },
  { name: "the board, HEAD", method: "HEAD", path: "/api/scoreboard" },
  { name: "the board, POST", method: "POST", path: "/api/scoreboard", body: "{}" },
  { name: "the board, trailing slash", path: "/api/scoreboard/" },
  { name: "the board, a longer path", path: "/api/scoreboards" },
  { name: "the board's history", path: "/api/scoreboard/history" },
  ...[
    "limit=1",
    "limit=1&offset=1",
    "offset=5",
    "limit=%31",
    "limit=1&limit=x",
    "limit=0",
    "limit=abc",
    "offset=-1",
    "around=me",
    "around=me&limit=2",
    "around=me&offset=1",
    "around=you",
    "around",
    "division=nope",
    "limit=1&unknown=1",
    "division=kids",
    "division=kid%73&limit=1",
    "divisio%6E=kids",
    "division=%ZZ",
    "division=%E0%A4%A",
    "division=k%00ids",
    "division=kids+",
    "limit=1+",
    "limit=%2B1",
    "&&limit=1&",
    "limit=1&around=me&division=adults",
    "=1&limit=2",
    "limit",
    "division=kids&division=adults",
  ].map((query): Case => ({ name: `the board, ?${query}`, path: `/api/scoreboard?${query}` })),
  {
    name: "the board around a team without a session",
    path: "/api/scoreboard?around=me",
    as: "nobody",
  },
  {
    name: "the board around a team, unchanged since its ETag",
    path: "/api/scoreboard?around=me",
    headers: { "if-none-match": ETAG },
    status: 304,
  },
  // Guesses and their results.
  { name: "guesses, GET", path: B },
  { name: "a wrong guess", method: "POST", path: B, body: guess("nope") },
  { name: "a partial guess", method: "POST", path: A, body: guess("alp") },
  {
    name: "a guess, escaped id",
    method: "POST",
    path: "/api/puzzles/%62/guesses",
    body: guess("e"),
  },
  { name: "a guess, trailing slash", method: "POST", path: `${B}/`, body: guess("x") },
  { name: "a right guess", method: "POST", path: A, body: guess("alpha") },
  { name: "a guess after the solve", method: "POST", path: A, body: guess("x") },
  { name: "the list after a solve", path: "/api/puzzles" },
  { name: "the unlocked puzzle", path: "/api/puzzles/after-a" },
  { name: "the board after a solve", path: "/api/scoreboard" },
  { name: "the board after a solve, without a session", path: "/api/scoreboard", as: "nobody" },
  {
    name: "a guess on a locked puzzle",
    method: "POST",
    path: "/api/puzzles/later/guesses",
    body: guess("y"),
  },
  {
    name: "a guess on an unknown puzzle",
    method: "POST",
    path: "/api/puzzles/zz/guesses",
    body: guess("z"),
  },
  { name: "a guess over 500 characters", method: "POST", path: B, body: guess("y".repeat(501)) },
  // Sessions.
  { name: "no session", method: "POST", path: B, as: "nobody", body: guess("x") },
  { name: "no session, bad JSON", method: "POST", path: B, as: "nobody", body: "{" },
  { name: "an unknown token", method: "POST", path: B, as: "stranger", body: guess("x") },
  { name: "another node's session", method: "POST", path: B, as: "synced", body: guess("x") },
  // Bodies.
  { name: "bad JSON", method: "POST", path: B, body: '{"answer":' },
  { name: "bad UTF-8", method: "POST", path: B, body: badUtf8 },
  { name: "a JSON array", method: "POST", path: B, body: '["bravo"]' },
  { name: "JSON null", method: "POST", path: B, body: "null" },
  { name: "an unknown field", method: "POST", path: B, body: '{"answer":"x","extra":1}' },
  { name: "a wrong type", method: "POST", path: B, body: '{"answer":7}' },
  { name: "an empty body", method: "POST", path: B },
  { name: "whitespace only", method: "POST", path: B, body: "  \n" },
  { name: "too large, declared", method: "POST", path: B, body: bigBody },
  { name: "too large, chunked", method: "POST", path: B, body: chunked(bigBody) },
  { name: "chunked, within the limit", method: "POST", path: B, body: chunked(guess("chunks")) },
  {
    name: "a text/plain body",
    method: "POST",
    path: B,
    headers: { "content-type": "text/plain" },
    body: guess("plain"),
  },
  // CSRF.
  { name: "the cookie without Origin", method: "POST", path: B, as: "cookie", body: guess("c1") },
  {
    name: "the cookie from this origin",
    method: "POST",
    path: B,
    as: "cookie",
    origin: "same",
    body: guess("c2"),
  },
  {
    name: "the cookie from another origin",
    method: "POST",
    path: B,
    as: "cookie",
    origin: EVIL,
    body: guess("c3"),
  },
  {
    name: "the cookie, a cross-site fetch",
    method: "POST",
    path: B,
    as: "cookie",
    headers: { "sec-fetch-site": "cross-site" },
    body: guess("c4"),
  },
  { name: "Bearer from another origin", method: "POST", path: B, origin: EVIL, body: guess("c5") },
  // Idempotency-Key, and actions made offline.
  ...[
    ["a key", "k1", guess("k")],
    ["its replay", "k1", guess("k")],
    ["its key with another payload", "k1", guess("other")],
    ["a quoted key", '"k2"', guess("q")],
    ["a key that is not ASCII", "é", guess("q")],
  ].map(([name, key, body]): Case => ({
    name: name!,
    method: "POST",
    path: B,
    headers: { "idempotency-key": key! },
    body: body!,
  })),
  {
    name: "a duplicate in flight",
    method: "POST",
    path: B,
    headers: { "idempotency-key": "k3" },
    body: guess("d"),
    together: 2,
    before: slowCommit,
  },
  {
    name: "pressed offline",
    method: "POST",
    path: B,
    headers: { "cairn-pressed-at": String(START - 5000), "cairn-contact": "1.2.x" },
    body: guess("offline"),
  },
  {
    name: "a bad pressed time",
    method: "POST",
    path: B,
    headers: { "cairn-pressed-at": "soon" },
    body: guess("x"),
  },
  {
    name: "a request id",
    method: "POST",
    path: B,
    headers: { "x-request-id": "r-1" },
    body: guess("r"),
  },
  {
    name: "a bad request id",
    method: "POST",
    path: B,
    headers: { "x-request-id": "no spaces" },
    body: guess("r"),
  },
  // The guess limit.
  { name: "wrong 1", method: "POST", path: C, body: guess("w1") },
  { name: "wrong 2", method: "POST", path: C, body: guess("w2") },
  { name: "rate limited", method: "POST", path: C, body: guess("w3") },
  // Failures.
  {
    name: "an unexpected error",
    method: "POST",
    path: B,
    headers: { "idempotency-key": "boom" },
    body: guess("x"),
    before: brokenKeys,
  },
  {
    name: "a failed commit",
    method: "POST",
    path: B,
    body: guess("lost"),
    before: ({ made }) =>
      made.db.exec(
        "CREATE TRIGGER no_guesses BEFORE INSERT ON guesses BEGIN SELECT RAISE(ABORT, 'no'); END",
      ),
  },
  { name: "a guess once the store failed", method: "POST", path: B, body: guess("later") },
  { name: "the list once the store failed", path: "/api/puzzles" },
  // A token the shared log cannot tell, now that it cannot be read: 503 where it would be 401.
  {
    name: "an unknown token on the list, the log unreadable",
    path: "/api/puzzles",
    as: "stranger",
    status: 503,
  },
  {
    name: "an unknown token on the board, the log unreadable",
    path: "/api/scoreboard",
    as: "stranger",
    status: 200,
  },
  {
    name: "an unknown token around its team, the log unreadable",
    path: "/api/scoreboard?around=me",
    as: "stranger",
    status: 503,
  },
  // The admin token is no team's: no log to read for it, and its 401 stays one.
  {
    name: "the admin token on the list, the log unreadable",
    path: "/api/puzzles",
    as: "admin",
    status: 401,
  },
  {
    name: "the admin token on the board, the log unreadable",
    path: "/api/scoreboard",
    as: "admin",
    status: 200,
  },
  { name: "the board once the store failed", path: "/api/scoreboard" },
];

function requestFor(side: Side, c: Case): Request {
  const headers = new Headers(c.headers);
  if (headers.get("if-none-match") === ETAG) headers.set("if-none-match", etagOf(side, c));
  const as = c.as ?? "bearer";
  if (as === "bearer") headers.set("authorization", `Bearer ${side.token}`);
  if (as === "stranger") headers.set("authorization", "Bearer no-such-session");
  if (as === "synced") headers.set("authorization", `Bearer ${side.synced}`);
  if (as === "admin") headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
  if (as === "cookie") headers.set("cookie", `theme=dark; cairn_session=${side.token}`);
  if (c.origin !== undefined) headers.set("origin", c.origin === "same" ? side.origin : c.origin);
  const body = typeof c.body === "function" ? c.body() : c.body;
  if (body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  return new Request(`${side.origin}${c.path}`, {
    method: c.method ?? "GET",
    headers,
    ...(body !== undefined && { body, duplex: "half" }),
  } as RequestInit);
}

/** The ETag of the board, or of the part of it, a case asks for, as the side's game has it now. */
function etagOf(side: Side, c: Case): string {
  const { live, accounts } = side.made.game;
  if (!c.path.includes("around=me")) return live.scoreboardJson().etag;
  const at = live.positionOf(accounts.teamFor(side.token)!)!;
  return live.scoreboardJson(undefined, { offset: Math.max(0, at - 3), limit: 7 }).etag;
}

/** What must match: everything but the date, and the contact token's signature (each game has its key). */
async function seen(side: Side, res: Response) {
  const contact = res.headers.get(CONTACT_HEADER);
  if (contact !== null) {
    expect(side.made.game.contacts.verify(contact, Number(contact.split(".")[0]))?.at).toBe(
      Math.floor(START / 1000) * 1000,
    );
  }
  return {
    status: res.status,
    headers: [...res.headers].filter(([name]) => name !== "date" && name !== CONTACT_HEADER)
      .map(([name, value]) => `${name}: ${value}`).sort(),
    contact: contact?.split(".").slice(0, 2).join("."),
    body: await res.text(),
  };
}

/** A game whose store reads a "shared log" on an unknown token: it holds one session opened elsewhere. */
async function game(): Promise<Omit<Side, "origin" | "send">> {
  // What another node committed, and this one reads on the next sync.
  const elsewhereLog: (() => void)[] = [];
  const logs: string[] = [];
  const made = makeApp({
    toml: HUNT,
    log: (line) => logs.push(line),
    sync: () => Promise.resolve(elsewhereLog.splice(0).forEach((arrive) => arrive())),
  });
  const token = await made.register("Gulls");
  const teamId = made.game.accounts.teamFor(token)!;
  const elsewhere = made.game.accounts.openSession(teamId, made.clock.now());
  elsewhereLog.push(elsewhere.open);
  return { made, token, synced: elsewhere.token, logs };
}

/** Sends every case to both sides in turn and expects the same answers. */
async function compare(direct: Side, hono: Side): Promise<void> {
  for (const c of CASES) {
    const answers = [];
    for (const side of [direct, hono]) {
      c.before?.(side);
      const sent = await Promise.all(
        Array.from({ length: c.together ?? 1 }, () => side.send(requestFor(side, c))),
      );
      const all = await Promise.all(sent.map((res) => seen(side, res)));
      answers.push(all.sort((x, y) => x.status - y.status));
    }
    expect(answers[0], c.name).toEqual(answers[1]!);
    if (c.status !== undefined) expect(answers[0]![0]!.status, c.name).toBe(c.status);
  }
  expect(stalls.splice(0)).toEqual([]);
  const requests = (side: Side) =>
    side.made.metrics.text().then((text) =>
      text.split("\n").filter((line) => line.startsWith("cairn_http_requests_total{"))
    );
  expect(await requests(direct)).toEqual(await requests(hono));
  const errors = (side: Side) =>
    side.logs.filter((line) => line.includes("level=error")).map((line) =>
      line.replace(/^ts=\S+ /, "").replace(/ stack=.*$/, "")
    );
  expect(errors(direct)).toEqual(errors(hono));
  // A bug is logged as one; the failed commit as one, and the guess refused after it for the same
  // reason is left out (a kind of failure is logged once every 10 s: error_log_test.ts).
  expect(errors(direct)).toEqual([
    'level=error event=unhandled_error message="The key index broke"',
    'level=error event=commit_failed message="Cannot save to the database: no"',
  ]);
}

const listeners: Listener[] = [];
afterAll(async () => {
  for (const listener of listeners) await listener.stop(true);
});

describe("the hot routes, served directly and through Hono", () => {
  test("answer the same, in process (app.fetch against Hono alone)", async () => {
    const direct = await game();
    const hono = await game();
    const honoApp = composeApp(hono.made.server.play);
    await compare(
      { ...direct, origin: "http://localhost", send: async (r) => await direct.made.app.fetch(r) },
      { ...hono, origin: "http://localhost", send: async (r) => await honoApp.fetch(r) },
    );
  });

  test("answer the same over a socket (Bun.serve routes or Deno.serve, against Hono alone)", async () => {
    const direct = await game();
    const hono = await game();
    const servers = [
      listen({ hostname: "127.0.0.1", port: 0, fetch: direct.made.app.fetch }),
      listen({ hostname: "127.0.0.1", port: 0, fetch: composeApp(hono.made.server.play).fetch }),
    ];
    listeners.push(...servers);
    const side = (made: Omit<Side, "origin" | "send">, server: Listener): Side => ({
      ...made,
      origin: `http://127.0.0.1:${server.port}`,
      send: (request) => fetch(request),
    });
    await compare(side(direct, servers[0]!), side(hono, servers[1]!));
  });

  test("a read that needs no waiting is answered as a Response, not a promise", async () => {
    const { app, register } = makeApp({ toml: HUNT });
    const token = await register("Gulls");
    const headers = { authorization: `Bearer ${token}` };
    for (
      const path of [
        "/api/puzzles",
        "/api/puzzles/a",
        "/api/puzzles/nope",
        "/api/puzzles/after-a",
        "/api/scoreboard",
        "/api/scoreboard?around=me",
      ]
    ) {
      const answered = app.fetch(new Request(`http://localhost${path}`, { headers }));
      expect(answered).toBeInstanceOf(Response);
      expect((answered as Response).headers.get(CONTACT_HEADER)).toMatch(/^\d+\.\d+\./);
    }
    // An unknown token, with no shared log to read: a 401 at once, with no contact token.
    const refused = app.fetch(
      new Request("http://localhost/api/puzzles", { headers: { authorization: "Bearer nope" } }),
    );
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(401);
    expect((refused as Response).headers.has(CONTACT_HEADER)).toBe(false);
    // A guess waits for its commit.
    const guessed = app.fetch(
      new Request("http://localhost/api/puzzles/b/guesses", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: '{"answer":"wrong"}',
      }),
    );
    expect(guessed).toBeInstanceOf(Promise);
    expect((await guessed).status).toBe(200);
  });

  test("the list and a puzzle read the hunt's clock once a request, both ways", async () => {
    // The engine's `now()` reads the wall clock and the monotonic one; the hot reads took it
    // four times a request (the contact token, the catch-up, the freeze, the list's cache).
    class CountingClock extends FakeClock {
      reads = 0;
      override now(): number {
        this.reads++;
        return super.now();
      }
    }
    for (const way of ["direct", "hono"] as const) {
      const clock = new CountingClock(START + 60_000);
      const made = makeApp({ clock });
      const token = await made.register("Gulls");
      const fetch = way === "direct" ? made.app.fetch : composeApp(made.server.play).fetch;
      for (const path of ["/api/puzzles", "/api/puzzles/a"]) {
        const request = () =>
          new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect((await fetch(request())).status).toBe(200); // the first may catch the team up
        clock.reads = 0;
        const res = await fetch(request());
        expect(res.status).toBe(200);
        expect(res.headers.has(CONTACT_HEADER)).toBe(true);
        // Hono's front middleware issues the contact token on its own reading.
        expect({ way, path, reads: clock.reads }).toEqual({
          way,
          path,
          reads: way === "direct" ? 1 : 2,
        });
      }
    }
  });

  test("the app's fetch answers them without Hono's chain, and carries them as routes", () => {
    const { app } = makeApp();
    expect(Object.keys((app.fetch as { routes?: object }).routes ?? {})).toEqual([
      "/api/puzzles",
      "/api/puzzles/:id",
      "/api/puzzles/:id/guesses",
      "/api/scoreboard",
    ]);
  });
});
