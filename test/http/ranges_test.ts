// Byte ranges of files, over a real listener on the runtime the tests run on: Bun.serve answers
// them for a Bun.file body, the listener on Deno for a file read from disk (server/_range.ts), and
// both answer alike. Safari plays a <video> only from a server that does. The cases are what
// Bun.serve answers.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen } from "../../src/server/listen.ts";
import { answerRange } from "../../src/server/_range.ts";
import { fileResponse, FileStore } from "../../src/store/mod.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-ranges-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const assets = join(dir, "assets");
mkdirSync(join(assets, "a"), { recursive: true });
const video = crypto.getRandomValues(new Uint8Array(1000));

/** The upload store of the tests, holding `video`, and its hash. */
async function storedVideo() {
  const files = new FileStore(join(dir, "uploads"));
  const sink = await files.begin();
  await sink.write(video);
  const { hash } = await sink.finish();
  return { files, hash };
}
writeFileSync(join(assets, "a", "clip.mp4"), video);

/** [Range header, status, content-range, the bytes' [start, end), If-Range header] */
type Case = [string | undefined, number, string | null, [number, number], string?];

const CASES: Case[] = [
  [undefined, 200, null, [0, 1000]],
  ["bytes=0-9", 206, "bytes 0-9/1000", [0, 10]],
  ["bytes=990-", 206, "bytes 990-999/1000", [990, 1000]],
  ["bytes=-5", 206, "bytes 995-999/1000", [995, 1000]],
  ["bytes=995-2000", 206, "bytes 995-999/1000", [995, 1000]],
  ["bytes=-2000", 206, "bytes 0-999/1000", [0, 1000]],
  ["bytes=0-0", 206, "bytes 0-0/1000", [0, 1]],
  ["bytes=1000-", 416, "bytes */1000", [0, 0]],
  ["bytes=-0", 416, "bytes */1000", [0, 0]],
  // Several ranges, a backwards one, another unit, nonsense: the whole file.
  ["bytes=0-1,5-6", 200, null, [0, 1000]],
  ["bytes=9-2", 200, null, [0, 1000]],
  ["items=0-1", 200, null, [0, 1000]],
  ["bytes=abc", 200, null, [0, 1000]],
  // An If-Range that names no validator of this file (Cairn's files have none): the whole file.
  ["bytes=0-9", 200, null, [0, 1000], '"v0"'],
  ["bytes=0-9", 200, null, [0, 1000], "Thu, 01 Jan 2026 00:00:00 GMT"],
];

/** With the file's ETag "v1": If-Range holds for that strong ETag only. */
const ETAG_CASES: Case[] = [
  ["bytes=0-9", 206, "bytes 0-9/1000", [0, 10], '"v1"'],
  ["bytes=0-9", 200, null, [0, 1000], 'W/"v1"'],
  ["bytes=0-9", 200, null, [0, 1000], '"v0"'],
];

/** Asks `url` for each case's range and checks the answer against the file's bytes. */
async function checkCases(url: string, headers: Record<string, string> = {}, cases = CASES) {
  for (const [range, status, contentRange, [start, end], ifRange] of cases) {
    const reply = await fetch(url, {
      headers: { ...headers, ...(range && { range }), ...(ifRange && { "if-range": ifRange }) },
    });
    const body = new Uint8Array(await reply.arrayBuffer());
    const asked = ifRange === undefined ? range : `${range} if-range ${ifRange}`;
    expect([asked, reply.status, reply.headers.get("content-range")]).toEqual([
      asked,
      status,
      contentRange,
    ]);
    expect([asked, body.length, reply.headers.get("content-length")]).toEqual([
      asked,
      end - start,
      String(end - start),
    ]);
    expect(body).toEqual(video.subarray(start, end));
    if (status !== 200) expect(reply.headers.get("accept-ranges")).toBe("bytes");
  }
}

describe("byte ranges", () => {
  test("of a puzzle's file, with its own headers kept", async () => {
    const { app, register } = makeApp({ toml: HUNT_TOML, assetsDir: assets });
    const token = await register("Gulls");
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
    try {
      const url = `http://127.0.0.1:${server.port}/puzzles/a/assets/clip.mp4`;
      await checkCases(url, { authorization: `Bearer ${token}` });
      const reply = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, range: "bytes=0-9" },
      });
      await reply.arrayBuffer();
      expect(reply.headers.get("content-type")).toBe("video/mp4");
      expect(reply.headers.get("cache-control")).toBe("private, max-age=300");
    } finally {
      await server.stop(true);
    }
  });

  test("of an uploaded file, as the store hands it out", async () => {
    const { files, hash } = await storedVideo();
    const server = listen({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => fileResponse(files.file(hash)!, { headers: { "content-type": "video/mp4" } }),
    });
    try {
      await checkCases(`http://127.0.0.1:${server.port}/`);
      // Read whole at once, as well as streamed.
      expect(new Uint8Array(await files.file(hash)!.arrayBuffer())).toEqual(video);
    } finally {
      await server.stop(true);
    }
  });

  test("of a file with an ETag, under If-Range", async () => {
    const { files, hash } = await storedVideo();
    const server = listen({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        fileResponse(files.file(hash)!, { headers: { "content-type": "video/mp4", etag: '"v1"' } }),
    });
    try {
      await checkCases(`http://127.0.0.1:${server.port}/`, {}, ETAG_CASES);
    } finally {
      await server.stop(true);
    }
  });

  // On Deno, reading `response.body` turns a text or bytes body into a stream, which Deno then
  // sends as a stream: a puzzle list cost half again as much CPU that way.
  test("leave any other answer as it is, without reading its body", () => {
    let reads = 0;
    const read = Object.getOwnPropertyDescriptor(Response.prototype, "body")!.get!;
    const request = new Request("http://x/api/puzzles", { headers: { range: "bytes=0-9" } });
    for (const body of ['{"puzzles":[]}', new Uint8Array(100), null]) {
      const response = new Response(body, { headers: { "content-type": "application/json" } });
      Object.defineProperty(response, "body", {
        get() {
          reads++;
          return read.call(response);
        },
      });
      const same = answerRange(request, response) === response;
      expect([same, reads]).toEqual([true, 0]);
    }
  });
});
