// Compressed answers for phones on a venue's Wi-Fi: the assets and the pages go out in gzip (the
// assets in brotli too) to a browser that takes it, and decode to the bytes sent without it;
// live streams, a puzzle's files and the JSON API never are. Through the app, then over a real
// listener on the runtime the tests run on, read with node:http (which decodes nothing).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { BROTLI, PAGE_GZIP_MIN_BYTES, SESSION_COOKIE } from "../../src/play/mod.ts";
import { listen } from "../../src/server/listen.ts";
import { ASSETS } from "../../src/ui/mod.ts";
import { compressAssets } from "../../src/ui/assets.ts";
import { FakeClock, HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { makeApp, ORIGIN } from "./_app.ts";
import { raw } from "./_socket.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-gzip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "a"), { recursive: true });
// A puzzle's text file that would compress well: sent as it is on disk all the same.
const notes = "the harbor's list of ships\n".repeat(200);
writeFileSync(join(dir, "a", "notes.txt"), notes);

type App = ReturnType<typeof makeApp>;

/** GET `path` with these request headers (`accept-encoding` among them, or not). */
async function get(
  app: App,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ res: Response; bytes: Uint8Array }> {
  const res = await app.app.request(`${ORIGIN}${path}`, { headers });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

function decode(coding: string | null, bytes: Uint8Array): Uint8Array {
  if (coding === "gzip") return new Uint8Array(gunzipSync(bytes));
  if (coding === "br") return new Uint8Array(brotliDecompressSync(bytes));
  return bytes;
}

/** What no coding the server sends may be chosen for: absent, identity, refused. */
const PLAIN: Record<string, string>[] = [
  {},
  { "accept-encoding": "identity" },
  { "accept-encoding": "gzip;q=0" },
  { "accept-encoding": "gzip;q=0, br;q=0" },
];

describe("compressed answers", () => {
  test("an asset comes in gzip or brotli as asked, and decodes to its plain bytes", async () => {
    const app = makeApp();
    for (const asset of Object.values(ASSETS)) {
      const plain = await get(app, asset.path);
      expect(plain.bytes).toEqual(asset.body);
      for (const headers of PLAIN) {
        const { res, bytes } = await get(app, asset.path, headers);
        expect([asset.path, headers, res.headers.get("content-encoding")]).toEqual([
          asset.path,
          headers,
          null,
        ]);
        expect(res.headers.get("vary")).toBe("accept-encoding");
        expect(bytes).toEqual(asset.body);
      }
      const gzip = await get(app, asset.path, { "accept-encoding": "gzip" });
      expect(gzip.res.headers.get("content-encoding")).toBe("gzip");
      expect(gzip.res.headers.get("vary")).toBe("accept-encoding");
      expect(gzip.res.headers.get("content-length")).toBe(String(gzip.bytes.length));
      expect(gzip.res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(decode("gzip", gzip.bytes)).toEqual(asset.body);
    }
    // Brotli, once made (in the background, from the first request on): for the browsers that
    // take it, which all do; gzip still for a client that takes only gzip. On Deno, gzip only
    // (its zlib would make brotli on the main thread).
    await compressAssets();
    const best = BROTLI ? "br" : "gzip";
    for (const asset of Object.values(ASSETS)) {
      const br = await get(app, asset.path, { "accept-encoding": "gzip, deflate, br" });
      expect([asset.path, br.res.headers.get("content-encoding")]).toEqual([asset.path, best]);
      expect(br.bytes.length).toBeLessThan(asset.body.length);
      expect(decode(best, br.bytes)).toEqual(asset.body);
      const gzip = await get(app, asset.path, { "accept-encoding": "gzip" });
      expect(gzip.res.headers.get("content-encoding")).toBe("gzip");
    }
    // The service worker's script, which browsers fetch again at every navigation, too.
    const worker = await get(app, "/sw.js");
    expect(worker.res.headers.get("content-encoding")).toBeNull();
    expect(worker.res.headers.get("vary")).toBe("accept-encoding");
    const workerGzip = await get(app, "/sw.js", { "accept-encoding": "gzip" });
    expect(workerGzip.res.headers.get("content-encoding")).toBe("gzip");
    expect(workerGzip.res.headers.get("cache-control")).toBe("no-cache");
    expect(decode("gzip", workerGzip.bytes)).toEqual(worker.bytes);
    // The stylesheet, the largest, shrinks to less than a third (gzip at level 9 to about a
    // quarter of it, 25.1% of 47 KB; brotli to about a fifth).
    const css = await get(app, ASSETS.css.path, { "accept-encoding": best });
    expect(css.bytes.length * 3).toBeLessThan(ASSETS.css.body.length);
  });

  test("a page comes in gzip as asked, and decodes to the page sent without it", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const browser = { accept: "text/html", cookie: `${SESSION_COOKIE}=${token}` };
    for (const path of ["/puzzles", "/puzzles/a", "/scoreboard", "/offline", "/nothere"]) {
      const plain = await get(app, path, browser);
      expect([path, plain.res.headers.get("content-type")]).toEqual([
        path,
        "text/html; charset=UTF-8",
      ]);
      expect(plain.bytes.length).toBeGreaterThan(1024);
      for (const headers of PLAIN) {
        const { res, bytes } = await get(app, path, { ...browser, ...headers });
        expect([path, headers, res.headers.get("content-encoding")]).toEqual([
          path,
          headers,
          null,
        ]);
        expect(res.headers.get("vary")).toBe("accept-encoding");
        expect(bytes).toEqual(plain.bytes);
      }
      const gzip = await get(app, path, { ...browser, "accept-encoding": "gzip, deflate, br" });
      expect([path, gzip.res.status, gzip.res.headers.get("content-encoding")]).toEqual([
        path,
        plain.res.status,
        "gzip",
      ]);
      expect(gzip.res.headers.get("vary")).toBe("accept-encoding");
      expect(gzip.res.headers.get("content-length")).toBe(String(gzip.bytes.length));
      // The page's own headers stay: its security policy, no caching, the team's last contact.
      for (const name of ["content-security-policy", "cache-control", "cairn-contact"]) {
        expect([path, name, gzip.res.headers.get(name)]).toEqual([
          path,
          name,
          plain.res.headers.get(name),
        ]);
      }
      const text = new TextDecoder().decode(decode("gzip", gzip.bytes));
      // The same page but for the last-contact token it carries, which is new each time.
      const contact = /<meta name="cairn-contact" content="[^"]*">/;
      expect(text.replace(contact, "")).toBe(
        new TextDecoder().decode(plain.bytes).replace(contact, ""),
      );
      expect(gzip.bytes.length * 2).toBeLessThan(plain.bytes.length);
    }
    // HEAD: the headers of the GET, its length included.
    const head = await app.app.request(`${ORIGIN}/scoreboard`, {
      method: "HEAD",
      headers: { ...browser, "accept-encoding": "gzip" },
    });
    const getLength = (await get(app, "/scoreboard", { ...browser, "accept-encoding": "gzip" }))
      .bytes.length;
    expect([head.headers.get("content-encoding"), head.headers.get("content-length")]).toEqual([
      "gzip",
      String(getLength),
    ]);
  });

  test("the projector's chart comes in gzip as asked, and decodes to the chart sent without it", async () => {
    const clock = new FakeClock(START + MINUTE);
    const app = makeApp({ clock });
    // 10 teams, each solving three puzzles at its own times: the chart's 10 lines.
    const tokens: string[] = [];
    for (let i = 1; i <= 10; i++) tokens.push(await app.register(`Team ${i}`));
    for (const [puzzle, answer] of [["a", "alpha"], ["b", "bravo"], ["meta", "meta"]]) {
      for (const [i, token] of tokens.entries()) {
        clock.advance((i + 1) * MINUTE);
        const guess = await app.call("POST", `/api/puzzles/${puzzle}/guesses`, {
          token,
          body: { answer },
        });
        expect([puzzle, guess.body.result]).toEqual([puzzle, "correct"]);
      }
    }
    const path = "/scoreboard/chart.svg";
    for (const headers of PLAIN) {
      const { res } = await get(app, path, headers);
      expect([headers, res.headers.get("content-encoding")]).toEqual([headers, null]);
      expect(res.headers.get("vary")).toBe("accept-encoding");
    }
    const plain = await get(app, path);
    const gzip = await get(app, path, { "accept-encoding": "gzip, deflate, br" });
    expect(plain.bytes.length).toBeGreaterThanOrEqual(PAGE_GZIP_MIN_BYTES);
    expect(gzip.res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(gzip.res.headers.get("content-encoding")).toBe("gzip");
    expect(gzip.res.headers.get("vary")).toBe("accept-encoding");
    expect(gzip.res.headers.get("content-length")).toBe(String(gzip.bytes.length));
    expect(gzip.res.headers.get("cache-control")).toBe(plain.res.headers.get("cache-control"));
    expect(decode("gzip", gzip.bytes)).toEqual(plain.bytes);
    expect(gzip.bytes.length * 2).toBeLessThan(plain.bytes.length);
  });

  test("a live stream, a puzzle's file and the JSON API are never compressed", async () => {
    const app = makeApp({ toml: HUNT_TOML, assetsDir: dir });
    const token = await app.register("Gulls");
    const asked = {
      "accept-encoding": "gzip, deflate, br",
      authorization: `Bearer ${token}`,
      accept: "text/html",
    };
    const events = await app.app.request(`${ORIGIN}/api/events`, { headers: asked });
    expect(events.headers.get("content-type")).toStartWith("text/event-stream");
    expect(events.headers.get("content-encoding")).toBeNull();
    await events.body?.cancel();
    const file = await get(app, "/puzzles/a/assets/notes.txt", asked);
    expect([file.res.status, file.res.headers.get("content-encoding")]).toEqual([200, null]);
    expect(new TextDecoder().decode(file.bytes)).toBe(notes);
    for (const path of ["/api/hunt", "/api/puzzles", "/api/scoreboard", "/api/openapi.json"]) {
      const { res } = await get(app, path, asked);
      expect([path, res.status, res.headers.get("content-encoding")]).toEqual([path, 200, null]);
    }
  });
});

describe("compressed answers over a socket", () => {
  test("go out with their coding and the length of the bytes sent", async () => {
    const app = makeApp();
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      for (const path of [ASSETS.css.path, "/"]) {
        const plain = await raw(server.port, path, { accept: "text/html" });
        const gzip = await raw(server.port, path, {
          accept: "text/html",
          "accept-encoding": "gzip",
        });
        expect([path, plain.headers["content-encoding"], gzip.headers["content-encoding"]])
          .toEqual([path, undefined, "gzip"]);
        expect([path, gzip.headers["content-length"]]).toEqual([path, String(gzip.bytes.length)]);
        expect(gzip.headers["vary"]).toBe("accept-encoding");
        expect(decode("gzip", gzip.bytes)).toEqual(plain.bytes);
      }
    } finally {
      await server.stop(true);
    }
  });

  test("HEAD on a page says the length and coding a GET would, with gzip asked or not", async () => {
    const app = makeApp();
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      for (const path of ["/", "/scoreboard", "/scoreboard/chart.svg", "/nowhere"]) {
        for (const coding of [{}, { "accept-encoding": "gzip" }] as Record<string, string>[]) {
          const headers = { accept: "text/html", ...coding };
          const get = await raw(server.port, path, headers);
          const head = await raw(server.port, path, headers, "HEAD");
          expect(get.bytes.length).toBeGreaterThan(0);
          expect(head.bytes.length).toBe(0);
          expect([path, coding, head.headers["content-length"], head.headers["content-encoding"]])
            .toEqual([path, coding, String(get.bytes.length), get.headers["content-encoding"]]);
        }
      }
    } finally {
      await server.stop(true);
    }
  });
});
