// What compressing a page costs, to choose the pages' gzip level (play/encoding.ts): real pages
// rendered by the in-process app (the standings of 60 teams, a team's puzzle list and a puzzle),
// gzipped at each level and in brotli, then the whole page through the app as it goes to a
// browser (gzip) and to a client that asks for no coding. The bytes each gives are printed first.
import { bench, do_not_optimize, run, summary } from "mitata";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { SESSION_COOKIE } from "../src/play/mod.ts";
import { makeApp } from "../test/http/_app.ts";

const made = makeApp();
const tokens: string[] = [];
for (let i = 0; i < 60; i++) tokens.push(await made.register(`Team number ${i} of the harbor`));
const PATHS = ["/scoreboard", "/puzzles", "/puzzles/a"];

function request(path: string, acceptEncoding?: string): Request {
  return new Request(`http://localhost${path}`, {
    headers: {
      accept: "text/html",
      cookie: `${SESSION_COOKIE}=${tokens[0]}`,
      ...(acceptEncoding !== undefined && { "accept-encoding": acceptEncoding }),
    },
  });
}

const pages = new Map<string, Uint8Array>();
for (const path of PATHS) {
  const res = await made.app.fetch(request(path));
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  pages.set(path, new Uint8Array(await res.arrayBuffer()));
}

type Way = (bytes: Uint8Array) => Uint8Array;
const WAYS: Record<string, Way> = {
  "gzip 1": (b) => gzipSync(b, { level: 1 }),
  "gzip 4": (b) => gzipSync(b, { level: 4 }),
  "gzip 6": (b) => gzipSync(b, { level: 6 }),
  "gzip 9": (b) => gzipSync(b, { level: 9 }),
  "brotli 4": (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
};
for (const [path, bytes] of pages) {
  const sizes = Object.entries(WAYS).map(([way, f]) => `${way}: ${f(bytes).length}`);
  console.log(`${path}: ${bytes.length} bytes; ${sizes.join(", ")}`);
}

// The part of mitata's state these benchmarks read: their string arguments.
type Args = { get(name: string): string };

summary(() => {
  bench("$way of $page", function* (state: Args) {
    const bytes = pages.get(state.get("page"))!;
    const way = WAYS[state.get("way")]!;
    yield () => do_not_optimize(way(bytes));
  }).args("page", PATHS).args("way", Object.keys(WAYS));
});

summary(() => {
  bench("$page through the app, $coding", function* (state: Args) {
    const path = state.get("page");
    const coding = state.get("coding");
    const accept = coding === "gzip" ? "gzip, deflate, br" : undefined;
    yield async () => do_not_optimize(await (await made.app.fetch(request(path, accept))).bytes());
  }).args("page", PATHS).args("coding", ["gzip", "none"]);
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
