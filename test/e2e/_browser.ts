// Shared by the browser tests: the compiled binary on a temp database, and
// Debian's chromium through playwright-core.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { afterAll, beforeAll } from "bun:test";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { buildBinary, freePort, waitFor } from "../_binary.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM);

const AXE = readFileSync(
  join(import.meta.dir, "..", "..", "node_modules", "axe-core", "axe.min.js"),
  "utf8",
);

/**
 * axe-core on the page as it is now: how many checks passed (a page it could
 * not read passes none), and each serious or critical finding, as
 * "impact id at node, node".
 */
export async function axe(page: Page): Promise<{ passes: number; serious: string[] }> {
  await page.evaluate(AXE);
  return await page.evaluate(`(async () => {
    const result = await globalThis.axe.run(document);
    return {
      passes: result.passes.length,
      serious: result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) =>
          v.impact + " " + v.id + " at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")
        ),
    };
  })()`) as { passes: number; serious: string[] };
}

/** axe-core's findings of any impact for `rules` only, as "id at node, node". */
export async function axeRules(page: Page, rules: string[]): Promise<string[]> {
  await page.evaluate(AXE);
  return await page.evaluate(`(async () => {
    const result = await globalThis.axe.run(document, {
      runOnly: { type: "rule", values: ${JSON.stringify(rules)} },
    });
    return result.violations.map((v) =>
      v.id + " at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")
    );
  })()`) as string[];
}

/**
 * Closes a page while its phone is offline, without letting the page send anything. A page being
 * closed (or left) stops being offline first: Chromium ends a page's network emulation as the
 * page goes, the page hears `online` in its last moments, and its outbox sends what waits. Seen
 * under load in CI: a guess queued offline reached the server as its tab closed, so it counted
 * then, and the next page got only the stored answer. So the page's requests fail from here on,
 * as they would on a phone put away without a network.
 */
export async function closeOffline(page: Page): Promise<void> {
  await page.evaluate(`{
    const gone = () => new TypeError("this page is closing");
    globalThis.fetch = () => Promise.reject(gone());
    XMLHttpRequest.prototype.send = () => {
      throw gone();
    };
  }`);
  await page.close();
}

/**
 * Keeps each toast a page shows (its text, and its link's href) in the tab's sessionStorage: a
 * toast with no link goes after 8 s, a fourth takes the place of the oldest, and the page reloads
 * 1.5 s after one that says a teammate solved it, so one looked for on the screen after a slow
 * catching-up (a page fetched while the machine is busy) may be gone already. Each reload of the
 * tab adds to the same list.
 */
const KEEP_TOASTS = `{
  const key = "test:toasts";
  const keep = (toast) => {
    const shown = JSON.parse(sessionStorage.getItem(key) ?? "[]");
    shown.push({ text: toast.textContent, href: toast.querySelector("a")?.getAttribute("href") });
    sessionStorage.setItem(key, JSON.stringify(shown));
  };
  if (location.protocol.startsWith("http")) {
    new MutationObserver((changes) => {
      for (const change of changes) {
        for (const node of change.addedNodes) if (node.classList?.contains("toast")) keep(node);
      }
    }).observe(document, { childList: true, subtree: true });
  }
}`;

/**
 * Waits until `expression` is true in the page, through the page's reloads (an evaluation a
 * reload cuts off counts as false). (`waitForFunction` would poll with eval, which the pages'
 * Content-Security-Policy refuses.)
 */
export async function until(page: Page, expression: string, seconds = 15): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await page.evaluate(expression).catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`Still false after ${seconds} s: ${expression}`);
}

/**
 * How many actions wait in the phone's outbox, and how many results are kept for a page to show
 * (its IndexedDB stores), read in `page`. (A browser script: this project's types have no DOM.)
 */
export function outboxCounts(page: Page): Promise<{ outbox: number; results: number }> {
  return page.evaluate(`new Promise((resolve) => {
    const open = indexedDB.open("cairn-outbox");
    open.onsuccess = () => {
      const tx = open.result.transaction(["outbox", "results"], "readonly");
      const outbox = tx.objectStore("outbox").count();
      const results = tx.objectStore("results").count();
      tx.oncomplete = () => resolve({ outbox: outbox.result, results: results.result });
    };
  })`) as Promise<{ outbox: number; results: number }>;
}

/** From its next page on, keeps each toast `page` shows (`toastsShown`, `toldOf`). */
export async function keepToasts(page: Page): Promise<void> {
  await page.addInitScript(KEEP_TOASTS);
}

/** The toasts `page` has shown whose text has `text` in it, still on the screen or not. */
export async function toastsShown(
  page: Page,
  text: string,
): Promise<{ text: string; href?: string }[]> {
  const shown = await page.evaluate(`JSON.parse(sessionStorage.getItem("test:toasts") ?? "[]")`);
  return (shown as { text: string; href?: string }[]).filter((toast) =>
    toast.text.replace(/\s+/g, " ").includes(text)
  );
}

/** Waits until `page` has shown a toast with `text` in it (for up to `timeout` ms). */
export async function toldOf(page: Page, text: string, timeout = 10_000): Promise<void> {
  for (let waited = 0; (await toastsShown(page, text)).length === 0; waited += 100) {
    if (waited >= timeout) throw new Error(`No toast "${text}" after ${timeout / 1000} s`);
    await Bun.sleep(100);
  }
}

/** The binary serving `hunt` on a fresh database; `args` are more `serve` flags. */
export async function startBinary(
  hunt: string,
  options: { args?: string[]; scheme?: "http" | "https"; env?: Record<string, string> } = {},
) {
  const binary = await buildBinary();
  const dir = mkdtempSync(join(tmpdir(), "cairn-browser-"));
  writeFileSync(join(dir, "hunt.toml"), hunt);
  const port = freePort();
  const scheme = options.scheme ?? "http";
  const base = `${scheme}://127.0.0.1:${port}`;
  const db = join(dir, "cairn.db");
  const spawn = () =>
    Bun.spawn(
      [
        binary,
        "serve",
        "--hunt",
        join(dir, "hunt.toml"),
        "--db",
        db,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--log-level",
        "warn",
        ...(options.args ?? []),
      ],
      { cwd: dir, stdout: "ignore", stderr: "inherit", env: { ...process.env, ...options.env } },
    );
  const ready = () =>
    scheme === "http" ? waitFor(`${base}/healthz`).then(() => {}) : waitForTls(`${base}/healthz`);
  let server = spawn();
  try {
    await ready();
  } catch (error) {
    server.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    base,
    dir,
    db,
    /** Rows of a query on the live database (read-only, from another connection). */
    query<T>(sql: string, ...params: (string | number)[]): T[] {
      const conn = new Database(db, { readonly: true });
      try {
        return conn.query(sql).all(...params) as T[];
      } finally {
        conn.close();
      }
    },
    /**
     * Stops the server (SIGTERM, as at a venue), runs `meanwhile`, then starts it again on the
     * same port and database.
     */
    async restart(meanwhile: () => Promise<void>) {
      server.kill("SIGTERM");
      await server.exited;
      await meanwhile();
      server = spawn();
      await ready();
    },
    async stop() {
      try {
        server.kill("SIGTERM");
        await server.exited;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

async function waitForTls(url: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      const res = await fetch(url, { tls: { rejectUnauthorized: false } } as RequestInit);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await Bun.sleep(20);
  }
  throw new Error(`${url} did not answer`);
}

/**
 * A headless chromium with its own profile; `args` are more command-line
 * flags. `serviceWorkers: "block"` stands for a phone on plain HTTP over a LAN
 * address, where no service worker may run (127.0.0.1 counts as secure).
 * `textSize` is the reader's own text size in px (the browser's usual is 16):
 * a browser or phone set to larger text.
 */
export async function launchChromium(
  args: string[] = [],
  options: { serviceWorkers?: "allow" | "block"; textSize?: number } = {},
) {
  const profile = mkdtempSync(join(tmpdir(), "cairn-chromium-"));
  if (options.textSize !== undefined) {
    // Chromium's own setting (Settings, Appearance, Font size), kept in the profile.
    mkdirSync(join(profile, "Default"));
    writeFileSync(
      join(profile, "Default", "Preferences"),
      JSON.stringify({ webkit: { webprefs: { default_font_size: options.textSize } } }),
    );
  }
  const launched = chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 390, height: 844 },
    serviceWorkers: options.serviceWorkers ?? "allow",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...args,
    ],
  });
  const context: BrowserContext = await launched.catch((error) => {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Registers a team through the API; its session token. */
export async function registerTeam(base: string, name: string): Promise<string> {
  const res = await fetch(`${base}/api/teams`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password: "correct horse" }),
    tls: { rejectUnauthorized: false },
    // A connection of its own: Bun's fetch retries a GET whose pooled connection turns out closed,
    // but not a POST, which fails at once (a server's idle timeout, or an earlier server's port).
    keepalive: false,
  } as RequestInit);
  if (res.status !== 201) throw new Error(`cannot register ${name}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Serves an in-process app (`makeApp` of test/http/_app.ts) on a free local
 * port, for a browser test that changes the app's store or game as it runs.
 */
function serveApp(
  app: { fetch(request: Request, env?: unknown): Response | Promise<Response> },
): { server: ReturnType<typeof Bun.serve>; base: string } {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request, bun) => app.fetch(request, bun),
  });
  return { server, base: `http://127.0.0.1:${server.port}` };
}

/** An in-process app served on a free local port, and a Chromium, for one test file's suite. */
export interface ServedApp<A> {
  /** What `make` gave: an app of test/http/_app.ts, with its store, clock and callers. */
  app: A;
  base: string;
  browser: Awaited<ReturnType<typeof launchChromium>>;
}

/**
 * Called inside a suite: before its tests, makes the app with `make` (an
 * in-process app, seeded or changed as the suite needs), serves it
 * (`serveApp`) and launches a Chromium; stops both after them. A later
 * `beforeAll` of the suite runs once they are up.
 */
export function serveAppForSuite<A extends { app: Parameters<typeof serveApp>[0] }>(
  make: () => A | Promise<A>,
): ServedApp<A> {
  const served = {} as ServedApp<A>;
  let server: ReturnType<typeof Bun.serve> | undefined;
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    served.app = await make();
    const serving = serveApp(served.app.app);
    server = serving.server;
    served.base = serving.base;
    served.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    try {
      await served.browser?.close();
    } finally {
      await server?.stop(true);
    }
  });
  return served;
}

/** Where the browser tests save their screenshots. */
export const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");

/** The compiled binary serving a hunt, and a Chromium, for one test file's suite. */
export interface Served {
  server: Awaited<ReturnType<typeof startBinary>>;
  browser: Awaited<ReturnType<typeof launchChromium>>;
}

/**
 * Called inside a suite: starts the binary on `hunt` (with `args`) and a
 * Chromium (with `chromiumOptions`) before its tests, into `served`, and
 * stops both after them.
 */
export function serveForSuite(
  served: Partial<Served>,
  hunt: string,
  args: string[] = [],
  chromiumOptions: { serviceWorkers?: "allow" | "block" } = {},
): void {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    served.server = await startBinary(hunt, { args });
    served.browser = await launchChromium([], chromiumOptions);
  }, 180_000);
  afterAll(async () => {
    try {
      await served.browser?.close();
    } finally {
      await served.server?.stop();
    }
  });
}
