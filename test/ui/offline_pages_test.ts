// What the service worker needs from the server: its script with this
// build's shell filled in, the offline page, and the mark on the pages a team
// may keep (its unlocked puzzles and its list; never a locked puzzle).
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ASSETS } from "../../src/ui/mod.ts";
import { makeApp } from "../http/_app.ts";

describe("offline pages", () => {
  test("/sw.js is the worker, with the shell to precache and no skip-waiting of its own", async () => {
    const { call } = makeApp();
    const reply = await call("GET", "/sw.js");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(reply.headers.get("cache-control")).toBe("no-cache");
    const shell = JSON.parse(JSON.parse(
      /const SHELL = JSON\.parse\(("(?:[^"\\]|\\.)*")\)/.exec(
        reply.text,
      )![1]!,
    ));
    expect(shell).toEqual([
      ASSETS.css.path,
      ASSETS.common.path,
      ASSETS.player.path,
      ASSETS.outbox.path,
      ASSETS.announcements.path,
      ASSETS.icon.path,
      "/offline",
    ]);
    expect(reply.text).toMatch(/const VERSION = "[0-9a-z]+";/);
    // It skips waiting only when a page asks.
    expect(reply.text.match(/skipWaiting\(\)/g)).toHaveLength(1);
    expect(reply.text).toContain('if (data.type === "skip-waiting") self.skipWaiting();');
  });

  test("asset URLs are named by the SHA-1 of their bytes: the same on Bun and Deno", () => {
    for (const asset of Object.values(ASSETS)) {
      const sha1 = createHash("sha1").update(asset.body).digest("hex").slice(0, 10);
      expect(asset.path).toMatch(new RegExp(`^/assets/[a-z]+\\.${sha1}\\.(css|js|svg)$`));
    }
  });

  test("/offline names no team, even for a logged-in one", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const reply = await call("GET", "/offline", { headers: { cookie: `cairn_session=${token}` } });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("You are offline");
    expect(reply.text).not.toContain("Gulls");
    expect(reply.text).not.toContain("cairn-contact");
  });

  test("a team's list, unlocked puzzles and announcements are marked cacheable; a locked one is not", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const headers = { cookie: `cairn_session=${token}`, accept: "text/html" };
    for (const path of ["/puzzles", "/puzzles/a", "/announcements"]) {
      const reply = await call("GET", path, { headers });
      expect([path, reply.status, reply.headers.get("cairn-offline")]).toEqual([
        path,
        200,
        "cache",
      ]);
    }
    for (const path of ["/puzzles/after-a", "/puzzles/nope", "/"]) {
      const reply = await call("GET", path, { headers });
      expect([path, reply.headers.get("cairn-offline")]).toEqual([path, null]);
    }
    // Nobody's: a redirect to the landing page, unmarked; a visitor's announcements are not kept.
    const anonymous = await call("GET", "/puzzles/a");
    expect([anonymous.status, anonymous.headers.get("cairn-offline")]).toEqual([303, null]);
    const visitor = await call("GET", "/announcements", { headers: { accept: "text/html" } });
    expect([visitor.status, visitor.headers.get("cairn-offline")]).toEqual([200, null]);
  });

  test("a page that shows a form post's one-time message is marked to keep without it", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const flash = `cairn_flash=${btoa(JSON.stringify({ tone: "ok", title: "Logged in" }))}`;
    for (const path of ["/puzzles", "/puzzles/a"]) {
      const cookie = `cairn_session=${token}; ${flash}`;
      const shown = await call("GET", path, { headers: { cookie, accept: "text/html" } });
      expect([path, shown.headers.get("cairn-offline"), shown.text.includes("Logged in")])
        .toEqual([path, "once", true]);
      // The worker's fetch for keeping takes no message, and is kept.
      const kept = await call("GET", path, {
        headers: { cookie, accept: "text/html", "cairn-background": "1" },
      });
      expect([path, kept.headers.get("cairn-offline"), kept.text.includes("Logged in")])
        .toEqual([path, "cache", false]);
    }
  });
});
