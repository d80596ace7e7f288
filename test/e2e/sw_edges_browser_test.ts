// The service worker's kept pages at two edges, with the compiled binary behind a small proxy of
// the test's own, on 127.0.0.1 (a secure context, as localhost is: the worker runs on plain HTTP):
// - a page whose headers came but whose body never ends (Wi-Fi that drops with no reset) holds up
//   no other page: one opened meanwhile comes from the network as usual, and is kept;
// - after an update of Cairn (a new worker, whose pages and assets have new names), the pages the
//   older worker kept still open offline, with the stylesheet and scripts they were drawn with.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import {
  chromiumAvailable,
  launchChromium,
  registerTeam,
  SHOTS,
  startBinary,
  until,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Edge Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
body = "Count the **windows** of the lighthouse."
answer = ["seven"]

[[puzzle]]
id = "vault"
title = "The Vault"
unlock = 'solved("lighthouse")'
body = "The vault's secret text."
answer = ["open"]
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/** An asset's path in the pages and the worker of this build: `/assets/app.3k2j1h.css`. */
const ASSET = /\/assets\/([a-z]+\.[0-9a-f]+\.[a-z]+)/g;

/**
 * A proxy in front of the server, which can stall a page (send its headers and the start of its
 * body, never the rest), and play a new build of Cairn: a worker of another version, whose
 * shell, like the pages, names the assets under new paths (`/assets/next-app.3k2j1h.css`), the
 * old paths no longer served.
 */
function startProxy(upstream: string) {
  const stallOnce = new Set<string>();
  const stalls: ReadableStreamDefaultController<Uint8Array>[] = [];
  const state = { next: false, stalled: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const url = new URL(request.url);
      let path = url.pathname;
      if (state.next && path.startsWith("/assets/")) {
        if (!path.startsWith("/assets/next-")) return new Response("Not found", { status: 404 });
        path = path.replace("/assets/next-", "/assets/");
      }
      const headers = new Headers(request.headers);
      headers.set("accept-encoding", "identity");
      const answer = await fetch(`${upstream}${path}${url.search}`, {
        method: request.method,
        headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : request.body,
        redirect: "manual",
      });
      const out = new Headers(answer.headers);
      const type = out.get("content-type") ?? "";
      const background = request.headers.get("cairn-background") !== null;
      if (stallOnce.has(path) && !background && answer.ok) {
        stallOnce.delete(path);
        state.stalled++;
        const bytes = new Uint8Array(await answer.arrayBuffer());
        out.delete("content-length");
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.slice(0, bytes.length >> 1));
            stalls.push(controller);
          },
        });
        return new Response(body, { status: answer.status, headers: out });
      }
      if (!state.next || !/^text\/(html|javascript)/.test(type)) {
        return new Response(answer.body, { status: answer.status, headers: out });
      }
      let text = (await answer.text()).replace(ASSET, "/assets/next-$1");
      if (path === "/sw.js") {
        text = text.replace(/const VERSION = "([^"]+)"/, 'const VERSION = "$1-next"');
      }
      out.delete("content-length");
      return new Response(text, { status: answer.status, headers: out });
    },
  });
  return {
    base: `http://127.0.0.1:${server.port}`,
    state,
    /** The next page load of `path` (not a fetch for keeping) stalls after its headers. */
    stall(path: string) {
      stallOnce.add(path);
    },
    /** The stalled pages end at last, cut short. */
    release() {
      for (const controller of stalls.splice(0)) controller.close();
    },
    async stop() {
      this.release();
      await server.stop(true);
    },
  };
}

let server: Awaited<ReturnType<typeof startBinary>>;
let proxy: ReturnType<typeof startProxy>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;

/** True once `path`'s copy kept on the phone has `text` in it. (An expression for `until`.) */
const kept = (path: string, text: string) =>
  `caches.open("cairn-pages").then((c) => c.match(${JSON.stringify(path)}))
    .then((r) => r?.text()).then((t) => t?.includes(${JSON.stringify(text)}) ?? false)`;

/** True when the page's stylesheet came: it has rules (one that failed to load cannot be read). */
const STYLED = `[...document.styleSheets].some((sheet) => {
  try {
    return sheet.cssRules.length > 0;
  } catch {
    return false;
  }
})`;

suite("the service worker's kept pages, at the edges", () => {
  beforeAll(async () => {
    server = await startBinary(HUNT);
    proxy = startProxy(server.base);
    browser = await launchChromium();
    context = browser.context;
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await proxy?.stop();
      await server?.stop();
    }
  });

  /**
   * A new team `name`'s phone (`phone`: the suite's, or a browser of its own) on its list, the list
   * and the lighthouse kept; its token.
   */
  async function teamPage(name: string, errors: string[], phone = context) {
    const token = await registerTeam(server.base, name);
    await phone.addCookies([{ name: "cairn_session", value: token, url: proxy.base }]);
    const page = await phone.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${proxy.base}/puzzles`);
    await until(page, "navigator.serviceWorker.controller !== null");
    await until(page, kept("/puzzles", name));
    await until(page, kept("/puzzles/lighthouse", name));
    return { page, token };
  }

  /** The team solves the lighthouse from another phone, which opens the vault. */
  async function solveLighthouse(token: string): Promise<void> {
    const solved = await fetch(`${server.base}/api/puzzles/lighthouse/guesses`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "seven" }),
    });
    expect(solved.status).toBe(200);
  }

  test(
    "a page whose body never ends holds up no other: the next page comes from the network, and is kept",
    async () => {
      const errors: string[] = [];
      const { page, token } = await teamPage("Gulls", errors);
      // The lighthouse's headers come, and half its page; the rest never does.
      proxy.stall("/puzzles/lighthouse");
      const stalled = await context.newPage();
      const opening = stalled.goto(`${proxy.base}/puzzles/lighthouse`).catch(() => null);
      for (let i = 0; proxy.state.stalled === 0; i++) {
        if (i > 100) throw new Error("the lighthouse was never asked for");
        await Bun.sleep(100);
      }
      // Meanwhile a teammate solves the lighthouse: the vault opens, and the team opens it.
      await solveLighthouse(token);
      await page.goto(`${proxy.base}/puzzles/vault`);
      expect(await page.content()).not.toContain("You are offline");
      await page.getByText("The vault's secret text.").waitFor();
      await until(page, kept("/puzzles/vault", "The vault's secret text."));
      // The stalled page shows the copy kept.
      await opening;
      await stalled.getByText("Count the windows of the lighthouse.").waitFor();
      await page.screenshot({ path: join(SHOTS, "sw-edges-next-page-while-stalled-phone.png") });
      // Offline, the vault reads from the phone.
      await context.setOffline(true);
      try {
        await page.goto(`${proxy.base}/puzzles/vault`);
        await page.getByText("The vault's secret text.").waitFor();
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
      proxy.release();
      await stalled.close();
      await page.close();
    },
    90_000,
  );

  test(
    "after an update, the pages the older worker kept open offline, their stylesheet and scripts too",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Terns", errors);
      const older = await page.evaluate(
        `caches.keys().then((k) => k.filter((n) => n.startsWith("cairn-shell-")))`,
      ) as string[];
      expect(older.length).toBe(1);
      // Cairn is updated on the server: the phone finds the new worker, which waits.
      proxy.state.next = true;
      try {
        await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())");
        const reload = page.locator("#update-ready").getByRole("button", { name: "Reload" });
        await reload.waitFor({ timeout: 20_000 });
        // The Wi-Fi drops before the team opens any page of the new version. The browser's own
        // cache of the older assets may be gone by then (it keeps them as it likes): only what the
        // worker keeps counts.
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.clearBrowserCache");
        await cdp.detach();
        await context.setOffline(true);
        try {
          // The player takes the new version: the page reloads under it, from the copy kept.
          await reload.click();
          await until(
            page,
            `navigator.serviceWorker.getRegistration().then((r) => r.waiting === null &&
              r.active !== null && navigator.serviceWorker.controller?.state === "activated")`,
          );
          await until(page, `document.querySelector(".puzzle-list") !== null`);
          const shells = await page.evaluate(
            `caches.keys().then((k) => k.filter((n) => n.startsWith("cairn-shell-")))`,
          ) as string[];
          expect(shells.some((name) => !older.includes(name))).toBe(true);
          await page.locator(".puzzle-list").getByRole("link", { name: "The Lighthouse" })
            .click();
          await page.getByText("Count the windows of the lighthouse.").waitFor();
          expect(await page.content()).not.toContain("/assets/next-");
          // Drawn with its stylesheet.
          expect(await page.evaluate(STYLED)).toBe(true);
          // And its scripts run: an answer typed now waits on the phone.
          await page.getByRole("textbox", { name: "Answer" }).fill("eight");
          await page.getByRole("button", { name: "Submit" }).click();
          await page.getByText("1 answer waiting for the network").waitFor();
          await page.screenshot({ path: join(SHOTS, "sw-edges-kept-before-update-phone.png") });
        } finally {
          await context.setOffline(false);
        }
        // Once the team has its pages again from the server, the older shell goes.
        await page.goto(`${proxy.base}/puzzles`);
        await until(page, kept("/puzzles/lighthouse", "/assets/next-"));
        await until(
          page,
          `caches.keys().then((k) => !k.includes(${JSON.stringify(older[0])}))`,
        );
        expect(errors).toEqual([]);
      } finally {
        proxy.state.next = false;
        await page.close();
      }
    },
    90_000,
  );

  test(
    "a new version waiting keeps its shell while the older worker keeps pages, offline",
    async () => {
      const errors: string[] = [];
      // A phone of its own, which has never taken an update (the suite's took one above).
      const phone = await launchChromium();
      const { page } = await teamPage("Puffins", errors, phone.context);
      const shells = `caches.keys().then((k) => k.filter((n) => n.startsWith("cairn-shell-")))`;
      const older = await page.evaluate(shells) as string[];
      proxy.state.next = true;
      try {
        await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())");
        const reload = page.locator("#update-ready").getByRole("button", { name: "Reload" });
        await reload.waitFor({ timeout: 20_000 });
        const waiting = (await page.evaluate(shells) as string[])
          .filter((name) => !older.includes(name));
        expect(waiting.length).toBe(1);
        // The Wi-Fi drops before the player takes the update: the list opens from the copy the
        // older worker kept (it names the older assets), and asks that worker to keep the pages
        // again, which it cannot. The new version's shell must outlive that round.
        await phone.context.setOffline(true);
        try {
          await page.goto(`${proxy.base}/puzzles`);
          await until(page, `document.querySelector(".puzzle-list") !== null`);
          // The round: 250 ms of gathering, then fetches that fail at once.
          await Bun.sleep(2_000);
          expect(await page.evaluate(shells)).toContain(waiting[0]);
        } finally {
          await phone.context.setOffline(false);
        }
        // The player takes it: the new worker has its whole shell, for the pages it keeps next.
        await reload.click();
        await until(
          page,
          `navigator.serviceWorker.getRegistration().then((r) => r.waiting === null &&
            navigator.serviceWorker.controller?.state === "activated")`,
        );
        await until(page, kept("/puzzles", "/assets/next-"));
        const cached = await page.evaluate(
          `caches.open(${JSON.stringify(waiting[0])}).then((c) => c.keys())
            .then((r) => r.map((q) => new URL(q.url).pathname))`,
        ) as string[];
        expect(cached).toContain("/offline");
        expect(cached.some((path) => path.startsWith("/assets/next-app."))).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        proxy.state.next = false;
        await phone.close();
      }
    },
    90_000,
  );
});
