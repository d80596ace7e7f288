// A multiple-choice puzzle's page in a real browser, against the compiled binary: a fieldset of
// radio buttons in place of the text box, picked with a finger or the keyboard, judged in place
// (through the outbox, offline too) and, without the page's script, by the plain form post.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import {
  axe,
  chromiumAvailable,
  launchChromium,
  registerTeam,
  type Served,
  serveForSuite,
  SHOTS,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Quiz Night"
seed = "quiz"

[[puzzle]]
id = "lamp"
title = "The Lamp"
points = 10
body = "What colour is the harbor lighthouse's lamp at night?"
choices = ["Red", "Green", "White", "The same as the old lighthouse keeper's lantern, long gone"]
answer = "Green"
guess_limit = { count = 2, per = "hunt" }

[[puzzle]]
id = "bells"
title = "The Bells"
points = 10
body = "How many bells ring at noon?"
choices = ["One", "Three", "Twelve"]
answer = "Twelve"
guess_limit = { count = 1, per = "hunt" }
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const served = {} as Served;

/** A tab of `context` logged in as `token` at `path`, collecting script errors. */
async function tab(
  context: BrowserContext,
  token: string,
  path: string,
  errors: string[],
): Promise<Page> {
  await context.addCookies([{ name: "cairn_session", value: token, url: served.server.base }]);
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${served.server.base}${path}`);
  return page;
}

const stored = (team: string) =>
  served.server.query<{ raw: string; result: string }>(
    "SELECT g.raw, g.result FROM guesses g JOIN teams t ON t.id = g.team_id WHERE t.name = ? ORDER BY g.id",
    team,
  );

/** Each choice's row: its size, and whether it is wider than the page. */
function rows(page: Page) {
  return page.locator("label.choice").evaluateAll((labels) =>
    labels.map((label) => {
      const box =
        (label as unknown as { getBoundingClientRect(): { width: number; height: number } })
          .getBoundingClientRect();
      return { width: Math.round(box.width), height: Math.round(box.height) };
    })
  );
}

const pageWidth = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
      .document.documentElement.scrollWidth
  );

suite("a multiple-choice puzzle's page", () => {
  serveForSuite(served, HUNT, [], { serviceWorkers: "block" });

  test(
    "a phone picks with the keyboard: a wrong choice, told which, then the right one",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(served.server.base, "Gulls");
      const page = await tab(served.browser.context, token, "/puzzles/lamp", errors);
      // The choices in a fieldset with its legend, where the text box would be; no text box.
      const group = page.getByRole("group", { name: "Pick one" });
      expect(await group.getByRole("radio").count()).toBe(4);
      expect(await page.getByRole("textbox", { name: "Answer" }).count()).toBe(0);
      expect(await page.locator("#limit-note").textContent()).toBe(
        "2 of 2 wrong guesses left per hunt.",
      );
      // Large tap targets: each row is the page's width and at least 44 px high, the long one wraps.
      for (const row of await rows(page)) {
        expect(row.width).toBeGreaterThan(300);
        expect(row.height).toBeGreaterThanOrEqual(44);
      }
      expect(await pageWidth(page)).toBe(390);
      await page.screenshot({ path: join(SHOTS, "choices-phone.png"), fullPage: true });
      // axe-core finds nothing serious: each radio button has its name, the group its legend.
      const checked = await axe(page);
      expect(checked.serious).toEqual([]);
      expect(checked.passes).toBeGreaterThan(0);

      // Space picks the focused choice, Tab goes on to Submit, Enter sends it.
      await page.getByRole("radio", { name: "Red" }).focus();
      await page.keyboard.press("Space");
      expect(await page.getByRole("radio", { name: "Red" }).isChecked()).toBe(true);
      await page.keyboard.press("Tab");
      expect(
        await page.evaluate(() =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } })
            .document
            .activeElement.textContent
        ),
      ).toBe("Submit");
      await page.keyboard.press("Enter");
      await page.locator("#result.notice-bad", { hasText: "“Red” is not it." }).waitFor();
      await page.locator("#limit-note", { hasText: "1 of 2 wrong guesses left" }).waitFor();
      await page.locator("#guesses", { hasText: "Red" }).waitFor();
      await page.screenshot({ path: join(SHOTS, "choices-wrong-phone.png"), fullPage: true });

      // Back on the picked choice, the arrow key moves to the next one and picks it.
      await page.getByRole("radio", { name: "Red" }).focus();
      await page.keyboard.press("ArrowDown");
      expect(await page.getByRole("radio", { name: "Green" }).isChecked()).toBe(true);
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
      expect(await page.getByRole("radio").count()).toBe(0);
      expect(stored("Gulls")).toEqual([
        { raw: "Red", result: "incorrect" },
        { raw: "Green", result: "correct" },
      ]);
      // Drawn again, the page shows the solve as for any puzzle.
      await page.reload();
      await page.locator("#solved-note").waitFor();
      expect(await page.getByRole("radio").count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, "choices-solved-phone.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "a choice made offline waits in the outbox and is judged once the network is back",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(served.server.base, "Terns");
      const page = await tab(served.browser.context, token, "/puzzles/bells", errors);
      await served.browser.context.setOffline(true);
      await page.waitForFunction("!navigator.onLine");
      // A tap on the row's text picks its radio button.
      await page.locator("label.choice", { hasText: "Three" }).click();
      await page.getByRole("button", { name: "Submit" }).click();
      await page.locator("#outbox-status", { hasText: "1 answer waiting for the network" })
        .waitFor();
      await page.locator("#result", { hasText: "“Three” on The Bells" }).waitFor();
      expect(stored("Terns")).toEqual([]);
      await served.browser.context.setOffline(false);
      await page.locator("#result.notice-bad", { hasText: "“Three” is not it." }).waitFor();
      expect(stored("Terns")).toEqual([{ raw: "Three", result: "incorrect" }]);
      // Its one wrong guess used: the choices are off until an organizer grants more.
      await page.locator("#limit-note", { hasText: "No wrong guesses left on this puzzle" })
        .waitFor();
      expect(await page.getByRole("radio", { name: "Twelve" }).isDisabled()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test("at 1280 px and at twice the text size, the choices keep to the page", async () => {
    const token = await registerTeam(served.server.base, "Herons");
    const errors: string[] = [];
    const page = await tab(served.browser.context, token, "/puzzles/lamp", errors);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("radio", { name: "White" }).check();
    await page.screenshot({ path: join(SHOTS, "choices-desktop.png"), fullPage: true });
    for (const row of await rows(page)) expect(row.height).toBeGreaterThanOrEqual(44);
    await page.close();

    const large = await launchChromium([], { serviceWorkers: "block", textSize: 32 });
    try {
      const big = await tab(large.context, token, "/puzzles/lamp", errors);
      expect(await pageWidth(big)).toBe(390);
      await big.screenshot({ path: join(SHOTS, "choices-large-text-phone.png"), fullPage: true });
    } finally {
      await large.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);

  test(
    "without the page's script, the form post judges the choice and keeps it picked",
    async () => {
      const token = await registerTeam(served.server.base, "Puffins");
      const plain = await launchChromium(["--blink-settings=scriptEnabled=false"], {
        serviceWorkers: "block",
      });
      try {
        const errors: string[] = [];
        const page = await tab(plain.context, token, "/puzzles/bells", errors);
        // (No page script ran: the outbox that would take the form over is not there.)
        expect(await page.evaluate("typeof globalThis.cairnOutbox")).toBe("undefined");
        // Nothing picked: the browser asks for a choice and sends nothing.
        await page.getByRole("button", { name: "Submit" }).click();
        expect(page.url()).toBe(`${served.server.base}/puzzles/bells`);
        expect(stored("Puffins")).toEqual([]);

        await page.locator("label.choice", { hasText: "One" }).click();
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result.notice-bad", { hasText: "“One” is not it." }).waitFor();
        expect(await page.getByRole("radio", { name: "One" }).isChecked()).toBe(true);
        expect(stored("Puffins")).toEqual([{ raw: "One", result: "incorrect" }]);
        await page.screenshot({ path: join(SHOTS, "choices-no-script-phone.png"), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await plain.close();
      }
    },
    60_000,
  );
});
