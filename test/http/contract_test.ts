// The API's OpenAPI document: valid OpenAPI 3.1, served at /api/openapi.json,
// listing every route the app mounts, and matching what each route answers
// (every call through `_app.ts` is also checked against it: see _contract.ts).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { Hono } from "hono";
import * as v from "valibot";
import { apiRoutes, installFront } from "../../src/http/mod.ts";
import { ERRORS, findRoute, openApiDocument, ROUTES } from "../../src/play/mod.ts";
import { EVENTS, Results } from "../../src/play/responses.ts";
import { listen } from "../../src/server/mod.ts";
import { RESULT_COLUMNS, RESULT_TABLES } from "../../src/store/mod.ts";
import { open } from "../_sse.ts";
import { ASKS_TOML } from "../engine/_asks.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { checkContract } from "./_contract.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN, removeUploads } from "./_app.ts";
import { jpegWithGps } from "./_jpeg.ts";

// Removes the mission uploads the apps kept (see _app.ts).
afterAll(removeUploads);

// deno-lint-ignore no-explicit-any -- the document is inspected as plain JSON
const doc = openApiDocument() as any;

/** A Hono route pattern in OpenAPI's form: `/puzzles/:id/assets/:file{.+}` → `/puzzles/{id}/assets/{file}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
const key = (method: string, path: string) => `${method.toUpperCase()} ${openApiPath(path)}`;
const documented = new Set(ROUTES.map((route) => key(route.method, route.path)));

describe("the OpenAPI document", () => {
  test("is valid OpenAPI 3.1", async () => {
    expect(doc.openapi).toBe("3.1.0");
    // The validator dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc));
  });

  test("GET /api/openapi.json serves it", async () => {
    const { call } = makeApp();
    const reply = await call("GET", "/api/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(reply.body).toEqual(doc);
  });

  test("lists every route the API mounts", () => {
    const { play } = makeApp().server;
    const api = new Hono();
    installFront(api, play);
    api.route("/", apiRoutes(play));
    const mounted = api.routes.filter((r) => r.method !== "ALL").map((r) => key(r.method, r.path));
    const missing = mounted.filter((route) => !documented.has(route));
    // A route added to http/ must be added to ROUTES in src/play/openapi.ts too.
    expect(missing, `routes missing from src/play/openapi.ts ROUTES: ${missing}`).toEqual([]);
  });

  test("documents only routes the app mounts", () => {
    const { app } = makeApp();
    const mounted = new Set(app.routes.map((r) => key(r.method, r.path)));
    expect([...documented].filter((route) => !mounted.has(route))).toEqual([]);
  });

  test("names every error code of the catalogue, with its status", () => {
    expect(doc.components.schemas.ErrorCode.enum).toEqual(Object.keys(ERRORS));
    expect(doc.components.schemas.Error.properties.error.properties.code.enum)
      .toEqual(Object.keys(ERRORS));
    // A route's error answers list its codes, each under its own status.
    const guess = doc.paths["/api/puzzles/{id}/guesses"].post.responses;
    const codes = (status: number) =>
      guess[String(status)].content["application/json"].schema.properties.error.properties.code
        .enum;
    expect(codes(409)).toEqual(["hunt_not_running", "conflict"]);
    expect(codes(422)).toEqual(["unprocessable"]);
    expect(codes(429)).toEqual(["rate_limited"]);
    expect(guess["429"].headers["Retry-After"]).toBeDefined();
    expect(codes(400)).toEqual(["bad_request"]);
    expect(codes(413)).toEqual(["payload_too_large"]);
  });

  test("converts each request body from the schema that validates it", () => {
    const schema = (path: string) =>
      doc.paths[path].post.requestBody.content["application/json"].schema;
    expect(schema("/api/puzzles/{id}/guesses")).toEqual({
      type: "object",
      properties: { answer: { type: "string" } },
      required: ["answer"],
      additionalProperties: false,
    });
    expect(schema("/api/teams").properties.password).toEqual({
      type: "string",
      minLength: 8,
      maxLength: 256,
    });
    expect(schema("/api/admin/adjustments").properties.points).toEqual({
      type: "integer",
      minimum: -1_000_000,
      maximum: 1_000_000,
    });
    expect(doc.paths["/api/admin/reload"].post.requestBody.required).toBe(false);
  });

  test("describes the SSE event types", () => {
    const events = doc.paths["/api/events"].get["x-events"];
    expect(Object.keys(events)).toEqual([
      "scoreboard",
      "announcement",
      "hunt",
      "solve",
      "wrong_guess",
      "extra_guesses",
      "puzzle_updated",
      "puzzle_removed",
      "puzzle_values",
      "unlock",
      "submission",
      "ask",
      "guess",
    ]);
    expect(doc.components.schemas.Event_unlock.properties.puzzles.type).toBe("array");
  });

  test("docs/api.md's table of live events lists the same events as x-events, in order", () => {
    // A URL, not import.meta.dir: this file runs on Deno too.
    const api = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
    const section = api.slice(api.indexOf("## Live events"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| event")));
    const listed = [...table.matchAll(/^\| `(\w+)`/gm)].map((match) => match[1]);
    expect(listed).toEqual(Object.keys(EVENTS));
  });
});

describe("every route answers as documented", () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-contract-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "a"), { recursive: true });
  writeFileSync(join(dir, "a", "map.txt"), "a map");

  test("each route's main answer, through the contract check", async () => {
    const { call, register, admin, clock } = makeApp({ toml: HUNT_TOML, assetsDir: dir });
    const token = await register("Gulls", { division: "kids", members: ["Ann"] });
    const seen = new Set<string>();
    let caller = call; // the app called: the missions' routes need a hunt with missions
    const as = async (
      method: string,
      path: string,
      init: Parameters<typeof call>[2] = {},
      status = 200,
    ) => {
      const reply = await caller(method, path, init);
      expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 300)}`).toBe(status);
      const route = findRoute(method, new URL(`${ORIGIN}${path}`).pathname);
      seen.add(`${method} ${route?.path}`);
      return reply;
    };
    // Public.
    await as("GET", "/healthz");
    await as("GET", "/metrics");
    await as("GET", "/api/openapi.json");
    await as("GET", "/api/hunt");
    const board = await as("GET", "/api/scoreboard");
    await as(
      "GET",
      "/api/scoreboard",
      { headers: { "if-none-match": board.headers.get("etag")! } },
      304,
    );
    await as("GET", "/api/scoreboard?division=kids");
    await as("GET", "/api/scoreboard/history");
    await as("GET", "/api/ctftime");
    await as("GET", "/c/cp-123", { token, headers: { accept: "text/html" } });
    // A team.
    await as("POST", "/api/teams", { body: { name: "Terns", password: "correct horse" } }, 201);
    const login = await as("POST", "/api/session", {
      body: { name: "Terns", password: "correct horse" },
    });
    await as("DELETE", "/api/session", { token: login.body.token });
    await as("GET", "/api/puzzles", { token });
    await as("GET", "/api/puzzles/a", { token });
    await as("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alp" } });
    await as("POST", "/api/puzzles/a/hints/free", { token });
    await as("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await as("GET", "/api/puzzles/a/guesses", { token });
    await as("GET", "/api/stats", {}, 403); // this hunt publishes no solutions (stats_test.ts: 200)
    await as("POST", "/api/checkins", { token, body: { code: "cp-123" } });
    await as("GET", "/puzzles/a/assets/map.txt", { token });
    // Organizers.
    clock.advance(60_000);
    await as("GET", "/api/admin/teams", { token: ADMIN_TOKEN });
    const team = (await admin("GET", "/api/admin/teams")).body.teams[0].id;
    await as("GET", `/api/admin/teams/${team}`, { token: ADMIN_TOKEN });
    await as("GET", "/api/admin/guesses?after=0&limit=10", { token: ADMIN_TOKEN });
    await as("POST", "/api/admin/announcements", { token: ADMIN_TOKEN, body: { text: "Hi" } }, 201);
    await as("POST", "/api/admin/adjustments", {
      token: ADMIN_TOKEN,
      body: { team, points: 5, reason: "Kind" },
    }, 201);
    await as("POST", "/api/admin/extra-guesses", {
      token: ADMIN_TOKEN,
      body: { team, puzzle: "b", count: 2 },
    }, 201);
    await as("DELETE", `/api/admin/teams/${team}/submitter`, { token: ADMIN_TOKEN });
    await as("PUT", `/api/admin/teams/${team}/name`, {
      token: ADMIN_TOKEN,
      body: { name: "Gull" },
    });
    await as("PUT", `/api/admin/teams/${team}/password`, {
      token: ADMIN_TOKEN,
      body: { password: "battery staple", logout: false },
    });
    // Hidden, then shown again: the rest plays on a team that is on the board.
    for (const hidden of [true, false]) {
      await as("PUT", `/api/admin/teams/${team}/hidden`, { token: ADMIN_TOKEN, body: { hidden } });
    }
    // Banned, its ban lifted, and shown again.
    for (const banned of [true, false]) {
      await as("PUT", `/api/admin/teams/${team}/banned`, { token: ADMIN_TOKEN, body: { banned } });
    }
    await as("PUT", `/api/admin/teams/${team}/hidden`, {
      token: ADMIN_TOKEN,
      body: { hidden: false },
    });
    await as("POST", "/api/admin/scoreboard", { token: ADMIN_TOKEN, body: { frozen: true } });
    await as("POST", "/api/admin/reload", { token: ADMIN_TOKEN });
    await as("GET", "/api/admin/stats", { token: ADMIN_TOKEN });
    await as("GET", "/api/admin/export", { token: ADMIN_TOKEN });
    // Missions: a photo, the team's list and the file, a judge's claim and verdict.
    const missions = makeApp({ toml: MISSIONS_TOML });
    missions.clock.advance(60_000);
    caller = missions.call;
    const gull = await missions.register("Gulls");
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps()], { type: "image/jpeg" }), "me.jpg");
    const sent = await as(
      "POST",
      "/api/puzzles/statue/submissions",
      { token: gull, raw: form },
      201,
    );
    const id = sent.body.submission.id;
    await as("GET", "/api/puzzles/statue/submissions", { token: gull });
    await as("GET", `/api/submissions/${id}/file`, { token: gull });
    await as("GET", "/api/admin/export/files?team=1", { token: ADMIN_TOKEN });
    await as("POST", "/api/admin/judge/claim", { token: ADMIN_TOKEN, body: { judge: "ann" } });
    await as("POST", `/api/admin/submissions/${id}/verdict`, {
      token: ADMIN_TOKEN,
      body: { accept: true },
    });
    // Asks: a question, the team's list, the organizers' list and reply, a withdrawal.
    const asks = makeApp({ toml: ASKS_TOML() });
    asks.clock.advance(60_000);
    caller = asks.call;
    const tern = await asks.register("Terns");
    const question = { token: tern, body: { question: "Is it a star?" } };
    await as("POST", "/api/puzzles/lighthouse/hints/ask/asks", question, 201);
    await as("GET", "/api/puzzles/lighthouse/asks", { token: tern });
    await as("GET", "/api/admin/asks", { token: ADMIN_TOKEN });
    await as("POST", "/api/admin/asks/1/reply", { token: ADMIN_TOKEN, body: { answer: "Yes" } });
    await as("POST", "/api/puzzles/lighthouse/hints/ask/asks", question, 201);
    await as("DELETE", "/api/asks/2", { token: tern });
    // Each route of the document was called above (events: below). A new route needs a call here.
    const uncalled = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((route) => !seen.has(route) && route !== "GET /api/events");
    expect(uncalled).toEqual([]);
  });

  test("every SSE event's data matches its documented schema", async () => {
    // With the puzzles' solves shown: the team's own solve changes a count (`puzzle_values`).
    const shown = HUNT_TOML.replace(
      'title = "Test Hunt"',
      'title = "Test Hunt"\nshow_solves = true',
    );
    const made = makeApp({ coalesceMs: 0, toml: shown });
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: made.app.fetch });
    try {
      const token = await made.register("Gulls");
      const stream = await open(`http://127.0.0.1:${server.port}`, {
        authorization: `Bearer ${token}`,
      });
      // The organizers' stream gets the admin-only events.
      const organizers = await open(`http://127.0.0.1:${server.port}`, {
        authorization: `Bearer ${ADMIN_TOKEN}`,
      });
      checkContract("GET", `${ORIGIN}/api/events`, {
        status: stream.res.status,
        headers: stream.res.headers,
        body: undefined,
      });
      await made.admin("POST", "/api/admin/announcements", { text: "Hello" });
      await made.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
      await made.admin("POST", "/api/admin/extra-guesses", { team: 1, puzzle: "a", count: 2 });
      await made.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
      // A reload that moves the end, retitles a puzzle the team has, and removes another (its id
      // renamed).
      made.setToml(
        shown.replace("ends_at = 2026-11-21T16:00:00Z", "ends_at = 2026-11-21T17:00:00Z")
          .replace('id = "a"\ntitle = "A"', 'id = "a"\ntitle = "A, corrected"')
          .replace('id = "b"\ntitle = "B"', 'id = "b2"\ntitle = "B"'),
      );
      expect((await made.admin("POST", "/api/admin/reload")).status).toBe(200);
      // A submission's event is checked against its schema in missions_test.ts, an ask's in
      // asks_test.ts (this hunt has neither); a guess's reaches the organizers' stream.
      for (const name of Object.keys(EVENTS)) {
        if (name !== "submission" && name !== "guess" && name !== "ask") {
          await stream.wait((e) => e.event === name);
        }
      }
      await organizers.wait((e) => e.event === "guess");
      await Promise.all([stream.close(), organizers.close()]);
      for (const event of [...stream.events, ...organizers.events]) {
        if (event.event === undefined) continue; // a heartbeat comment
        const schema = EVENTS[event.event as keyof typeof EVENTS];
        expect(schema, `undocumented event ${event.event}`).toBeDefined();
        const parsed = v.safeParse(schema, JSON.parse(event.data!));
        expect(parsed.success, `${event.event}: ${event.data}`).toBe(true);
      }
    } finally {
      await server.stop(true);
    }
  });

  test("a field the document does not have fails the check", async () => {
    const { call } = makeApp();
    const reply = await call("GET", "/api/hunt");
    const check = (body: unknown) => () =>
      checkContract("GET", `${ORIGIN}/api/hunt`, { status: 200, headers: reply.headers, body });
    expect(check(reply.body)).not.toThrow();
    expect(check({ ...reply.body, extra: 1 })).toThrow(
      'API contract: GET /api/hunt (200): the body does not match the OpenAPI document\n× Invalid key: Expected never but received "extra"',
    );
    const { title, ...renamed } = reply.body;
    expect(check({ ...renamed, name: title })).toThrow("API contract: GET /api/hunt (200)");
    // An answer the document does not list for the route fails too.
    expect(() =>
      checkContract("GET", `${ORIGIN}/api/hunt`, { status: 201, headers: reply.headers, body: {} })
    ).toThrow("API contract: GET /api/hunt (201): the OpenAPI document lists no 201 answer");
  });

  test("query parameters are refused outside the documented values", async () => {
    const { admin } = makeApp();
    const params = (path: string) =>
      Object.fromEntries(
        doc.paths[path].get.parameters.map((p: { name: string; schema: unknown }) => [
          p.name,
          p.schema,
        ]),
      );
    const feed = params("/api/admin/guesses");
    expect(feed.limit).toEqual({ type: "integer", minimum: 1, maximum: 1000 });
    expect(feed.after).toEqual({ type: "integer", minimum: 0 });
    const status = async (path: string) => (await admin("GET", path)).status;
    expect(await status("/api/admin/guesses?after=0&limit=1000")).toBe(200);
    expect(await status("/api/admin/guesses?limit=1")).toBe(200);
    expect(await status("/api/admin/guesses?limit=1001")).toBe(400);
    expect(await status("/api/admin/guesses?limit=0")).toBe(400);
    expect(await status("/api/admin/guesses?after=-1")).toBe(400);
    const exported = params("/api/admin/export");
    expect(exported.format.enum).toEqual(["json", "csv"]);
    expect(exported.table.enum).toEqual([...RESULT_TABLES]);
    for (const table of RESULT_TABLES) {
      expect(await status(`/api/admin/export?format=csv&table=${table}`)).toBe(200);
    }
    expect(await status("/api/admin/export?format=xml")).toBe(400);
    expect(await status("/api/admin/export?format=csv&table=nope")).toBe(400);
    // The JSON export's tables have the CSV's columns.
    for (const table of RESULT_TABLES) {
      expect(Object.keys(Results.entries[table].item.entries)).toEqual([...RESULT_COLUMNS[table]]);
    }
  });

  test("every body a route reads refuses an unknown field, as its schema says", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    for (const route of ROUTES.filter((r) => r.body !== undefined)) {
      const path = route.path.replace("{id}", "a").replace("{hint}", "free");
      const reply = await call(route.method.toUpperCase(), path, {
        token: route.access === "admin" ? ADMIN_TOKEN : token,
        body: { surely_unknown: 1 },
      });
      expect([reply.status, reply.body.error.code], `${route.method} ${route.path}`)
        .toEqual([400, "bad_request"]);
    }
  });
});
