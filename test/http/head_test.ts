// HEAD answers carry the headers their GET would, content-length included (RFC 9110 §9.3.2):
// Hono answers a HEAD with the GET's headers and no body, which Bun and Deno sent as
// `content-length: 0`. Over a real listener on the runtime the tests run on, the hot routes
// (served ahead of Hono on a GET, through it on a HEAD) among them.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Hono } from "hono";
import { headLength } from "../../src/http/_head.ts";
import { unavailable } from "../../src/server/forward.ts";
import { listen } from "../../src/server/listen.ts";
import { DiskFile, fileResponse } from "../../src/store/mod.ts";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN, removeUploads } from "./_app.ts";
import { jpegWithGps } from "./_jpeg.ts";
import { raw } from "./_socket.ts";

const dirs = tempDirs();
afterAll(() => {
  removeUploads();
  dirs.removeAll();
});

describe("HEAD", () => {
  test("on /api JSON and /healthz says the status, type and length its GET does", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const team = { authorization: `Bearer ${token}` };
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      const cases: [string, Record<string, string>][] = [
        // The hot routes.
        ["/api/puzzles", team],
        ["/api/puzzles/a", team],
        ["/api/scoreboard", {}],
        ["/api/scoreboard?division=kids", {}],
        // Their refusals, in the envelope.
        ["/api/puzzles", {}],
        ["/api/puzzles/nowhere", team],
        // Through Hono.
        ["/api/hunt", {}],
        ["/api/openapi.json", {}],
        ["/api/scoreboard/history", {}],
        ["/api/puzzles/a/asks", team],
        ["/api/admin/teams", admin],
        ["/api/admin/export?format=csv&table=teams", admin],
        ["/api/nowhere", {}],
        ["/healthz", {}],
      ];
      for (const [path, headers] of cases) {
        const get = await raw(server.port, path, headers);
        const head = await raw(server.port, path, headers, "HEAD");
        expect(get.bytes.length).toBeGreaterThan(0);
        expect(head.bytes.length).toBe(0);
        expect([path, head.status, head.headers["content-type"], head.headers["content-length"]])
          .toEqual([path, get.status, get.headers["content-type"], String(get.bytes.length)]);
      }
      // /metrics changes between two requests: its HEAD says a length all the same.
      const metrics = await raw(server.port, "/metrics", {}, "HEAD");
      expect(Number(metrics.headers["content-length"])).toBeGreaterThan(1000);
    } finally {
      await server.stop(true);
    }
  });

  test("on /api/events leaves no stream open, and on the streamed export ends", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      const anyoneAndTeam: Record<string, string>[] = [{}, { authorization: `Bearer ${token}` }];
      for (const headers of anyoneAndTeam) {
        const head = await raw(server.port, "/api/events", headers, "HEAD");
        expect(head.status).toBe(200);
        expect(head.headers["content-type"]).toStartWith("text/event-stream");
      }
      // Its stream, never read, was cancelled: on Deno it stayed subscribed to every event.
      expect(app.live.connections).toBe(0);
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      for (
        const path of [
          "/api/admin/export?format=json",
          "/api/admin/export?format=csv&table=guesses",
        ]
      ) {
        const head = await raw(server.port, path, admin, "HEAD");
        expect([path, head.status, head.bytes.length]).toEqual([path, 200, 0]);
      }
    } finally {
      await server.stop(true);
    }
  });

  test("on a submission's file says its length, as its GET does", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps(200_000)], { type: "image/jpeg" }), "me.jpg");
    const upload = await app.app.request(`${ORIGIN}/api/puzzles/statue/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    const { submission } = await upload.json() as { submission: { id: number } };
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      const path = `/api/submissions/${submission.id}/file`;
      const headers = { authorization: `Bearer ${token}` };
      const get = await raw(server.port, path, headers);
      const head = await raw(server.port, path, headers, "HEAD");
      expect(get.bytes.length).toBeGreaterThan(200_000);
      expect([head.status, head.bytes.length, head.headers["content-length"]])
        .toEqual([200, 0, String(get.bytes.length)]);
      expect(get.headers["content-length"]).toBe(String(get.bytes.length));
    } finally {
      await server.stop(true);
    }
  });

  test("on a file does not read it (a 60 MB video was read whole into memory to count it)", async () => {
    const path = join(dirs.make("cairn-head-"), "video");
    writeFileSync(path, new Uint8Array(5000));
    const app = new Hono();
    app.use("*", headLength);
    app.get("/video", () => {
      const file = "Bun" in globalThis ? Bun.file(path) : new DiskFile(path, 5000);
      const answer = fileResponse(file, { headers: { "content-type": "video/mp4" } });
      // Gone once answered: a HEAD that read it would fail.
      rmSync(path);
      return answer;
    });
    const head = await app.request("/video", { method: "HEAD" });
    expect([head.status, head.headers.get("content-length"), await head.text()])
      .toEqual([200, "5000", ""]);
  });

  test("on a node starting again says the length of its 503, as its GET does", async () => {
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: unavailable("Starting again") });
    try {
      for (const path of ["/healthz", "/api/hunt"]) {
        const get = await raw(server.port, path, {});
        const head = await raw(server.port, path, {}, "HEAD");
        expect([path, head.status, head.bytes.length, head.headers["content-length"]])
          .toEqual([path, 503, 0, String(get.bytes.length)]);
      }
    } finally {
      await server.stop(true);
    }
  });

  // Deno has no idle timeout of its own: any idle connection stays open there.
  test.skipIf(!("Bun" in globalThis))(
    "on /api/events leaves its connection its idle timeout",
    async () => {
      const app = makeApp();
      const server = listen({
        hostname: "127.0.0.1",
        port: 0,
        fetch: app.app.fetch,
        idleTimeout: 1,
      });
      try {
        // Kept alive, then left idle: the server closes it (the test's timeout fails it if not).
        const said = await new Promise<string>((resolve) => {
          const socket = connect(server.port, "127.0.0.1");
          let got = "";
          socket.on("data", (data) => got += data.toString());
          socket.on("close", () => resolve(got.split("\r\n")[0]!));
          socket.write(
            "HEAD /api/events HTTP/1.1\r\nhost: cairn\r\nconnection: keep-alive\r\n\r\n",
          );
        });
        expect(said).toBe("HTTP/1.1 200 OK");
      } finally {
        await server.stop(true);
      }
    },
    30_000,
  );
});
