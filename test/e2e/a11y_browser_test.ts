// The pages as people use them without looking, or with large text: a
// keyboard (or a screen reader moving focus), Chromium's own text size, read
// through the accessibility tree, against the compiled binary. Screenshots go to
// test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import {
  axeRules,
  chromiumAvailable,
  launchChromium,
  registerTeam,
  SHOTS,
  startBinary,
} from "./_browser.ts";

const HUNT = `
[hunt]
title = "Harbor Hunt"
hint_tokens = { start = 2, every = "1h" }

[[round]]
id = "harbor"
title = "The Harbor at Dawn"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
round = "harbor"
points = 100
body = "Count the windows, then look up."
answer = ["polaris"]
guess_limit = { count = 10, per = "1h" }

[[puzzle.hint]]
id = "nudge"
cost = 10
text = "Sailors steer by it."

[[puzzle.hint]]
id = "more"
cost = 20
text = "It is at the end of the Little Dipper's handle."

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."

[[puzzle]]
id = "statue"
title = "Strike a pose"
round = "town"
points = 30
submit = "photo"
body = "A photo of your whole team copying a statue's pose."
`;

const ADMIN_TOKEN = "a11y-admin-token-0123";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let phone: Awaited<ReturnType<typeof launchChromium>>;
let largeText: Awaited<ReturnType<typeof launchChromium>>;

/** A new tab of `browser` at `path`, logged in as `token`, watching for script errors. */
async function tab(
  browser: typeof phone,
  token: string,
  path: string,
  errors: string[],
): Promise<Page> {
  await browser.context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
  const page = await browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.base}${path}`);
  return page;
}

/** The id (or tag) and text of the element that has the focus. */
function focused(page: Page): Promise<{ id: string; text: string }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    return { id: el?.id || el?.tagName.toLowerCase() || "", text: el?.textContent?.trim() ?? "" };
  })()`);
}

/**
 * The contrast of the focus ring of what has the focus against the background around it (the
 * nearest one drawn), as WCAG computes it: 3 or more for what is not text.
 */
function focusRingContrast(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const rgb = (color) => color.match(/[\\d.]+/g).map(Number);
    const luminance = ([r, g, b]) => {
      const f = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const el = document.activeElement;
    let around = el.parentElement;
    while (around && rgb(getComputedStyle(around).backgroundColor)[3] === 0) {
      around = around.parentElement;
    }
    const ring = luminance(rgb(getComputedStyle(el).outlineColor));
    const back = luminance(rgb(getComputedStyle(around ?? document.body).backgroundColor));
    return (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05);
  })()`);
}

suite("a phone by keyboard and with large text", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
    phone = await launchChromium();
    // Twice the usual text size (16 px), as a phone set to large text.
    largeText = await launchChromium([], { textSize: 32 });
  }, 180_000);

  afterAll(async () => {
    try {
      await phone?.close();
      await largeText?.close();
    } finally {
      await server?.stop();
    }
  });

  test(
    "at twice the text size every page's text is twice as large, and nothing runs past the phone's edge",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Terns");
      // A question waiting for an organizer: its state is the widest word on the puzzle's page.
      const asked = await fetch(`${server.base}/api/puzzles/lighthouse/hints/ask/asks`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ question: "We counted 12 windows." }),
      });
      expect(asked.status).toBe(201);
      await largeText.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: server.base },
      ]);
      const found: string[] = [];
      // Each page, and its first paragraph's text size at the usual size.
      const pages: [string, number][] = [
        ["/", 17],
        ["/puzzles", 17],
        ["/puzzles/lighthouse", 17],
        ["/puzzles/statue", 17],
        ["/scoreboard", 17],
        ["/admin", 13.6],
      ];
      for (const [path, usual] of pages) {
        const page = await tab(largeText, token, path, errors);
        const { text, width, cut, outOfCard } = await page.evaluate(`({
          text: getComputedStyle(document.querySelector("#main p")).fontSize,
          width: document.documentElement.scrollWidth,
          // What runs past the screen's edge inside a box that hides it (cut off), but for a
          // table that scrolls sideways in a region a keyboard can scroll too.
          cut: [...document.querySelectorAll("#main *")]
            .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
            .filter((el) => !el.closest("[role=region][tabindex]"))
            .map((el) => el.className || el.tagName.toLowerCase()),
          // What runs out of its card's inner edge (past its padding, into its border or out).
          outOfCard: [...document.querySelectorAll("#main .card")].flatMap((card) => {
            const edge = card.getBoundingClientRect().right -
              parseFloat(getComputedStyle(card).paddingRight);
            return [...card.querySelectorAll("*")]
              .filter((el) => !el.closest("[role=region][tabindex]"))
              .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
              .map((el) => el.id || el.className?.baseVal || el.className || el.tagName.toLowerCase());
          }),
        })`) as { text: string; width: number; cut: string[]; outOfCard: string[] };
        if (text !== `${usual * 2}px`) {
          found.push(`${path}: its text is ${text}, not ${usual * 2}px`);
        }
        if (width > 390) found.push(`${path}: ${width} px wide on a 390 px phone`);
        for (const el of cut) found.push(`${path}: ${el} runs past the screen's edge`);
        for (const el of outOfCard) found.push(`${path}: ${el} runs out of its card`);
        if (path === "/puzzles") {
          // Each puzzle's status icon shares a line with its title or its points, never alone.
          const alone = await page.evaluate(`[...document.querySelectorAll(".puzzle-list a")]
            .filter((row) => {
              const middle = (el) => {
                const box = el.getBoundingClientRect();
                return (box.top + box.bottom) / 2;
              };
              const icon = middle(row.querySelector(".status-icon"));
              return [row.querySelector(".title"), row.querySelector(".badge")].every((el) => {
                const box = el.getBoundingClientRect();
                return icon < box.top || icon > box.bottom;
              });
            })
            .map((row) => row.querySelector(".title").textContent)`) as string[];
          for (const title of alone) {
            found.push(`/puzzles: the icon of "${title}" is alone on its line`);
          }
        }
        const name = path === "/" ? "landing" : path.slice(1).replace("/", "-");
        await page.screenshot({ path: join(SHOTS, `large-text-${name}.png`), fullPage: true });
        if (path === "/admin") {
          // The feed's state is the page's ("reload for more") until the stream opens, then the
          // script's: each must fit, however soon the stream opened before the look above.
          for (const state of ["reload for more", "live", "polling", "reconnecting…"]) {
            const out = await page.evaluate(`(() => {
              const badge = document.getElementById("feed-state");
              badge.textContent = ${JSON.stringify(state)};
              const card = badge.closest(".card");
              const edge = card.getBoundingClientRect().right -
                parseFloat(getComputedStyle(card).paddingRight);
              return badge.getBoundingClientRect().right > edge + 0.5;
            })()`);
            if (out) found.push(`/admin: the feed's state "${state}" runs out of its card`);
          }
        }
        await page.close();
      }
      expect(found).toEqual([]);
      expect(errors).toEqual([]);
    },
    60_000,
  );

  test(
    "at twice the text size on a 320 px phone, a word breaks only where it is wider than its line",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Gannets");
      const found: string[] = [];
      for (
        const path of ["/", "/puzzles", "/puzzles/lighthouse", "/puzzles/statue", "/scoreboard"]
      ) {
        const page = await tab(largeText, token, path, errors);
        await page.setViewportSize({ width: 320, height: 700 });
        // Each word drawn on two lines or more, with the width it takes whole: one no wider than
        // the page's line should not have been broken (its box should have room for it).
        const broken = await page.evaluate(`(() => {
          const out = [];
          const walker = document.createTreeWalker(document.getElementById("main"), NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (el.closest("[hidden], .visually-hidden") || el.getClientRects().length === 0) continue;
            for (const word of node.data.matchAll(/\\S+/g)) {
              const range = document.createRange();
              range.setStart(node, word.index);
              range.setEnd(node, word.index + word[0].length);
              const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                .map((r) => Math.round(r.top)));
              if (lines.size < 2) continue;
              // Its width whole: the same word in the same type, on one line.
              const probe = document.createElement("span");
              probe.style.whiteSpace = "nowrap";
              probe.textContent = word[0];
              el.append(probe);
              const whole = probe.getBoundingClientRect().width;
              probe.remove();
              // The page's line: a word as wide breaks only in a box narrower than the page's.
              const main = document.getElementById("main");
              const style = getComputedStyle(main);
              const line = main.clientWidth - parseFloat(style.paddingLeft) -
                parseFloat(style.paddingRight);
              if (whole <= line + 0.5) out.push(word[0] + " (" + Math.round(whole) + " px, the page's line " + Math.round(line) + ")");
            }
          }
          return out;
        })()`) as string[];
        for (const word of broken) found.push(`${path}: "${word}" breaks though it fits`);
        // Nothing runs out of its card's inner edge (a chip, a file input's button) on this phone.
        const outOfCard = await page.evaluate(`[...document.querySelectorAll("#main .card")]
          .flatMap((card) => {
            const edge = card.getBoundingClientRect().right -
              parseFloat(getComputedStyle(card).paddingRight);
            return [...card.querySelectorAll("*")]
              .filter((el) => !el.closest("[role=region][tabindex], [hidden]"))
              .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
              .map((el) => el.id || el.className?.baseVal || el.className || el.tagName.toLowerCase());
          })`) as string[];
        for (const el of outOfCard) found.push(`${path}: ${el} runs out of its card at 320 px`);
        // A file input cuts what does not fit in its box (its button, "No file chosen").
        const cutInputs = await page.evaluate(`[...document.querySelectorAll("#main input")]
          .filter((input) => input.scrollWidth > input.clientWidth + 1)
          .map((input) => input.name)`) as string[];
        for (const name of cutInputs) found.push(`${path}: the input ${name} is cut at 320 px`);
        // Nor does an empty box cut the placeholder it shows (an input's does not wrap): its
        // width in the placeholder's own type, within the box's padding.
        const cutPlaceholders = await page.evaluate(
          `[...document.querySelectorAll("#main input[placeholder]")]
          .filter((input) => input.value === "" && input.getClientRects().length > 0)
          .filter((input) => {
            const shown = getComputedStyle(input, "::placeholder");
            if (shown.color === "rgba(0, 0, 0, 0)" || shown.visibility === "hidden") return false;
            const probe = document.createElement("span");
            probe.style.cssText = "position: absolute; visibility: hidden; white-space: pre";
            probe.style.font = shown.font;
            probe.style.letterSpacing = shown.letterSpacing;
            probe.textContent = input.placeholder;
            document.body.append(probe);
            const width = probe.getBoundingClientRect().width;
            probe.remove();
            const box = getComputedStyle(input);
            const inside = input.clientWidth - parseFloat(box.paddingLeft) -
              parseFloat(box.paddingRight);
            return width > inside + 0.5;
          })
          .map((input) => input.name + ' ("' + input.placeholder + '")')`,
        ) as string[];
        for (const name of cutPlaceholders) {
          found.push(`${path}: the placeholder of ${name} is cut at 320 px`);
        }
        // A text box's placeholder wraps: its lines, at the box's width and in its type, fit the
        // box's height (the ask hint's question, "What have you tried…", was cut at its bottom).
        const cutAreas = await page.evaluate(
          `[...document.querySelectorAll("#main textarea[placeholder]")]
          .filter((area) => area.value === "" && area.getClientRects().length > 0)
          .filter((area) => {
            const shown = getComputedStyle(area, "::placeholder");
            if (shown.color === "rgba(0, 0, 0, 0)" || shown.visibility === "hidden") return false;
            const box = getComputedStyle(area);
            const probe = document.createElement("div");
            probe.style.cssText = "position: absolute; visibility: hidden; white-space: pre-wrap";
            probe.style.font = shown.font;
            probe.style.letterSpacing = shown.letterSpacing;
            probe.style.lineHeight = shown.lineHeight;
            probe.style.overflowWrap = box.overflowWrap;
            probe.style.width = (area.clientWidth - parseFloat(box.paddingLeft) -
              parseFloat(box.paddingRight)) + "px";
            probe.textContent = area.placeholder;
            document.body.append(probe);
            const height = probe.getBoundingClientRect().height;
            probe.remove();
            const inside = area.clientHeight - parseFloat(box.paddingTop) -
              parseFloat(box.paddingBottom);
            return height > inside + 0.5;
          })
          .map((area) => area.name + ' ("' + area.placeholder + '")')`,
        ) as string[];
        for (const name of cutAreas) {
          found.push(`${path}: the placeholder of ${name} is cut at 320 px`);
        }
        const name = path === "/" ? "landing" : path.slice(1).replace("/", "-");
        await page.screenshot({ path: join(SHOTS, `large-text-320-${name}.png`), fullPage: true });
        await page.close();
      }
      expect(found).toEqual([]);
      expect(errors).toEqual([]);
    },
    60_000,
  );

  test(
    "at the usual text size, a 320 px phone lists each puzzle on one line: icon, title and points",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Auks");
      const page = await tab(phone, token, "/puzzles", errors);
      await page.setViewportSize({ width: 320, height: 700 });
      // Rows whose title is not on the line of their status icon and their points.
      const stacked = await page.evaluate(`[...document.querySelectorAll(".puzzle-list a")]
        .filter((row) => {
          const icon = row.querySelector(".status-icon").getBoundingClientRect();
          const middle = (el) => {
            const box = el.getBoundingClientRect();
            return (box.top + box.bottom) / 2;
          };
          return [row.querySelector(".title"), row.querySelector(".badge")]
            .some((el) => middle(el) < icon.top || middle(el) > icon.bottom);
        })
        .map((row) => row.querySelector(".title").textContent)`) as string[];
      await page.screenshot({ path: join(SHOTS, "list-usual-text-320.png"), fullPage: true });
      expect(stacked).toEqual([]);
      expect(await page.locator(".puzzle-list a").count()).toBe(2);
      expect(errors).toEqual([]);
      await page.close();
    },
    30_000,
  );

  test("a solve by keyboard moves the focus to its result, not to the page's top", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Gulls");
    const page = await tab(phone, token, "/puzzles/lighthouse", errors);
    const answer = page.getByRole("textbox", { name: "Answer" });
    await answer.focus();
    await page.keyboard.type("polaris");
    await page.keyboard.press("Enter");
    await page.locator("#result.notice-ok").waitFor();
    expect(await focused(page)).toEqual({ id: "result", text: "Correct! Puzzle solved." });
    expect(await page.getByRole("status").filter({ hasText: "Correct!" }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "keyboard-solved.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  test("a photo sent by keyboard moves the focus to its state, not to the page's top", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Puffins");
    const page = await tab(phone, token, "/puzzles/statue", errors);
    const jpeg = await page.evaluate(`(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 64;
      canvas.height = 48;
      const g = canvas.getContext("2d");
      g.fillStyle = "#3b82f6";
      g.fillRect(0, 0, 64, 48);
      return canvas.toDataURL("image/jpeg", 0.8).split(",")[1];
    })()`) as string;
    await page.getByLabel("Take a photo").setInputFiles({
      name: "pose.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(jpeg, "base64"),
    });
    await page.getByRole("button", { name: "Send" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
    expect(await focused(page)).toEqual({
      id: "mission-status",
      text: "Waiting for a judgeThe verdict shows up here.",
    });
    await page.screenshot({ path: join(SHOTS, "keyboard-photo-sent.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 30_000);

  test("a hint taken by keyboard moves the focus to its text, which is read out", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Herons");
    const page = await tab(phone, token, "/puzzles/lighthouse", errors);
    const hint = page.locator("#hint-nudge");
    await hint.getByText("Take this hint").focus();
    await page.keyboard.press("Enter");
    await hint.getByRole("button", { name: "Yes, spend 10 points" }).focus();
    // The take tells the team's pages of the puzzle to draw their hints again, this one too.
    const redrawn = page.waitForResponse((r) =>
      new URL(r.url()).pathname === "/puzzles/lighthouse" &&
      r.request().headers()["cairn-background"] === "1"
    );
    await page.keyboard.press("Enter");
    await hint.getByText("Sailors steer by it.").waitFor();
    expect(await focused(page)).toEqual({ id: "p", text: "Sailors steer by it." });
    // That drawing keeps the focus where it is: the hint, as drawn, is the same.
    await (await redrawn).finished();
    await page.waitForTimeout(300);
    expect(await focused(page)).toEqual({ id: "p", text: "Sailors steer by it." });
    expect(errors).toEqual([]);
  }, 30_000);

  test(
    "a question sent by keyboard moves the focus to its state once the page reloads",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Grebes");
      const page = await tab(phone, token, "/puzzles/lighthouse", errors);
      const hint = page.locator("#hint-ask");
      await hint.getByRole("textbox", { name: "Your question to the organizers" }).focus();
      await page.keyboard.type("We counted 12 windows.");
      await hint.getByRole("button", { name: "Ask" }).focus();
      const reloaded = page.waitForEvent("load");
      await page.keyboard.press("Enter");
      await reloaded;
      await hint.getByText("Waiting for an organizer").waitFor();
      expect(await focused(page)).toEqual({
        id: "p",
        text: "Waiting for an organizer We counted 12 windows.",
      });
      // Read out as what has the focus, from the accessibility tree.
      expect(await page.locator(":focus").ariaSnapshot()).toBe(
        "- paragraph: Waiting for an organizer We counted 12 windows.",
      );
      await page.screenshot({ path: join(SHOTS, "keyboard-question-sent.png"), fullPage: true });
      // Once only: a later reload leaves the focus where a page's is.
      await page.reload();
      expect((await focused(page)).id).toBe("body");
      expect(errors).toEqual([]);
    },
    30_000,
  );

  test("a hint kept on the phone offline says so in an alert, read out as it appears", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Egrets");
    const page = await tab(phone, token, "/puzzles/lighthouse", errors);
    await phone.context.setOffline(true);
    await page.waitForFunction("!navigator.onLine");
    const more = page.locator("#hint-more");
    await more.getByText("Take this hint").click();
    await more.getByRole("button", { name: "Yes, spend 20 points" }).click();
    const alert = more.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "Saved on this phone. It is sent as soon as the network is back.",
    );
    await page.screenshot({ path: join(SHOTS, "keyboard-hint-offline.png"), fullPage: true });
    await phone.context.setOffline(false);
    await more.getByText("It is at the end of the Little Dipper's handle.").waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  test(
    "at twice the text size the tables that scroll sideways on a phone can be scrolled by keyboard",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Cormorants");
      const took = await fetch(`${server.base}/api/puzzles/lighthouse/hints/nudge`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(took.status).toBe(200);
      const [team] = server.query<{ id: number }>("SELECT id FROM teams WHERE name = 'Cormorants'");
      await largeText.context.addCookies([
        { name: "cairn_admin", value: ADMIN_TOKEN, url: server.base },
      ]);
      const found: string[] = [];
      for (const path of [`/admin/teams/${team!.id}`, "/docs/api", "/scoreboard"]) {
        const page = await largeText.context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.goto(`${server.base}${path}`);
        for (const finding of await axeRules(page, ["scrollable-region-focusable"])) {
          found.push(`${path}: ${finding}`);
        }
        await page.close();
      }
      expect(found).toEqual([]);
      expect(errors).toEqual([]);
    },
    60_000,
  );

  test("the answer box's focus ring leaves the guesses-left line under it uncovered", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Shags");
    const found: string[] = [];
    for (const [browser, width] of [[phone, 390], [largeText, 320]] as const) {
      const page = await tab(browser, token, "/puzzles/lighthouse", errors);
      try {
        await page.setViewportSize({ width, height: 700 });
        await page.getByRole("textbox", { name: "Answer" }).click();
        // The ring's bottom edge (the box, its offset and its width) against the line's top.
        const { ring, line, text } = await page.evaluate(`(() => {
          const box = document.querySelector("#guess-form input[name=answer]");
          const style = getComputedStyle(box);
          const note = document.getElementById("limit-note");
          return {
            ring: box.getBoundingClientRect().bottom + parseFloat(style.outlineOffset) +
              parseFloat(style.outlineWidth),
            line: note.getBoundingClientRect().top,
            text: note.textContent,
          };
        })()`) as { ring: number; line: number; text: string };
        expect(text).toStartWith("10 of 10 wrong guesses left per hour.");
        if (ring > line) found.push(`${width} px: the ring covers ${ring - line} px of the line`);
        await page.screenshot({ path: join(SHOTS, `focus-ring-limit-${width}.png`) });
      } finally {
        await page.close();
      }
    }
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  }, 30_000);

  test("the focus ring stands out 3:1 from the page around it, light and dark", async () => {
    // The landing page, as a guest.
    await phone.context.clearCookies();
    const page = await phone.context.newPage();
    await page.goto(server.base);
    const found: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // The page's background, then a card's.
      for (const name of ["Scoreboard", "Team name"]) {
        const control = name === "Scoreboard"
          ? page.getByRole("link", { name })
          : page.locator("#login").getByRole("textbox", { name });
        await control.focus();
        await page.keyboard.press("Shift+Tab");
        await page.keyboard.press("Tab");
        const contrast = await focusRingContrast(page);
        if (contrast < 3) found.push(`${scheme}, ${name}: ${contrast.toFixed(2)}`);
      }
      await page.screenshot({ path: join(SHOTS, `focus-ring-${scheme}.png`) });
    }
    await page.close();
    expect(found).toEqual([]);
  }, 30_000);
});
