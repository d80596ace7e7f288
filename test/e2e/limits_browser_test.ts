// The pages' text fields in a real browser, against the compiled binary: each
// takes as many characters (Unicode code points) as the API does, emoji
// included, and refuses one more, as the API would. A browser's own
// `maxlength` counts UTF-16 units, so alone it stops a 64-character team name
// at 32 emoji.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { chromiumAvailable, registerTeam, type Served, serveForSuite, SHOTS } from "./_browser.ts";

const ADMIN_TOKEN = "limits-admin-token";
const HUNT = `
[hunt]
title = "Limits Hunt"

[[puzzle]]
id = "lighthouse"
title = "The Lighthouse"
answer = ["polaris"]
# A checkpoint, so that the list has its code's box.
checkpoint = { code = "lamp-1" }

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Stuck? Tell us what you tried."

[[puzzle]]
id = "toast"
title = "A Toast"
points = 10
submit = "text"
`;

/** One character (code point) that takes two UTF-16 units. */
const OWL = "🦉";

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;
const served = {} as Served;

/** A field's value in characters, and whether the browser would let its form be sent. */
function state(page: Page, selector: string) {
  return page.locator(selector).evaluate((el) => {
    // A browser's field (this project's types have no DOM).
    const field = el as unknown as {
      value: string;
      checkValidity(): boolean;
      validationMessage: string;
    };
    return {
      chars: [...field.value].length,
      valid: field.checkValidity(),
      message: field.validationMessage,
    };
  });
}

interface Field {
  selector: string;
  /** The API's limit, in characters. */
  max: number;
  /** The API's minimum, in characters. */
  min?: number;
}

/**
 * `max` emoji fit (none is cut off, the form may be sent), and `max + 1` characters
 * do not; with `min`, `min - 1` emoji (twice as many UTF-16 units) do not either.
 */
async function expectLimits(page: Page, { selector, max, min }: Field): Promise<void> {
  const field = page.locator(selector);
  await field.fill(OWL.repeat(max));
  expect({ selector, ...await state(page, selector) })
    .toEqual({ selector, chars: max, valid: true, message: "" });
  // Emptied first: Chromium cuts short text typed over the selection of a full password field.
  await field.fill("");
  await field.fill("a".repeat(max + 1));
  expect({ selector, ...await state(page, selector) }).toEqual({
    selector,
    chars: max + 1,
    valid: false,
    message: `Use at most ${max} characters (now ${max + 1}).`,
  });
  if (min !== undefined) {
    await field.fill("");
    await field.fill(OWL.repeat(min - 1));
    expect({ selector, ...await state(page, selector) }).toEqual({
      selector,
      chars: min - 1,
      valid: false,
      message: `Use at least ${min} characters (now ${min - 1}).`,
    });
  }
  await field.fill("");
}

/** A new tab at `path`, collecting script errors. */
async function open(path: string, errors: string[]): Promise<Page> {
  const page = await served.browser.context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${served.server.base}${path}`);
  return page;
}

suite("text limits on the pages count characters, as the API does", () => {
  serveForSuite(served, HUNT, ["--admin-token", ADMIN_TOKEN]);

  test("joining and logging in: names, passwords and members", async () => {
    await served.browser.context.clearCookies();
    const errors: string[] = [];
    const page = await open("/", errors);
    const fields: Field[] = [
      { selector: "#login input[name=name]", max: 64 },
      { selector: "#login input[name=password]", max: 256 },
      { selector: "form[action='/join'] input[name=name]", max: 64 },
      { selector: "form[action='/join'] input[name=password]", max: 256, min: 8 },
    ];
    for (const field of fields) await expectLimits(page, field);

    // Members: a name per line, each at most 64 characters, at most 50 of them.
    const members = page.locator("form[action='/join'] textarea[name=members]");
    const membersState = () => state(page, "form[action='/join'] textarea[name=members]");
    await members.fill(`Ann\n${OWL.repeat(64)}`);
    expect(await membersState()).toEqual({ chars: 68, valid: true, message: "" });
    await members.fill(`Ann\n${"b".repeat(65)}`);
    expect(await membersState()).toEqual({
      chars: 69,
      valid: false,
      message: "Line 2 has 65 characters: a name has at most 64.",
    });
    const many = Array.from({ length: 51 }, (_, i) => `m${i}`).join("\n");
    await members.fill(many);
    expect((await membersState()).message).toBe("At most 50 names (now 51).");

    // A team name of 64 emoji joins, as the API allows.
    const name = OWL.repeat(64);
    const joinForm = page.locator("form[action='/join']");
    await joinForm.getByLabel("Team name").fill(name);
    await joinForm.getByLabel("Password").fill("correct horse");
    await members.fill(`Ann\n${OWL.repeat(64)}`);
    await joinForm.getByRole("button", { name: "Join" }).click();
    await page.waitForURL(`${served.server.base}/puzzles`);
    expect(served.server.query("SELECT name FROM teams")).toEqual([{ name }]);
    await page.screenshot({ path: join(SHOTS, "limits-emoji-team-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("a team's pages: checkpoint codes, answers, questions and mission texts", async () => {
    await served.browser.context.clearCookies();
    const token = await registerTeam(served.server.base, "Gulls");
    await served.browser.context.addCookies([
      { name: "cairn_session", value: token, url: served.server.base },
    ]);
    const errors: string[] = [];
    const fields: [string, Field][] = [
      ["/puzzles", { selector: "input[name=code]", max: 256 }],
      ["/puzzles/lighthouse", { selector: "input[name=answer]", max: 500 }],
      ["/puzzles/lighthouse", { selector: "textarea[name=question]", max: 1000 }],
      ["/puzzles/toast", { selector: "textarea[name=text]", max: 2000 }],
    ];
    for (const [path, field] of fields) {
      const page = await open(path, errors);
      await expectLimits(page, field);
      await page.close();
    }
    expect(errors).toEqual([]);
  }, 60_000);

  test("the organizers' pages: announcements, reasons, replies, judges", async () => {
    await served.browser.context.clearCookies();
    const base = served.server.base;
    const token = await registerTeam(base, "Terns");
    const asked = await fetch(`${base}/api/puzzles/lighthouse/hints/ask/asks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ question: "Is it a star?" }),
    });
    expect(asked.status).toBe(201);
    const text = new FormData();
    text.append("text", "To the harbor master!");
    const sent = await fetch(`${base}/api/puzzles/toast/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: text,
    });
    expect(sent.status).toBe(201);
    const [team] = served.server.query<{ id: number }>("SELECT id FROM teams WHERE name = 'Terns'");
    await served.browser.context.addCookies([
      { name: "cairn_admin", value: ADMIN_TOKEN, url: base },
    ]);
    const errors: string[] = [];
    const fields: [string, Field][] = [
      ["/admin", { selector: "textarea[name=text]", max: 2000 }],
      [`/admin/teams/${team!.id}`, { selector: "input[name=reason]", max: 500 }],
      ["/admin/hints", { selector: "textarea[name=answer]", max: 2000 }],
      ["/admin/hints", { selector: "input[name=message]", max: 2000 }],
      ["/admin/judge", { selector: "input[name=name]", max: 64 }],
    ];
    for (const [path, field] of fields) {
      const page = await open(path, errors);
      await expectLimits(page, field);
      await page.close();
    }
    // A judge named with 64 emoji judges, and the message to the team has its own limit.
    const judge = await open("/admin/judge", errors);
    await judge.locator("input[name=name]").fill(OWL.repeat(64));
    await judge.getByRole("button", { name: "Start judging" }).click();
    await judge.locator("#judge-item").waitFor();
    await expectLimits(judge, { selector: "#judge-reject textarea[name=message]", max: 500 });
    await judge.close();
    expect(errors).toEqual([]);
  }, 60_000);
});
