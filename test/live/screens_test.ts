// The live events the three screens rely on: a page's own solve (echoed
// request id), and the organizers' guess feed (an admin-only event).
import { afterEach, describe, expect, test } from "bun:test";
import { listen, type Listener } from "../../src/server/mod.ts";
import { sleep } from "../_runtime.ts";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { open } from "../_sse.ts";

const servers: Listener[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(true);
});

function serve() {
  const made = makeApp();
  // The same listener as `cairn serve`: Bun.serve on Bun, Deno.serve on Deno.
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: made.app.fetch });
  servers.push(server);
  return { ...made, base: `http://127.0.0.1:${server.port}` };
}

describe("the solve event", () => {
  test("echoes the X-Request-Id the solving guess was sent with, so the page knows its own", async () => {
    const { base, register, call } = serve();
    const token = await register("Gulls");
    const stream = await open(base, { authorization: `Bearer ${token}` });
    await call("POST", "/api/puzzles/a/guesses", {
      token,
      body: { answer: "alpha" },
      headers: { "x-request-id": "page-7f3a" },
    });
    const solve = await stream.wait((e) => e.event === "solve");
    expect(JSON.parse(solve.data!)).toEqual({ puzzle: "a", request: "page-7f3a" });
    await stream.close();
  });

  test("carries no request id when none (or a malformed one) was sent", async () => {
    const { base, register, call } = serve();
    const token = await register("Gulls");
    const stream = await open(base, { authorization: `Bearer ${token}` });
    await call("POST", "/api/puzzles/a/guesses", {
      token,
      body: { answer: "alpha" },
      headers: { "x-request-id": "not a token <script>" },
    });
    expect(JSON.parse((await stream.wait((e) => e.event === "solve")).data!)).toEqual({
      puzzle: "a",
    });
    await stream.close();
  });
});

describe("the admin-only guess event", () => {
  test("reaches streams opened with the admin token or cookie, and no one else", async () => {
    const { base, register, call } = serve();
    const token = await register("Gulls");
    const byBearer = await open(base, { authorization: `Bearer ${ADMIN_TOKEN}` });
    const byCookie = await open(base, { cookie: `cairn_admin=${ADMIN_TOKEN}` });
    const team = await open(base, { authorization: `Bearer ${token}` });
    const anonymous = await open(base);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "sun" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    for (const stream of [byBearer, byCookie]) {
      await stream.wait((e) => e.event === "guess" && e.data!.includes('"result":"correct"'));
      const guesses = stream.events.filter((e) => e.event === "guess").map((e) =>
        JSON.parse(e.data!)
      );
      expect(guesses).toEqual([
        {
          id: expect.any(Number),
          team: 1,
          team_name: "Gulls",
          puzzle: "a",
          raw: "sun",
          result: "incorrect",
          at: expect.any(String),
        },
        expect.objectContaining({ team_name: "Gulls", raw: "alpha", result: "correct" }),
      ]);
    }
    await team.wait((e) => e.event === "solve");
    await anonymous.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
    await sleep(50);
    expect(team.events.filter((e) => e.event === "guess")).toEqual([]);
    expect(anonymous.events.filter((e) => e.event === "guess")).toEqual([]);
    await Promise.all([byBearer.close(), byCookie.close(), team.close(), anonymous.close()]);
  });

  test("a wrong admin token is refused, not taken for anonymous", async () => {
    const { base } = serve();
    const res = await fetch(`${base}/api/events`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
