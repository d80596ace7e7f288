// The mission pages over the real app, as a browser without JavaScript uses
// them: the judging page (two judges, verdicts, skip), and the projector's
// gallery of accepted photos.
import { afterAll, describe, expect, test } from "bun:test";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN, removeUploads } from "../http/_app.ts";
import { clock } from "../../src/ui/charts.ts";
import { sizeText } from "../../src/play/mod.ts";
import { browser } from "./_browser.ts";
import { jpegWithGps } from "../http/_jpeg.ts";
import { heicWithGps, movieWithGps } from "../play/_media.ts";

// Removes the mission uploads the apps kept (see _app.ts).
afterAll(removeUploads);

type App = ReturnType<typeof makeApp>;

/** A signed-in judge named `name`. */
async function judge(app: App, name: string) {
  const b = browser(app, { cairn_admin: ADMIN_TOKEN });
  expect(await b.post("/admin/judge/name", { name })).toMatchObject({
    status: 303,
    location: "/admin/judge",
  });
  return b;
}

/** The submission id the judging page shows, or undefined. */
const shown = (page: string) => /data-submission="(\d+)"/.exec(page)?.[1];

/** A team's photo for the statue mission; its submission's id. */
async function sendPhoto(app: App, token: string, heic = false): Promise<number> {
  const form = new FormData();
  const [bytes, type, name] = heic
    ? [heicWithGps(), "image/heic", "IMG_0001.HEIC"]
    : [jpegWithGps(), "image/jpeg", "me.jpg"];
  form.append("file", new Blob([bytes], { type }), name);
  const res = await app.app.request(`${ORIGIN}/api/puzzles/statue/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { submission: { id: number } }).submission.id;
}

async function setup(toml = MISSIONS_TOML) {
  const app = makeApp({ toml });
  app.clock.advance(60_000);
  const ids: number[] = [];
  const tokens: string[] = [];
  for (const name of ["Gulls", "Terns"]) {
    const token = await app.register(name);
    tokens.push(token);
    ids.push(await sendPhoto(app, token));
    app.clock.advance(1000);
  }
  return { app, ids, tokens };
}

describe("/admin/judge", () => {
  test("its navigation has every admin link, Hints too when the hunt has ask hints", async () => {
    const toml = `${MISSIONS_TOML}
[[puzzle.hint]]
id = "ask"
kind = "ask"

[[puzzle]]
id = "dock"
title = "The Dock"
answer = "rope"
checkpoint = { code = "dock-1" }
`;
    const app = makeApp({ toml });
    const page = (await browser(app, { cairn_admin: ADMIN_TOKEN }).get("/admin/judge")).text;
    const nav = /<nav class="nav" aria-label="Main">([\s\S]*?)<\/nav>/.exec(page)![1]!;
    const links = [...nav.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual([
      "/admin",
      "/admin/judge",
      "/admin/hints",
      "/admin/print",
      "/scoreboard?view=projector",
      "/docs/api",
    ]);
  });

  test("asks a judge's name first, and is for organizers only", async () => {
    const { app } = await setup();
    const anonymous = await browser(app).get("/admin/judge");
    expect(anonymous.status).toBe(303);
    const page = await browser(app, { cairn_admin: ADMIN_TOKEN }).get("/admin/judge");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Who is judging?");
    expect(shown(page.text)).toBeUndefined();
    const bad = await browser(app, { cairn_admin: ADMIN_TOKEN }).post("/admin/judge/name", {
      name: " ",
    });
    expect(bad.status).toBe(303);
  });

  test("two judges at once get different submissions, oldest first, each held on reload", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    const bob = await judge(app, "bob");
    const annPage = await ann.get("/admin/judge");
    expect(shown(annPage.text)).toBe(String(ids[0]));
    expect(annPage.text).toContain('Judging as <strong id="judge-name">ann</strong>');
    expect(annPage.text).toContain(`src="/api/submissions/${ids[0]}/file"`);
    expect(annPage.text).toContain("Statue");
    expect(annPage.text).toContain("Gulls");
    expect(shown((await bob.get("/admin/judge")).text)).toBe(String(ids[1]));
    // A third judge finds nothing free; a reload gives each judge back their own.
    const cy = await (await judge(app, "cy")).get("/admin/judge");
    expect(shown(cy.text)).toBeUndefined();
    expect(cy.text).toContain("held by other judges");
    expect(shown((await ann.get("/admin/judge")).text)).toBe(String(ids[0]));
    // After 2 minutes a claim lapses, and another judge may take it.
    app.clock.advance(2 * 60_000 + 1);
    expect(shown((await (await judge(app, "cy")).get("/admin/judge")).text)).toBe(String(ids[0]));
  });

  test("a video, which may be HEVC (not played everywhere), comes with a link to download it", async () => {
    // Judged by people here, to be on the judging page first.
    const toml = MISSIONS_TOML.replace('submit = "video"\njudge = "auto"', 'submit = "video"');
    expect(toml).not.toBe(MISSIONS_TOML);
    const app = makeApp({ toml });
    app.clock.advance(60_000);
    const ids: number[] = [];
    for (
      const [team, quicktime, type, name] of [
        ["Gulls", true, "video/quicktime", "IMG_0001.MOV"],
        ["Terns", false, "video/mp4", "clip.mp4"],
      ] as const
    ) {
      const form = new FormData();
      form.append("file", new Blob([movieWithGps(quicktime)], { type }), name);
      const res = await app.app.request(`${ORIGIN}/api/puzzles/pirate/submissions`, {
        method: "POST",
        headers: { authorization: `Bearer ${await app.register(team)}` },
        body: form,
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { submission: { id: number } }).submission.id);
    }
    const [gulls, terns] = ids as [number, number];
    const ann = await judge(app, "ann");
    const page = (await ann.get("/admin/judge")).text;
    expect(shown(page)).toBe(String(gulls));
    expect(page).toContain(
      `<a href="/api/submissions/${gulls}/file" download="submission-${gulls}.mov">` +
        "Download the video</a>",
    );
    expect(page).toContain("It does not play? An iPhone&#39;s video (HEVC) may not, here.");
    // Accepted, each is listed with its link under it.
    await ann.post(`/admin/judge/${gulls}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${terns}/verdict`, { verdict: "accept" });
    const recent = (await ann.get("/admin/judge")).text;
    for (const [id, ext] of [[gulls, "mov"], [terns, "mp4"]] as const) {
      expect(recent).toContain(
        `<a href="/api/submissions/${id}/file" download="submission-${id}.${ext}" ` +
          'class="judge-heic-link">Download the video</a>',
      );
    }
  });

  test("a HEIC photo, which only Safari draws, comes with a link to download it", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const gulls = await sendPhoto(app, await app.register("Gulls"), true);
    const terns = await sendPhoto(app, await app.register("Terns"));
    const ann = await judge(app, "ann");
    const page = (await ann.get("/admin/judge")).text;
    expect(shown(page)).toBe(String(gulls));
    const link = `<a href="/api/submissions/${gulls}/file" download="submission-${gulls}.heic">`;
    expect(page).toContain('<p class="notice notice-warn" id="judge-heic">');
    expect(page).toContain(`${link}Download the photo</a>`);
    // Accepted, it is listed with the link instead of a thumbnail that would not draw; a JPEG
    // keeps its thumbnail.
    await ann.post(`/admin/judge/${gulls}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${terns}/verdict`, { verdict: "accept" });
    const recent = (await ann.get("/admin/judge")).text;
    expect(recent).not.toContain('id="judge-heic"');
    expect(recent).toContain(
      `<a href="/api/submissions/${gulls}/file" download="submission-${gulls}.heic" ` +
        'class="judge-text judge-heic-link">HEIC photo: download</a>',
    );
    expect(recent).not.toContain(`<img src="/api/submissions/${gulls}/file"`);
    expect(recent).toContain(`<img src="/api/submissions/${terns}/file"`);
  });

  test("recently accepted lists the last verdicts first, each at the time it was given", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    // Terns sent theirs after Gulls; the judge gets to Terns first, then Gulls 10 minutes on.
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "accept" });
    app.clock.advance(10 * 60_000);
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    const page = (await ann.get("/admin/judge")).text;
    const recent = page.slice(page.indexOf('id="judge-recent"'));
    const lines = [...recent.matchAll(/<strong>(\w+)<\/strong>[^<]*·\s*(\d\d:\d\d)/g)]
      .map(([, team, at]) => [team, at]);
    expect(lines).toEqual([["Gulls", clock(app.clock.now())], [
      "Terns",
      clock(app.clock.now() - 10 * 60_000),
    ]]);
  });

  test("each verdict's button is named by what it does, its shortcut key said apart", async () => {
    const { app } = await setup();
    const page = (await (await judge(app, "ann")).get("/admin/judge")).text;
    // What a screen reader names each control: its text, less what is hidden from it.
    const names = [...page.matchAll(/<(button|a)\b([^>]*)>([\s\S]*?)<\/\1>/g)]
      .filter(([, , attributes]) => /aria-keyshortcuts/.test(attributes!))
      .map(([, , attributes, inner]) => ({
        name: inner!.replace(/<(\w+) aria-hidden="true">[\s\S]*?<\/\1>/g, "")
          .replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim(),
        key: /aria-keyshortcuts="([^"]+)"/.exec(attributes!)![1],
      }));
    expect(names).toEqual([
      { name: "Accept (+30)", key: "A" },
      { name: "Accept with points", key: "P" },
      { name: "Reject", key: "R" },
      { name: "Skip to the next", key: "N" },
    ]);
  });

  test("accept with points, then reject with a message the team sees", async () => {
    const { app, ids, tokens } = await setup();
    const ann = await judge(app, "ann");
    await ann.get("/admin/judge");
    const accepted = await ann.post(`/admin/judge/${ids[0]}/verdict`, {
      verdict: "points",
      points: "12",
    });
    expect(accepted).toMatchObject({ status: 303, location: "/admin/judge" });
    const next = await ann.get("/admin/judge");
    expect(next.text).toContain("Accepted: Gulls, Statue (+12)");
    expect(shown(next.text)).toBe(String(ids[1]));
    expect(next.text).toMatch(/id="judge-recent"[\s\S]*Gulls<\/strong> · Statue · \+12/);
    const rejected = await ann.post(`/admin/judge/${ids[1]}/verdict`, {
      verdict: "reject",
      message: "We can't see the statue",
    });
    expect(rejected.status).toBe(303);
    expect((await ann.get("/admin/judge")).text).toContain(
      "Told the team: We can&#39;t see the statue",
    );
    const terns = await app.call("GET", "/api/puzzles/statue/submissions", { token: tokens[1] });
    expect(terns.body.submissions[0]).toMatchObject({
      status: "rejected",
      message: "We can't see the statue",
    });
    const gulls = await app.call("GET", "/api/puzzles/statue/submissions", { token: tokens[0] });
    expect(gulls.body.submissions[0]).toMatchObject({ status: "accepted", points: 12 });
  });

  test("a submission made offline shows its flag to the judge, and in the recently accepted", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const contact = (await app.call("GET", "/api/puzzles", { token })).headers.get(
      "cairn-contact",
    )!;
    app.clock.advance(60_000);
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps()], { type: "image/jpeg" }), "me.jpg");
    // Claimed an hour before the token: clamped.
    const res = await app.app.request(`${ORIGIN}/api/puzzles/statue/submissions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "cairn-pressed-at": String(app.clock.time - 3_600_000),
        "cairn-contact": contact,
      },
      body: form,
    });
    expect(res.status).toBe(201);
    const ann = await judge(app, "ann");
    const page = (await ann.get("/admin/judge")).text;
    expect(page).toMatch(
      /<span class="badge badge-warn" id="judge-flag" title="[^"]+">time clamped</,
    );
    await ann.post(`/admin/judge/${shown(page)}/verdict`, { verdict: "accept" });
    expect((await ann.get("/admin/judge")).text).toMatch(
      /id="judge-recent"[\s\S]*Gulls<\/strong> · Statue · \+30[\s\S]*time clamped</,
    );
  });

  test("refuses bad points and a second verdict with a flash, not an error page", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "points", points: "99" });
    expect((await ann.get("/admin/judge")).text).toContain(
      "Points must be a whole number from 0 to 30",
    );
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    expect((await ann.get("/admin/judge")).text).toContain("This submission is already accepted");
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "maybe" });
    expect((await ann.get("/admin/judge")).text).toContain("Field &quot;verdict&quot;");
  });

  test("a refused verdict comes back with what was typed, in its own form only", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    /** The form with id `id` (or of the recently accepted submission `id`) on the page. */
    const form = (page: string, id: string) =>
      new RegExp(`(id="${id}"|data-id="${id}")[^]*?</form>`).exec(page)?.[0] ?? "";
    // Points over the mission's 30: the box keeps 99, to fix, on the same submission.
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "points", points: "99" });
    let page = (await ann.get("/admin/judge")).text;
    expect(page).toContain("Points must be a whole number from 0 to 30");
    expect(shown(page)).toBe(String(ids[0]));
    expect(form(page, "judge-points")).toContain('value="99"');
    // Shown once: the next visit offers half the points again.
    expect(form((await ann.get("/admin/judge")).text, "judge-points")).toContain('value="15"');
    // A message to the team over 500 characters stays in the reject box.
    const long = "We can't see the statue. ".repeat(21);
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "reject", message: long });
    page = (await ann.get("/admin/judge")).text;
    expect(page).toContain("A message to the team has at most 500 characters");
    expect(form(page, "judge-reject")).toContain(
      `${long.replaceAll("'", "&#39;")}</textarea>`,
    );
    expect(form(page, "judge-points")).toContain('value="15"');
    // A recently accepted one's reject: its own row keeps the message, the current form does not.
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${ids[0]}/verdict`, {
      verdict: "reject",
      back: "recent",
      message: long,
    });
    page = (await ann.get("/admin/judge")).text;
    expect(page).toContain("A message to the team has at most 500 characters");
    expect(form(page, String(ids[0]))).toContain(`value="${long.replaceAll("'", "&#39;")}"`);
    expect(form(page, "judge-reject")).toContain("></textarea>");
    expect(app.game.engine.submissions.get(ids[0]!)?.status).toBe("accepted");
  });

  test("a reject from a page another judge got ahead of takes back no acceptance", async () => {
    const { app, ids, tokens } = await setup();
    const ann = await judge(app, "ann");
    const annPage = (await ann.get("/admin/judge")).text;
    expect(shown(annPage)).toBe(String(ids[0]));
    // Ann steps away; her hold lapses, Bob gets the photo and accepts it.
    app.clock.advance(2 * 60_000 + 1);
    const bob = await judge(app, "bob");
    expect(shown((await bob.get("/admin/judge")).text)).toBe(String(ids[0]));
    await bob.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    // Back, Ann rejects it from the page she still has: the fields its reject form posts.
    const form = /<form[^>]*id="judge-reject">([\s\S]*?)<\/form>/.exec(annPage)![1]!;
    const fields = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="(\w+)" value="(\w+)"/g)].map((
        [, name, value],
      ) => [name!, value!]),
    );
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { ...fields, message: "Too blurry" });
    expect((await ann.get("/admin/judge")).text).toContain(
      "Another judge accepted this submission meanwhile: to take it back, reject it under " +
        "Recently accepted",
    );
    const gulls = await app.call("GET", "/api/puzzles/statue/submissions", { token: tokens[0] });
    expect(gulls.body.submissions[0]).toMatchObject({ status: "accepted", points: 30 });
  });

  test("a reject whose turn comes after another node's acceptance takes none back", async () => {
    // Where nodes share a log, a verdict is decided once the log is read (`decideTurn`): another
    // judge's acceptance on another node may come in only then, after the page's post arrived.
    const { app, ids, tokens } = await setup();
    const ann = await judge(app, "ann");
    expect(shown((await ann.get("/admin/judge")).text)).toBe(String(ids[0]));
    let followed = false;
    Object.assign(app.game.store, {
      decideTurn: async () => {
        if (followed) return;
        followed = true;
        const outcome = app.game.engine.judge(ids[0]!, { accept: true });
        if (outcome.kind !== "ok") throw new Error(outcome.kind);
        await app.game.commit(outcome.writes);
      },
    });
    await ann.post(`/admin/judge/${ids[0]}/verdict`, {
      verdict: "reject",
      status: "pending",
      message: "Too blurry",
    });
    expect((await ann.get("/admin/judge")).text).toContain(
      "Another judge accepted this submission meanwhile",
    );
    const gulls = await app.call("GET", "/api/puzzles/statue/submissions", { token: tokens[0] });
    expect(gulls.body.submissions[0]).toMatchObject({ status: "accepted", points: 30 });
  });

  test("a recently accepted one can be rejected, taking its points back", async () => {
    const { app, ids, tokens } = await setup();
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    const teamId = app.game.accounts.teamFor(tokens[0]!)!;
    const score = () => app.game.engine.score(app.game.engine.teams.get(teamId)!);
    expect(score()).toBe(30);
    const back = await ann.post(`/admin/judge/${ids[0]}/verdict`, {
      verdict: "reject",
      back: "recent",
      message: "Not a statue",
    });
    expect(back.location).toBe("/admin/judge#judge-recent");
    expect(score()).toBe(0);
  });

  test("the dashboard's solves count accepted missions, and a rejection takes one back", async () => {
    const { app, ids, tokens } = await setup();
    const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
    const solves = async () =>
      /<b id="solve-count">(\d+)<\/b><span>solves<\/span>/.exec((await admin.get("/admin")).text)
        ?.[1];
    expect(await solves()).toBe("0");
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "points", points: "10" });
    expect(await solves()).toBe("2");
    // An answer's solve counts beside them: the statue opened after-statue for Gulls.
    const guess = await app.app.request(`${ORIGIN}/api/puzzles/after-statue/guesses`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "x" }),
    });
    expect(((await guess.json()) as { result: string }).result).toBe("correct");
    expect(await solves()).toBe("3");
    await ann.post(`/admin/judge/${ids[1]}/verdict`, {
      verdict: "reject",
      back: "recent",
      message: "Not a statue",
    });
    expect(await solves()).toBe("2");
  });

  test("skip (N) gives the next one and lets the skipped one go", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    expect(shown((await ann.get("/admin/judge")).text)).toBe(String(ids[0]));
    expect(shown((await ann.get(`/admin/judge?skip=${ids[0]}`)).text)).toBe(String(ids[1]));
    const bob = await judge(app, "bob");
    expect(shown((await bob.get("/admin/judge")).text)).toBe(String(ids[0]));
    expect((await ann.get(`/admin/judge?skip=${ids[1]}`)).text).toContain(
      "Nothing else is waiting",
    );
  });

  test("the admin navigation links it with the count waiting, only in a hunt with missions", async () => {
    const { app } = await setup();
    const dashboard = await browser(app, { cairn_admin: ADMIN_TOKEN }).get("/admin");
    expect(dashboard.text).toMatch(/href="\/admin\/judge"[^>]*>Judge<span class="count"[^>]*>2</);
    const plain = makeApp();
    const other = await browser(plain, { cairn_admin: ADMIN_TOKEN }).get("/admin");
    expect(other.status).toBe(200);
    expect(other.text).not.toContain('href="/admin/judge"');
  });
});

describe("the dashboard's feed of submissions", () => {
  /** The rows of the feed as [team, mission, kind, status], newest first. */
  const rows = (html: string) => {
    const body = /<tbody id="submission-feed">([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
    return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].slice(1).map((cell) =>
        cell[1]!.replace(/<[^>]+>/g, "")
      )
    );
  };

  test("lists each team's submissions, newest first, one waiting linked to the judging page", async () => {
    const { app, ids } = await setup();
    const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
    const page = (await admin.get("/admin")).text;
    expect(page).toContain("Live submissions");
    expect(rows(page)).toEqual([
      ["Terns", "Statue", "photo", "waiting for a judge"],
      ["Gulls", "Statue", "photo", "waiting for a judge"],
    ]);
    expect(page).toMatch(/<td class="submission-pending"><a href="\/admin\/judge">/);
    expect(page).toMatch(/<b id="submission-count">2<\/b><span>submissions<\/span>/);
    // A mixed hunt (after-statue takes an answer) keeps its guesses beside them.
    expect(page).toContain("Live guesses");
    // The script draws the feed again from this, a verdict's status in its row.
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "reject", message: "No statue" });
    const feed = await admin.get("/admin/feed/submissions");
    expect(feed.status).toBe(200);
    const data = JSON.parse(feed.text) as { count: number; html: string };
    expect(data.count).toBe(2);
    expect(rows(`<tbody id="submission-feed">${data.html}</tbody>`)).toEqual([
      ["Terns", "Statue", "photo", "rejected"],
      ["Gulls", "Statue", "photo", "accepted"],
    ]);
    // For organizers only.
    expect((await browser(app).get("/admin/feed/submissions")).status).not.toBe(200);
  });

  test("a hunt of missions only shows no guess feed, no guess count and no guesses chart", async () => {
    const toml = MISSIONS_TOML.slice(0, MISSIONS_TOML.indexOf('[[puzzle]]\nid = "after-statue"'));
    const app = makeApp({ toml });
    const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
    const empty = (await admin.get("/admin")).text;
    expect(empty).toContain("Live submissions");
    expect(empty).toContain("No submissions yet.");
    expect(empty).not.toContain("Live guesses");
    expect(empty).not.toContain('id="feed"');
    expect(empty).not.toContain('id="guess-count"');
    expect(empty).not.toContain("Guesses per minute");
    const token = await app.register("Gulls");
    await sendPhoto(app, token);
    expect(rows((await admin.get("/admin")).text)).toEqual([
      ["Gulls", "Statue", "photo", "waiting for a judge"],
    ]);
  });

  test("a hunt of answers only shows no submission feed", async () => {
    const page = (await browser(makeApp(), { cairn_admin: ADMIN_TOKEN }).get("/admin")).text;
    expect(page).toContain("Live guesses");
    expect(page).not.toContain("Live submissions");
    expect(page).not.toContain('id="submission-count"');
  });
});

describe("the photos and videos' zip on the admin pages", () => {
  test("the dashboard links it in a hunt with missions; a team's page, once it sent a file", async () => {
    const { app } = await setup();
    const admin = browser(app, { cairn_admin: ADMIN_TOKEN });
    const link = 'href="/api/admin/export/files" download';
    expect((await admin.get("/admin")).text).toContain(link);
    expect((await browser(makeApp(), { cairn_admin: ADMIN_TOKEN }).get("/admin")).text)
      .not.toContain(link);
    // Both setup's teams sent a photo; a third has sent nothing.
    expect((await admin.get("/admin/teams/1")).text).toContain(
      'href="/api/admin/export/files?team=1" download',
    );
    await app.register("Puffins");
    expect((await admin.get("/admin/teams/3")).text).not.toContain("/api/admin/export/files");
  });
});

describe("a mission's phone form", () => {
  test("an accepted mission says the points it gave, and nothing of points when worth none", async () => {
    const app = makeApp({
      toml: `${MISSIONS_TOML}
[[puzzle]]
id = "wave"
title = "Wave"
submit = "text"
judge = "auto"
`,
    });
    app.clock.advance(60_000);
    const team = browser(app);
    await team.post("/join", { name: "Gulls", password: "correct horse" });
    const said: string[] = [];
    for (const id of ["story", "wave"]) {
      const form = new FormData();
      form.append("text", "We are tall and patient.");
      expect((await team.upload(`/puzzles/${id}/submissions`, form)).status).toBe(303);
      const page = (await team.get(`/puzzles/${id}`)).text;
      said.push(/id="mission-status"[^>]*><strong>(.*?)<\/strong>/.exec(page)?.[1] ?? "");
    }
    expect(said).toEqual(["Accepted! +10 points", "Accepted!"]);
  });

  test("a photo mission offers the camera; a text mission a text box; no answer box", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const team = browser(app);
    await team.post("/join", { name: "Gulls", password: "correct horse" });
    const photo = await team.get("/puzzles/statue");
    expect(photo.text).toContain('enctype="multipart/form-data" id="mission-form"');
    expect(photo.text).toMatch(
      /<input type="file" name="file" required="" accept="image\/\*" capture="environment"/,
    );
    expect(photo.text).toContain("Up to 2 MB.");
    // The upload's progress, named for a screen reader.
    expect(photo.text).toMatch(/<progress id="upload-progress" [^>]*aria-label="Sending"/);
    expect(photo.text).not.toContain('id="guess-form"');
    const video = await team.get("/puzzles/pirate");
    expect(video.text).toContain('accept="video/*" capture="environment"');
    const text = await team.get("/puzzles/story");
    // 2,000 characters, as the API counts them: maxlength counts UTF-16 units (common.js checks).
    expect(text.text).toMatch(
      /<textarea name="text" required="" maxlength="4000" data-maxchars="2000"/,
    );
    expect(text.text).not.toContain('type="file"');
  });

  test("a size cap is shown as the upload errors say it: 500 KB, 1.5 MB, not 0 MB or 1 MB", async () => {
    for (
      const [cap, shown] of [["500KB", "Up to 500 KB."], ["1536KB", "Up to 1.5 MB."]] as const
    ) {
      const app = makeApp({
        toml: MISSIONS_TOML.replace('photo_max = "2MB"', `photo_max = "${cap}"`),
      });
      app.clock.advance(60_000);
      const team = browser(app);
      await team.post("/join", { name: "Gulls", password: "correct horse" });
      const page = await team.get("/puzzles/statue");
      expect({ cap, shown: page.text.includes(shown) }).toEqual({ cap, shown: true });
    }
  });

  test("with less of the team's quota left than the cap, the page offers that and says so", async () => {
    // A second photo mission; the quota is 3 MB and a photo's cap 2 MB.
    const app = makeApp({
      toml: `${MISSIONS_TOML}
[[puzzle]]
id = "harbour"
title = "Harbour"
points = 10
submit = "photo"
`,
    });
    app.clock.advance(60_000);
    const team = browser(app);
    await team.post("/join", { name: "Gulls", password: "correct horse" });
    const GPS = "Its location (GPS) is removed when it is stored.";
    /** The harbour form's limit and refusal, and the line under it. */
    const harbour = async () => {
      const page = (await team.get("/puzzles/harbour")).text;
      return {
        max: /data-max-bytes="(\d+)"/.exec(page)?.[1],
        tooLarge: /data-too-large="([^"]*)"/.exec(page)?.[1],
        line: /<p class="muted small">([^<]*)/.exec(page)?.[1]?.trim().replaceAll("&#39;", "'"),
      };
    };
    expect(await harbour()).toEqual({
      max: "2097152",
      tooLarge: "The file is larger than 2 MB",
      line: `Up to 2 MB. ${GPS}`,
    });

    // A 1.8 MB photo for the statue: 1.2 MB of the quota is left, less than a photo's cap.
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps(1_800_000)], { type: "image/jpeg" }), "big.jpg");
    expect(await team.upload("/puzzles/statue/submissions", form)).toMatchObject({ status: 303 });
    const gulls = app.game.engine.teamByName("Gulls")!;
    const left = 3_145_728 - app.game.engine.submissions.get(1)!.file!.size;
    expect(left).toBeGreaterThan(1_048_576);
    expect(left).toBeLessThan(2_097_152);
    expect(await harbour()).toEqual({
      max: String(left),
      tooLarge: `Your team has ${sizeText(left)} of its upload quota left`,
      line: `Up to ${sizeText(left)}: what is left of your team's upload quota. ${GPS}`,
    });

    // The rest of the quota taken by a video: any file is refused on the phone.
    const video = { hash: "b".repeat(64), type: "video/mp4", size: left } as const;
    expect(app.game.engine.submit(gulls, "pirate", { file: video }).kind).toBe("ok");
    expect(await harbour()).toEqual({
      max: "0",
      tooLarge: "Your team has used its upload quota",
      line: `Your team has used its upload quota. ${GPS}`,
    });
  });

  test("a photo mission's form says how large the phone makes a photo (photo_size); no other does", async () => {
    for (
      const [key, expected] of [
        ["", "2048"],
        [", photo_size = 1600", "1600"],
        [', photo_size = "original"', "original"],
      ] as const
    ) {
      const app = makeApp({
        toml: MISSIONS_TOML.replace('team_quota = "3MB"', `team_quota = "3MB"${key}`),
      });
      app.clock.advance(60_000);
      const team = browser(app);
      await team.post("/join", { name: "Gulls", password: "correct horse" });
      const size = async (puzzle: string) =>
        /<form [^>]*id="mission-form"[^>]*>/.exec((await team.get(`/puzzles/${puzzle}`)).text)![0]
          .match(/data-photo-size="([^"]*)"/)?.[1];
      expect({ key, photo: await size("statue") }).toEqual({ key, photo: expected });
      expect(await size("pirate")).toBeUndefined();
      expect(await size("story")).toBeUndefined();
    }
  });

  test("shows the team what it sent last: the photo, a link to the video, the text quoted", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const team = browser(app);
    await team.post("/join", { name: "Gulls", password: "correct horse" });
    const sent = (page: string) =>
      /<figure[^>]*id="mission-sent"[\s\S]*?<\/figure>/.exec(page)?.[0];
    expect(sent((await team.get("/puzzles/statue")).text)).toBeUndefined();
    const send = async (puzzle: string, name: string, value: Blob | string) => {
      const form = new FormData();
      if (typeof value === "string") form.append(name, value);
      else form.append(name, value, "sent");
      expect(await team.upload(`/puzzles/${puzzle}/submissions`, form)).toMatchObject({
        status: 303,
      });
    };
    await send("statue", "file", new Blob([jpegWithGps()], { type: "image/jpeg" }));
    expect(sent((await team.get("/puzzles/statue")).text)).toBe(
      '<figure class="mission-sent" id="mission-sent" data-id="1">' +
        '<figcaption class="small muted">What your team sent</figcaption>' +
        '<a href="/api/submissions/1/file"><img src="/api/submissions/1/file" ' +
        'alt="The photo your team sent" decoding="async"/></a></figure>',
    );
    await send("pirate", "file", new Blob([movieWithGps()], { type: "video/mp4" }));
    expect(sent((await team.get("/puzzles/pirate")).text)).toContain(
      '<a href="/api/submissions/2/file">The video your team sent</a>',
    );
    await send("story", "text", "We <3 gulls");
    expect(sent((await team.get("/puzzles/story")).text)).toContain(
      "<blockquote>We &lt;3 gulls</blockquote>",
    );
    // A rejected photo stays shown, so the team knows which one the judge's message is about.
    const ann = await judge(app, "ann");
    await ann.post("/admin/judge/1/verdict", { verdict: "reject", message: "Too dark" });
    const after = (await team.get("/puzzles/statue")).text;
    expect(after).toContain("<p>Too dark</p>");
    expect(sent(after)).toContain('src="/api/submissions/1/file"');
    // Another team's page of the same mission shows none of it.
    const terns = browser(app);
    await terns.post("/join", { name: "Terns", password: "correct horse" });
    expect(sent((await terns.get("/puzzles/statue")).text)).toBeUndefined();
  });

  test("without scripts, the form posts the photo; the page then says it waits for a judge", async () => {
    const app = makeApp({ toml: MISSIONS_TOML });
    app.clock.advance(60_000);
    const team = browser(app);
    await team.post("/join", { name: "Gulls", password: "correct horse" });
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps()], { type: "image/jpeg" }), "me.jpg");
    expect(await team.upload("/puzzles/statue/submissions", form)).toEqual({
      status: 303,
      location: "/puzzles/statue",
    });
    const page = await team.get("/puzzles/statue");
    expect(page.text).toContain("Sent: a judge will look at it");
    expect(page.text).toContain("<strong>Waiting for a judge</strong>");
    expect(page.text).toMatch(/id="mission-form" hidden=""/);

    // The judge rejects it with a message: the page says why, and offers the form again.
    const ann = await judge(app, "ann");
    // The judge's words stand on a line of their own: without a full stop they would run into ours.
    await ann.post("/admin/judge/1/verdict", { verdict: "reject", message: "Too dark" });
    const after = await team.get("/puzzles/statue");
    expect(after.text).toContain(
      "<strong>Not accepted</strong><p>Too dark</p><p>Send a new one.</p>",
    );
    expect(after.text).not.toMatch(/id="mission-form" hidden=""/);
    // A wrong type is refused with a flash, not an error page.
    const text = new FormData();
    text.append("text", "hello");
    const wrong = await team.upload("/puzzles/statue/submissions", text);
    expect(wrong.status).toBe(303);
    expect((await team.get("/puzzles/statue")).text).toContain("This mission takes a photo");
  });
});

describe("/scoreboard/gallery", () => {
  const GALLERY = MISSIONS_TOML.replace(
    "2026-11-21T16:00:00Z",
    "2026-11-21T16:00:00Z\ngallery = true",
  );

  test("is 404 unless the hunt file turns it on, and so are its photos", async () => {
    const { app, ids } = await setup();
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    const page = await browser(app).get("/scoreboard/gallery");
    expect(page.status).toBe(404);
    expect(page.text).toContain("This hunt does not show a gallery.");
    const photo = await app.app.request(`${ORIGIN}/scoreboard/gallery/${ids[0]}/photo`);
    expect(photo.status).toBe(404);
  });

  test("shows accepted photos only, newest first, each served safely", async () => {
    const { app, ids } = await setup(GALLERY);
    const projector = browser(app);
    const empty = await projector.get("/scoreboard/gallery");
    expect(empty.status).toBe(200);
    expect(empty.text).toContain("No photo has been accepted yet.");
    // Pending: not shown, and its photo is 404 to anyone without a session.
    const pending = await app.app.request(`${ORIGIN}/scoreboard/gallery/${ids[0]}/photo`);
    expect(pending.status).toBe(404);

    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    app.clock.advance(1000);
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "points", points: "5" });
    const page = await projector.get("/scoreboard/gallery");
    const shown = [...page.text.matchAll(/\/scoreboard\/gallery\/(\d+)\/photo/g)].map((m) =>
      Number(m[1])
    );
    expect(shown).toEqual([ids[1]!, ids[0]!]);
    expect(page.text).toContain("<strong>Terns</strong> · Statue");
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="30"/></noscript>');

    const photo = await app.app.request(`${ORIGIN}/scoreboard/gallery/${ids[0]}/photo`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/jpeg");
    expect(photo.headers.get("x-content-type-options")).toBe("nosniff");
    expect(photo.headers.get("content-disposition")).toBe(
      `inline; filename="submission-${ids[0]}.jpg"`,
    );
    expect(new Uint8Array(await photo.arrayBuffer()).subarray(0, 2)).toEqual(
      new Uint8Array([0xff, 0xd8]),
    );

    // Rejected after all: gone from the gallery, and its photo with it.
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "reject" });
    expect((await projector.get("/scoreboard/gallery")).text).not.toContain(
      `/scoreboard/gallery/${ids[0]}/photo`,
    );
    const gone = await app.app.request(`${ORIGIN}/scoreboard/gallery/${ids[0]}/photo`);
    expect(gone.status).toBe(404);
    // Anything but a number is 404 too.
    const odd = await app.app.request(`${ORIGIN}/scoreboard/gallery/..%2F..%2Fx/photo`);
    expect(odd.status).toBe(404);
  });

  test("shows the latest verdicts first: a photo judged long after it was sent comes first", async () => {
    const { app, ids } = await setup(GALLERY);
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "accept" });
    app.clock.advance(10 * 60_000);
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    const page = await browser(app).get("/scoreboard/gallery");
    const shown = [...page.text.matchAll(/\/scoreboard\/gallery\/(\d+)\/photo/g)].map((m) =>
      Number(m[1])
    );
    expect(shown).toEqual([ids[0]!, ids[1]!]);
    expect(page.text).toContain(`<strong>Gulls</strong> · Statue · ${clock(app.clock.now())}`);
  });

  test("leaves out a hidden or banned team's photos: a mission only it solved is not named", async () => {
    // The fountain, a photo mission accepted as it arrives, which Terns alone does.
    const { app, ids, tokens } = await setup(`${GALLERY}
[[puzzle]]
id = "fountain"
title = "Wish"
points = 20
submit = "photo"
judge = "auto"
`);
    const ann = await judge(app, "ann");
    for (const id of ids) await ann.post(`/admin/judge/${id}/verdict`, { verdict: "accept" });
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps()], { type: "image/jpeg" }), "coin.jpg");
    const sent = await app.app.request(`${ORIGIN}/api/puzzles/fountain/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[1]}` },
      body: form,
    });
    expect(sent.status).toBe(201);
    const wish = ((await sent.json()) as { submission: { id: number } }).submission.id;
    const projector = browser(app);
    const gallery = async () => (await projector.get("/scoreboard/gallery")).text;
    expect(await gallery()).toContain("<strong>Terns</strong> · Wish");

    const terns = app.game.engine.teamByName("Terns")!.id;
    for (const key of ["hidden", "banned"]) {
      const put = (on: boolean) =>
        app.admin("PUT", `/api/admin/teams/${terns}/${key}`, { [key]: on });
      expect((await put(true)).status).toBe(200);
      const page = await gallery();
      expect(page).not.toContain("Terns");
      expect(page).not.toContain("Wish");
      expect(page).toContain("<strong>Gulls</strong> · Statue");
      for (const id of [ids[1], wish]) {
        const photo = await app.app.request(`${ORIGIN}/scoreboard/gallery/${id}/photo`);
        expect(photo.status).toBe(404);
      }
      expect((await put(false)).status).toBe(200);
    }
    // A ban lifted leaves the team hidden; shown again, its photos are back.
    expect(await gallery()).not.toContain("Terns");
    const shown = await app.admin("PUT", `/api/admin/teams/${terns}/hidden`, { hidden: false });
    expect(shown.status).toBe(200);
    expect(await gallery()).toContain("<strong>Terns</strong> · Wish");
  });

  test("while the board is frozen, shows only photos whose solves count before the freeze", async () => {
    const { app, ids } = await setup(GALLERY);
    const ann = await judge(app, "ann");
    await ann.post(`/admin/judge/${ids[0]}/verdict`, { verdict: "accept" });
    app.clock.advance(1000);
    const frozen = await browser(app, { cairn_admin: ADMIN_TOKEN }).post("/admin/freeze", {
      frozen: "true",
    });
    expect(frozen.status).toBe(303);
    app.clock.advance(1000);
    // Sent before the freeze, accepted during it: it counts from when it was sent, as the frozen
    // board shows it. One sent during the freeze is hidden.
    await ann.post(`/admin/judge/${ids[1]}/verdict`, { verdict: "accept" });
    const late = await sendPhoto(app, await app.register("Skuas"));
    await ann.post(`/admin/judge/${late}/verdict`, { verdict: "accept" });
    const page = await browser(app).get("/scoreboard/gallery");
    expect(page.text).toContain(`/scoreboard/gallery/${ids[0]}/photo`);
    expect(page.text).toContain(`/scoreboard/gallery/${ids[1]}/photo`);
    expect(page.text).not.toContain(`/scoreboard/gallery/${late}/photo`);
    expect(page.text).toContain("Photos up to the freeze");
    const hidden = await app.app.request(`${ORIGIN}/scoreboard/gallery/${late}/photo`);
    expect(hidden.status).toBe(404);
  });
});
