// Compares the hot routes' own cost in two source trees (a worktree before a
// change and one after it), in one process, without the network: each tree's
// app (its `fetch`, as `serve` runs it, over an in-memory game) answers
// batches of the same request, the two trees taking turns batch by batch, in
// an order that flips each round. Drift in the machine's load then falls on
// both alike, so the median of the per-round ratios holds on a machine too busy
// for the HTTP load test (bench/load/ab.ts), which measures the whole server.
// It measures the JS of a route, not Bun's HTTP work around it.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { OPEN_HUNT } from "./_generate.ts";

export const USAGE = `Usage: bun bench/trees_ab.ts [options] BEFORE AFTER

Compares the hot routes of two source trees (folders holding Cairn's src/ and
test/, such as two git worktrees), in one process: batches of the same request
to each tree's app in turn, round after round, the order flipped each round.
Prints, per route, each tree's median time a request and the median of the
per-round ratios AFTER/BEFORE (below 1: AFTER is faster), with its spread.

Options:
  --route R   list, puzzle, scoreboard, guess (a wrong guess, committed to
              an in-memory database) or page (a puzzle's HTML page, the
              team's 10 wrong guesses on it listed); several as a comma list
              (default list,puzzle)
  --rounds N  rounds (default 60)
  --batch N   requests to one tree in a row (default 2000)
  --help      this text`;

const ROUTES = ["list", "puzzle", "scoreboard", "guess", "page"] as const;
type RouteName = (typeof ROUTES)[number];

/** A mistake in the command line, reported with the usage. */
export class UsageError extends Error {}

/** The options, or a UsageError. */
export function parseOptions(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        route: { type: "string", default: "list,puzzle" },
        rounds: { type: "string", default: "60" },
        batch: { type: "string", default: "2000" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true as const };
  const count = (name: "rounds" | "batch") => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1) {
      throw new UsageError(`--${name} must be a whole number of at least 1`);
    }
    return value;
  };
  const routes = values.route.split(",").map((r) => r.trim());
  for (const route of routes) {
    if (!ROUTES.includes(route as RouteName)) {
      throw new UsageError(`--route must be among ${ROUTES.join(", ")}, not "${route}"`);
    }
  }
  if (positionals.length !== 2) {
    throw new UsageError("name two source trees: BEFORE AFTER");
  }
  const trees = positionals.map((dir) => resolve(dir));
  for (const dir of trees) {
    if (!existsSync(join(dir, "test", "http", "_app.ts"))) {
      throw new UsageError(`${dir} is not a Cairn source tree (no test/http/_app.ts in it)`);
    }
  }
  return {
    help: false as const,
    routes: routes as RouteName[],
    rounds: count("rounds"),
    batch: count("batch"),
    trees: trees as [string, string],
  };
}

type Fetch = (request: Request) => Response | Promise<Response>;

/**
 * One tree's app over the request benchmarks' hunt (twenty open puzzles), a
 * team logged in that made 10 wrong guesses on the puzzle the routes ask for.
 */
async function appOf(dir: string): Promise<{ fetch: Fetch; token: string }> {
  const { makeApp } = await import(join(dir, "test", "http", "_app.ts"));
  const made = makeApp({ toml: OPEN_HUNT });
  const token: string = await made.register("Bench");
  for (let i = 0; i < 10; i++) {
    const reply = await made.call("POST", "/api/puzzles/p3/guesses", {
      token,
      body: { answer: `wrong ${i}` },
    });
    if (reply.status !== 200) throw new Error(`a guess answered ${reply.status}: ${reply.text}`);
  }
  return { fetch: made.app.fetch, token };
}

/** The request a route's batch repeats, as the test hunt's team `token`. */
function requestOf(route: RouteName, token: string): () => Request {
  const headers = { authorization: `Bearer ${token}` };
  switch (route) {
    case "list":
      return () => new Request("http://localhost/api/puzzles", { headers });
    case "puzzle":
      return () => new Request("http://localhost/api/puzzles/p3", { headers });
    case "scoreboard":
      return () => new Request("http://localhost/api/scoreboard");
    case "page":
      return () =>
        new Request("http://localhost/puzzles/p3", {
          headers: { cookie: `cairn_session=${token}`, accept: "text/html" },
        });
    case "guess":
      return () =>
        new Request("http://localhost/api/puzzles/p3/guesses", {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: '{"answer":"wrong"}',
        });
  }
}

/** Microseconds a request, over one batch. */
async function batchTime(fetch: Fetch, request: () => Request, batch: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < batch; i++) {
    const answer = fetch(request());
    const res = answer instanceof Response ? answer : await answer;
    if (res.status !== 200) throw new Error(`answered ${res.status}: ${await res.text()}`);
  }
  return ((performance.now() - started) * 1000) / batch;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const quantile = (xs: readonly number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/** Runs the comparison, and gives the lines it prints. */
export async function compare(
  options: { routes: RouteName[]; rounds: number; batch: number; trees: [string, string] },
): Promise<string[]> {
  const [before, after] = await Promise.all(options.trees.map(appOf));
  const lines = [
    `${options.rounds} rounds of ${options.batch} requests to each tree, in one process`,
    `BEFORE ${options.trees[0]}`,
    `AFTER  ${options.trees[1]}`,
  ];
  for (const route of options.routes) {
    const sides = [before!, after!];
    const times: number[][] = [[], []];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const side = sides[i]!;
        times[i]!.push(await batchTime(side.fetch, requestOf(route, side.token), options.batch));
      }
    }
    const ratios = times[1]!.map((t, i) => t / times[0]![i]!);
    lines.push(
      `${route}: BEFORE ${median(times[0]!).toFixed(2)} µs, AFTER ${
        median(times[1]!).toFixed(2)
      } µs a request; AFTER/BEFORE ${median(ratios).toFixed(3)} (middle half of the rounds ${
        quantile(ratios, 0.25).toFixed(3)
      }–${quantile(ratios, 0.75).toFixed(3)})`,
    );
  }
  return lines;
}

if (import.meta.main) {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`trees_ab.ts: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) console.log(USAGE);
  else for (const line of await compare(options)) console.log(line);
}
