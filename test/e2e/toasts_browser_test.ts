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

[[puzzle]]
id = "compass"
title = "The Compass"
answer = ["north"]
${
  [1, 2, 3, 4].map((n) => `
[[puzzle]]
id = "leg-${n}"
title = "Leg ${n}"
unlock = 'solved("compass")'
answer = ["x"]
`).join("")
}
[[puzzle]]
id = "knots"
title = "Knots"
answer = ["bowline"]

[[puzzle]]
id = "meta"
title = "Harbor Meta"
unlock = 'solved("knots")'
answer = ["anchor"]

[[puzzle]]
id = "tide"
title = "The Tide"
answer = ["ebb"]

[[puzzle]]
id = "cove"
title = "The Cove"
unlock = 'solved("tide")'
answer = ["shell"]
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

  test(
    "a solve that opens 4 puzzles is told in one toast, and a fourth toast takes the place of the oldest not in use",
    async () => {
      const { server } = served as Served;
      const errors: string[] = [];
      const { page, token } = await listPage("Puffins", errors);
      const toasts = page.locator(".toast");
      /** A teammate's solve of `puzzle`, then the toasts on the screen once its own has come. */
      const solve = async (puzzle: string, answer: string, told: string) => {
        await call(server.base, token, `/api/puzzles/${puzzle}/guesses`, { answer });
        await toasts.filter({ hasText: told }).waitFor();
        return (await toasts.allTextContents()).map((text) => text.replace("\u00d7", ""));
      };
      expect(await solve("lighthouse", "polaris", "The Vault")).toEqual([
        "New puzzle unlocked: The Vault",
      ]);
      // The player reaches the first one's link: it stays while it has the focus.
      await toasts.first().getByRole("link", { name: "The Vault" }).focus();
      expect(await solve("compass", "north", "4 new puzzles")).toEqual([
        "New puzzle unlocked: The Vault",
        "4 new puzzles unlocked. See the list",
      ]);
      await solve("knots", "bowline", "Harbor Meta");
      expect(await solve("tide", "ebb", "The Cove")).toEqual([
        "New puzzle unlocked: The Vault",
        "New puzzle unlocked: Harbor Meta",
        "New puzzle unlocked: The Cove",
      ]);
      await page.screenshot({ path: join(SHOTS, "toasts-three-phone.png") });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

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
