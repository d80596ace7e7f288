// A puzzle's solution on a team's phone, in a real browser: it shows below the answer as soon as
// the team's guess solves the puzzle, or a mission's text is accepted, with no reload; never
// before. The app runs in process (test/http/_app.ts). Screenshots at 390 px go to
// test-results/screenshots/.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { makeApp } from "../http/_app.ts";
import {
  chromiumAvailable,
  registerTeam,
  serveAppForSuite,
  type ServedApp,
  SHOTS,
} from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const HUNT = `
[hunt]
title = "Solutions"
show_solves = true

[[puzzle]]
id = "windows"
title = "The Lighthouse"
body = "Count the windows of the lighthouse."
answer = "seven"
solution = "There are **seven** windows: two on each side and one above the door."

[[puzzle]]
id = "story"
title = "Our name"
submit = "text"
judge = "auto"
body = "Tell us the story of your team name."
solution = "Every story was a good one."

[[puzzle]]
id = "letter"
title = "A letter"
submit = "text"
body = "Write the harbour master a letter."
solution = "The harbour master keeps every letter."

[[puzzle]]
id = "note"
title = "A note"
submit = "text"
body = "Leave the ferryman a note."
solution = "The ferryman reads every note."

[[puzzle]]
id = "bells"
title = "The Bells"
body = "How many bells ring at noon?"
answer = "three"
solution = "**Three** bells: the church's, the school's and the ferry's."
`;

/** An organizer's reload of the suite's server with the hunt file `toml` (answered 200). */
async function reloadHunt(
  served: { app: ReturnType<typeof makeApp> },
  toml: string,
): Promise<void> {
  served.app.setToml(toml);
  expect((await served.app.admin("POST", "/api/admin/reload")).status).toBe(200);
}

suite("a puzzle's solution on a phone", () => {
  const served = serveAppForSuite(() => makeApp({ toml: HUNT }));

  let token = "";
  beforeAll(async () => {
    token = await registerTeam(served.base, "Gulls");
    await served.browser.context.addCookies([
      { name: "cairn_session", value: token, url: served.base },
    ]);
  });

  /**
   * Runs `run` on a new page of the team's phone, 390 px wide, and checks that the page threw no
   * script error; the page is closed however `run` ends.
   */
  async function phone(run: (page: Page) => Promise<void>): Promise<void> {
    const page = await served.browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await run(page);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }

  test(
    "a solving guess shows the solution below the answer, without a reload",
    () =>
      phone(async (page) => {
        await page.goto(`${served.base}/puzzles/windows`);
        expect(await page.locator("#solution").count()).toBe(0);
        expect(await page.locator("#puzzle-solves").textContent()).toBe("No solves yet");
        // Marks this document: a reload would lose it.
        await page.evaluate("document.body.dataset.sameDocument = 'yes'");
        await page.getByRole("textbox", { name: "Answer" }).fill("eight");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Not the answer" }).waitFor();
        expect(await page.locator("#solution").count()).toBe(0);
        await page.getByRole("textbox", { name: "Answer" }).fill("seven");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result", { hasText: "Correct! Puzzle solved." }).waitFor();
        const solution = page.locator("#solution");
        await solution.getByRole("heading", { name: "Solution" }).waitFor();
        expect(await solution.locator("strong").textContent()).toBe("seven");
        // The team's own solve counts in the puzzle's solves (`show_solves`), as on a reload.
        await page.locator("#puzzle-solves", { hasText: "1 solve" }).waitFor();
        expect(await page.evaluate("document.body.dataset.sameDocument")).toBe("yes");
        // Right below the answer's card.
        expect(
          await page.evaluate(
            `document.querySelector(".answer-form").nextElementSibling?.id ?? ""`,
          ),
        ).toBe("solution");
        await page.screenshot({
          path: join(SHOTS, "solution-after-guess-390.png"),
          fullPage: true,
        });
        // Drawn again by the server, the page has it in the same place, once.
        await page.reload();
        expect(await page.locator("#solution").count()).toBe(1);
      }),
    30_000,
  );

  test("an accepted mission shows its solution, without a reload", () =>
    phone(async (page) => {
      await page.goto(`${served.base}/puzzles/story`);
      expect(await page.locator("#solution").count()).toBe(0);
      await page.evaluate("document.body.dataset.sameDocument = 'yes'");
      await page.getByLabel("Your text").fill("We are tall and patient.");
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator("#solution", { hasText: "Every story was a good one." }).waitFor();
      expect(await page.evaluate("document.body.dataset.sameDocument")).toBe("yes");
      expect(await page.locator("#mission-status strong").textContent()).toBe("Accepted!");
      await page.screenshot({
        path: join(SHOTS, "solution-after-mission-390.png"),
        fullPage: true,
      });
    }), 30_000);

  test(
    "a judge's verdict while the page is open shows the solution once; a rejection takes it back",
    () =>
      phone(async (page) => {
        await page.goto(`${served.base}/puzzles/letter`);
        await page.evaluate("document.body.dataset.sameDocument = 'yes'");
        await page.getByLabel("Your text").fill("Dear harbour master,");
        await page.getByRole("button", { name: "Send" }).click();
        await page.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
        expect(await page.locator("#solution").count()).toBe(0);
        const sent = await served.app.call("GET", "/api/puzzles/letter/submissions", { token });
        const id = sent.body.submissions.at(-1).id;
        const verdict = (accept: boolean) =>
          served.app.admin("POST", `/api/admin/submissions/${id}/verdict`, { accept });
        expect((await verdict(true)).status).toBe(200);
        await page.locator("#solution", { hasText: "keeps every letter" }).waitFor();
        // The live `submission` event and the page drawn again: one solution, not two.
        await Bun.sleep(500);
        expect(await page.locator("#solution").count()).toBe(1);
        expect(await page.evaluate("document.body.dataset.sameDocument")).toBe("yes");
        // The mission is worth 0 points: accepted, with no "+0 points".
        expect(await page.locator("#mission-status strong").textContent()).toBe("Accepted!");
        await page.screenshot({
          path: join(SHOTS, "solution-after-verdict-390.png"),
          fullPage: true,
        });
        await page.reload();
        expect(await page.locator("#mission-status strong").textContent()).toBe("Accepted!");
        expect((await verdict(false)).status).toBe(200);
        await page.locator("#mission-status", { hasText: "Not accepted" }).waitFor();
        await Bun.sleep(500);
        expect(await page.locator("#solution").count()).toBe(0);
      }),
    30_000,
  );

  test("a teammate's solve shows the solution once on this phone", () =>
    phone(async (page) => {
      await page.goto(`${served.base}/puzzles/bells`);
      await page.getByRole("textbox", { name: "Answer" }).waitFor();
      // The live stream is open before the teammate's guess, so its `solve` event reaches the page.
      await Bun.sleep(500);
      const teammate = await served.app.login("Gulls");
      const guess = await served.app.call("POST", "/api/puzzles/bells/guesses", {
        token: teammate,
        body: { answer: "three" },
      });
      expect(guess.body.result).toBe("correct");
      await page.locator("#solution", { hasText: "the ferry's" }).waitFor();
      await Bun.sleep(500);
      expect(await page.locator("#solution").count()).toBe(1);
      expect(await page.locator("#guess-form").count()).toBe(0);
    }), 30_000);

  test(
    "a page drawn before a rejection, arriving after it, does not bring the solution back",
    async () => {
      const page = await served.browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      // The page's own background fetch of itself, drawn by the server at once but held on the way
      // back until `release`: as on a slow network, while the judge changes their mind.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let caught = () => {};
      const fetched = new Promise<void>((resolve) => (caught = resolve));
      let holding = false;
      await page.route(`${served.base}/puzzles/note`, async (route) => {
        const background = route.request().headers()["cairn-background"] === "1";
        if (!holding || !background) return await route.continue();
        holding = false;
        const response = await route.fetch();
        caught();
        await held;
        await route.fulfill({ response });
      });
      try {
        await page.goto(`${served.base}/puzzles/note`);
        await page.getByLabel("Your text").fill("Back by six.");
        await page.getByRole("button", { name: "Send" }).click();
        await page.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
        const sent = await served.app.call("GET", "/api/puzzles/note/submissions", { token });
        const id = sent.body.submissions.at(-1).id;
        const verdict = (accept: boolean) =>
          served.app.admin("POST", `/api/admin/submissions/${id}/verdict`, { accept });
        holding = true;
        expect((await verdict(true)).status).toBe(200);
        // The accepted page, with its solution, drawn and on its way.
        await fetched;
        expect((await verdict(false)).status).toBe(200);
        await page.locator("#mission-status", { hasText: "Not accepted" }).waitFor();
        release();
        await Bun.sleep(500);
        expect(await page.locator("#solution").count()).toBe(0);
        expect(await page.locator("#solved-badge").count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        release();
        await page.close();
      }
    },
    30_000,
  );
});

const ENDED = (release = "", body = "When is the water lowest?") => `
[hunt]
title = "After the hunt"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T11:00:00Z
${release}

[[puzzle]]
id = "tides"
title = "Tide Table"
body = "${body}"
answer = "ebb"
solution = "At **ebb** tide, twice a day."
`;

suite("an organizer's reload while a puzzle's page is open", () => {
  const served = serveAppForSuite(() => makeApp({ toml: ENDED() }));
  const tokens = { terns: "", puffins: "" };
  beforeAll(async () => {
    tokens.terns = await registerTeam(served.base, "Terns");
    tokens.puffins = await registerTeam(served.base, "Puffins");
    served.app.clock.advance(2 * 3_600_000); // 12:00, an hour after the end
  });

  /** Runs `run` on the tide puzzle's page of `token`'s team (`onLivePage`). */
  const openPage = (token: string, run: (page: Page) => Promise<void>) =>
    onLivePage(served, token, "/puzzles/tides", run);

  test(
    "a reload that releases them shows an unsolved puzzle's solution on its open page, and one that puts them off takes it back, without a reload",
    () =>
      openPage(tokens.terns, async (page) => {
        expect(await page.locator("#solution").count()).toBe(0);
        await reloadHunt(served, ENDED("solutions_at = 2026-11-21T12:00:00Z"));
        const solution = page.locator("#solution");
        await solution.getByRole("heading", { name: "Solution" }).waitFor();
        expect(await solution.locator("strong").textContent()).toBe("ebb");
        await page.locator("#hunt-status", { hasText: "Each puzzle's solution is on its page." })
          .waitFor();
        await page.screenshot({ path: join(SHOTS, "solution-released-390.png"), fullPage: true });

        await reloadHunt(served, ENDED("solutions_at = 2026-11-21T13:00:00Z"));
        await solution.waitFor({ state: "detached" });
        await page.locator("#hunt-status", { hasText: "Solutions show here at" }).waitFor();
      }),
    30_000,
  );

  test(
    "a corrected body is drawn again in place, with a note that says so",
    () =>
      openPage(tokens.puffins, async (page) => {
        expect(await page.locator("#updated-note").count()).toBe(0);
        await reloadHunt(
          served,
          ENDED("", "When is the water lowest, in the harbour?")
            .replace('title = "Tide Table"', 'title = "Harbour Tide Table"'),
        );
        await page.locator("article.body", { hasText: "in the harbour?" }).waitFor();
        // Its new title too, on the page and on the tab.
        await page.getByRole("heading", { level: 1, name: "Harbour Tide Table" }).waitFor();
        expect(await page.title()).toStartWith("Harbour Tide Table");
        await page.getByRole("status").filter({ hasText: "updated this puzzle" }).waitFor();
        expect(await page.getByRole("status").filter({ hasText: "updated this puzzle" }).count())
          .toBe(1);
        await page.screenshot({ path: join(SHOTS, "puzzle-updated-390.png"), fullPage: true });
      }),
    30_000,
  );
  test(
    "a reload that puts the release later than the end shows when on the open page, and shows the solution then",
    async () => {
      await served.browser.context.addCookies([
        { name: "cairn_session", value: tokens.puffins, url: served.base },
      ]);
      const page = await served.browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      try {
        await page.setViewportSize({ width: 390, height: 844 });
        // The hunt has ended, with no release of solutions: the page counts to nothing.
        await reloadHunt(served, ENDED());
        const stream = page.waitForResponse((r) => r.url().includes("/api/events"));
        await page.goto(`${served.base}/puzzles/tides`);
        expect((await stream).status()).toBe(200);
        const status = page.locator("#hunt-status");
        expect(await status.textContent()).toBe("The hunt has ended.");

        // Released 3 s from the server's clock, which the test moves on as that time comes.
        const release = new Date(served.app.clock.now() + 3_000);
        await reloadHunt(served, ENDED(`solutions_at = ${release.toISOString()}`));
        await status.filter({ hasText: "Solutions show here at" }).waitFor();
        expect(await page.locator("#solution").count()).toBe(0);
        served.app.clock.advance(3_000);
        await page.locator("#solution").getByRole("heading", { name: "Solution" }).waitFor({
          timeout: 10_000,
        });
        expect(await status.textContent()).toStartWith(
          "The hunt has ended. Each puzzle's solution is on its page.",
        );
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});

/**
 * `path` as `token`'s team sees it at 390 px in `served`'s browser, once its live stream is open and
 * the document marked (a reload would lose the mark: `sameDocument`); script errors go to `errors`.
 * `init` runs in the page before its own scripts (a browser without IndexedDB, say).
 */
async function livePage(
  served: ServedApp<Awaited<ReturnType<typeof makeApp>>>,
  token: string,
  path: string,
  errors: string[],
  init?: string,
): Promise<Page> {
  await served.browser.context.addCookies([
    { name: "cairn_session", value: token, url: served.base },
  ]);
  const page = await served.browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  if (init !== undefined) await page.addInitScript(init);
  await page.setViewportSize({ width: 390, height: 844 });
  const stream = page.waitForResponse((r) => r.url().includes("/api/events"));
  await page.goto(`${served.base}${path}`);
  expect((await stream).status()).toBe(200);
  await page.evaluate("document.body.dataset.sameDocument = 'yes'");
  return page;
}

/** Whether `page` is the document `livePage` opened, never reloaded. */
const sameDocument = async (page: Page) =>
  await page.evaluate("document.body.dataset.sameDocument") === "yes";

/**
 * Runs `run` on `path` as `token`'s team sees it (`livePage`), then checks that the page threw no
 * script error and was not reloaded. The page is closed however `run` ends.
 */
async function onLivePage(
  served: ServedApp<Awaited<ReturnType<typeof makeApp>>>,
  token: string,
  path: string,
  run: (page: Page) => Promise<void>,
): Promise<void> {
  const errors: string[] = [];
  const page = await livePage(served, token, path, errors);
  try {
    await run(page);
    expect(await sameDocument(page)).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

const RUNNING = (more = "") => `
[hunt]
title = "Harbour day"

[[puzzle]]
id = "knots"
title = "Knots"
body = "Which knot holds a boat to the pier?"
answer = "bowline"

[[puzzle.hint]]
id = "rope"
title = "Rope"
text = "Think of the bow."
${more}
`;

const HARBOUR = `
[[puzzle]]
id = "harbour"
title = "Harbour Lights"
body = "Count the harbour's lights."
answer = "twelve"
`;

suite("an organizer's reload that removes a puzzle while its page is open", () => {
  const served = serveAppForSuite(() => makeApp({ toml: RUNNING(HARBOUR) }));

  test(
    "the open page says so in place, with its forms off and a link to the list, and an open list drops it",
    async () => {
      const token = await registerTeam(served.base, "Herons");
      const errors: string[] = [];
      const puzzle = await livePage(served, token, "/puzzles/harbour", errors);
      const list = await livePage(served, token, "/puzzles", errors);
      try {
        const answer = puzzle.getByRole("textbox", { name: "Answer" });
        expect(await answer.isEnabled()).toBe(true);
        expect(await list.locator(".puzzle-list a[href='/puzzles/harbour']").count()).toBe(1);

        served.app.setToml(RUNNING());
        expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
          removed: ["harbour"],
        });
        const note = puzzle.getByRole("status").filter({
          hasText: /^The organizers removed this puzzle\./,
        });
        await note.waitFor();
        expect(await answer.isDisabled()).toBe(true);
        expect(await puzzle.getByRole("button", { name: "Submit" }).isDisabled()).toBe(true);
        expect(
          await note.getByRole("link", { name: "Back to the puzzle list" }).getAttribute("href"),
        )
          .toBe("/puzzles");
        // The words stay for reading.
        expect(await puzzle.locator("article.body").textContent()).toContain("harbour's lights");
        await puzzle.screenshot({ path: join(SHOTS, "puzzle-removed-390.png"), fullPage: true });

        await list.locator(".puzzle-list a[href='/puzzles/harbour']").waitFor({
          state: "detached",
        });
        expect(await list.locator(".puzzle-list a[href='/puzzles/knots']").count()).toBe(1);
        for (const page of [puzzle, list]) expect(await sameDocument(page)).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await puzzle.close();
        await list.close();
      }
    },
    30_000,
  );
});

/** RUNNING with the rope hint's rule. */
const NUDGE = (rule: string) => RUNNING(`unlock = "${rule}"`);

suite("an organizer's reload that changes when a hint can be taken", () => {
  const served = serveAppForSuite(() => makeApp({ toml: NUDGE("minutes_since_unlock() >= 30") }));

  test(
    "the open page offers the hint now, in place, with no note to read the puzzle again",
    async () => {
      const token = await registerTeam(served.base, "Egrets");
      await onLivePage(served, token, "/puzzles/knots", async (page) => {
        await page.locator(".hint-when", { hasText: "Available in" }).waitFor();
        expect(await page.getByText("Take this hint").count()).toBe(0);

        await reloadHunt(served, NUDGE("minutes_since_unlock() >= 0"));
        await page.getByText("Take this hint").waitFor();
        expect(await page.locator(".hint-when").count()).toBe(0);
        expect(await page.locator("#updated-note").count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, "hint-rule-changed-390.png"), fullPage: true });
      });
    },
    30_000,
  );
});

const QUIZ = (choices: string) => `
[hunt]
title = "Harbour day"

[[puzzle]]
id = "lamp"
title = "The Lamp"
body = "What colour is the harbour lamp?"
choices = [${choices}]
answer = "Green"
guess_limit = { count = 1, per = "hunt" }
`;

suite("an organizer's reload that changes a multiple-choice puzzle's choices", () => {
  const served = serveAppForSuite(() => makeApp({ toml: QUIZ('"Red", "Green"') }));

  test(
    "the open page offers the new choices in place, with the note; a pick stays when they do not change",
    async () => {
      const token = await registerTeam(served.base, "Cormorants");
      await onLivePage(served, token, "/puzzles/lamp", async (page) => {
        const radios = () => page.getByRole("radio").evaluateAll((all) => all.map((r) => r.value));
        expect(await radios()).toEqual(["Red", "Green"]);

        // The body alone changes: the pick stays.
        await page.getByRole("radio", { name: "Green" }).check();
        await reloadHunt(
          served,
          QUIZ('"Red", "Green"').replace("harbour lamp?", "harbour lamp at night?"),
        );
        await page.locator("article.body", { hasText: "at night?" }).waitFor();
        expect(await page.getByRole("radio", { name: "Green" }).isChecked()).toBe(true);

        // A choice added: drawn in the form, which still sends through the page's script.
        await reloadHunt(served, QUIZ('"Red", "Green", "White"'));
        await page.getByRole("radio", { name: "White" }).waitFor();
        expect(await radios()).toEqual(["Red", "Green", "White"]);
        await page.getByRole("status").filter({ hasText: "updated this puzzle" }).waitFor();
        await page.getByRole("radio", { name: "Green" }).check();
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result.notice-ok", { hasText: "Correct! Puzzle solved." }).waitFor();
        expect(await page.getByRole("radio").count()).toBe(0);
        await page.screenshot({ path: join(SHOTS, "choices-updated-390.png"), fullPage: true });
      });
    },
    30_000,
  );
});

/** RUNNING with the harbour puzzle, which opens once the knots puzzle is solved. */
const LOCKED = (body: string) =>
  RUNNING(`
[[puzzle]]
id = "harbour"
title = "Harbour Lights"
unlock = 'solved("knots")'
body = "${body}"
answer = "twelve"`);

suite("a puzzle's page left open while the browser logs in as another team", () => {
  const served = serveAppForSuite(() => makeApp({ toml: LOCKED("Count the harbour's lights.") }));

  test(
    "a 404 drawn for the other team, which never had the puzzle, does not say the organizers removed it",
    async () => {
      const herons = await registerTeam(served.base, "Herons");
      const gulls = await registerTeam(served.base, "Gulls");
      // The Herons have the harbour puzzle; the Gulls do not.
      const solve = await served.app.call("POST", "/api/puzzles/knots/guesses", {
        token: herons,
        body: { answer: "bowline" },
      });
      expect(solve.body.result).toBe("correct");
      const { context } = served.browser;
      const errors: string[] = [];
      const page = await livePage(served, herons, "/puzzles/harbour", errors);
      try {
        // Another tab logs in as the Gulls: the browser's session is theirs now (the Herons'
        // stream, open before, stays).
        await context.addCookies([{ name: "cairn_session", value: gulls, url: served.base }]);
        // A correction: the page asks for itself again, and the server draws the Gulls' 404.
        const drawn = page.waitForResponse((r) =>
          new URL(r.url()).pathname === "/puzzles/harbour" && r.status() === 404
        );
        await reloadHunt(served, LOCKED("Count the harbour's lights, the green ones too."));
        await drawn;
        const removed = page.getByText(/^The organizers removed this puzzle\./);
        await page.waitForTimeout(300);
        expect(await removed.count()).toBe(0);
        // A guess from the page, sent with the Gulls' session: 404 too.
        await page.getByRole("textbox", { name: "Answer" }).fill("eleven");
        await page.getByRole("button", { name: "Submit" }).click();
        await page.locator("#result").filter({ hasText: /\S/ }).waitFor();
        await page.waitForTimeout(300);
        expect(await removed.count()).toBe(0);
        expect(await page.getByRole("textbox", { name: "Answer" }).isEnabled()).toBe(true);
        await page.screenshot({
          path: join(SHOTS, "puzzle-other-team-404-390.png"),
          fullPage: true,
        });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    30_000,
  );
});

suite("an organizer's reload that puts back a puzzle an earlier one removed", () => {
  const served = serveAppForSuite(() => makeApp({ toml: RUNNING(HARBOUR) }));

  test("the page that said it was removed draws it again, its forms on", async () => {
    const token = await registerTeam(served.base, "Herons");
    const errors: string[] = [];
    const page = await livePage(served, token, "/puzzles/harbour", errors);
    try {
      const answer = page.getByRole("textbox", { name: "Answer" });
      const removed = page.getByText(/^The organizers removed this puzzle\./);

      await reloadHunt(served, RUNNING());
      await removed.waitFor();
      expect(await answer.isDisabled()).toBe(true);

      const again = page.waitForEvent("load");
      served.app.setToml(RUNNING(HARBOUR));
      expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
        added: ["harbour"],
      });
      await again;
      await answer.waitFor();
      expect(await answer.isEnabled()).toBe(true);
      expect(await removed.count()).toBe(0);
      expect(await page.locator("article.body").textContent()).toContain("harbour's lights");
      await page.screenshot({ path: join(SHOTS, "puzzle-put-back-390.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("the page whose first ask for it again gets no answer asks again", async () => {
    const token = await registerTeam(served.base, "Bitterns");
    const errors: string[] = [];
    const page = await livePage(served, token, "/puzzles/harbour", errors);
    try {
      const answer = page.getByRole("textbox", { name: "Answer" });
      await reloadHunt(served, RUNNING());
      await page.getByText(/^The organizers removed this puzzle\./).waitFor();

      // The page's first fetch of itself once put back fails, as with no network.
      let failed = 0;
      await page.route(`${served.base}/puzzles/harbour`, async (route) => {
        const background = route.request().headers()["cairn-background"] === "1";
        if (background && failed++ === 0) return await route.abort("internetdisconnected");
        await route.continue();
      });
      const again = page.waitForEvent("load", { timeout: 15_000 });
      await reloadHunt(served, RUNNING(HARBOUR));
      await again;
      await answer.waitFor();
      expect(await answer.isEnabled()).toBe(true);
      expect(failed).toBeGreaterThanOrEqual(2);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  test("an open list, and another puzzle's page, tell it as a new unlock", async () => {
    const token = await registerTeam(served.base, "Egrets");
    const errors: string[] = [];
    const list = await livePage(served, token, "/puzzles", errors);
    const other = await livePage(served, token, "/puzzles/knots", errors);
    try {
      const row = list.locator(".puzzle-list a[href='/puzzles/harbour']");
      await row.waitFor();
      served.app.setToml(RUNNING());
      expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
        removed: ["harbour"],
      });
      await row.waitFor({ state: "detached" });

      served.app.setToml(RUNNING(HARBOUR));
      expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
        added: ["harbour"],
      });
      for (const page of [list, other]) {
        await page.locator(".toast", { hasText: "New puzzle unlocked: Harbour Lights" }).waitFor();
      }
      await row.waitFor();
      await list.screenshot({ path: join(SHOTS, "puzzle-put-back-list-390.png"), fullPage: true });
      for (const page of [list, other]) expect(await sameDocument(page)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await list.close();
      await other.close();
    }
  }, 30_000);
});

suite(
  "an organizer's reload that removes a puzzle while its page waits out the guess limit",
  () => {
    const LIMITED = HARBOUR.replace(
      'answer = "twelve"',
      'answer = "twelve"\nguess_limit = { count = 1, per = "3s" }',
    );
    const served = serveAppForSuite(() => makeApp({ toml: RUNNING(LIMITED) }));

    test("the wait goes, and the answer box stays off past its end", async () => {
      const token = await registerTeam(served.base, "Cormorants");
      const errors: string[] = [];
      const page = await livePage(served, token, "/puzzles/harbour", errors);
      try {
        // The page does not learn of the limit from itself drawn again (as when that request is
        // lost): its next guess is refused, with the wait to count down.
        await page.route(
          `${served.base}/puzzles/harbour`,
          (route) =>
            route.request().headers()["cairn-background"] === "1"
              ? route.abort("internetdisconnected")
              : route.continue(),
        );
        const answer = page.getByRole("textbox", { name: "Answer" });
        const submit = page.getByRole("button", { name: "Submit" });
        await answer.fill("eleven");
        await submit.click();
        await page.locator("#result", { hasText: "Not the answer" }).waitFor();
        await answer.fill("ten");
        await submit.click();
        const wait = page.locator("#result [data-countdown]");
        await wait.waitFor();
        expect(await answer.isDisabled()).toBe(true);

        await reloadHunt(served, RUNNING());
        await page.getByText(/^The organizers removed this puzzle\./).waitFor();
        // Nothing can be guessed: no wait is counted down, and none ends (3 s).
        expect(await wait.count()).toBe(0);
        expect(await page.locator("#result").textContent()).toBe("");
        await page.waitForTimeout(3_500);
        expect(await answer.isDisabled()).toBe(true);
        expect(await submit.isDisabled()).toBe(true);
        await page.screenshot({
          path: join(SHOTS, "puzzle-removed-wait-over-390.png"),
          fullPage: true,
        });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 30_000);
  },
);

/** The harbour puzzle with a hint, `beam`. */
const BEAM = `${HARBOUR}
[[puzzle.hint]]
id = "beam"
title = "Beam"
text = "Count the beams."
`;

suite(
  "an organizer's reload that removes a puzzle while a hint take from its page is on its way",
  () => {
    const served = serveAppForSuite(() => makeApp({ toml: RUNNING(BEAM) }));

    test(
      "its answer, a 404, adds nothing to the removal's note, and the hint no longer opens",
      async () => {
        const token = await registerTeam(served.base, "Shags");
        const errors: string[] = [];
        const page = await livePage(served, token, "/puzzles/harbour", errors);
        try {
          // The take reaches the server only after the reload.
          let release = () => {};
          const held = new Promise<void>((resolve) => (release = resolve));
          await page.route(`${served.base}/api/puzzles/harbour/hints/beam`, async (route) => {
            await held;
            await route.continue();
          });
          const box = page.locator("#hint-beam");
          await box.getByText("Take this hint").click();
          const take = box.getByRole("button", { name: "Show the hint" });
          await take.click();

          await reloadHunt(served, RUNNING());
          await page.getByText(/^The organizers removed this puzzle\./).waitFor();
          // "Take this hint" would open to a button that stays off: the hint says why instead.
          expect(await box.locator("details").count()).toBe(0);
          expect(await box.getByText("Take this hint").count()).toBe(0);
          expect(await box.locator(".hint-when").textContent()).toBe(
            "No hint can be taken: the organizers removed this puzzle.",
          );
          const answered = page.waitForResponse(`${served.base}/api/puzzles/harbour/hints/beam`);
          release();
          expect((await answered).status()).toBe(404);
          // Its refusal is not said beside the removal's note.
          await page.waitForTimeout(300);
          expect(await box.locator(".result-incorrect").count()).toBe(0);
          expect(await page.locator("#main [role=alert]:not([hidden])").count()).toBe(0);
          await page.screenshot({
            path: join(SHOTS, "puzzle-removed-hint-404-390.png"),
            fullPage: true,
          });
          expect(errors).toEqual([]);
        } finally {
          await page.close();
        }
      },
      30_000,
    );
  },
);

/** A mission the organizers judge: the team sends a text. */
const PIER = `
[[puzzle]]
id = "pier"
title = "The Pier"
submit = "text"
body = "Describe the pier."
`;

/**
 * Holds the requests to `url` on `page` until `release()`, then lets each go on (or, with
 * `abort`, fails it as a network error would); `arrived` once the first came.
 */
async function hold(page: Page, url: string, abort = false) {
  let release = () => {};
  let arrive = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  await page.route(url, async (route) => {
    arrive();
    await held;
    await (abort ? route.abort("internetdisconnected") : route.continue());
  });
  return { arrived, release };
}

suite(
  "an organizer's reload that removes a puzzle while a request from its page is on its way",
  () => {
    const served = serveAppForSuite(() => makeApp({ toml: RUNNING(BEAM + PIER) }));

    test(
      "a mission's upload, answered 404 after the reload, says nothing beside the removal, its form off",
      async () => {
        const token = await registerTeam(served.base, "Petrels");
        await onLivePage(served, token, "/puzzles/pier", async (page) => {
          const upload = await hold(page, `${served.base}/api/puzzles/pier/submissions`);
          const text = page.locator("#mission-form textarea");
          const send = page.getByRole("button", { name: "Send" });
          await text.fill("A long pier with twelve lamps.");
          await send.click();
          await upload.arrived;

          served.app.setToml(RUNNING(BEAM));
          expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
            removed: ["pier"],
          });
          await page.getByText(/^The organizers removed this puzzle\./).waitFor();
          const answered = page.waitForResponse(`${served.base}/api/puzzles/pier/submissions`);
          upload.release();
          expect((await answered).status()).toBe(404);
          // The upload's refusal is not said beside the removal's note; the form stays off.
          await page.waitForTimeout(300);
          expect(await page.locator("#mission-status").isHidden()).toBe(true);
          expect(await page.locator("#mission-status").textContent()).toBe("");
          expect(await send.isDisabled()).toBe(true);
          expect(await text.isDisabled()).toBe(true);
          await page.screenshot({
            path: join(SHOTS, "puzzle-removed-mission-404-390.png"),
            fullPage: true,
          });
        });
        await reloadHunt(served, RUNNING(BEAM + PIER));
      },
      30_000,
    );

    test("a mission's upload cut before the reload: its words go with the removal", async () => {
      const token = await registerTeam(served.base, "Shearwaters");
      await onLivePage(served, token, "/puzzles/pier", async (page) => {
        const upload = await hold(page, `${served.base}/api/puzzles/pier/submissions`, true);
        await page.locator("#mission-form textarea").fill("Twelve lamps on the pier.");
        await page.getByRole("button", { name: "Send" }).click();
        await upload.arrived;
        upload.release();
        await page.locator("#mission-status", { hasText: "Saved on this phone" }).waitFor();

        await reloadHunt(served, RUNNING(BEAM));
        await page.getByText(/^The organizers removed this puzzle\./).waitFor();
        expect(await page.locator("#mission-status").isHidden()).toBe(true);
        expect(await page.getByText("Saved on this phone").count()).toBe(0);
        // Sent again, it is refused (404): that is not said either.
        await page.unroute(`${served.base}/api/puzzles/pier/submissions`);
        const answered = page.waitForResponse(`${served.base}/api/puzzles/pier/submissions`);
        await page.evaluate("cairnOutbox.flush()");
        expect((await answered).status()).toBe(404);
        await page.waitForTimeout(300);
        expect(await page.locator("#mission-status").isHidden()).toBe(true);
        // Its form, hidden while the upload was kept, shows again, off.
        expect(await page.locator("#mission-form").isVisible()).toBe(true);
        expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
        expect(await page.locator("#upload-progress").isHidden()).toBe(true);
        expect(await page.locator("#upload-percent").textContent()).toBe("");
        await page.screenshot({
          path: join(SHOTS, "puzzle-removed-mission-cut-390.png"),
          fullPage: true,
        });
      });
      await reloadHunt(served, RUNNING(BEAM + PIER));
    }, 30_000);

    test(
      "in a browser without IndexedDB, a take's 'No connection' said before the reload goes with it",
      async () => {
        const token = await registerTeam(served.base, "Gannets");
        const errors: string[] = [];
        const page = await livePage(
          served,
          token,
          "/puzzles/harbour",
          errors,
          "delete globalThis.indexedDB",
        );
        try {
          await page.route(
            `${served.base}/api/puzzles/harbour/hints/beam`,
            (route) => route.abort("internetdisconnected"),
          );
          const box = page.locator("#hint-beam");
          await box.getByText("Take this hint").click();
          await box.getByRole("button", { name: "Show the hint" }).click();
          await box.getByText("No connection; try again.").waitFor();

          await reloadHunt(served, RUNNING(PIER));
          await page.getByText(/^The organizers removed this puzzle\./).waitFor();
          expect(await page.getByText("No connection").count()).toBe(0);
          expect(await box.locator("details").count()).toBe(0);
          expect(await box.locator(".hint-when").textContent()).toBe(
            "No hint can be taken: the organizers removed this puzzle.",
          );
          await page.screenshot({
            path: join(SHOTS, "puzzle-removed-after-cut-390.png"),
            fullPage: true,
          });
          expect(errors).toEqual([]);
        } finally {
          await page.close();
        }
        await reloadHunt(served, RUNNING(BEAM + PIER));
      },
      30_000,
    );

    test(
      "in a browser without IndexedDB, a guess answered 404 and a hint take cut as the puzzle went say nothing beside the removal",
      async () => {
        const token = await registerTeam(served.base, "Fulmars");
        const errors: string[] = [];
        // The page sends the guess and the take itself: no outbox.
        const page = await livePage(
          served,
          token,
          "/puzzles/harbour",
          errors,
          "delete globalThis.indexedDB",
        );
        try {
          expect(await page.evaluate("'indexedDB' in globalThis")).toBe(false);
          const guess = await hold(page, `${served.base}/api/puzzles/harbour/guesses`);
          const take = await hold(page, `${served.base}/api/puzzles/harbour/hints/beam`, true);
          const submit = page.getByRole("button", { name: "Submit" });
          await page.getByRole("textbox", { name: "Answer" }).fill("eleven");
          await submit.click();
          const box = page.locator("#hint-beam");
          await box.getByText("Take this hint").click();
          const show = box.getByRole("button", { name: "Show the hint" });
          await show.click();
          await Promise.all([guess.arrived, take.arrived]);

          served.app.setToml(RUNNING(PIER));
          expect((await served.app.admin("POST", "/api/admin/reload")).body).toMatchObject({
            removed: ["harbour"],
          });
          await page.getByText(/^The organizers removed this puzzle\./).waitFor();
          const answered = page.waitForResponse(`${served.base}/api/puzzles/harbour/guesses`);
          const cut = page.waitForEvent(
            "requestfailed",
            (request) => request.url().endsWith("/beam"),
          );
          guess.release();
          take.release();
          expect((await answered).status()).toBe(404);
          await cut;
          // Neither the guess's 404 nor the cut take is said beside the removal's note, whose
          // words are the page's only ones: no "No connection", no control that opens to nothing.
          await page.waitForTimeout(300);
          expect(await page.locator("#result").textContent()).toBe("");
          expect(await page.getByText("No connection").count()).toBe(0);
          expect(await box.locator("details").count()).toBe(0);
          expect(await submit.isDisabled()).toBe(true);
          await page.screenshot({
            path: join(SHOTS, "puzzle-removed-no-indexeddb-390.png"),
            fullPage: true,
          });
          expect(await sameDocument(page)).toBe(true);
          expect(errors).toEqual([]);
        } finally {
          await page.close();
        }
        await reloadHunt(served, RUNNING(BEAM + PIER));
      },
      30_000,
    );
  },
);

suite("an organizer's reload that removes a puzzle with a guess limit and hints", () => {
  const LIMITED = `${
    HARBOUR.replace(
      'answer = "twelve"',
      'answer = "twelve"\nguess_limit = { count = 3, per = "10m" }',
    )
  }
[[puzzle.hint]]
id = "beam"
title = "Beam"
text = "Count the beams."
unlock = "minutes_since_unlock() >= 20"

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."
`;
  const served = serveAppForSuite(() => makeApp({ toml: RUNNING(LIMITED) }));

  test(
    "the page no longer says the guesses left or when a hint opens, and asking is off",
    async () => {
      const token = await registerTeam(served.base, "Kittiwakes");
      await onLivePage(served, token, "/puzzles/harbour", async (page) => {
        const limit = page.locator("#limit-note");
        expect(await limit.textContent()).toStartWith("3 of 3 wrong guesses left");
        const countdowns = page.locator("#main [data-countdown]");
        expect(await countdowns.count()).toBe(1);
        const ask = page.locator("#hint-ask");
        expect(await ask.getByRole("button").isEnabled()).toBe(true);

        await reloadHunt(served, RUNNING());
        await page.getByText(/^The organizers removed this puzzle\./).waitFor();
        expect(await limit.count()).toBe(0);
        expect(await countdowns.count()).toBe(0);
        expect(await page.locator("#hint-beam .hint-when").textContent()).toBe(
          "No hint can be taken: the organizers removed this puzzle.",
        );
        expect(await ask.locator("textarea").isDisabled()).toBe(true);
        expect(await ask.getByRole("button").isDisabled()).toBe(true);
        await page.screenshot({
          path: join(SHOTS, "puzzle-removed-limit-hints-390.png"),
          fullPage: true,
        });
      });
    },
    30_000,
  );
});
