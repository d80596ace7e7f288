// The hot routes without the network, each served two ways side by side: by
// the app's `fetch` as `serve` runs it (the hot routes answered directly,
// http/hot.ts) and by Hono alone behind its middleware (`composeApp`), on two
// identical games. GET /api/puzzles and /api/puzzles/:id as a logged-in team,
// a wrong guess, judged and committed to an in-memory database, and the whole
// scoreboard (of one team: the route's own cost, not the board's bytes).
import { bench, do_not_optimize, run, summary } from "mitata";
import { composeApp } from "../src/server/mod.ts";
import { makeApp } from "../test/http/_app.ts";
import { OPEN_HUNT } from "./_generate.ts";

type Fetch = (request: Request) => Response | Promise<Response>;

async function side(direct: boolean): Promise<{ fetch: Fetch; token: string }> {
  const made = makeApp({ toml: OPEN_HUNT });
  const token = await made.register("Bench");
  const fetch: Fetch = direct ? made.app.fetch : composeApp(made.server.play).fetch;
  return { fetch, token };
}

const sides = { direct: await side(true), hono: await side(false) };
const url = "http://localhost";

function get(token: string, path: string): Request {
  return new Request(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}
function guess(token: string): Request {
  return new Request(`${url}/api/puzzles/p3/guesses`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: '{"answer":"wrong"}',
  });
}

const routes = [
  ["GET /api/puzzles", (token: string) => get(token, "/api/puzzles")],
  ["GET /api/puzzles/:id", (token: string) => get(token, "/api/puzzles/p3")],
  ["POST /api/puzzles/:id/guesses", guess],
  ["GET /api/scoreboard", () => new Request(`${url}/api/scoreboard`)],
] as const;

for (const [name, request] of routes) {
  for (const { fetch, token } of Object.values(sides)) {
    const res = await fetch(request(token));
    if (res.status !== 200) throw new Error(`${name} answered ${res.status}: ${await res.text()}`);
  }
  summary(() => {
    for (const [how, { fetch, token }] of Object.entries(sides)) {
      bench(`${name} (${how})`, async () => {
        const res = await fetch(request(token));
        do_not_optimize(await res.arrayBuffer());
      });
    }
  });
}

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
