// Long text on a phone, in a real browser: a table wider than the screen scrolls sideways inside
// the puzzle, each cell's number kept whole on one line, rather than broken into pieces that read as
// rows of their own; a short table and the page itself stay as wide as the screen. An announcement
// with a long link wraps inside the screen. A code block's lines line up. The app runs in process
// (test/http/_app.ts).
// Screenshots at 360 px go to test-results/screenshots/.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { axe, chromiumAvailable, registerTeam, serveAppForSuite, SHOTS } from "./_browser.ts";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

const LINK = "https://maps.example.org/place/Rue+de+la+Pie-Qui-Boit/@48.6493,-2.0257,17z/data=x";

const HUNT = `
[hunt]
title = "Tables"

[[puzzle]]
id = "grid"
title = "The Grid"
answer = "x"
body = """
Read the numbers.

| a | b | c | d | e | f |
|---|---|---|---|---|---|
| 4815162342 | 1123581321 | 3141592653 | 2718281828 | 1414213562 | 1732050807 |

| word | count |
|------|-------|
| gull | 2 |
"""

[[puzzle]]
id = "request"
title = "The Request"
answer = "x"
body = """
Admins get the cookie.

\`\`\`http
GET /admin HTTP/1.1
Cookie: role=user
\`\`\`
"""

[[puzzle]]
id = "long"
title = "Donaudampfschifffahrtsgesellschaftskapitän"
round = "a-round-whose-name-goes-on-and-on-and-on"
answer = "x"
partial = [{ answer = "y", message = "See ${LINK}" }]

[[puzzle.hint]]
id = "link"
text = "Read ${LINK}"
`;

/** Each cell's text: how many lines it takes; and how wide the tables and the page are. */
interface Cells {
  lines: Record<string, number>;
  wide: { client: number; scroll: number; right: number };
  short: { client: number; scroll: number };
  pageWidth: number;
}

suite("long text on a phone", () => {
  const served = serveAppForSuite(() => makeApp({ toml: HUNT }));

  beforeAll(async () => {
    const token = await registerTeam(served.base, "Gulls");
    await served.browser.context.addCookies([
      { name: "cairn_session", value: token, url: served.base },
    ]);
  });

  test("at 360 px an announcement with a long link wraps inside the screen", async () => {
    const link =
      "https://maps.example.org/place/Rue+de+la+Pie-Qui-Boit/@48.6493,-2.0257,17z/data=x";
    const res = await fetch(`${served.base}/api/admin/announcements`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ text: `The bakery moved: ${link}` }),
    });
    expect(res.status).toBe(201);
    const page = await served.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${served.base}/puzzles`);
      await page.locator("#announcement:not([hidden])").waitFor();
      const seen = await page.evaluate(`(() => {
        const close = document.querySelector("#announcement-close").getBoundingClientRect();
        return {
          pageWidth: document.documentElement.scrollWidth,
          text: document.querySelector("#announcement-text").getBoundingClientRect().right <= 360,
          dismiss: close.left >= 0 && close.right <= 360,
        };
      })()`);
      expect(seen).toEqual({ pageWidth: 360, text: true, dismiss: true });
      expect(await page.textContent("#announcement-text")).toBe(`The bakery moved: ${link}`);
      await page.screenshot({ path: join(SHOTS, "announcement-link-360.png") });
    } finally {
      await page.close();
    }
  }, 30_000);

  test(
    "at 360 px a long title, round, hint and partial message wrap inside the screen",
    async () => {
      const page = await served.browser.context.newPage();
      try {
        await page.setViewportSize({ width: 360, height: 740 });
        await page.goto(`${served.base}/puzzles/long`);
        await page.getByText("Take this hint").click();
        await page.getByRole("button", { name: "Show the hint" }).click();
        await page.getByText(`Read ${LINK}`).waitFor();
        await page.getByRole("textbox", { name: /answer/i }).fill("y");
        await page.getByRole("textbox", { name: /answer/i }).press("Enter");
        await page.locator("#result").getByText(`See ${LINK}`).waitFor();
        // The team's guesses list it too, with its message: it must wrap as well.
        await page.locator("#guesses").getByText(`See ${LINK}`).waitFor();
        // Each text that reaches past the screen's edge, outside a box that scrolls: its start.
        const past = await page.evaluate(`(() => {
          const out = [];
          const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
          for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(text);
            if (range.getBoundingClientRect().right <= 360.5) continue;
            let boxed = false;
            for (let up = text.parentElement; up && !boxed; up = up.parentElement) {
              boxed = ["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX);
            }
            if (!boxed) out.push(text.parentElement.tagName.toLowerCase() + " " + text.textContent.slice(0, 12));
          }
          return out;
        })()`);
        expect(past).toEqual([]);
        expect(await page.evaluate("document.documentElement.scrollWidth")).toBe(360);
        await page.screenshot({ path: join(SHOTS, "long-words-360.png"), fullPage: true });
      } finally {
        await page.close();
      }
    },
    30_000,
  );

  test("a code block's lines all start at its left edge, the first one too", async () => {
    const page = await served.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${served.base}/puzzles/request`);
      // Where the first character of each line sits, from the block's left edge.
      const starts = await page.evaluate(`(() => {
        const pre = document.querySelector(".body pre");
        const text = pre.querySelector("code").firstChild;
        const at = (i) => {
          const range = document.createRange();
          range.setStart(text, i);
          range.setEnd(text, i + 1);
          return Math.round(range.getBoundingClientRect().left - pre.getBoundingClientRect().left);
        };
        return [at(0), at(text.data.indexOf("Cookie"))];
      })()`) as number[];
      expect(starts[0]).toBeGreaterThan(0);
      expect(starts[1]).toBe(starts[0]!);
      await page.screenshot({ path: join(SHOTS, "body-code-360.png") });
    } finally {
      await page.close();
    }
  }, 30_000);

  test("at 360 px a wide table scrolls sideways with each number on one line", async () => {
    const page = await served.browser.context.newPage();
    try {
      await page.setViewportSize({ width: 360, height: 740 });
      await page.goto(`${served.base}/puzzles/grid`);
      const cells = await page.evaluate(`(() => {
        const lines = {};
        for (const cell of document.querySelectorAll(".body td")) {
          const range = document.createRange();
          range.selectNodeContents(cell);
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          lines[cell.textContent] = tops.size;
        }
        const [wide, short] = document.querySelectorAll(".body table");
        return {
          lines,
          wide: {
            client: wide.clientWidth,
            scroll: wide.scrollWidth,
            right: Math.round(wide.getBoundingClientRect().right),
          },
          short: { client: short.clientWidth, scroll: short.scrollWidth },
          pageWidth: document.documentElement.scrollWidth,
        };
      })()`) as Cells;
      expect(cells.lines).toEqual({
        "4815162342": 1,
        "1123581321": 1,
        "3141592653": 1,
        "2718281828": 1,
        "1414213562": 1,
        "1732050807": 1,
        gull: 1,
        "2": 1,
      });
      expect(cells.pageWidth).toBe(360);
      expect(cells.wide.right).toBeLessThanOrEqual(360);
      expect(cells.wide.scroll).toBeGreaterThan(cells.wide.client);
      expect(cells.short.scroll).toBe(cells.short.client);
      // The scrolling table can be reached and scrolled from a keyboard too.
      expect((await axe(page)).serious).toEqual([]);
      await page.screenshot({ path: join(SHOTS, "body-table-360.png") });
    } finally {
      await page.close();
    }
  }, 30_000);
});
