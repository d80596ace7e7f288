// The asks' pages over the real app, as a browser without JavaScript uses
// them: a team's question from the puzzle page, /admin/hints with the team's
// guesses beside it, the answer and the refusal forms, and the withdrawal.
import { describe, expect, test } from "bun:test";
import { ASKS_TOML } from "../engine/_asks.ts";
import { ADMIN_TOKEN, makeApp } from "../http/_app.ts";
import { browser } from "./_browser.ts";

type App = ReturnType<typeof makeApp>;

async function setup(tokens = "") {
  const app = makeApp({ toml: ASKS_TOML(tokens) });
  app.clock.advance(60_000);
  const token = await app.register("Gulls");
  await app.call("POST", "/api/puzzles/lighthouse/guesses", { token, body: { answer: "vega" } });
  const team = browser(app, { cairn_session: token });
  const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
  return { app, team, admin };
}

/** The text of a `<p>` or `<span>` by id (with no span inside), tags stripped. */
const textOf = (page: string, id: string) =>
  new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(p|span)>`).exec(page)?.[1]?.replace(/<[^>]*>/g, "")
    ?.replace(/\s+/g, " ").trim();

describe("/admin/hints and the puzzle page's ask box", () => {
  test("ask from the puzzle page → listed with the team's guesses → answered → shown to the team", async () => {
    const { team, admin } = await setup();
    let page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Hint 1: ask an organizer");
    expect(page).toContain("Stuck? Ask us.");
    expect(page).toContain('action="/puzzles/lighthouse/hints/ask/asks"');
    expect(page).toContain("Asking costs 10 points, given back if nobody answers.");

    expect(await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Is it a star?" }))
      .toMatchObject({ status: 303, location: "/puzzles/lighthouse#hint-ask" });
    page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Waiting for an organizer");
    expect(page).toContain("Is it a star?");
    expect(page).not.toContain('action="/puzzles/lighthouse/hints/ask/asks"');
    expect(page).toContain('action="/asks/1/withdraw"');

    const list = await admin.get("/admin/hints");
    expect(list.status).toBe(200);
    expect(list.text).toContain('<span class="count" title="1 waiting">1</span>');
    expect(textOf(list.text, "asks-count")).toBe("1 waiting");
    expect(list.text).toContain("Is it a star?");
    expect(list.text).toContain("<code>vega</code>");
    expect(list.text).toContain('action="/admin/hints/1/reply"');
    // The dashboard's navigation links to the page, with the count.
    expect((await admin.get("/admin")).text).toContain('href="/admin/hints"');

    expect(await admin.post("/admin/hints/1/reply", { answer: "Look north." })).toMatchObject({
      status: 303,
      location: "/admin/hints",
    });
    const after = (await admin.get("/admin/hints")).text;
    expect(after).toContain("Answered Gulls");
    expect(after).toContain('id="asks-empty"');
    expect(after).toContain("Recently closed");
    // A second organizer's reply to the same question is refused.
    await admin.post("/admin/hints/1/reply", { answer: "Too late" });
    expect((await admin.get("/admin/hints")).text).toContain("This ask is already answered");

    page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Look north.");
    expect(page).not.toContain("Too late");
    expect(page).toContain('action="/puzzles/lighthouse/hints/ask/asks"');
  });

  test("a refusal and a withdrawal give the token back; none left hides the box", async () => {
    const { team, admin } = await setup('hint_tokens = { start = 1, every = "1h" }');
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "One?" });
    let page = (await team.get("/puzzles/lighthouse")).text;
    expect(textOf(page, "hint-tokens")).toBe(
      "Hint tokens left: 0; the next one comes at 11:00 UTC.",
    );
    await admin.post("/admin/hints/1/reply", { refuse: "true", message: "Read it again." });
    page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Read it again. Its cost was given back.");
    expect(textOf(page, "hint-tokens")).toContain("Hint tokens left: 1");

    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Two?" });
    expect(await team.post("/asks/2/withdraw", {})).toMatchObject({
      status: 303,
      location: "/puzzles/lighthouse#hint-ask",
    });
    page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Withdrawn");
    expect(textOf(page, "hint-tokens")).toContain("Hint tokens left: 1");

    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Three?" });
    await admin.post("/admin/hints/3/reply", { answer: "Yes." });
    page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Your team has no hint token left.");
    expect(page).not.toContain('action="/puzzles/lighthouse/hints/ask/asks"');
  });

  test("after the end the team has no withdraw button nor ask box, and organizers no refuse form", async () => {
    const { app, team, admin } = await setup();
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "One?" });
    expect((await team.get("/puzzles/lighthouse")).text).toContain('action="/asks/1/withdraw"');
    expect((await admin.get("/admin/hints")).text).toContain('name="refuse"');
    app.clock.time = Date.parse("2026-11-21T16:00:00Z");
    const page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("Waiting for an organizer");
    expect(page).not.toContain('action="/asks/1/withdraw"');
    // Nor is a new question offered.
    expect(page).toContain("The hunt has ended: no question can be asked now.");
    expect(page).not.toContain('action="/puzzles/lighthouse/hints/ask/asks"');
    // A form kept open from before the end is refused with the reason.
    await team.post("/asks/1/withdraw", {});
    expect((await team.get("/puzzles/lighthouse")).text).toContain(
      "The hunt has ended: a question can no longer be withdrawn",
    );
    const list = (await admin.get("/admin/hints")).text;
    expect(list).not.toContain('name="refuse"');
    expect(list).toContain("only an answer is taken now");
    await admin.post("/admin/hints/1/reply", { refuse: "true" });
    expect((await admin.get("/admin/hints")).text).toContain(
      "The hunt has ended: a refusal would give the cost back",
    );
    await admin.post("/admin/hints/1/reply", { answer: "Look north." });
    expect((await team.get("/puzzles/lighthouse")).text).toContain("Look north.");
  });

  test("a refused answer or refusal comes back with what was typed, in its own form only", async () => {
    const { app, team, admin } = await setup();
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "North?" });
    const terns = await app.register("Terns");
    await app.call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
      token: terns,
      body: { question: "South?" },
    });
    /** The reply forms of ask `id` on the page, in order: the answer's and the refusal's. */
    const forms = (page: string, id: number) =>
      [...page.matchAll(new RegExp(`action="/admin/hints/${id}/reply"[^]*?</form>`, "g"))].map(
        (m) => m[0],
      );
    // An answer over 2,000 characters (past the browser's maxlength) is refused, and kept.
    const long = "Look north at night. ".repeat(96);
    await admin.post("/admin/hints/1/reply", { answer: long });
    let page = (await admin.get("/admin/hints")).text;
    expect(page).toContain("An answer has at most 2000 characters");
    expect(forms(page, 1)[0]).toContain(`>${long}</textarea>`);
    expect(forms(page, 1)[1]).toContain('placeholder="Optional"/>');
    expect(forms(page, 2)[0]).toContain("></textarea>");
    // Shown once: the next visit has an empty box again.
    expect(forms((await admin.get("/admin/hints")).text, 1)[0]).toContain("></textarea>");
    // A refusal's message over the limit stays in the refusal's box, of that ask only.
    await admin.post("/admin/hints/2/reply", { refuse: "true", message: long });
    page = (await admin.get("/admin/hints")).text;
    expect(page).toContain("A message has at most 2000 characters");
    expect(forms(page, 2)[1]).toContain(`value="${long}"`);
    expect(forms(page, 2)[0]).toContain("></textarea>");
    expect(forms(page, 1)[1]).toContain('placeholder="Optional"/>');
    expect([...app.game.engine.asks.values()].map((ask) => ask.status)).toEqual(["open", "open"]);
  });

  test("a team's refused question comes back in its box, once", async () => {
    const { app, team } = await setup();
    /** The ask box's textarea on the puzzle page. */
    const box = (page: string) => /<textarea id="ask-ask"[^>]*>([^<]*)<\/textarea>/.exec(page)?.[1];
    // A question over 1,000 characters (past the browser's maxlength) is refused, and kept.
    const long = "Is it the star north of the lighthouse? ".repeat(26);
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: long });
    const page = (await team.get("/puzzles/lighthouse")).text;
    expect(page).toContain("A question has at most 1000 characters");
    expect(box(page)).toBe(long);
    // Shown once: the next visit has an empty box again.
    expect(box((await team.get("/puzzles/lighthouse")).text)).toBe("");
    expect(app.game.engine.asks.size).toBe(0);
  });

  test("a reply refused as another organizer closed the question first is shown, to copy", async () => {
    const { app, team, admin } = await setup();
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "North?" });
    const other = browser(app, { cairn_admin: ADMIN_TOKEN });
    /** The unsent reply's box, its label and its text, or undefined. */
    const unsent = (page: string) => {
      const match =
        /<section class="card" id="unsent"><label class="field"><span>([^<]*)<\/span> ?<textarea rows="4" readonly="">([^<]*)<\/textarea>/
          .exec(page.replace(/\s+/g, " "));
      return match && [match[1]!.trim().replace(/&#39;/g, "'"), match[2]];
    };
    for (
      const [field, form, label] of [
        ["answer", {}, "Your answer, not sent: copy it if you need it"],
        ["message", { refuse: "true" }, "Your refusal's message, not sent: copy it if you need it"],
      ] as const
    ) {
      await other.post("/admin/hints/1/reply", { answer: "Look north." });
      await admin.post("/admin/hints/1/reply", { ...form, [field]: "Look at the stars." });
      const page = (await admin.get("/admin/hints")).text;
      expect(page).toContain("This ask is already answered");
      expect(unsent(page)).toEqual([label, "Look at the stars."]);
      // Shown once.
      expect((await admin.get("/admin/hints")).text).not.toContain('id="unsent"');
    }
    // A reply refused while its form is still there comes back in that form, not here.
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "South?" });
    await admin.post("/admin/hints/2/reply", { answer: "x".repeat(2001) });
    expect((await admin.get("/admin/hints")).text).not.toContain('id="unsent"');
  });

  test("an empty question and an empty answer are refused with a message", async () => {
    const { team, admin } = await setup();
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "   " });
    expect((await team.get("/puzzles/lighthouse")).text).toContain("The question is empty");
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Real?" });
    await admin.post("/admin/hints/1/reply", { answer: "" });
    expect((await admin.get("/admin/hints")).text).toContain("The answer is empty");
    expect((await browser(makeApp()).get("/admin/hints")).status).not.toBe(200);
  });
});

describe("/admin/teams/:id", () => {
  /** The activity table's rows, cells as text. */
  const activity = (page: string) => {
    const table = /id="activity-title"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page)![1]!;
    return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
      const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
        cell[1]!.replace(/&quot;/g, '"')
      );
      // Without the time, which the test's clock makes the same for all.
      return cells.length > 1 ? cells.slice(1) : cells;
    });
  };

  test("lists asks with their cost, missions with their points, and says when there is none", async () => {
    const toml = `${ASKS_TOML()}
[[puzzle]]
id = "statue"
title = "Statue"
points = 30
submit = "text"
judge = "auto"
`;
    const app = makeApp({ toml });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
    expect(activity((await admin.get("/admin/teams/1")).text)).toEqual([["None yet."]]);

    const team = browser(app, { cairn_session: token });
    const later = () => app.clock.advance(1_000);
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Is it a star?" });
    later();
    await admin.post("/admin/hints/1/reply", { refuse: "true", message: "Read it again." });
    await team.post("/puzzles/lighthouse/hints/ask/asks", { question: "Polaris?" });
    later();
    await team.post("/puzzles/lighthouse/hints/nudge", {});
    later();
    const form = new FormData();
    form.append("text", "We did it");
    expect((await team.upload("/puzzles/statue/submissions", form)).status).toBe(303);
    later();
    await admin.post("/admin/adjust", { team: "1", points: "5", reason: "Costumes" });

    const page = (await admin.get("/admin/teams/1")).text;
    expect(activity(page)).toEqual([
      ["Asked on lighthouse: refused, its cost given back", ""],
      ["Asked on lighthouse: waiting for an answer", "−10"],
      ['Took hint "nudge" on lighthouse', ""],
      ["Sent a text for statue: accepted", "+30"],
      ["Adjusted: Costumes", "+5"],
    ]);
    // The entries add up to the score: −10 + 30 + 5.
    expect(page).toContain("<b>25</b>");
  });
});
