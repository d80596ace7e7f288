// Team and member names that show nothing, or less than they hold, are refused at registration:
// zero-width and other invisible characters outside emoji, and Hangul or Braille fillers.
// Emoji sequences, which join their parts with invisible characters, are kept.
import { describe, expect, test } from "bun:test";
import { makeApp } from "./_app.ts";

const envelope = (code: string, message: string) => ({ error: { code, message } });
const TEAM_REFUSED = envelope(
  "bad_request",
  'Field "name": A team name cannot hold invisible characters, such as a zero-width space, outside emoji',
);

/** Names that look like another name, or like nothing: each one is refused. */
const INVISIBLE_NAMES: [string, string][] = [
  ["a trailing zero-width space", "Alpha\u200b"],
  ["only a zero-width space", "\u200b"],
  ["a Hangul filler", "Alpha\u3164"],
  ["only a Hangul filler", "\u3164"],
  ["a Hangul choseong filler", "\u115fAlpha"],
  ["a Hangul jungseong filler", "Al\u1160pha"],
  ["a halfwidth Hangul filler", "\uffa0"],
  ["a blank Braille pattern", "\u2800"],
  ["a zero-width joiner between letters", "Al\u200dpha"],
  ["a zero-width joiner after an emoji, joining nothing", "🦉\u200d"],
  ["a zero-width non-joiner", "Al\u200cpha"],
  ["a word joiner", "Al\u2060pha"],
  ["a soft hyphen", "Al\u00adpha"],
  ["a variation selector after a letter", "Alpha\ufe0f"],
  ["a combining grapheme joiner", "Al\u034fpha"],
  ["a tag character outside a flag", "Alpha\u{e0041}"],
  ["an interlinear annotation anchor", "Alpha\ufff9"],
];

/** Emoji sequences, with the joiners, selectors and tags they are made of: each one is kept. */
const EMOJI_NAMES = [
  "👨‍👩‍👧‍👦 Family",
  "👩🏽‍💻 Coders",
  "🏳️‍🌈",
  "❤️‍🔥 Hearts",
  "🏴‍☠️ Pirates",
  "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scots",
  "#️⃣1",
  "🐻‍❄️",
  "🫱🏻‍🫲🏿 Deal",
  "🇫🇷 Bleus",
  "Команда",
  "日本語チーム",
];

describe("invisible characters in names", () => {
  for (const [what, name] of INVISIBLE_NAMES) {
    test(`refuses a team name with ${what}`, async () => {
      const { call } = makeApp();
      expect(await call("POST", "/api/teams", { body: { name, password: "correct horse" } }))
        .toMatchObject({ status: 400, body: TEAM_REFUSED });
    });
  }

  test('"Alpha" with a zero-width space beside "Alpha" is refused, not a second team', async () => {
    const { call, register } = makeApp();
    await register("Alpha");
    for (const name of ["Alpha\u200b", "Al\u200bpha", "\u2060Alpha"]) {
      const reply = await call("POST", "/api/teams", { body: { name, password: "correct horse" } });
      expect(reply.status).toBe(400);
    }
    // A BOM is whitespace to trim: the name is "Alpha", already taken.
    const bom = await call("POST", "/api/teams", {
      body: { name: "\ufeffAlpha", password: "correct horse" },
    });
    expect(bom.status).toBe(409);
  });

  test("keeps emoji team names, with their joiners, selectors and tags", async () => {
    const { admin, register } = makeApp();
    for (const name of EMOJI_NAMES) await register(name);
    const teams = await admin("GET", "/api/admin/teams");
    expect(teams.body.teams.map((t: { name: string }) => t.name)).toEqual(EMOJI_NAMES);
  });

  test("keeps words spelt with a joiner or non-joiner, outside Latin, Greek and Cyrillic", async () => {
    const { admin, call, register } = makeApp();
    // Persian "mi-khaham" and Hindi "kshatriya" (a half form) need them between their letters.
    const spelt = ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937"];
    for (const name of spelt) await register(name);
    expect((await admin("GET", "/api/admin/teams")).body.teams.map((t: { name: string }) => t.name))
      .toEqual(spelt);
    // At a word's edge, or beside a Latin letter, one hides a second name.
    for (
      const name of ["\u0645\u06cc\u200c", "\u200c\u0645\u06cc", "Al\u200cpha", "\u0645\u200ca"]
    ) {
      const reply = await call("POST", "/api/teams", { body: { name, password: "correct horse" } });
      expect([name, reply.status]).toEqual([name, 400]);
    }
  });

  test("refuses a member name with a zero-width space, and keeps one with a family emoji", async () => {
    const { admin, call } = makeApp();
    const refused = await call("POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse", members: ["Ann", "Bo\u200b"] },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: envelope(
        "bad_request",
        'Field "members.1": A member name cannot hold invisible characters, such as a zero-width space, outside emoji',
      ),
    });
    const members = ["Ann 👨‍👩‍👧", "Bo"];
    const kept = await call("POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse", members },
    });
    expect(kept.status).toBe(201);
    expect((await admin("GET", "/api/admin/teams")).body.teams[0].members).toEqual(members);
  });
});
