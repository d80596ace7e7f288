// Clues readable offline, under HTTPS: the compiled binary makes its own
// certificates (`cairn tls`) and serves them; chromium trusts the server's key
// (--ignore-certificate-errors-spki-list, the nearest to trusting the
// authority that needs no system store). The service worker keeps unlocked
// puzzle pages, never a locked one, shows the offline page for the rest, and
// logging out leaves no cached page and no outbox, nor does a reload that removes a puzzle leave
// that puzzle's; another team's login on the phone (in any tab) drops the last team's pages, and
// sends nothing the last team left waiting.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page, Request } from "playwright-core";
import { buildBinary } from "../_binary.ts";
import {
  chromiumAvailable,
  closeOffline,
  keepToasts,
  launchChromium,
  outboxCounts,
  registerTeam,
  SHOTS,
  startBinary,
  toldOf,
  until,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Offline Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
body = "Count the **windows** of the lighthouse."
answer = ["seven"]
solution = "Two on each side and one above the door: **seven** windows."
# A checkpoint, so that the list offers a check-in (a hunt with none does not).
checkpoint = { code = "lamp-1" }

[[puzzle]]
id = "vault"
title = "The Vault"
unlock = 'solved("lighthouse")'
body = "The vault's secret text."
answer = ["open"]
`;

/** A puzzle an organizer's reload adds, then removes (every team has it at once). */
const BUOY = `
[[puzzle]]
id = "buoy"
title = "The Buoy"
body = "Ring the buoy's bell."
answer = ["ding"]
`;

/** The organizers' token of the server (POST /api/admin/reload). */
const ADMIN = "sw-reload-admin-token";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let certs = "";

/** The base64 SHA-256 of a certificate's public key, as chromium's SPKI list wants it. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

/** The cached page paths, read in the page (a browser script: this project's types have no DOM). */
const cachedPages = (page: Page) =>
  page.evaluate(`(async () => {
    if (!(await caches.has("cairn-pages"))) return [];
    const cache = await caches.open("cairn-pages");
    return (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
  })()`) as Promise<string[]>;

/**
 * True once the page itself is offline: it says so, and a request to the server fails. (An
 * expression for `until`.)
 */
const OFFLINE = `!navigator.onLine &&
  fetch("/api/hunt", { cache: "no-store" }).then(() => false, () => true)`;

suite("the service worker, under HTTPS", () => {
  beforeAll(async () => {
    const binary = await buildBinary();
    certs = mkdtempSync(join(tmpdir(), "cairn-sw-tls-"));
    const made = Bun.spawnSync([binary, "tls", "--out", certs], { stdout: "pipe", stderr: "pipe" });
    if (made.exitCode !== 0) throw new Error(`cairn tls failed: ${made.stderr}`);
    server = await startBinary(HUNT, {
      scheme: "https",
      args: [
        "--tls-cert",
        join(certs, "server.crt"),
        "--tls-key",
        join(certs, "server.key"),
        "--admin-token",
        ADMIN,
      ],
    });
    const pem = readFileSync(join(certs, "server.crt"), "utf8");
    browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spkiHash(pem)}`]);
    context = browser.context;
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.stop();
      if (certs) rmSync(certs, { recursive: true, force: true });
    }
  });

  /**
   * A new team `name`'s phone on `path`, its page errors into `errors`, once the service worker
   * controls the page; and the team's session token.
   */
  async function teamPage(name: string, path: string, errors: string[]) {
    const token = await registerTeam(server.base, name);
    await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.base}${path}`);
    await until(page, "navigator.serviceWorker.controller !== null");
    return { page, token };
  }

  /** A tab the phone keeps on the landing page (or `path`, a checkpoint's), no one logged in. */
  async function landingTab(errors: string[], path = "/"): Promise<Page> {
    await context.clearCookies();
    const landing = await context.newPage();
    landing.on("pageerror", (error) => errors.push(error.message));
    await landing.goto(`${server.base}${path}`);
    return landing;
  }

  /**
   * Waits until the service worker keeps `path` as drawn for team `name` (its copy names the team),
   * read from `page`; `seconds` as for `until`.
   */
  async function keptFor(page: Page, path: string, name: string, seconds?: number): Promise<void> {
    await until(
      page,
      `caches.open("cairn-pages").then((c) => c.match(${JSON.stringify(path)}))
        .then((r) => r?.text()).then((text) => text?.includes(${JSON.stringify(name)}))`,
      seconds,
    );
  }

  /** Logs team `name` in with the login form on `page`. */
  async function logIn(page: Page, name: string): Promise<void> {
    const form = page.locator("#login");
    await form.getByLabel("Team name").fill(name);
    await form.getByLabel("Password").fill("correct horse");
    await form.getByRole("button", { name: "Log in" }).click();
  }

  /** Team `token` solves the lighthouse (which opens the vault), as from another phone. */
  async function solveLighthouse(token: string): Promise<void> {
    const res = await fetch(`${server.base}/api/puzzles/lighthouse/guesses`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "seven" }),
      tls: { rejectUnauthorized: false },
    } as RequestInit);
    expect(res.status).toBe(200);
  }

  /** Makes an announcement, as the organizers do. */
  async function announce(text: string): Promise<void> {
    const res = await fetch(`${server.base}/api/admin/announcements`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ text }),
      tls: { rejectUnauthorized: false },
    } as RequestInit);
    expect(res.status).toBe(201);
  }

  test(
    "keeps unlocked pages, never a locked one; offline, the rest is the offline page",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Gulls", "/puzzles", errors);
      expect(await page.evaluate("isSecureContext")).toBe(true);
      // The worker takes control, and keeps the list, each unlocked puzzle and the announcements.
      await until(
        page,
        `caches.open("cairn-pages").then((c) => c.keys()).then((k) => k.length >= 3)`,
      );
      expect(await cachedPages(page)).toEqual([
        "/announcements",
        "/puzzles",
        "/puzzles/lighthouse",
      ]);

      await context.setOffline(true);
      await page.goto(`${server.base}/puzzles/lighthouse`);
      await page.getByText("Count the windows of the lighthouse.").waitFor();
      // A locked puzzle was never fetched for keeping, and the team cannot see it: the offline page.
      await page.goto(`${server.base}/puzzles/vault`);
      await page.getByRole("heading", { name: "You are offline" }).waitFor();
      expect(await page.content()).not.toContain("secret text");
      // A checkpoint's QR code scanned offline: the page says where to type its code instead, and
      // its way back leads to the kept list (the landing page is not kept: offline again).
      await page.goto(`${server.base}/c/harbour-7`);
      await page.getByText("Found a checkpoint?").waitFor();
      await page.screenshot({ path: join(SHOTS, "sw-offline-checkpoint-phone.png") });
      await page.getByRole("link", { name: "Back to the hunt" }).click();
      await page.getByRole("textbox", { name: "Checkpoint code" }).waitFor();
      expect(new URL(page.url()).pathname).toBe("/puzzles");
      await context.setOffline(false);

      // Online, the locked page answers 404 and is still not kept.
      const locked = await page.goto(`${server.base}/puzzles/vault`);
      expect(locked?.status()).toBe(404);
      expect(await cachedPages(page)).not.toContain("/puzzles/vault");
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  test(
    "pages opened offline from the phone's copies catch up once the network is back",
    async () => {
      const errors: string[] = [];
      const { page: list, token } = await teamPage("Gannets", "/puzzles", errors);
      await keptFor(list, "/puzzles/lighthouse", "Gannets");
      // Offline, the team opens the list and the lighthouse: the copies kept on the phone.
      await context.setOffline(true);
      const puzzle = await context.newPage();
      puzzle.on("pageerror", (error) => errors.push(error.message));
      await keepToasts(puzzle);
      try {
        await list.goto(`${server.base}/puzzles`);
        await puzzle.goto(`${server.base}/puzzles/lighthouse`);
        await puzzle.getByRole("textbox", { name: "Answer" }).waitFor();
        // Meanwhile a teammate solves the lighthouse, which opens the vault.
        await solveLighthouse(token);
        await Bun.sleep(500);
      } finally {
        await context.setOffline(false);
      }
      try {
        // The network is back: the list shows the vault, the puzzle's page the solve.
        await list.locator(".puzzle-list").getByRole("link", { name: "The Vault" })
          .waitFor({ timeout: 20_000 });
        // Both toasts come together, and go as the page reloads 1.5 s later.
        await toldOf(puzzle, "New puzzle unlocked: The Vault", 20_000);
        await toldOf(puzzle, "A teammate solved this puzzle.");
        await puzzle.screenshot({ path: join(SHOTS, "sw-kept-puzzle-caught-up-phone.png") });
        await puzzle.locator("#solved-badge").waitFor({ timeout: 15_000 });
        await list.screenshot({ path: join(SHOTS, "sw-kept-list-caught-up-phone.png") });
        expect(errors).toEqual([]);
      } finally {
        // Left open, their scripts would go on keeping pages for the next cases.
        await puzzle.close();
        await list.close();
      }
    },
    90_000,
  );

  test(
    "the announcements are kept with the list: offline, they say they may be out of date, then catch up",
    async () => {
      const errors: string[] = [];
      await announce("Lunch is served in the boathouse.");
      const { page } = await teamPage("Grebes", "/puzzles", errors);
      // Never opened, kept all the same: the list names the newest announcement.
      await keptFor(page, "/announcements", "Grebes");
      await context.setOffline(true);
      try {
        await page.goto(`${server.base}/announcements`);
        await page.getByText("Lunch is served in the boathouse.").waitFor();
        await page.locator("#stale-note", {
          hasText: "No network: this list may be out of date.",
        }).waitFor();
        await page.screenshot({ path: join(SHOTS, "sw-kept-announcements-offline-phone.png") });
        // Made while the phone is offline.
        await announce("The ferry leaves at four.");
      } finally {
        await context.setOffline(false);
      }
      // The network is back: the page lists it, says nothing more, and is kept again with it.
      await page.getByText("The ferry leaves at four.").waitFor({ timeout: 20_000 });
      await page.locator("#stale-note").waitFor({ state: "detached" });
      await until(
        page,
        `caches.open("cairn-pages").then((c) => c.match("/announcements"))
          .then((r) => r?.text()).then((text) => text?.includes("The ferry leaves at four."))`,
      );
      await page.screenshot({ path: join(SHOTS, "sw-kept-announcements-caught-up-phone.png") });
      // Logging out drops it with the rest; a visitor's is never kept.
      await page.goto(`${server.base}/puzzles`);
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(`${server.base}/`);
      await page.goto(`${server.base}/announcements`);
      await page.getByText("The ferry leaves at four.").waitFor();
      expect(await cachedPages(page)).toEqual([]);
      await context.setOffline(true);
      try {
        await page.goto(`${server.base}/announcements`);
        await page.getByRole("heading", { name: "You are offline" }).waitFor();
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  test(
    "the kept list opened offline says at once it may be out of date, then catches up",
    async () => {
      const errors: string[] = [];
      const { page, token } = await teamPage("Smews", "/puzzles", errors);
      await keptFor(page, "/puzzles", "Smews");
      await context.setOffline(true);
      try {
        await page.goto(`${server.base}/puzzles`);
        await page.locator(".puzzle-list").getByRole("link", { name: /The Lighthouse/ }).waitFor();
        // No live update comes offline: the copy says so itself.
        await page.locator("#stale-note", {
          hasText: "No network: this list may be out of date.",
        }).waitFor({ timeout: 5_000 });
        await page.screenshot({ path: join(SHOTS, "sw-kept-list-offline-phone.png") });
        // A teammate solves the lighthouse on another phone meanwhile: the vault opens.
        await solveLighthouse(token);
      } finally {
        await context.setOffline(false);
      }
      try {
        // The network is back: the list shows the vault, and the note goes.
        await page.locator(".puzzle-list").getByRole("link", { name: /The Vault/ })
          .waitFor({ timeout: 20_000 });
        await page.locator("#stale-note").waitFor({ state: "detached" });
        expect(errors).toEqual([]);
      } finally {
        // Left open, its script would go on keeping pages for the next cases.
        await page.close();
      }
    },
    90_000,
  );

  test("a page that shows a one-time message is kept without it", async () => {
    const errors: string[] = [];
    // A phone whose worker already runs (an earlier visit), then logged out.
    const { page } = await teamPage("Fulmars", "/puzzles", errors);
    // The worker keeps the list, then the lighthouse, last of what the page asked for: once that
    // is kept, no fetch of its is left to go out after the cookie is gone.
    for (const path of ["/puzzles", "/puzzles/lighthouse"]) {
      await keptFor(page, path, "Fulmars");
    }
    await context.clearCookies();
    await page.goto(`${server.base}/#login`);
    // The Wi-Fi drops as the list arrives: the page's own fetches behind the team's back (to keep
    // a fresh copy of it) do not get through.
    const background = "**/puzzles";
    await context.route(
      background,
      (route) =>
        route.request().headers()["cairn-background"] === undefined
          ? route.continue()
          : route.abort("internetdisconnected"),
    );
    try {
      // The team logs in: the list says so, once.
      await logIn(page, "Fulmars");
      await page.waitForURL(`${server.base}/puzzles`);
      await page.locator(".notice", { hasText: "Logged in" }).waitFor();
      // The list with the message was not kept, and the copy of the session before went as the
      // landing page came (it was another session's).
      expect(await cachedPages(page)).not.toContain("/puzzles");
    } finally {
      await context.unroute(background);
    }
    // The network is back: a page asks again, and the worker keeps the list as the server draws
    // it now.
    await page.evaluate(
      `navigator.serviceWorker.controller.postMessage({ type: "cache", urls: ["/puzzles"] })`,
    );
    await keptFor(page, "/puzzles", "Fulmars");
    // Offline now, the phone shows what the worker kept of the list.
    await context.setOffline(true);
    try {
      await page.goto(`${server.base}/puzzles`);
      await page.getByRole("textbox", { name: "Checkpoint code" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "sw-kept-list-no-flash-phone.png") });
      expect(await page.locator(".notice", { hasText: "Logged in" }).count()).toBe(0);
    } finally {
      await context.setOffline(false);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  test(
    "a page the server cannot serve now (503: it starts again) shows the copy kept, and keeps it",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Eiders", "/puzzles", errors);
      /** Whether the list and the lighthouse are kept, as the team's pages (the cache is the phone's). */
      const keptForEiders = (page: Page) =>
        page.evaluate(`Promise.all(["/puzzles", "/puzzles/lighthouse"].map((path) =>
          caches.open("cairn-pages").then((c) => c.match(path)).then((r) => r?.text())
            .then((text) => text?.includes("Eiders") ?? false)))`) as Promise<boolean[]>;
      for (const path of ["/puzzles", "/puzzles/lighthouse"]) {
        await keptFor(page, path, "Eiders");
      }
      // The server starts again after a failed save: each page is its 503 "Starting again" a while,
      // the worker's own fetches to keep them included.
      const pages = /\/puzzles(\/[^/?]+)?$/;
      await context.route(pages, (route) =>
        route.fulfill({
          status: 503,
          contentType: "text/html; charset=utf-8",
          headers: { "retry-after": "5" },
          body: "<!doctype html><title>Starting again</title><h1>Starting again</h1>",
        }));
      try {
        await page.goto(`${server.base}/puzzles/lighthouse`);
        await page.getByText("Count the windows of the lighthouse.").waitFor();
        await page.screenshot({ path: join(SHOTS, "sw-kept-page-server-503-phone.png") });
        await page.goto(`${server.base}/puzzles`);
        await page.getByRole("textbox", { name: "Checkpoint code" }).waitFor();
        expect(await keptForEiders(page)).toEqual([true, true]);
      } finally {
        await context.unroute(pages);
      }
      // Back: the server's page, the copy kept still there for the next time.
      await page.goto(`${server.base}/puzzles/lighthouse`);
      await page.getByText("Count the windows of the lighthouse.").waitFor();
      expect(await keptForEiders(page)).toEqual([true, true]);
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  test("logging out with no network keeps the pages kept, and the team logged in", async () => {
    const errors: string[] = [];
    const { page, token } = await teamPage("Skuas", "/puzzles", errors);
    // The worker keeps this team's lighthouse, last of what the page asked for (the earlier cases'
    // pages, of other teams, are kept already).
    await keptFor(page, "/puzzles/lighthouse", "Skuas");
    const kept = await cachedPages(page);
    expect(kept).toContain("/puzzles/lighthouse");
    await context.setOffline(true);
    try {
      await page.getByRole("button", { name: "Log out" }).click();
      await page.locator("#outbox-logout", { hasText: "Not logged out" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "sw-logout-offline-phone.png") });
      expect(new URL(page.url()).pathname).toBe("/puzzles");
      // The clues stay readable offline.
      expect(await cachedPages(page)).toEqual(kept);
      await page.goto(`${server.base}/puzzles/lighthouse`);
      await page.getByText("Count the windows of the lighthouse.").waitFor();
    } finally {
      await context.setOffline(false);
    }
    const still = await fetch(`${server.base}/api/puzzles`, {
      headers: { authorization: `Bearer ${token}` },
      tls: { rejectUnauthorized: false },
    } as RequestInit);
    expect(still.status).toBe(200);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  test("a new unlock is kept at once, and logging out leaves no page and no outbox", async () => {
    const errors: string[] = [];
    const { page } = await teamPage("Terns", "/puzzles/lighthouse", errors);
    await page.getByRole("textbox", { name: "Answer" }).fill("seven");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.locator("#result.notice-ok", { hasText: "Correct!" }).waitFor();
    // The `unlock` event makes the worker fetch and keep the vault, unvisited (this team's: an
    // earlier case's team may have left its own).
    await keptFor(page, "/puzzles/vault", "Terns");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${server.base}/`);
    expect(await cachedPages(page)).toEqual([]);
    expect((await outboxCounts(page)).outbox).toBe(0);
    // Offline now, the team's pages are gone: the offline page, not the vault.
    await context.setOffline(true);
    await page.goto(`${server.base}/puzzles/vault`);
    await page.getByRole("heading", { name: "You are offline" }).waitFor();
    await context.setOffline(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  test(
    "a solve on this phone keeps its page again: offline, it shows solved, with the solution",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Puffins", "/puzzles/lighthouse", errors);
      const kept = (path: string, text: string) =>
        `caches.open("cairn-pages").then((c) => c.match(${JSON.stringify(path)}))
        .then((r) => r ? r.text() : "").then((t) => t.includes(${JSON.stringify(text)}))`;
      await until(page, kept("/puzzles/lighthouse", "Count the"));
      await page.getByRole("textbox", { name: "Answer" }).fill("seven");
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#solution", { hasText: "seven windows" }).waitFor();
      // No navigation: the page asks the worker to keep it, and the list, as the server draws them now.
      await until(page, kept("/puzzles/lighthouse", 'id="solution"'));
      await context.setOffline(true);
      try {
        await page.goto(`${server.base}/puzzles/lighthouse`);
        await page.locator("#solution", { hasText: "seven windows" }).waitFor();
        expect(await page.locator("#solution").count()).toBe(1);
        expect(await page.locator("#solved-badge").count()).toBe(1);
        expect(await page.locator("#guess-form").count()).toBe(0);
        await page.screenshot({
          path: join(SHOTS, "sw-offline-solution-phone.png"),
          fullPage: true,
        });
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  /** Reloads the server's hunt file as `hunt`: its answer's body. */
  async function reload(hunt: string) {
    writeFileSync(join(server.dir, "hunt.toml"), hunt);
    const res = await fetch(`${server.base}/api/admin/reload`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
      tls: { rejectUnauthorized: false },
    } as RequestInit);
    expect(res.status).toBe(200);
    return await res.json();
  }

  test(
    "a puzzle a reload removes goes from the phone: offline, it is the offline page, and the list kept has it no more",
    async () => {
      const errors: string[] = [];
      expect(await reload(HUNT + BUOY)).toMatchObject({ added: ["buoy"] });
      const token = await registerTeam(server.base, "Shearwaters");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const page = await context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      try {
        const stream = page.waitForResponse((r) => r.url().includes("/api/events"));
        await page.goto(`${server.base}/puzzles/buoy`);
        expect((await stream).status()).toBe(200);
        await until(page, "navigator.serviceWorker.controller !== null");
        /** Whether the copy of `path` kept is this team's, and has `text` or, with `has` false, not. */
        const kept = (path: string, text: string, has = true) =>
          `caches.open("cairn-pages").then((c) => c.match(${JSON.stringify(path)}))
            .then((r) => r ? r.text() : "").then((t) => t.includes("Shearwaters") &&
              t.includes(${JSON.stringify(text)}) === ${has})`;
        await until(page, kept("/puzzles/buoy", "Ring the buoy"));
        await until(page, kept("/puzzles", 'href="/puzzles/buoy"'));

        expect(await reload(HUNT)).toMatchObject({ removed: ["buoy"] });
        await page.getByText(/^The organizers removed this puzzle\./).waitFor();
        // The page has the worker ask for it again: the 404 drops the copy; the list is kept anew.
        await until(
          page,
          `caches.open("cairn-pages").then((c) => c.match("/puzzles/buoy"))
          .then((r) => r === undefined)`,
        );
        await until(page, kept("/puzzles", 'href="/puzzles/buoy"', false));

        await context.setOffline(true);
        try {
          await page.goto(`${server.base}/puzzles/buoy`);
          await page.getByRole("heading", { name: "You are offline" }).waitFor();
          expect(await page.content()).not.toContain("Ring the buoy");
          await page.screenshot({ path: join(SHOTS, "sw-removed-puzzle-offline-phone.png") });
          await page.goto(`${server.base}/puzzles`);
          await page.locator(".puzzle-list").getByRole("link", { name: "The Lighthouse" })
            .waitFor();
          expect(await page.locator(".puzzle-list a[href='/puzzles/buoy']").count()).toBe(0);
        } finally {
          await context.setOffline(false);
        }
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    90_000,
  );

  test(
    "a reload that removes several puzzles has the worker fetch the list once, not once each",
    async () => {
      const ids = ["reef", "dune", "cove"];
      const several = ids.map((id) =>
        `\n[[puzzle]]\nid = "${id}"\ntitle = "The ${id}"\nbody = "Walk to the ${id}."\nanswer = ["x"]\n`
      ).join("");
      const added = await reload(HUNT + several) as { added: string[] };
      expect(added.added.sort()).toEqual([...ids].sort());
      /** The worker's fetches of the list, once `seen` listens. */
      const lists: string[] = [];
      const seen = (request: Request) => {
        if (request.serviceWorker() && new URL(request.url()).pathname === "/puzzles") {
          lists.push(request.url());
        }
      };
      const errors: string[] = [];
      const { page } = await teamPage("Guillemots", "/puzzles", errors);
      try {
        await until(
          page,
          `caches.open("cairn-pages").then((c) => Promise.all(${
            JSON.stringify(ids)
          }.map((id) => c.match("/puzzles/" + id)))).then((all) => all.every(Boolean))`,
        );
        context.on("request", seen);

        const removed = await reload(HUNT) as { removed: string[] };
        expect(removed.removed.sort()).toEqual([...ids].sort());
        await until(
          page,
          `caches.open("cairn-pages").then((c) => Promise.all(${
            JSON.stringify(ids)
          }.map((id) => c.match("/puzzles/" + id)))).then((all) => all.every((r) => !r))`,
        );
        await until(
          page,
          `caches.open("cairn-pages").then((c) => c.match("/puzzles")).then((r) => r.text())
            .then((t) => t.includes("Guillemots") && !t.includes('href="/puzzles/reef"'))`,
        );
        expect(lists.length).toBe(1);
        expect(await page.locator(".puzzle-list a[href='/puzzles/reef']").count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        context.off("request", seen);
        await page.close();
      }
    },
    90_000,
  );

  test(
    "a puzzle removed while the list's stream was down goes from the phone once the list catches up",
    async () => {
      expect(await reload(HUNT + BUOY)).toMatchObject({ added: ["buoy"] });
      const errors: string[] = [];
      const { page } = await teamPage("Razorbills", "/puzzles", errors);
      const stream = /\/api\/events/;
      const buoyKept = `caches.open("cairn-pages").then((c) => c.match("/puzzles/buoy"))
        .then((r) => r !== undefined)`;
      try {
        await until(page, buoyKept);
        // The stream cut, and the server started again on a hunt without it: no puzzle_removed.
        await page.route(stream, (route) => route.abort("internetdisconnected"));
        await server.restart(() =>
          Promise.resolve(writeFileSync(join(server.dir, "hunt.toml"), HUNT))
        );
        const reopened = page.waitForResponse(
          (r) => stream.test(r.url()) && r.status() === 200,
          { timeout: 30_000 },
        );
        await page.unroute(stream);
        await reopened;
        // The list draws itself again without it, and the phone forgets its copy.
        await page.locator(".puzzle-list a[href='/puzzles/buoy']").waitFor({ state: "detached" });
        await until(page, `${buoyKept}.then((kept) => !kept)`);
        await until(
          page,
          `caches.open("cairn-pages").then((c) => c.match("/puzzles")).then((r) => r.text())
            .then((t) => t.includes("Razorbills") && !t.includes('href="/puzzles/buoy"'))`,
        );
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    90_000,
  );

  /** The text of every page the worker keeps. */
  const keptTexts = (page: Page) =>
    page.evaluate(`caches.open("cairn-pages").then((c) => c.keys()
      .then((keys) => Promise.all(keys.map((k) => c.match(k).then((r) => r.text())))))`) as Promise<
      string[]
    >;

  /** The teams whose actions wait in the phone's outbox, one entry an action. */
  const waitingFor = (page: Page) =>
    page.evaluate(`new Promise((resolve) => {
      const open = indexedDB.open("cairn-outbox");
      open.onsuccess = () => {
        const tx = open.result.transaction("outbox", "readonly");
        const all = tx.objectStore("outbox").getAll();
        tx.oncomplete = () => resolve(all.result.map((item) => item.team));
      };
    })`) as Promise<string[]>;

  test(
    "another team's login in another tab drops the pages kept; what the last team left waits for it",
    async () => {
      const errors: string[] = [];
      // A tab the phone kept on the landing page, from before anyone logged in.
      const landing = await landingTab(errors);
      // The Kittiwakes play in another tab: they solve the lighthouse, which opens the vault.
      const { page, token } = await teamPage("Kittiwakes", "/puzzles/lighthouse", errors);
      try {
        await page.getByRole("textbox", { name: "Answer" }).fill("seven");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result.notice-ok", { hasText: "Correct!" }).waitFor();
        await page.goto(`${server.base}/puzzles/vault`);
        await keptFor(page, "/puzzles/vault", "Kittiwakes");
        // Offline, a guess on the vault waits on the phone; the tab is closed before the network
        // comes back. (Pressed only once the page itself is offline: the browser cuts a context's
        // pages a moment after it is told, and a guess pressed before would reach the server. Back
        // online whatever happens, or the next cases would start offline.)
        await context.setOffline(true);
        try {
          await until(page, OFFLINE);
          await page.getByRole("textbox", { name: "Answer" }).fill("shut");
          await page.getByRole("button", { name: "Submit" }).click();
          await until(page, "globalThis.cairnOutbox.pending().then((n) => n === 1)");
          await closeOffline(page);
        } finally {
          await context.setOffline(false);
        }

        // The Petrels log in on the landing tab.
        await registerTeam(server.base, "Petrels");
        await logIn(landing, "Petrels");
        await landing.waitForURL(`${server.base}/puzzles`);
        await keptFor(landing, "/puzzles/lighthouse", "Petrels");
        // No page of the Kittiwakes is left on the phone.
        const kept = await keptTexts(landing);
        expect(kept.length).toBeGreaterThan(0);
        expect(kept.filter((text) => text.includes("Kittiwakes"))).toEqual([]);
        expect(await cachedPages(landing)).not.toContain("/puzzles/vault");

        // Offline, the vault (the Kittiwakes' puzzle, locked for the Petrels) is the offline page.
        await context.setOffline(true);
        try {
          await landing.goto(`${server.base}/puzzles/vault`);
          await landing.getByRole("heading", { name: "You are offline" }).waitFor();
          expect(await landing.content()).not.toContain("secret text");
          await landing.screenshot({ path: join(SHOTS, "sw-shared-phone-offline-phone.png") });
          // (Closed offline: left open, it would load the page by itself once the network is back.)
          await landing.close();
        } finally {
          await context.setOffline(false);
        }
        // The network back, what the Kittiwakes left waits for them, unsent: it never goes with the
        // Petrels' session.
        const list = await context.newPage();
        list.on("pageerror", (error) => errors.push(error.message));
        try {
          await list.goto(`${server.base}/puzzles`);
          await list.evaluate("globalThis.cairnOutbox.flush()");
          expect(await waitingFor(list)).toEqual(["Kittiwakes"]);
          const guesses = await fetch(`${server.base}/api/puzzles/vault/guesses`, {
            headers: { authorization: `Bearer ${token}` },
            tls: { rejectUnauthorized: false },
          } as RequestInit);
          expect(((await guesses.json()) as { guesses: unknown[] }).guesses).toEqual([]);
          expect(errors).toEqual([]);
          // The next cases start with an empty outbox.
          await list.evaluate(`void indexedDB.deleteDatabase("cairn-outbox")`);
        } finally {
          await list.close();
        }
      } finally {
        // A failure leaves the next cases neither offline, nor with this case's tabs, nor with what
        // its team left waiting.
        await context.setOffline(false);
        if (!page.isClosed()) await page.close();
        if (!landing.isClosed()) {
          await landing.evaluate(`void indexedDB.deleteDatabase("cairn-outbox")`).catch(() => {});
          await landing.close();
        }
      }
    },
    90_000,
  );

  test(
    "what a team's open tab sends as another team logs in in another tab stops at the login",
    async () => {
      const errors: string[] = [];
      const landing = await landingTab(errors);
      // The Shags' tab: two wrong guesses wait on the phone, offline.
      const { page, token: shags } = await teamPage("Shags", "/puzzles/lighthouse", errors);
      await context.setOffline(true);
      for (const guess of ["one", "two"]) {
        await page.getByRole("textbox", { name: "Answer" }).fill(guess);
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Saved on this phone" }).waitFor();
      }
      expect(await page.evaluate("globalThis.cairnOutbox.pending()")).toBe(2);
      // The network comes back; the first guess is on its way (held there), and the Herons log
      // in on the landing tab, whose first page is held too.
      let releaseGuess = () => {};
      const guessHeld = new Promise<void>((resolve) => (releaseGuess = resolve));
      let releasePage = () => {};
      const pageHeld = new Promise<void>((resolve) => (releasePage = resolve));
      const guesses = "**/api/puzzles/lighthouse/guesses";
      const list = "**/puzzles";
      let sent = 0;
      await context.route(guesses, async (route) => {
        if (route.request().method() === "POST") sent += 1;
        await guessHeld;
        await route.continue();
      });
      await context.route(list, async (route) => {
        await pageHeld;
        await route.continue();
      });
      try {
        await context.setOffline(false);
        await page.evaluate("void globalThis.cairnOutbox.flush()");
        for (let i = 0; i < 100 && sent === 0; i++) await Bun.sleep(100);
        expect(sent).toBe(1);
        const herons = await registerTeam(server.base, "Herons");
        await logIn(landing, "Herons");
        // The login's answer has set the Herons' cookie; their list has not come yet.
        for (let i = 0; i < 100; i++) {
          const cookie = (await context.cookies(server.base)).find((c) =>
            c.name === "cairn_session"
          );
          if (cookie !== undefined && cookie.value !== shags) break;
          await Bun.sleep(100);
        }
        // No page drawn for a team has said whose the phone is since (a slow list gets the offline
        // page after the worker's 3 s, never the Shags' copy).
        expect(await page.evaluate(`localStorage.getItem("cairn.team")`)).toBeNull();
        // The first guess goes on; the Shags' tab then sends nothing more with the Herons' session.
        releaseGuess();
        await page.evaluate("globalThis.cairnOutbox.flush()");
        const stored = await fetch(`${server.base}/api/puzzles/lighthouse/guesses`, {
          headers: { authorization: `Bearer ${herons}` },
          tls: { rejectUnauthorized: false },
        } as RequestInit);
        const answers = ((await stored.json()) as { guesses: { answer: string }[] }).guesses
          .map((g) => g.answer);
        expect(answers).not.toContain("two");
        expect(await waitingFor(page)).toEqual(["Shags"]);
      } finally {
        releaseGuess();
        releasePage();
        await context.unroute(guesses);
        await context.unroute(list);
      }
      await landing.waitForURL(`${server.base}/puzzles`);
      expect(errors).toEqual([]);
      await page.evaluate(`void indexedDB.deleteDatabase("cairn-outbox")`);
      await page.close();
      await landing.close();
    },
    90_000,
  );

  test(
    "while another team's first page is slow to come after its login, no page the team before kept is shown",
    async () => {
      const errors: string[] = [];
      const landing = await landingTab(errors);
      const { page } = await teamPage("Scoters", "/puzzles", errors);
      await keptFor(page, "/puzzles", "Scoters");
      // The Mergansers log in on the landing tab; their list comes only after the worker's 3 s.
      let releasePage = () => {};
      const pageHeld = new Promise<void>((resolve) => (releasePage = resolve));
      const list = "**/puzzles";
      // The requests held now: each is let go before the route goes (else it is continued twice).
      let held = 0;
      await context.route(list, async (route) => {
        held += 1;
        await pageHeld;
        await route.continue();
        held -= 1;
      });
      try {
        await registerTeam(server.base, "Mergansers");
        await logIn(landing, "Mergansers");
        await landing.waitForURL(`${server.base}/puzzles`, { timeout: 15_000 });
        // The worker had no answer in time: the offline page, not the Scoters' list, whose script
        // would also have told the Scoters' tab that the phone is theirs again.
        expect(await landing.evaluate("document.body.dataset.team ?? null")).toBeNull();
        expect(await landing.locator("body").textContent()).not.toContain("Scoters");
        expect(await page.evaluate(`localStorage.getItem("cairn.team")`)).toBeNull();
      } finally {
        releasePage();
        for (let i = 0; i < 50 && held > 0; i++) await Bun.sleep(100);
        await context.unroute(list);
      }
      // Their list, once the server answers; kept for them.
      await landing.reload();
      expect(await landing.evaluate("document.body.dataset.team")).toBe("Mergansers");
      await keptFor(landing, "/puzzles", "Mergansers");
      expect(errors).toEqual([]);
      await page.close();
      await landing.close();
    },
    60_000,
  );

  test(
    "tabs that each ask the worker to forget a removed puzzle get one fetch of it, and of the list",
    async () => {
      expect(await reload(HUNT + BUOY)).toMatchObject({ added: ["buoy"] });
      const errors: string[] = [];
      const { page: first } = await teamPage("Cormorants", "/puzzles", errors);
      const tabs = [first];
      try {
        await until(
          first,
          `caches.open("cairn-pages").then((c) => c.match("/puzzles/buoy")).then(Boolean)`,
        );
        for (const path of ["/puzzles", "/puzzles/lighthouse"]) {
          const tab = await context.newPage();
          tab.on("pageerror", (error) => errors.push(error.message));
          const stream = tab.waitForResponse((r) => r.url().includes("/api/events"));
          await tab.goto(`${server.base}${path}`);
          expect((await stream).status()).toBe(200);
          tabs.push(tab);
        }
        // The worker's fetches, once each tab has asked for what it shows.
        await Bun.sleep(1_000);
        const fetched: string[] = [];
        const seen = (request: Request) => {
          if (request.serviceWorker()) fetched.push(new URL(request.url()).pathname);
        };
        context.on("request", seen);
        try {
          expect(await reload(HUNT)).toMatchObject({ removed: ["buoy"] });
          await until(
            first,
            `caches.open("cairn-pages").then((c) => c.match("/puzzles/buoy"))
              .then((r) => r === undefined)`,
          );
          await until(
            first,
            `caches.open("cairn-pages").then((c) => c.match("/puzzles"))
              .then((r) => r ? r.text() : "")
              .then((t) => t.includes("Cormorants") && !t.includes('href="/puzzles/buoy"'))`,
          );
          await Bun.sleep(1_000);
        } finally {
          context.off("request", seen);
        }
        // Three tabs heard it, and each asked: one fetch each.
        expect(fetched.filter((path) => path === "/puzzles/buoy")).toEqual(["/puzzles/buoy"]);
        expect(fetched.filter((path) => path === "/puzzles")).toEqual(["/puzzles"]);
        expect(errors).toEqual([]);
      } finally {
        for (const tab of tabs) await tab.close();
      }
    },
    90_000,
  );

  test(
    "a page fetched for keeping before another team's login, answered after, is not kept for it",
    async () => {
      const errors: string[] = [];
      const landing = await landingTab(errors);
      const { page, token: auks } = await teamPage("Auks", "/puzzles/lighthouse", errors);
      await keptFor(page, "/puzzles/lighthouse", "Auks");
      // The Auks' tab asks for the lighthouse again: its fetch is held on the way, and answered
      // as it would have been, sent with the Auks' cookie (a continued request would take the
      // cookie of when it goes on). The worker's fetches after it do not get through.
      let releaseAuks = () => {};
      const auksHeld = new Promise<void>((resolve) => (releaseAuks = resolve));
      let held = 0;
      const background = "**/puzzles**";
      await context.route(background, async (route) => {
        if (route.request().headers()["cairn-background"] === undefined) return route.continue();
        held += 1;
        if (held > 1) return route.abort("internetdisconnected");
        await auksHeld;
        const answer = await fetch(route.request().url(), {
          headers: { cookie: `cairn_session=${auks}`, "cairn-background": "1" },
          redirect: "manual",
          tls: { rejectUnauthorized: false },
        } as RequestInit);
        await route.fulfill({
          status: answer.status,
          headers: Object.fromEntries(answer.headers),
          body: Buffer.from(await answer.arrayBuffer()),
        });
      });
      try {
        await page.evaluate(
          `navigator.serviceWorker.controller.postMessage({ type: "cache", urls: ["/puzzles/lighthouse"] })`,
        );
        for (let i = 0; i < 100 && held === 0; i++) await Bun.sleep(100);
        expect(held).toBe(1);
        // The Noddies log in on the landing tab: their list comes, and asks for its pages.
        await registerTeam(server.base, "Noddies");
        await logIn(landing, "Noddies");
        await landing.waitForURL(`${server.base}/puzzles`);
        await landing.locator(".notice", { hasText: "Logged in" }).waitFor();
        // The Auks' page comes now; the worker then tries the Noddies' (which fail).
        releaseAuks();
        for (let i = 0; i < 150 && held < 2; i++) await Bun.sleep(100);
        expect(held).toBeGreaterThan(1);
        await Bun.sleep(500);
        expect((await keptTexts(landing)).filter((text) => text.includes("Auks"))).toEqual([]);
      } finally {
        releaseAuks();
        await context.unroute(background);
      }
      // Offline, the Noddies never read the Auks' page.
      await context.setOffline(true);
      try {
        // (Their own copy, if the worker kept one once the Wi-Fi was back, or the offline page.)
        await landing.goto(`${server.base}/puzzles/lighthouse`);
        await landing.locator("h1").first().waitFor();
        await landing.screenshot({ path: join(SHOTS, "sw-late-fetch-offline-phone.png") });
        expect(await landing.content()).not.toContain("Auks");
        await closeOffline(landing);
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  test(
    "every other page a team opens, even on the same phone's admin tab, leaves its kept pages",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Boobies", "/puzzles", errors);
      await keptFor(page, "/puzzles/lighthouse", "Boobies");
      // A mark among the kept pages: were they dropped, a page asking to keep its own again (the
      // list, a puzzle) would not bring it back.
      await page.evaluate(
        `caches.open("cairn-pages").then((c) => c.put("/puzzles/mark", new Response("mark")))`,
      );
      // The organizers' pages too, with their cookie beside the team's.
      await context.addCookies([{ name: "cairn_admin", value: ADMIN, url: server.base }]);
      const pages = [
        "/scoreboard",
        "/scoreboard?division=none",
        "/scoreboard/chart.svg",
        "/scoreboard/gallery",
        "/docs/api",
        "/offline",
        "/no-such-page",
        "/puzzles/vault",
        "/puzzles/lighthouse/assets/none.png",
        "/c/lamp-1",
        "/challenges",
        "/login",
        "/admin",
        "/admin/judge",
        "/api/hunt",
      ];
      try {
        for (const path of pages) await page.goto(`${server.base}${path}`);
      } finally {
        await context.clearCookies({ name: "cairn_admin" });
      }
      await keptFor(page, "/announcements", "Boobies");
      expect(await cachedPages(page)).toEqual([
        "/announcements",
        "/puzzles",
        "/puzzles/lighthouse",
        "/puzzles/mark",
      ]);
      await context.setOffline(true);
      try {
        await page.goto(`${server.base}/puzzles/lighthouse`);
        await page.getByText("Count the windows of the lighthouse.").waitFor();
        expect(await page.content()).toContain("Boobies");
        await closeOffline(page);
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
    },
    90_000,
  );

  test(
    "a page fetched for keeping that never comes holds up no later page's keeping",
    async () => {
      const errors: string[] = [];
      const { page } = await teamPage("Dovekies", "/puzzles", errors);
      await keptFor(page, "/puzzles/lighthouse", "Dovekies");
      // The Wi-Fi drops with no reset as the worker fetches the list: its request is never
      // answered, nor refused. The team's own pages still get through.
      const stalled = `${server.base}/puzzles`;
      let asked = 0;
      await context.route(stalled, (route) => {
        if (route.request().headers()["cairn-background"] === undefined) return route.continue();
        asked += 1;
        // Never answered.
      });
      try {
        await page.evaluate(
          `caches.open("cairn-pages").then((c) => c.delete("/puzzles/lighthouse"))`,
        );
        await page.evaluate(
          `navigator.serviceWorker.controller.postMessage({ type: "cache", urls: ["/puzzles"] })`,
        );
        for (let i = 0; i < 100 && asked === 0; i++) await Bun.sleep(100);
        expect(asked).toBe(1);
        // Later than the worker gathers asks for: the lighthouse comes in an ask of its own, which
        // waits for the list's.
        await Bun.sleep(1_000);
        await page.evaluate(
          `navigator.serviceWorker.controller.postMessage({ type: "cache", urls: ["/puzzles/lighthouse"] })`,
        );
        // Kept once the list's fetch is given up (15 s).
        await keptFor(page, "/puzzles/lighthouse", "Dovekies", 35);
      } finally {
        await context.unroute(stalled);
      }
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );

  test(
    "a login on a checkpoint's page keeps every puzzle the team has unlocked, not only that page's",
    async () => {
      const errors: string[] = [];
      // The Loons solved the lighthouse on another phone, which opened the vault.
      const token = await registerTeam(server.base, "Loons");
      await solveLighthouse(token);
      // On this phone, the lighthouse's QR code opens its checkpoint's page: the team logs in
      // there, and stays there, checked in. It never opens the list.
      const landing = await landingTab(errors, "/c/lamp-1");
      await logIn(landing, "Loons");
      await landing.waitForURL(`${server.base}/c/lamp-1`);
      await landing.getByText("Checked in at The Lighthouse").waitFor();
      await keptFor(landing, "/puzzles/vault", "Loons");
      await keptFor(landing, "/announcements", "Loons");
      expect(await cachedPages(landing)).toEqual([
        "/announcements",
        "/puzzles",
        "/puzzles/lighthouse",
        "/puzzles/vault",
      ]);
      // Offline, the vault reads from the phone.
      await context.setOffline(true);
      try {
        await landing.goto(`${server.base}/puzzles/vault`);
        await landing.getByText("The vault's secret text.").waitFor();
        await landing.screenshot({ path: join(SHOTS, "sw-login-at-checkpoint-offline-phone.png") });
        await closeOffline(landing);
      } finally {
        await context.setOffline(false);
      }
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
