// The live events the three screens rely on: a page's own solve (echoed
// request id), and the organizers' guess feed (an admin-only event).
import { afterEach, describe, expect, test } from "bun:test";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { open } from "../_sse.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

function serve() {
  const made = makeApp();
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: made.app.fetch });
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

export { ADMIN_TOKEN };
