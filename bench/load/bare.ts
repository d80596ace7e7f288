// The load test's baseline: a bare Hono app on the same runtime as the Cairn
// it is compared with (Bun, or Deno), with the same routes as Cairn's hot
// paths but no work behind them. It echoes a guess's
// JSON, and serves Cairn's own scoreboard and puzzle bytes (fetched from the
// running Cairn once, per team) pre-encoded, so payload size cancels out of
// every ratio. Usage: bun bench/load/bare.ts PORT PAYLOADS.json
// (or deno run -A bench/load/bare.ts PORT PAYLOADS.json)
import { readFileSync } from "node:fs";
import { Hono } from "hono";

interface Payloads {
  scoreboard: string;
  /** Per session token: that team's puzzle list, and its target puzzle. */
  puzzles: Record<string, string>;
  puzzle: Record<string, string>;
}

const port = Number(process.argv[2]);
const payloads = JSON.parse(readFileSync(process.argv[3]!, "utf8")) as Payloads;
const headers = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};
const encoder = new TextEncoder();
const encodeAll = (record: Record<string, string>) =>
  new Map(Object.entries(record).map(([token, json]) => [token, encoder.encode(json)]));
const scoreboard = encoder.encode(payloads.scoreboard);
const puzzles = encodeAll(payloads.puzzles);
const puzzle = encodeAll(payloads.puzzle);
const token = (header: string | undefined) => header?.slice("Bearer ".length) ?? "";

const app = new Hono();
app.post("/api/puzzles/:id/guesses", async (c) => c.json(await c.req.json()));
app.get("/api/scoreboard", () => new Response(scoreboard, { headers }));
app.get(
  "/api/puzzles",
  (c) => new Response(puzzles.get(token(c.req.header("authorization"))) ?? null, { headers }),
);
app.get(
  "/api/puzzles/:id",
  (c) => new Response(puzzle.get(token(c.req.header("authorization"))) ?? null, { headers }),
);
app.get("/healthz", (c) => c.json({ ok: true }));

interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen: () => void },
    handler: typeof app.fetch,
  ): void;
}
if ("Bun" in globalThis) Bun.serve({ hostname: "127.0.0.1", port, fetch: app.fetch });
else {
  (globalThis as unknown as { Deno: DenoServe }).Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    app.fetch,
  );
}
