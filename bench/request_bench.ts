// The request path through the whole Hono app (middleware included), without
// the network: GET /api/puzzles as a logged-in team, via app.request. Run it
// before and after changing middleware to see what the change costs.
import { bench, do_not_optimize, run } from "mitata";
import { makeApp } from "../test/http/_app.ts";

const { app, register } = makeApp();
const token = await register("Bench");
const init = { headers: { authorization: `Bearer ${token}` } };
const check = await app.request("http://localhost/api/puzzles", init);
if (check.status !== 200) throw new Error(`GET /api/puzzles answered ${check.status}`);

bench("GET /api/puzzles (app.request, authenticated)", async () => {
  const res = await app.request("http://localhost/api/puzzles", init);
  do_not_optimize(await res.arrayBuffer());
});

await run();
