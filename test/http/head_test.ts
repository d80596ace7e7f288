// HEAD answers carry the headers their GET would, content-length included (RFC 9110 §9.3.2):
// Hono answers a HEAD with the GET's headers and no body, which Bun and Deno sent as
// `content-length: 0`. Over a real listener on the runtime the tests run on, the hot routes
// (served ahead of Hono on a GET, through it on a HEAD) among them.
import { describe, expect, test } from "bun:test";
import { listen } from "../../src/server/listen.ts";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";
import { raw } from "./_socket.ts";

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
});
