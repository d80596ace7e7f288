// The toasts at a team page's foot, on a phone, against the compiled binary: one with a link
// stays until dismissed, so a keyboard or a screen reader has the time to reach it (WCAG 2.2.1),
// and one without stays while the pointer is over it. The page's clock is Playwright's, run
// forward. Screenshots go to test-results/screenshots/.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, registerTeam, type Served, serveForSuite, SHOTS } from "./_browser.ts";

const HUNT = `
[hunt]
title = "Harbor Hunt"
hint_tokens = { start = 2, every = "1h" }

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."

[[puzzle]]
id = "vault"
title = "The Vault"
unlock = 'solved("lighthouse")'
answer = ["open"]
`;

const ADMIN_TOKEN = "toasts-admin-token-0123";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

/** A call to the API as `token` (a team's, or the admin's): its JSON. */
async function call(base: string, token: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return await res.json();
}

suite("a toast on a phone", () => {
  const served: Partial<Served> = {};
  serveForSuite(served, HUNT, ["--admin-token", ADMIN_TOKEN]);

  /** Team `name`'s puzzle list, on a clock the test runs, once its live stream is open. */
  async function listPage(name: string, errors: string[]) {
    const { server, browser } = served as Served;
    const token = await registerTeam(server.base, name);
    const page = await browser.context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.clock.install();
    await page.context().addCookies([
      { name: "cairn_session", value: token, url: server.base },
    ]);
    const streaming = page.waitForResponse((r) => r.url().includes("/api/events"));
    await page.goto(`${server.base}/puzzles`);
    await streaming;
    return { page, token };
  }

  /** The element that has the focus: its id, or its tag. */
  const focused = (page: Page) =>
    page.evaluate(`document.activeElement?.id || document.activeElement?.tagName.toLowerCase()`);

  test("a toast with a link stays until dismissed, by a button named Dismiss", async () => {
    const { server } = served as Served;
    const errors: string[] = [];
    const { page, token } = await listPage("Terns", errors);
    // A teammate's solve opens the vault.
    await call(server.base, token, "/api/puzzles/lighthouse/guesses", { answer: "polaris" });
    const toast = page.locator(".toast", { hasText: "New puzzle unlocked:" });
    await toast.waitFor();
    expect(await toast.getByRole("link").textContent()).toBe("The Vault");
    await page.screenshot({ path: join(SHOTS, "toast-with-link-phone.png") });
    // A minute on, with neither the pointer nor the focus on it: still there.
    await page.mouse.move(5, 5);
    await page.clock.runFor(60_000);
    expect(await toast.count()).toBe(1);
    // Dismissed by keyboard: gone, and the focus is on the page's content, not lost.
    await toast.getByRole("button", { name: "Dismiss" }).focus();
    await page.keyboard.press("Enter");
    expect(await toast.count()).toBe(0);
    expect(await focused(page)).toBe("main");
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a toast without a link stays while the pointer is over it, then goes", async () => {
    const { server } = served as Served;
    const errors: string[] = [];
    const { page, token } = await listPage("Gulls", errors);
    const { ask } = await call(server.base, token, "/api/puzzles/lighthouse/hints/ask/asks", {
      question: "We counted 12 windows.",
    }) as { ask: { id: number } };
    await call(server.base, ADMIN_TOKEN, `/api/admin/asks/${ask.id}/reply`, {
      answer: "Look up.",
    });
    const toast = page.locator(".toast", { hasText: "An organizer answered" });
    await toast.waitFor();
    // Nothing to follow in it: no Dismiss either.
    expect(await toast.getByRole("button").count()).toBe(0);
    await toast.hover();
    await page.clock.runFor(30_000);
    expect(await toast.count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "toast-held-phone.png") });
    // The pointer leaves: 8 s on, it is gone.
    await page.mouse.move(5, 5);
    await page.clock.runFor(8_500);
    expect(await toast.count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
