// The web pages over the real app, as a browser without JavaScript uses them:
// forms post, the server redirects, and the next page shows the result.
import { describe, expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { CommitError } from "../../src/store/writer.ts";
import { ASSETS } from "../../src/ui/mod.ts";
import { clockZone } from "../../src/ui/charts.ts";
import { unavailable } from "../../src/server/forward.ts";
import { ADMIN_TOKEN, failCommits, makeApp, ORIGIN } from "../http/_app.ts";
import { browser } from "./_browser.ts";
import { FakeClock, HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";

type App = ReturnType<typeof makeApp>;

async function joined(app: App, name = "Gulls") {
  const b = browser(app);
  const res = await b.post("/join", { name, password: "correct horse", division: "kids" });
  expect(res).toMatchObject({ status: 303, location: "/puzzles" });
  return b;
}

describe("assets", () => {
  test("are served under their hash with a year's cache, and pages link them", async () => {
    const app = makeApp();
    for (const asset of Object.values(ASSETS)) {
      const res = await app.app.request(`${ORIGIN}${asset.path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-type")).toBe(asset.type);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect(ASSETS.css.path).toMatch(/^\/assets\/app\.[a-z0-9]+\.css$/);
    expect((await app.app.request(`${ORIGIN}/assets/app.nothere.css`)).status).toBe(404);
    const page = await browser(app).get("/");
    expect(page.text).toContain(`<link rel="stylesheet" href="${ASSETS.css.path}"/>`);
    // The shared script comes first: deferred scripts run in order, and the page's uses it.
    expect(page.text).toContain(
      `<script src="${ASSETS.common.path}" defer=""></script>` +
        `<script src="${ASSETS.player.path}" defer=""></script>`,
    );
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    // No inline script or style attribute anywhere: the CSP would block it.
    expect(page.text).not.toMatch(/<script>|\sstyle=/);
  });
});

describe("players without JavaScript", () => {
  test("the login form asks for a team's own password; the join form for a new one of 8 or more", async () => {
    const page = (await browser(makeApp()).get("/")).text;
    const form = (action: string) => {
      const match = new RegExp(`<form method="post" action="${action}">([\\s\\S]*?)</form>`)
        .exec(page);
      expect(match).not.toBeNull();
      return match![1]!;
    };
    const login = form("/login");
    expect(login).toContain('autocomplete="username"');
    expect(login).toContain('autocomplete="current-password"');
    expect(login).not.toContain("minlength");
    expect(login).not.toContain("password-help");
    // Limits in characters, as the API counts them; maxlength counts UTF-16 units, an emoji as 2.
    expect(login).toContain('name="name" required="" maxlength="128" data-maxchars="64" ');
    const join = form("/join");
    expect(join).toContain('autocomplete="organization"');
    expect(join).toContain(
      'name="name" required="" maxlength="128" data-maxchars="64" data-trim="" ',
    );
    expect(join).toContain(
      'maxlength="512" minlength="8" data-maxchars="256" data-minchars="8" ',
    );
    expect(join).toContain('maxlength="6500" data-line-maxchars="64" data-max-lines="50"');
    expect(join).toContain('autocomplete="new-password" aria-describedby="password-help"');
    expect(join).toContain('<small id="password-help">At least 8 characters.');
  });

  test("join with the form, and land on the puzzle list", async () => {
    const app = makeApp();
    const b = await joined(app);
    expect(b.jar.has("cairn_session")).toBe(true);
    const list = await b.get("/puzzles");
    expect(list.status).toBe(200);
    expect(list.text).toContain("Welcome, Gulls!");
    expect(list.text).toContain('href="/puzzles/a"');
    expect(list.text).not.toContain('href="/puzzles/meta"');
    // The flash shows once.
    expect((await b.get("/puzzles")).text).not.toContain("Welcome, Gulls!");
    // A logged-in team skips the landing page.
    expect((await b.get("/")).status).toBe(303);
  });

  test("the list offers a check-in only where the hunt has a checkpoint; a CTF's has none", async () => {
    const withCheckpoint = await (await joined(makeApp())).get("/puzzles");
    expect(withCheckpoint.text).toContain("Found a checkpoint?");
    expect(withCheckpoint.text).toContain('action="/checkin"');
    const offline = await browser(makeApp()).get("/offline");
    expect(offline.text).toContain("Scanned a checkpoint&#39;s QR code?");
    // The same hunt with its one checkpoint (and the rule that needs it) left out.
    const toml = HUNT_TOML.replace('checkpoint = { code = "cp-123" }\n', "")
      .replace(`unlock = 'checked_in("cp")'\n`, "");
    const ctf = makeApp({ toml });
    const list = await (await joined(ctf)).get("/puzzles");
    expect(list.text).toContain('href="/puzzles/a"');
    expect(list.text).not.toContain("checkpoint");
    expect(list.text).not.toContain('action="/checkin"');
    const ctfOffline = await browser(ctf).get("/offline");
    expect(ctfOffline.text).toContain("You are offline");
    expect(ctfOffline.text).not.toContain("checkpoint");
  });

  test("a failed join says why and keeps what was typed", async () => {
    const app = makeApp();
    await joined(app);
    const b = browser(app);
    const res = await b.post("/join", { name: "gulls", password: "correct horse" });
    expect(res).toMatchObject({ status: 303, location: "/" });
    const page = await b.get("/");
    expect(page.text).toContain("That team name is taken");
    expect(page.text).toContain('value="gulls"');
    const short = await b.post("/join", { name: "Terns", password: "short" });
    expect(short.location).toBe("/");
    expect((await b.get("/")).text).toContain("The password needs at least 8 characters");
  });

  test("after the hunt's end the landing page has no join form, and a join says why", async () => {
    const app = makeApp();
    app.clock.time = Date.parse("2026-11-21T16:00:00Z");
    const b = browser(app);
    const landing = (await b.get("/")).text;
    expect(landing).toContain("The hunt has ended.");
    expect(landing).not.toContain('action="/join"');
    expect(landing).toContain("Registration is closed: only teams that joined can log in.");
    expect(landing).toContain('action="/login"');
    // Nothing asks the team to join: it can only log in, from a checkpoint's card too.
    expect(landing).toContain("Log in with your team&#39;s name and password.");
    expect(landing).not.toContain("Join with your team");
    const checkpoint = (await b.get("/c/cp-123")).text;
    expect(checkpoint).toContain(
      "You found a checkpoint, but the hunt has ended: check-ins are over.",
    );
    expect(checkpoint).not.toContain('action="/join"');
    // Before the start, a checkpoint's page does not promise a check-in either.
    const early = makeApp({ clock: new FakeClock(START - 60 * MINUTE) });
    expect((await browser(early).get("/c/cp-123")).text).toContain(
      "You found a checkpoint! Log in or join; check-ins open at the start.",
    );
    early.clock.advance(60 * MINUTE);
    expect((await browser(early).get("/c/cp-123")).text).toContain(
      "You found a checkpoint! Log in or join, and your team is checked in here.",
    );
    // A form kept open from before the end is refused with the reason.
    const res = await b.post("/join", { name: "Late", password: "correct horse" });
    expect(res).toMatchObject({ status: 303, location: "/" });
    expect((await b.get("/")).text).toContain("The hunt has ended: no new team can join");
  });

  test("the day before, the landing page says which day the hunt starts, not only the time", async () => {
    const app = makeApp({ clock: new FakeClock(START - 24 * 60 * MINUTE) });
    const start = new Date(START);
    const day = start.toLocaleDateString("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
    }).replace(",", "");
    const hhmm = `${String(start.getHours()).padStart(2, "0")}:${
      String(start.getMinutes()).padStart(2, "0")
    }`;
    expect((await browser(app).get("/")).text).toContain(
      `The hunt starts on ${day} at ${hhmm}.`,
    );
    // The same day, the time says enough.
    app.clock.time = START - 5 * MINUTE;
    expect((await browser(app).get("/")).text).toContain(`The hunt starts at ${hhmm}.`);
  });

  test("a member name with a semicolon or a control character is refused, and what was typed kept", async () => {
    for (const members of ["Ann\nSmith; Bo", "Ann\nBo\u202eX"]) {
      const b = browser(makeApp());
      const res = await b.post("/join", { name: "Terns", password: "correct horse", members });
      expect(res).toMatchObject({ status: 303, location: "/" });
      const page = await b.get("/");
      expect(page.text).toContain(
        "A member name cannot hold control characters, bidirectional overrides or a semicolon",
      );
      expect(page.text).toContain(members.split("\n")[1]!);
    }
  });

  test("a team name in any script comes back intact in the welcome", async () => {
    const app = makeApp();
    const b = browser(app);
    await b.post("/join", { name: "Möwen 🦉", password: "correct horse" });
    expect((await b.get("/puzzles")).text).toContain("Welcome, Möwen 🦉!");
  });

  test("log in and out with forms", async () => {
    const app = makeApp();
    await joined(app);
    const b = browser(app);
    await b.post("/login", { name: "Gulls", password: "wrong password" });
    expect((await b.get("/")).text).toContain("Wrong team name or password");
    const res = await b.post("/login", { name: " GULLS ", password: "correct horse" });
    expect(res).toMatchObject({ status: 303, location: "/puzzles" });
    expect((await b.get("/puzzles")).status).toBe(200);
    await b.post("/logout", {});
    expect(b.jar.has("cairn_session")).toBe(false);
    expect((await b.get("/puzzles")).status).toBe(303);
  });

  test("a guess posts, redirects, and the puzzle page shows the result", async () => {
    const app = makeApp();
    const b = await joined(app);
    const partial = await b.post("/puzzles/a/guess", { answer: "ALP" });
    expect(partial).toMatchObject({ status: 303, location: "/puzzles/a" });
    let page = await b.get("/puzzles/a");
    expect(page.text).toContain("notice-warn");
    expect(page.text).toContain("Keep going");
    expect(page.text).toContain("2 of 3 wrong guesses left per minute");

    await b.post("/puzzles/a/guess", { answer: "Alpha!" });
    page = await b.get("/puzzles/a");
    expect(page.text).toContain("Correct! Puzzle solved.");
    // What the solve unlocked is linked by title.
    expect(page.text).toContain('<a href="/puzzles/after-a">After A</a>');
    expect(page.text).toContain("Your team solved this puzzle");
    expect(page.text).not.toContain('id="guess-form"');
    const rows = app.db.query("SELECT raw, result FROM guesses ORDER BY id").all();
    expect(rows).toEqual([{ raw: "ALP", result: "partial" }, { raw: "Alpha!", result: "correct" }]);
  });

  test("a wrong guess says which answer was not it, and stays in the box", async () => {
    const app = makeApp();
    const b = await joined(app);
    await b.post("/puzzles/a/guess", { answer: "Beta <1>" });
    const page = (await b.get("/puzzles/a")).text;
    expect(page).toContain("<strong>Not the answer</strong><p>“Beta &lt;1&gt;” is not it.</p>");
    expect(page).toMatch(/<input name="answer"[^>]* value="Beta &lt;1&gt;"/);
    // Shown once: the next visit starts with an empty box.
    expect((await b.get("/puzzles/a")).text).not.toContain('value="Beta');
  });

  test("Dismiss hides the announcement on every later page, until a newer one", async () => {
    const app = makeApp();
    const b = await joined(app);
    await app.admin("POST", "/api/admin/announcements", { text: "Soup at noon" });
    const banner = (page: string) =>
      /<div class="announcement" id="announcement"[^>]*>/.exec(page)![0];
    const before = (await b.get("/puzzles/a")).text;
    expect(banner(before)).not.toContain("hidden");
    expect(before).toContain('<form method="post" action="/announcements/dismiss"');
    const res = await app.app.request(`${ORIGIN}/announcements/dismiss`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
        referer: `${ORIGIN}/puzzles/a?x=1`,
        cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join("; "),
      },
      body: "id=1",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/puzzles/a?x=1");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toStartWith("cairn_dismissed=1;");
    b.jar.set("cairn_dismissed", "1");
    expect(banner((await b.get("/puzzles")).text)).toContain('hidden=""');
    expect(banner((await b.get("/scoreboard")).text)).toContain('hidden=""');
    await app.admin("POST", "/api/admin/announcements", { text: "Prizes at five" });
    expect(banner((await b.get("/puzzles")).text)).not.toContain("hidden");
    // From elsewhere, or with no address, back to the start.
    expect((await b.post("/announcements/dismiss", { id: "2" })).location).toBe("/");
  });

  test("/announcements lists every announcement, newest first, to a team that dismissed the banner and to a visitor", async () => {
    const app = makeApp();
    const b = await joined(app);
    const empty = (await b.get("/announcements")).text;
    expect(empty).toContain("<h1>Announcements</h1>");
    expect(empty).toContain("No announcements yet.");
    await app.admin("POST", "/api/admin/announcements", { text: "Soup at noon" });
    app.clock.advance(5 * MINUTE);
    await app.admin("POST", "/api/admin/announcements", { text: "Prizes at five\nin the hall" });
    b.jar.set("cairn_dismissed", "2");
    const page = (await b.get("/announcements")).text;
    const items = [
      ...page.matchAll(
        /<li class="card" id="announcement-(\d+)"><time datetime="([^"]+)">[^<]+<\/time><p>([^<]*)<\/p><\/li>/g,
      ),
    ]
      .map(([, id, at, text]) => ({ id: Number(id), at, text }));
    expect(items).toEqual([
      { id: 2, at: new Date(app.clock.now()).toISOString(), text: "Prizes at five\nin the hall" },
      { id: 1, at: new Date(app.clock.now() - 5 * MINUTE).toISOString(), text: "Soup at noon" },
    ]);
    // The team's own navigation; no banner (the list has it), dismissed or not.
    expect(page).toContain('href="/puzzles"');
    expect(page).toMatch(/<div class="announcement" id="announcement"[^>]*hidden/);
    // Its script puts each new one at the top as it is made (announcements_browser_test.ts); the
    // count line is there for it, hidden while the list has them all.
    expect(page).toContain(`<script src="${ASSETS.announcements.path}" defer=""></script>`);
    expect(page).toContain('<p class="muted small" id="announcements-count" hidden="">');
    // The server's time zone, which the script writes a new one's time in, as the list's are.
    expect(page).toContain(`data-zone="${clockZone()}"`);
    // A visitor with no session reads the same list (the projector shows them to everyone).
    const visitor = await app.app.request(`${ORIGIN}/announcements`, {
      headers: { accept: "text/html" },
    });
    expect(visitor.status).toBe(200);
    const seen = await visitor.text();
    expect(seen).toContain("Soup at noon");
    expect(seen).not.toContain('href="/puzzles"');
  });

  test("/announcements lists the 50 latest of more", async () => {
    const app = makeApp();
    for (let i = 1; i <= 53; i++) {
      await app.admin("POST", "/api/admin/announcements", { text: `Notice number ${i}.` });
    }
    const page = await (await app.app.request(`${ORIGIN}/announcements`)).text();
    expect(page.match(/<li class="card"/g)?.length).toBe(50);
    expect(page).toContain("Notice number 53.");
    expect(page).toContain("Notice number 4.");
    expect(page).not.toContain("Notice number 3.");
    expect(page).toContain("The 50 latest of 53.");
  });

  test("a team finds /announcements from the banner and, once it is dismissed, from its puzzles; a hunt with none shows no link", async () => {
    const app = makeApp();
    const b = await joined(app);
    const link = '<a href="/announcements">All announcements</a>';
    const bannerLink = '<a class="announcement-all" href="/announcements">All announcements</a>';
    // No announcement: the banner is hidden, and the puzzles page has no link.
    const none = (await b.get("/puzzles")).text;
    expect(none).not.toContain(link);
    expect(none).toMatch(/<div class="announcement" id="announcement"[^>]*hidden/);
    await app.admin("POST", "/api/admin/announcements", { text: "Soup <b>at</b> noon" });
    const shown = (await b.get("/puzzles/a")).text;
    expect(shown).toContain(bannerLink);
    expect(shown).not.toContain(link); // the puzzle's page: only the banner's
    b.jar.set("cairn_dismissed", "1");
    const puzzles = (await b.get("/puzzles")).text;
    expect(puzzles).toMatch(/<div class="announcement" id="announcement"[^>]*hidden/);
    expect(puzzles).toContain(link);
    // The page it leads to shows the text as typed, not as markup.
    const list = (await b.get("/announcements")).text;
    expect(list).toContain("<p>Soup &lt;b&gt;at&lt;/b&gt; noon</p>");
    expect(list).not.toContain("<b>at</b>");
  });

  test("the answer form says how guesses are compared: loosely, exactly, or by a pattern", async () => {
    const app = makeApp({
      toml: `[hunt]\ntitle = "Flags"\nstarts_at = 2026-11-21T10:00:00Z\ndivisions = ["kids"]\n
[[puzzle]]\nid = "loose"\ntitle = "Loose"\nanswer = "north star"\n
[[puzzle]]\nid = "flag"\ntitle = "Flag"\nanswer = "flag{Xy-42}"\nnormalize = "exact"\n
[[puzzle]]\nid = "km"\ntitle = "Km"\nanswer_regex = '\\d+ ?km'\n
[[puzzle]]\nid = "ci-flag"\ntitle = "CI flag"\nanswer_regex = 'flag\\{ci\\}'\nnormalize = "exact"\n
[[puzzle]]\nid = "mixed-flag"\ntitle = "Mixed flag"\nanswer = "flag{Mx}"\nanswer_regex = 'flag\\{ci\\}'\nnormalize = "exact"\n
[[puzzle]]\nid = "mixed-km"\ntitle = "Mixed km"\nanswer = "ten km"\nanswer_regex = '\\d+ km'\n
[[puzzle]]\nid = "cs-flag"\ntitle = "CS flag"\nanswer_regex = '(?-i:flag\\{Ab\\})'\nnormalize = "exact"\n
[[puzzle]]\nid = "part-flag"\ntitle = "Part flag"\nanswer_regex = '(?-i:flag)\\{[a-z]+\\}'\nnormalize = "exact"\n
[[puzzle]]\nid = "cs-mixed-flag"\ntitle = "CS mixed flag"\nanswer = "flag{Mx}"\nanswer_regex = '(?-i:flag\\{\\d+\\})'\nnormalize = "exact"\n
[[puzzle]]\nid = "cs-km"\ntitle = "CS km"\nanswer = "ten km"\nanswer_regex = '(?-i:\\d+ km)'\n
[[puzzle]]\nid = "cs-variants"\ntitle = "CS variant"\nanswer_regex = 'plain'\n
[[puzzle.variant]]\nbody = "One."\nanswer_regex = '(?-i:One)'\n
[[puzzle.variant]]\nbody = "Two."\nanswer_regex = 'two'\n`,
    });
    const b = await joined(app);
    const note = async (id: string) =>
      /<p class="muted small" id="limit-note"[^>]*>([^<]*)<\/p>/.exec(
        (await b.get(`/puzzles/${id}`)).text,
      )?.[1];
    expect(await note("loose")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals, spaces and punctuation do not matter.",
    );
    // A CTF flag is compared as typed: the page must not tell players case does not matter.
    expect(await note("flag")).toBe(
      "10 of 10 wrong guesses left per minute. Type it exactly: capitals, spaces and punctuation count.",
    );
    expect(await b.post("/puzzles/flag/guess", { answer: "FLAG{XY-42}" })).toMatchObject({
      status: 303,
    });
    expect((await b.get("/puzzles/flag")).text).toContain("Not the answer");
    // A pattern ignores case, but sees spaces and punctuation.
    expect(await note("km")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals do not matter.",
    );
    // So does a flag with patterns only, exact or not (CTFd's case-insensitive and regex flags).
    expect(await note("ci-flag")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals do not matter.",
    );
    expect(await b.post("/puzzles/ci-flag/guess", { answer: "FLAG{CI}" })).toMatchObject({
      status: 303,
    });
    expect((await b.get("/puzzles/ci-flag")).text).toContain("Your team solved this puzzle");
    // An exact flag beside a case-insensitive one: capitals count for the first only.
    expect(await note("mixed-flag")).toBe(
      "10 of 10 wrong guesses left per minute. Type it exactly: spaces and punctuation count, capitals only for some answers.",
    );
    expect(await b.post("/puzzles/mixed-flag/guess", { answer: "FLAG{CI}" })).toMatchObject({
      status: 303,
    });
    expect((await b.get("/puzzles/mixed-flag")).text).toContain("Your team solved this puzzle");
    // A loose answer beside a pattern: spaces and punctuation count for the pattern.
    expect(await note("mixed-km")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals do not matter. Spaces and punctuation count for some answers.",
    );
    expect(await b.post("/puzzles/mixed-km/guess", { answer: "12-KM" })).toMatchObject({
      status: 303,
    });
    expect((await b.get("/puzzles/mixed-km")).text).toContain("Not the answer");
    expect(await b.post("/puzzles/mixed-km/guess", { answer: "Ten-KM!" })).toMatchObject({
      status: 303,
    });
    expect((await b.get("/puzzles/mixed-km")).text).toContain("Your team solved this puzzle");
    // A (?-i:…) group counts capitals (a CTF's case-sensitive regex flag): the note must say so.
    const guess = async (id: string, answer: string) => {
      expect(await b.post(`/puzzles/${id}/guess`, { answer })).toMatchObject({ status: 303 });
      return (await b.get(`/puzzles/${id}`)).text;
    };
    expect(await note("cs-flag")).toBe("10 of 10 wrong guesses left per minute. Capitals count.");
    expect(await guess("cs-flag", "FLAG{AB}")).toContain("Not the answer");
    expect(await guess("cs-flag", "flag{Ab}")).toContain("Your team solved this puzzle");
    // In part of a pattern only: for some answers.
    expect(await note("part-flag")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals count for some answers.",
    );
    expect(await guess("part-flag", "FLAG{abc}")).toContain("Not the answer");
    expect(await guess("part-flag", "flag{ABC}")).toContain("Your team solved this puzzle");
    // An exact flag beside a case-sensitive pattern: capitals count for every answer.
    expect(await note("cs-mixed-flag")).toBe(
      "10 of 10 wrong guesses left per minute. Type it exactly: capitals, spaces and punctuation count.",
    );
    expect(await guess("cs-mixed-flag", "FLAG{12}")).toContain("Not the answer");
    expect(await guess("cs-mixed-flag", "flag{12}")).toContain("Your team solved this puzzle");
    // A loose answer beside one: capitals count for the pattern, as spaces and punctuation do.
    expect(await note("cs-km")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals, spaces and punctuation count for some answers.",
    );
    expect(await guess("cs-km", "12 KM")).toContain("Not the answer");
    expect(await guess("cs-km", "TEN-KM")).toContain("Your team solved this puzzle");
    // The note is the team's variant's, whose pattern judges the team's guesses: this team's is the
    // second, which ignores case (the first's counts capitals).
    expect((await b.get("/puzzles/cs-variants")).text).toContain("Two.");
    expect(await note("cs-variants")).toBe(
      "10 of 10 wrong guesses left per minute. Capitals do not matter.",
    );
  });

  test("one point is a point, not 1 points", async () => {
    const app = makeApp({
      toml: `[hunt]\ntitle = "Pennies"\ndivisions = ["kids"]\n
[[puzzle]]\nid = "penny"\ntitle = "Penny"\npoints = 1\nanswer = "coin"\n
[[puzzle.hint]]\nid = "nudge"\ntext = "Heads."\ncost = 1\n
[[puzzle]]\nid = "dime"\ntitle = "Dime"\npoints = 10\nanswer = "coin"\n
[[puzzle.hint]]\nid = "nudge"\ntext = "Tails."\ncost = 2\n`,
    });
    const b = await joined(app);
    const penny = (await b.get("/puzzles/penny")).text;
    expect(penny).toContain('<span id="puzzle-points">1 point</span>');
    expect(penny).toContain('<span class="badge">costs 1 point</span>');
    expect(penny).toContain("Your team loses 1 point. Taking it again later costs nothing.");
    expect(penny).toContain("Yes, spend 1 point</button>");
    expect(penny).not.toMatch(/\b1 points\b/);
    const dime = (await b.get("/puzzles/dime")).text;
    expect(dime).toContain('<span id="puzzle-points">10 points</span>');
    expect(dime).toContain('<span class="badge">costs 2 points</span>');
    const list = (await b.get("/puzzles")).text;
    expect(list).toContain('<span class="badge puzzle-points">1 pt</span>');
    expect(list).toContain('<span class="badge puzzle-points">10 pts</span>');
    await b.post("/puzzles/penny/guess", { answer: "coin" });
    expect((await b.get("/scoreboard")).text).toContain("Your team is 1st of 1, with 1 point.");
  });

  test("past the guess limit, the page gives the time left", async () => {
    const app = makeApp();
    const b = await joined(app);
    for (const answer of ["x", "y", "z"]) await b.post("/puzzles/a/guess", { answer });
    await b.post("/puzzles/a/guess", { answer: "w" });
    const page = await b.get("/puzzles/a");
    expect(page.text).toContain("Too many wrong guesses on this puzzle; wait a little");
    expect(page.text).toContain('data-countdown="60"');
    expect(page.text).toContain("You can guess again in");
    app.clock.advance(MINUTE);
    expect((await b.get("/puzzles/a")).text).toContain("3 of 3 wrong guesses left");
  });

  test("once the puzzle is solved, no hint is offered; a taken one stays shown", async () => {
    const app = makeApp();
    const b = await joined(app);
    await b.post("/puzzles/a/hints/free", {});
    await b.post("/puzzles/a/guess", { answer: "no" });
    await b.post("/puzzles/a/guess", { answer: "nope" });
    // The late hint is available now (two wrong guesses): offered until the solve.
    expect((await b.get("/puzzles/a")).text).toContain('action="/puzzles/a/hints/late"');
    await b.post("/puzzles/a/guess", { answer: "alpha" });
    const page = (await b.get("/puzzles/a")).text;
    expect(page).toContain('<p class="hint-text" tabindex="-1">Free hint</p>');
    expect(page).not.toContain('action="/puzzles/a/hints/late"');
    expect(page).not.toContain("Take this hint");
    expect(page).toContain("Not needed: your team solved this puzzle.");
  });

  test("after the hunt's end, no hint is offered; a taken one stays shown", async () => {
    const app = makeApp();
    const b = await joined(app);
    await b.post("/puzzles/a/hints/free", {});
    app.clock.time = Date.parse("2026-11-21T16:00:00Z");
    const page = (await b.get("/puzzles/a")).text;
    expect(page).toContain('<p class="hint-text" tabindex="-1">Free hint</p>');
    expect(page).not.toContain("Take this hint");
    expect(page).toContain("The hunt has ended: no hint can be taken now.");
  });

  test("a hint is confirmed in a form, then shown", async () => {
    const app = makeApp();
    const b = await joined(app);
    let page = await b.get("/puzzles/a");
    expect(page.text).toContain('action="/puzzles/a/hints/free"');
    // The late hint needs two wrong guesses first.
    expect(page.text).not.toContain('action="/puzzles/a/hints/late"');
    expect(page.text).toContain("Available in 20 min, or after 2 wrong guesses.");
    expect(page.text).not.toContain("Free hint");
    const res = await b.post("/puzzles/a/hints/free", {});
    expect(res).toMatchObject({ status: 303, location: "/puzzles/a#hint-free" });
    page = await b.get("/puzzles/a");
    expect(page.text).toContain('<p class="hint-text" tabindex="-1">Free hint</p>');
    // A hint not available yet is refused with the reason.
    await b.post("/puzzles/a/hints/late", {});
    expect((await b.get("/puzzles/a")).text).toContain("This hint is not available yet");
  });

  test("a locked or unknown puzzle is the same 404 page", async () => {
    const app = makeApp();
    const b = await joined(app);
    const locked = await b.get("/puzzles/meta");
    const unknown = await b.get("/puzzles/nope");
    expect(locked.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(locked.text).toBe(unknown.text);
  });

  test("a cross-site form post is refused", async () => {
    const app = makeApp();
    const b = await joined(app);
    const res = await b.post("/puzzles/a/guess", { answer: "alpha" }, "http://evil.example");
    expect(res.status).toBe(403);
    expect(app.db.query("SELECT count(*) AS n FROM guesses").get()).toEqual({ n: 0 });
  });
});

describe("checkpoints", () => {
  test("a QR link asks to log in first, then checks the team in", async () => {
    const app = makeApp();
    await joined(app);
    const b = browser(app);
    const landing = await b.get("/c/cp-123");
    expect(landing.status).toBe(200);
    expect(landing.text).toContain("You found a checkpoint!");
    expect(landing.text).toContain('name="next" value="/c/cp-123"');
    const login = await b.post("/login", {
      name: "Gulls",
      password: "correct horse",
      next: "/c/cp-123",
    });
    expect(login.location).toBe("/c/cp-123");
    const page = await b.get("/c/cp-123");
    expect(page.text).toContain("Checked in at Checkpoint");
    expect(page.text).toContain('<a href="/puzzles/cp">Checkpoint</a>');
    expect(app.db.query("SELECT puzzle FROM checkins").all()).toEqual([{ puzzle: "cp" }]);
    // Again: no second check-in, nothing new.
    expect((await b.get("/c/cp-123")).text).toContain("Nothing new unlocked this time.");
  });

  test("a card scanned before the start says when to come back; after the end, that it ended", async () => {
    // The engine's time never steps back: the clock starts before the hunt.
    const app = makeApp({ clock: new FakeClock(START - 5 * MINUTE) });
    const b = await joined(app);
    const start = new Date(START);
    const hhmm = `${String(start.getHours()).padStart(2, "0")}:${
      String(start.getMinutes()).padStart(2, "0")
    }`;
    let page = (await b.get("/c/cp-123")).text;
    expect(page).toContain("Cannot check in");
    expect(page).toContain(`The hunt starts at ${hhmm}. Check in here again then.`);
    expect(page).not.toContain("The hunt is not running");
    app.clock.time = START + 6 * 60 * MINUTE;
    page = (await b.get("/c/cp-123")).text;
    expect(page).toContain("<p>The hunt has ended.</p>");
    expect(app.db.query("SELECT puzzle FROM checkins").all()).toEqual([]);
  });

  test("a checkpoint link from another site asks before it checks in, and spends nothing", async () => {
    const app = makeApp();
    const b = await joined(app);
    const crossSite = { "sec-fetch-site": "cross-site" };
    for (const code of ["cp-123", "nope", "nope", "nope"]) {
      const page = await b.get(`/c/${code}`, crossSite);
      expect(page.status).toBe(200);
      expect(page.text).toContain("Check in here?");
      expect(page.text).toContain(`<input type="hidden" name="code" value="${code}"/>`);
    }
    expect(app.db.query("SELECT count(*) AS n FROM checkins").get()).toEqual({ n: 0 });
    // The player confirms: the form posts here, which checks in as a scanned code does.
    const confirmed = await b.post("/checkin", { code: "cp-123" });
    expect(confirmed.location).toBe("/c/cp-123");
    expect((await b.get("/c/cp-123", { "sec-fetch-site": "same-origin" })).text).toContain(
      "Checked in at Checkpoint",
    );
    expect(app.db.query("SELECT puzzle FROM checkins").all()).toEqual([{ puzzle: "cp" }]);
  });

  test("an unknown code is a 404 page, and next can only point at a checkpoint", async () => {
    const app = makeApp();
    const b = await joined(app);
    const page = await b.get("/c/nope");
    expect(page.status).toBe(404);
    expect(page.text).toContain("There is no checkpoint with that code");
    const other = browser(app);
    const res = await other.post("/login", {
      name: "Gulls",
      password: "correct horse",
      next: "https://evil.example/",
    });
    expect(res.location).toBe("/puzzles");
  });

  const unsafe: [string, string][] = [
    ["a line break", "/c/x\r\ny"],
    ["a bare line feed", "/c/x\nSet-Cookie: a=b"],
    ["a space", "/c/x y"],
    ["a non-ASCII character", "/c/möwe"],
    ["a NUL", "/c/x\u0000"],
    ["another path", "/admin"],
    ["a protocol-relative URL", "//evil.example/c/x"],
    ["a second segment", "/c/x/y"],
  ];
  for (const [what, next] of unsafe) {
    test(`a next with ${what} is ignored: join and login go on to the default page`, async () => {
      const app = makeApp();
      const joiner = browser(app);
      const join = await joiner.post("/join", { name: "Gulls", password: "correct horse", next });
      expect(join).toMatchObject({ status: 303, location: "/puzzles" });
      expect(joiner.jar.has("cairn_session")).toBe(true);
      const login = browser(app);
      const res = await login.post("/login", { name: "Gulls", password: "correct horse", next });
      expect(res).toMatchObject({ status: 303, location: "/puzzles" });
      expect(login.jar.has("cairn_session")).toBe(true);
      // A failed login goes back to the landing page, not to `next` either.
      const failed = await browser(app).post("/login", { name: "Gulls", password: "nope", next });
      expect(failed).toMatchObject({ status: 303, location: "/" });
    });
  }

  test("a next to a checkpoint whose code was percent-encoded is kept", async () => {
    const app = makeApp();
    const b = browser(app);
    const next = `/c/${encodeURIComponent("Möwe (7)")}`;
    const res = await b.post("/join", { name: "Gulls", password: "correct horse", next });
    expect(res).toMatchObject({ status: 303, location: "/c/M%C3%B6we%20(7)" });
  });

  test("wrong codes on the page and in the API count against one limit", async () => {
    const app = makeApp();
    const b = browser(app);
    await b.post("/join", { name: "Gulls", password: "correct horse" });
    const token = b.jar.get("cairn_session")!;
    for (let i = 0; i < 10; i++) expect((await b.get(`/c/wrong-${i}`)).status).toBe(404);
    const api = await app.call("POST", "/api/checkins", { token, body: { code: "cp-123" } });
    expect(api.status).toBe(429);
    expect((await b.get("/c/cp-123")).text).toContain("Too many unknown checkpoint codes");
  });

  test("the typed-in code form goes to the checkpoint page", async () => {
    const app = makeApp();
    const b = await joined(app);
    const res = await b.post("/checkin", { code: " cp-123 " });
    expect(res.location).toBe("/c/cp-123");
  });
});

describe("the projector", () => {
  test("shows the board and the chart, and the freeze", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const b = browser(app);
    let page = await b.get("/scoreboard");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<tr class="top-1" data-name="Gulls">');
    expect(page.text).toContain('<td class="score">10</td>');
    expect(page.text).toMatch(/<path class="line s0" d="M[^"]+"\/>/);
    expect(page.text).toContain('id="freeze" role="status" hidden=""');
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    page = await b.get("/scoreboard");
    expect(page.text).not.toContain('id="freeze" role="status" hidden=""');
    const svg = await app.app.request(`${ORIGIN}/scoreboard/chart.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(await svg.text()).toContain('class="freeze-line"');
  });

  test("the chart's time axis stops at the end, not at the hour the projector is still on", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    app.clock.advance(60 * MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const chart = async () =>
      await (await app.app.request(`${ORIGIN}/scoreboard/chart.svg`)).text();
    app.clock.time = START + 6 * 60 * MINUTE;
    const atEnd = await chart();
    // Two hours later, at the prize-giving: the same chart, not the event squeezed to the left.
    app.clock.advance(2 * 60 * MINUTE);
    expect(await chart()).toBe(atEnd);
    expect((await browser(app).get("/scoreboard")).text).toContain(atEnd);
    // An organizer's correction after the end still shows: the axis reaches it.
    const adjusted = await app.admin("POST", "/api/admin/adjustments", {
      team: 1,
      points: 5,
      reason: "a recount",
    });
    expect(adjusted.status).toBe(201);
    const after = await chart();
    expect(after).not.toBe(atEnd);
    expect(after).toMatch(
      /<path class="line s0" d="M60 \d+(\.\d)?H\d+(\.\d)?V\d+(\.\d)?H\d+(\.\d)?V\d+(\.\d)?H496"\/>/,
    );
  });

  test("says when the hunt starts, and that it has ended, and when it changes", async () => {
    // The engine's time never steps back: the clock starts before the hunt.
    const app = makeApp({ clock: new FakeClock(START - 5 * MINUTE) });
    await app.register("Gulls");
    const b = browser(app);
    let page = (await b.get("/scoreboard")).text;
    const start = new Date(START);
    const hhmm = `${String(start.getHours()).padStart(2, "0")}:${
      String(start.getMinutes()).padStart(2, "0")
    }`;
    expect(page).toContain(
      `<div class="freeze-banner" id="phase" role="status">` +
        `The hunt starts at ${hhmm}.</div>`,
    );
    // The page's script draws it again at the start, when nothing is pushed.
    expect(page).toContain(`data-phase-in="${5 * MINUTE}"`);
    expect(page).toContain('<span id="live-text">Live</span>');

    app.clock.time = START;
    page = (await b.get("/scoreboard")).text;
    expect(page).not.toContain('id="phase"');
    expect(page).toContain(`data-phase-in="${6 * 60 * MINUTE}"`);
    expect(page).not.toContain("data-ended");

    // After the end: no green "Live", and the room is told.
    app.clock.time = START + 6 * 60 * MINUTE;
    page = (await b.get("/scoreboard")).text;
    expect(page).toContain(`id="phase" role="status">The hunt has ended.</div>`);
    expect(page).toContain('<span id="live-text">Ended</span>');
    expect(page).toContain('data-ended=""');
    expect(page).not.toContain("data-phase-in");
  });

  test("more than 30 teams turn into pages", async () => {
    const app = makeApp();
    for (let i = 1; i <= 31; i++) await app.register(`Team ${i}`);
    const b = browser(app);
    const first = await b.get("/scoreboard");
    expect(first.text.match(/data-name=/g)?.length).toBe(30);
    expect(first.text).toContain("Page 1 of 2");
    const second = await b.get("/scoreboard?page=2");
    // Later pages keep the top 3 at their head.
    expect([...second.text.matchAll(/data-name="([^"]+)"/g)].map((m) => m[1])).toEqual([
      "Team 1",
      "Team 2",
      "Team 3",
      "Team 31",
    ]);
    // They fit one column: no second table with a header and no rows beside it.
    expect(second.text.match(/<table class="board-table">/g)?.length).toBe(1);
  }, 30_000);
});

describe("score history", () => {
  test("stops at the freeze until the reveal", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    app.clock.advance(MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    app.clock.advance(MINUTE);
    await app.call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
    let history = await app.call("GET", "/api/scoreboard/history");
    expect(history.body.frozen).toBe(true);
    expect(history.body.teams[0].points.map((p: { score: number }) => p.score)).toEqual([0, 10]);
    await app.admin("POST", "/api/admin/scoreboard", { frozen: false });
    history = await app.call("GET", "/api/scoreboard/history");
    expect(history.body.frozen).toBe(false);
    expect(history.body.teams).toEqual([{
      name: "Gulls",
      points: [
        { at: new Date(app.clock.time - 2 * MINUTE).toISOString(), score: 0 },
        { at: new Date(app.clock.time - MINUTE).toISOString(), score: 10 },
        { at: new Date(app.clock.time).toISOString(), score: 30 },
      ],
    }]);
  });

  test("keeps the top 10", async () => {
    const app = makeApp();
    for (let i = 1; i <= 12; i++) await app.register(`Team ${i}`);
    const history = await app.call("GET", "/api/scoreboard/history");
    expect(history.body.teams.length).toBe(10);
  }, 30_000);
});

describe("organizers", () => {
  async function signedIn(app: App) {
    const b = browser(app);
    const res = await b.post("/admin/session", { token: ADMIN_TOKEN });
    expect(res).toMatchObject({ status: 303, location: "/admin" });
    return b;
  }

  /** Gulls playing (`player`), an organizer signed in (`b`), and the organizer's page of Gulls. */
  async function gullsAdminPage(app: App) {
    const player = await joined(app);
    const b = await signedIn(app);
    return { player, b, page: (await b.get("/admin/teams/1")).text };
  }

  test("sign in with the token: an HttpOnly, SameSite=Strict cookie", async () => {
    const app = makeApp();
    const b = browser(app);
    const login = await b.get("/admin");
    expect(login.text).toContain("Organizer sign-in");
    await b.post("/admin/session", { token: "wrong" });
    const wrong = (await b.get("/admin")).text;
    expect(wrong).toContain("That admin token is wrong");
    // A lost link is made again on the server: the page says how.
    expect(wrong).toContain(
      'Lost it? On the server, <code class="command">cairn admin-token</code>',
    );
    const res = await app.app.request(`${ORIGIN}/admin/session`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: `token=${ADMIN_TOKEN}`,
    });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain("cairn_admin=");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const admin = await signedIn(app);
    const page = await admin.get("/admin");
    expect(page.text).toContain("Live guesses");
    expect(page.headers.get("cache-control")).toBe("no-store");
    // The admin API takes the cookie too, for downloads and the dashboard's script.
    const exported = await admin.get("/api/admin/export?format=csv&table=teams");
    expect(exported.status).toBe(200);
    await admin.post("/admin/logout", {});
    expect((await admin.get("/admin")).text).toContain("Organizer sign-in");
  });

  test("admin pages and posts need the admin cookie; a team's session is not enough", async () => {
    const app = makeApp();
    const player = await joined(app);
    for (const path of ["/admin/print", "/admin/teams/1", "/admin/progress"]) {
      expect((await player.get(path)).status).toBe(303);
    }
    const res = await player.post("/admin/announce", { text: "hi" });
    expect(res).toMatchObject({ status: 303, location: "/admin" });
    expect((await player.get("/api/admin/teams")).status).toBe(401);
    expect(app.db.query("SELECT count(*) AS n FROM announcements").get()).toEqual({ n: 0 });
  });

  test("a form posted after the admin session ended gets the sign-in page, with what was typed", async () => {
    const app = makeApp();
    const b = await signedIn(app);
    b.jar.delete("cairn_admin");
    const res = await b.post("/admin/announce", { text: "Soup at noon" });
    expect(res).toMatchObject({ status: 303, location: "/admin" });
    const page = (await b.get("/admin")).text;
    expect(page).toContain("Organizer sign-in");
    expect(page).toContain("Your organizer session has ended: nothing was changed");
    expect(page).toContain("What you typed: “Soup at noon”");
    expect(app.db.query("SELECT count(*) AS n FROM announcements").get()).toEqual({ n: 0 });
    // A script (not a browser's form) still gets the envelope.
    const api = await app.app.request(`${ORIGIN}/admin/announce`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
      body: "text=hi",
    });
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({
      error: { code: "unauthorized", message: "Sign in as an organizer" },
    });
  });

  test("announce, adjust, grant extra guesses, freeze and reveal, by form", async () => {
    const app = makeApp();
    await joined(app);
    const b = await signedIn(app);
    await b.post("/admin/announce", { text: "Soup at noon" });
    expect((await b.get("/admin")).text).toContain("Announcement sent");
    expect(app.db.query("SELECT text FROM announcements").all()).toEqual([
      { text: "Soup at noon" },
    ]);
    // Players see the latest announcement.
    const player = browser(app);
    expect((await player.get("/")).text).toContain("Soup at noon");

    const adjust = await b.post("/admin/adjust", {
      team: "1",
      points: "-7",
      reason: "Late",
      back: "/admin/teams/1",
    });
    expect(adjust.location).toBe("/admin/teams/1");
    const team = await b.get("/admin/teams/1");
    expect(team.text).toContain("-7 points for Gulls");
    expect(team.text).toContain('<td>Adjusted: Late</td><td class="num">−7</td>');
    // The team's page lists its own guesses, without the feed's team column.
    await (await joined(app, "Terns")).post("/puzzles/a/guess", { answer: "nope" });
    const guesses = await b.get("/admin/teams/2");
    expect(guesses.text).toContain("Guesses (1)");
    expect(guesses.text).toMatch(
      /<th class="num" scope="col">Time<\/th><th scope="col">Puzzle<\/th>/,
    );
    expect(guesses.text).toContain('<td class="mono">nope</td>');
    expect((await b.get("/admin")).text).toMatch(
      /<th class="num" scope="col">Time<\/th><th scope="col">Team<\/th>/,
    );
    await b.post("/admin/extra-guesses", { team: "1", puzzle: "a", count: "2" });
    expect((await b.get("/admin")).text).toContain("2 extra guesses for Gulls on a");
    await b.post("/admin/extra-guesses", { team: "1", puzzle: "zzz", count: "2" });
    expect((await b.get("/admin")).text).toContain("There is no puzzle");
    await b.post("/admin/adjust", { team: "1", points: "x", reason: "Late" });
    expect((await b.get("/admin")).text).toContain("notice-bad");

    await b.post("/admin/freeze", { frozen: "true" });
    expect((await app.call("GET", "/api/scoreboard")).body.frozen).toBe(true);
    await b.post("/admin/freeze", { frozen: "false" });
    expect((await app.call("GET", "/api/scoreboard")).body.frozen).toBe(false);
  });

  test("a form post that cannot be saved gets a page saying nothing was saved and when to try again", async () => {
    const app = makeApp();
    const b = await joined(app);
    failCommits(app.store);
    const res = await app.app.request(`${ORIGIN}/puzzles/a/guess`, {
      method: "POST",
      headers: {
        accept: "text/html",
        cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join("; "),
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
        referer: `${ORIGIN}/puzzles/a?x=1`,
      },
      body: "answer=x",
    });
    expect(res.status).toBe(503);
    // The header the API gives, and the same seconds on the page, without a script.
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const page = await res.text();
    expect(page).toContain("<h1>Not saved</h1>");
    expect(page).toContain("The server cannot save right now: nothing was saved.");
    expect(page).toContain('<p>Try again in <span data-countdown="5">5 s</span>.</p>');
    // Back to the page the form was on (the Referer, on this server).
    expect(page).toContain('<a href="/puzzles/a?x=1">Back to the page</a>');
    // From another site's Referer: the team's puzzle list.
    const elsewhere = await b.post("/puzzles/a/guess", { answer: "x" }, ORIGIN, {
      referer: "https://evil.example/puzzles/a",
    });
    expect(elsewhere.status).toBe(503);
    expect(elsewhere.text).toContain('<a href="/puzzles">Back to the hunt</a>');
    // The API, and a client that does not ask for HTML, keep the envelope.
    const api = await app.app.request(`${ORIGIN}/puzzles/a/guess`, {
      method: "POST",
      headers: {
        cookie: [...b.jar].map(([k, v]) => `${k}=${v}`).join("; "),
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
      },
      body: "answer=x",
    });
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toEqual({
      error: { code: "unavailable", message: "The server cannot save right now; try again" },
    });
  });

  test("a page that cannot be shown says so, not that nothing was saved, and links to itself", async () => {
    // A node on a shared log reads it for a team it does not know; the log cannot be read.
    const app = makeApp({ sync: () => Promise.resolve() });
    const b = browser(app);
    await b.post("/admin/session", { token: ADMIN_TOKEN });
    app.store.writeProblem = () => "Cannot reach the database: connect ECONNREFUSED";
    const res = await b.get("/admin/teams/999?tab=x");
    expect(res.status).toBe(503);
    expect(res.text).toContain("<h1>Not available</h1>");
    expect(res.text).toContain("The server cannot show this page right now.");
    expect(res.text).not.toContain("nothing was saved");
    expect(res.text).toContain('<a href="/admin/teams/999?tab=x">Try this page again</a>');
    expect(res.text).toContain('<span data-countdown="5">5 s</span>');
  });

  test("the 'Not saved' and 'Starting again' pages never link off the server (a path starting //)", async () => {
    const app = makeApp();
    const b = await joined(app);
    failCommits(app.store);
    // A Referer on this server whose path reads as another host in a link: "//evil.example/x".
    const res = await b.post("/puzzles/a/guess", { answer: "x" }, ORIGIN, {
      referer: `${ORIGIN}//evil.example/x?y=1`,
    });
    expect(res.status).toBe(503);
    expect(res.text).not.toContain('href="//evil.example');
    expect(res.text).toContain('<a href="/evil.example/x?y=1">Back to the page</a>');
    // During a restart in place, the page links back to the path asked for, kept on this server.
    const restarting = unavailable("Starting again", app.game.engine);
    for (const path of ["//evil.example/", "/\\evil.example/"]) {
      const page = await restarting(
        new Request(`${ORIGIN}${path}`, { headers: { accept: "text/html" } }),
      );
      expect(page.status).toBe(503);
      const text = await page.text();
      expect(text).toContain("Back to the page");
      expect(text).not.toMatch(/href="[\/\\]{2}/);
    }
  });

  test("a logout that cannot be saved leaves the team logged in, and its menu says so", async () => {
    const app = makeApp();
    const b = await joined(app);
    const saveCommits = failCommits(app.store);
    const res = await b.post("/logout", {});
    expect(res.status).toBe(503);
    expect(res.text).toContain("<h1>Not saved</h1>");
    // The team's menu, not the guest's: its name and the way to log out.
    expect(res.text).toContain('<span class="team-chip" title="Gulls">Gulls</span>');
    expect(res.text).toContain('<form method="post" action="/logout">');
    // Still logged in, on this page and the next; a logout that is saved then ends it.
    expect((await b.get("/puzzles")).status).toBe(200);
    saveCommits();
    expect(await b.post("/logout", {})).toMatchObject({ status: 303, location: "/" });
    expect((await b.get("/")).text).not.toContain('class="team-chip"');
  });

  test("a login refused while the shared log cannot be read says what to do, not the driver's error", async () => {
    // A node on a shared log checks a refused login against the log (`sync`) first.
    const app = makeApp({ sync: () => Promise.resolve() });
    await joined(app);
    app.store.writeProblem = () => "Cannot reach the database: connect ECONNREFUSED";
    const b = browser(app);
    const res = await b.post("/login", { name: "Gulls", password: "wrong horse" });
    expect(res).toMatchObject({ status: 303, location: "/" });
    const page = (await b.get("/")).text;
    expect(page).toContain("<strong>The server cannot check logins right now</strong>");
    expect(page).toContain('<p>Try again in <span data-countdown="5">5 s</span>.</p>');
    expect(page).not.toContain("ECONNREFUSED");
    // The API keeps the database's problem, for an organizer's tools (docs/api.md).
    const api = await app.call("POST", "/api/session", {
      body: { name: "Gulls", password: "wrong horse" },
    });
    expect(api.status).toBe(503);
    expect(api.body).toEqual({
      error: { code: "unavailable", message: "Cannot reach the database: connect ECONNREFUSED" },
    });
  });

  test("a freeze by form that cannot be stored answers 503, not 'The scoreboard is frozen'", async () => {
    const app = makeApp();
    const b = browser(app, { cairn_admin: ADMIN_TOKEN });
    app.store.setMeta = () => Promise.reject(new CommitError(new Error("disk I/O error")));
    const res = await b.post("/admin/freeze", { frozen: "true" });
    expect(res.status).toBe(503);
    expect((await app.call("GET", "/api/scoreboard")).body.frozen).toBe(false);
    expect((await b.get("/admin")).text).not.toContain("The scoreboard is frozen");
  });

  test("rename a team by form: its page, the board and its login take the new name", async () => {
    const app = makeApp();
    const { player, b, page } = await gullsAdminPage(app);
    await joined(app, "Terns");
    expect(page).toContain('<form method="post" action="/admin/teams/1/name">');
    expect(page).toContain('<input name="name" required="" value="Gulls"');
    const res = await b.post("/admin/teams/1/name", { name: " Sea Gulls " });
    expect(res).toMatchObject({ status: 303, location: "/admin/teams/1" });
    const renamed = (await b.get("/admin/teams/1")).text;
    expect(renamed).toContain("Gulls is now Sea Gulls");
    expect(renamed).toContain("<h1>Sea Gulls</h1>");
    expect((await b.get("/scoreboard")).text).toContain("Sea Gulls");
    expect((await player.get("/puzzles")).text).toContain("Sea Gulls");
    const login = browser(app);
    await login.post("/login", { name: "Gulls", password: "correct horse" });
    expect((await login.get("/")).text).toContain("Wrong team name or password");
    const res2 = await login.post("/login", { name: "sea gulls", password: "correct horse" });
    expect(res2).toMatchObject({ status: 303, location: "/puzzles" });
    // Refused: another team's name, and an empty one; the name stays.
    await b.post("/admin/teams/1/name", { name: "TERNS" });
    expect((await b.get("/admin/teams/1")).text).toContain("That team name is taken");
    await b.post("/admin/teams/1/name", { name: " " });
    expect((await b.get("/admin/teams/1")).text).toContain("The team name is empty");
    expect(app.db.query("SELECT name FROM teams ORDER BY id").all()).toEqual([
      { name: "Sea Gulls" },
      { name: "Terns" },
    ]);
    // No such team: back to the dashboard, which says so.
    expect(await b.post("/admin/teams/9/name", { name: "X" })).toMatchObject({
      status: 303,
      location: "/admin",
    });
    expect((await b.get("/admin")).text).toContain("There is no team 9");
    // From another site, or without the admin cookie: nothing changes.
    expect((await b.post("/admin/teams/1/name", { name: "Evil" }, "http://evil.example")).status)
      .toBe(403);
    expect(await player.post("/admin/teams/1/name", { name: "Evil" })).toMatchObject({
      status: 303,
      location: "/admin",
    });
    expect(app.db.query("SELECT name FROM teams WHERE id = 1").get()).toEqual({
      name: "Sea Gulls",
    });
  });

  test("a refused form comes back with what was typed, in that form only", async () => {
    const app = makeApp();
    const { b } = await gullsAdminPage(app);
    await joined(app, "Terns");
    // A name another team has: the box keeps the name typed, to change a letter of it.
    await b.post("/admin/teams/1/name", { name: "TERNS of the Bay" });
    await b.post("/admin/teams/1/name", { name: "terns" });
    let page = (await b.get("/admin/teams/1")).text;
    expect(page).toContain("That team name is taken");
    expect(page).toContain('<input name="name" required="" value="terns"');
    // Shown once: the next visit has the team's name again.
    expect((await b.get("/admin/teams/1")).text).toContain(
      '<input name="name" required="" value="TERNS of the Bay"',
    );
    // A reason of spaces (past the browser's `required`): the team, the points and the reason stay.
    await b.post("/admin/adjust", { team: "2", points: "-25", reason: "   ", back: "/admin" });
    page = (await b.get("/admin")).text;
    expect(page).toContain("Give a reason");
    const adjust = /<form method="post" action="\/admin\/adjust">([\s\S]*?)<\/form>/.exec(
      page,
    )![1]!;
    expect(adjust).toContain('<option value="2" selected="">Terns</option>');
    expect(adjust).toContain(
      'name="points" required="" step="1" min="-1000000" max="1000000" value="-25"',
    );
    expect(adjust).toContain('value="   "');
    // Points that are not a number (past the browser's number field): said plainly, not in
    // the checker's words ("Expected number but received NaN").
    await b.post("/admin/adjust", { team: "2", points: "ten", reason: "Late", back: "/admin" });
    const refused = (await b.get("/admin")).text;
    expect(refused).toContain("Field &quot;points&quot;: give a number");
    expect(refused).not.toContain("NaN");
    // The extra-guesses form beside it, with the same team field, is left as it was.
    const extra = /<form method="post" action="\/admin\/extra-guesses">([\s\S]*?)<\/form>/.exec(
      page,
    )![1]!;
    expect(extra).not.toContain("selected");
    expect(extra).toContain('value="5"');
    // Extra guesses on a team's page: the puzzle and the count stay.
    await b.post("/admin/extra-guesses", {
      team: "1",
      puzzle: "b",
      count: "1001",
      back: "/admin/teams/1",
    });
    page = (await b.get("/admin/teams/1")).text;
    expect(page).toContain("notice-bad");
    expect(page).toContain('<option value="b" selected="">B</option>');
    expect(page).toContain('max="1000" value="1001"');
    // An announcement the server refuses (over 2,000 characters, without the page's script).
    const long = "Soup at noon. ".repeat(150);
    await b.post("/admin/announce", { text: long });
    page = (await b.get("/admin")).text;
    expect(page).toContain("Expected at most 2000 characters");
    expect(page).toContain(`${long}</textarea>`);
    // In another script, the same text is three times the bytes, too big for the message's cookie:
    // it comes back all the same, once.
    const japanese = "正午にスープがあります。".repeat(180);
    const posted = await b.post("/admin/announce", { text: japanese });
    expect(posted.status).toBe(303);
    page = (await b.get("/admin")).text;
    expect(page).toContain("Expected at most 2000 characters");
    expect(page).toContain(`${japanese}</textarea>`);
    page = (await b.get("/admin")).text;
    expect(page).not.toContain("Expected at most 2000 characters");
    expect(page).not.toContain(japanese);
    expect(app.db.query("SELECT name FROM teams ORDER BY id").all()).toEqual([
      { name: "TERNS of the Bay" },
      { name: "Terns" },
    ]);
    expect(app.db.query("SELECT count(*) AS n FROM adjustments").get()).toEqual({ n: 0 });
    expect(app.db.query("SELECT count(*) AS n FROM announcements").get()).toEqual({ n: 0 });
  });

  test("hide a team by form: off the projector, marked on the admin pages, told on its own board", async () => {
    const app = makeApp();
    const { player, b, page } = await gullsAdminPage(app);
    await joined(app, "Terns");
    expect(page).toContain('<form method="post" action="/admin/teams/1/hidden">');
    expect(page).toContain('<input type="hidden" name="hidden" value="true"/>');
    expect(page).toContain("Hide from the scoreboard");
    const res = await b.post("/admin/teams/1/hidden", { hidden: "true" });
    expect(res).toMatchObject({ status: 303, location: "/admin/teams/1" });
    const hidden = (await b.get("/admin/teams/1")).text;
    expect(hidden).toContain("Gulls is hidden from the scoreboard");
    expect(hidden).toContain('<input type="hidden" name="hidden" value="false"/>');
    expect(hidden).toContain("Show on the scoreboard");
    expect(hidden).toContain(
      '<span class="badge badge-warn" title="Hidden from the public scoreboard">hidden</span>',
    );
    // The dashboard's team list and progress grid still show it, marked.
    const dashboard = (await b.get("/admin")).text;
    expect(dashboard.match(/>hidden<\/span>/g)?.length).toBe(2);
    const projector = (await b.get("/scoreboard?view=projector")).text;
    expect(projector).toContain("Terns");
    expect(projector).not.toContain("Gulls");
    // The team plays on, and its own board says why it is not there.
    expect((await player.get("/puzzles")).status).toBe(200);
    expect((await player.get("/scoreboard")).text).toContain(
      "The organizers have hidden your team from the scoreboard",
    );
    // A value that is neither true nor false, another site, or no admin cookie: nothing changes.
    await b.post("/admin/teams/1/hidden", { hidden: "maybe" });
    expect((await b.get("/admin/teams/1")).text).toContain("Expected boolean");
    expect(
      (await b.post("/admin/teams/1/hidden", { hidden: "false" }, "http://evil.example")).status,
    )
      .toBe(403);
    await player.post("/admin/teams/1/hidden", { hidden: "false" });
    expect(app.db.query("SELECT hidden FROM teams ORDER BY id").all()).toEqual([
      { hidden: 1 },
      { hidden: 0 },
    ]);
    // Shown again.
    await b.post("/admin/teams/1/hidden", { hidden: "false" });
    expect((await b.get("/admin/teams/1")).text).toContain("Gulls is on the scoreboard");
    expect((await b.get("/scoreboard?view=projector")).text).toContain("Gulls");
  });

  test("ban a team by form: its phones are logged out, its login refused; lifted, it logs in", async () => {
    const app = makeApp();
    const { player, b, page } = await gullsAdminPage(app);
    expect(page).toContain('<form class="stack" method="post" action="/admin/teams/1/banned">');
    expect(page).toContain("Ban the team");
    const res = await b.post("/admin/teams/1/banned", { banned: "true" });
    expect(res).toMatchObject({ status: 303, location: "/admin/teams/1" });
    const banned = (await b.get("/admin/teams/1")).text;
    expect(banned).toContain("Gulls is banned");
    expect(banned).toContain("1 phone was logged out.");
    expect(banned).toContain(">banned</span>");
    expect(banned).toContain("Lift the ban");
    // No way to show it while banned.
    expect(banned).not.toContain('action="/admin/teams/1/hidden"');
    expect((await b.get("/admin")).text).toContain(">banned</span>");
    // The phone is logged out, and logging in again is refused with the reason.
    expect((await player.get("/puzzles")).status).not.toBe(200);
    const login = browser(app);
    await login.post("/login", { name: "Gulls", password: "correct horse" });
    expect((await login.get("/")).text).toContain(
      "The organizers have banned this team from the hunt",
    );
    // Lifted: back at the scoreboard card, which says the team is still hidden, by its Show button.
    expect(await b.post("/admin/teams/1/banned", { banned: "false" })).toMatchObject({
      status: 303,
      location: "/admin/teams/1#hide-title",
    });
    const lifted = (await b.get("/admin/teams/1")).text;
    expect(lifted).toContain("Gulls&#39;s ban is lifted");
    const card = /<section class="card" aria-labelledby="hide-title">[\s\S]*?<\/section>/.exec(
      lifted,
    )![0];
    expect(card).toMatch(
      /<strong>Still hidden<\/strong><p>Show it to put it back on the scoreboard\.<\/p>[\s\S]*Show on the scoreboard/,
    );
    // Said once, right after: not on the next visit.
    expect((await b.get("/admin/teams/1")).text).not.toContain("Still hidden");
    expect(await login.post("/login", { name: "Gulls", password: "correct horse" }))
      .toMatchObject({ status: 303, location: "/puzzles" });
  });

  test("set a team's password by form: phones stay logged in, unless all are logged out", async () => {
    const app = makeApp();
    const { player, b, page } = await gullsAdminPage(app);
    expect(page).toContain('<form method="post" action="/admin/teams/1/password">');
    expect(page).toContain('<input type="checkbox" name="logout" value="true"/>');
    const res = await b.post("/admin/teams/1/password", { password: "battery staple" });
    expect(res).toMatchObject({ status: 303, location: "/admin/teams/1" });
    const set = (await b.get("/admin/teams/1")).text;
    expect(set).toContain("New password set for Gulls");
    expect(set).toContain("Phones already logged in stay logged in.");
    expect((await player.get("/puzzles")).status).toBe(200);
    const phone = browser(app);
    await phone.post("/login", { name: "Gulls", password: "correct horse" });
    expect((await phone.get("/")).text).toContain("Wrong team name or password");
    await phone.post("/login", { name: "Gulls", password: "battery staple" });
    expect((await phone.get("/puzzles")).status).toBe(200);
    // Too short: refused, and the password stays.
    await b.post("/admin/teams/1/password", { password: "short" });
    expect((await b.get("/admin/teams/1")).text).toContain(
      "The password needs at least 8 characters",
    );
    // With the box ticked, both phones are logged out.
    await b.post("/admin/teams/1/password", { password: "new password", logout: "true" });
    expect((await b.get("/admin/teams/1")).text).toContain("2 phones were logged out.");
    for (const logged of [player, phone]) expect((await logged.get("/puzzles")).status).toBe(303);
    await phone.post("/login", { name: "Gulls", password: "new password" });
    expect((await phone.get("/puzzles")).status).toBe(200);
  });

  test("a reload with errors shows every error, however many, and keeps the hunt", async () => {
    const app = makeApp();
    const b = await signedIn(app);
    const puzzles = Array.from(
      { length: 80 },
      (_, i) => `[[puzzle]]\nid = "p${i}"\ntitle = "P"\nanswer = ["x"]\nbogus_key_${i} = 1\n`,
    );
    app.setToml('[hunt]\ntitle = "X"\n' + puzzles.join(""));
    await b.post("/admin/reload", {});
    const page = await b.get("/admin");
    expect(page.text).toContain("The hunt file has 80 errors; the running hunt is unchanged");
    expect(page.text).toContain('<pre class="errors">');
    for (let i = 0; i < 80; i++) expect(page.text).toContain(`bogus_key_${i}`);
    expect(app.game.engine.hunt.title).toBe("Test Hunt");
  });

  test("the dashboard shows the guess feed, the progress grid and the charts", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    app.clock.advance(5 * MINUTE);
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    app.clock.advance(40 * MINUTE);
    const b = await signedIn(app);
    const page = await b.get("/admin");
    expect(page.text).toContain('<td class="mono">nope</td>');
    expect(page.text).toContain('class="cell cell-solved"');
    // Puzzle b has been open 45 minutes without a solve: stuck.
    expect(page.text).toContain('title="B: open 45 min (stuck)"');
    // The legend says what a bare time and a count of ✗ mean.
    expect(page.text).toContain("<span>12m open 12 minutes, unsolved</span>");
    expect(page.text).toContain("<span>2✗ 2 wrong guesses</span>");
    expect(page.text).toContain("Solves / teams with it");
    expect(page.text).toContain("Guesses per minute over the last hour");
    const feed = await b.get("/admin/feed?after=1");
    const body = JSON.parse(feed.text);
    expect(body.last).toBe(2);
    expect(body.html).toContain("alpha");
    expect(body.html).not.toContain("nope");
    const stats = await app.admin("GET", "/api/admin/stats");
    expect(stats.body.puzzles[0]).toEqual({
      id: "a",
      title: "A",
      round: "r1",
      unlocked: 1,
      solves: 1,
      median_solve_seconds: 300,
      wrong_guesses: 1,
    });
    // The last 60 minutes, each with its start in ISO 8601, as every time the API gives: the two
    // guesses were made at 10:05, and the dashboard is opened at 10:45.
    const minutes = stats.body.guesses_per_minute;
    expect(minutes.length).toBe(60);
    expect(minutes[0].at).toBe("2026-11-21T09:46:00.000Z");
    expect(minutes.at(-1).at).toBe("2026-11-21T10:45:00.000Z");
    expect(minutes.find((minute: { guesses: number }) => minute.guesses > 0)).toEqual({
      at: "2026-11-21T10:05:00.000Z",
      guesses: 2,
      correct: 1,
    });
    // The charts the script draws again, and the team and solve counts, with a team registered
    // since, and its solve.
    const terns = await app.register("Terns");
    const solved = await app.call("POST", "/api/puzzles/a/guesses", {
      token: terns,
      body: { answer: "alpha" },
    });
    expect(solved.status).toBe(200);
    const charts = JSON.parse((await b.get("/admin/charts")).text);
    expect(charts.teams).toBe(2);
    expect(charts.solves).toBe(2);
    expect(charts.puzzles).toContain("<svg");
  });

  test("after the end, the progress grid counts a puzzle open until the end, not until now", async () => {
    const app = makeApp();
    await app.register("Gulls");
    // Terns join 10 minutes before the end (16:00), and the dashboard is opened at 18:00.
    app.clock.advance(5 * 60 * MINUTE + 50 * MINUTE);
    await app.register("Terns");
    app.clock.advance(2 * 60 * MINUTE + 10 * MINUTE);
    const b = await signedIn(app);
    const grid = (await b.get("/admin/progress")).text;
    expect(grid).toContain('title="B: open 10 min"');
    expect(grid).toContain('title="B: open 6 h 00 (stuck)"');
    expect(grid).not.toMatch(/open (8 h|2 h)/);
  });

  test("after the end, a time unlock that fell due unseen is not locked in the grid nor the stats", async () => {
    const toml = `${HUNT_TOML}
[[puzzle]]
id = "noon"
title = "Noon"
unlock = 'after("2026-11-21T12:00:00Z")'
answer = ["sun"]
`;
    const app = makeApp({ toml });
    await app.register("Gulls");
    // Nobody reads or acts from 10:00 to 18:00, two hours after the end (16:00).
    app.clock.advance(8 * 60 * MINUTE);
    const b = await signedIn(app);
    const grid = (await b.get("/admin/progress")).text;
    expect(grid).not.toContain('title="Noon: locked"');
    expect(grid).toContain('title="Noon: opened after the end"');
    expect((await app.admin("GET", "/api/admin/stats")).body.puzzles.at(-1)).toMatchObject({
      id: "noon",
      unlocked: 1,
    });
  });

  test(
    "the progress grid of a big hunt comes a page of teams at a time, at most about 10,000 cells",
    async () => {
      // 500 puzzles: 20 teams a page. 25 teams: two pages, the second of 5.
      const puzzles = Array.from(
        { length: 500 },
        (_, i) => `[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\nanswer = ["a${i}"]\n`,
      );
      const app = makeApp({ toml: `[hunt]\ntitle = "Big"\n\n${puzzles.join("\n")}` });
      for (let i = 1; i <= 25; i++) await app.register(`Team ${i}`);
      const b = await signedIn(app);
      const rows = (html: string) => html.match(/<th class="team" scope="row">/g)?.length ?? 0;
      const cells = (html: string) => html.match(/<td class="cell /g)?.length ?? 0;

      const first = (await b.get("/admin")).text;
      expect(rows(first)).toBe(20);
      expect(cells(first)).toBe(20 * 500);
      expect(first).toContain("Teams 1–20 of 25, in ranking order (page 1 of 2)");
      expect(first).toContain('href="/admin?grid=2#progress-title"');
      const second = (await b.get("/admin?grid=2")).text;
      expect(rows(second)).toBe(5);
      expect(second).toContain("Teams 21–25 of 25");
      expect(second).toContain('href="/admin?grid=1#progress-title"');
      // The dashboard's refresh asks for the page on show; a page past the last gets the last.
      expect(rows((await b.get("/admin/progress?page=2")).text)).toBe(5);
      expect(rows((await b.get("/admin/progress?page=9")).text)).toBe(5);
      expect(rows((await b.get("/admin/progress")).text)).toBe(20);
      expect(rows((await b.get("/admin/progress?page=x")).text)).toBe(20);
    },
    30_000,
  );

  test("the print page has one QR card per checkpoint, pointing at /c/<code>", async () => {
    const app = makeApp();
    const b = await signedIn(app);
    const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const print = async (query: string, host: string) => {
      const res = await app.app.request(`http://${host}/admin/print${query}`, {
        headers: { cookie, accept: "text/html", host },
      });
      return await res.text();
    };
    let page = await print("", "cairn.example:8080");
    expect(page.match(/<article class="qr-card">/g)?.length).toBe(1);
    expect(page).toContain('<p class="url">http://cairn.example:8080/c/cp-123</p>');
    expect(page).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(page).not.toContain("Phones cannot open");
    // The organizer can say which address players use.
    page = await print("?origin=http://10.0.0.5:8080/", "cairn.example:8080");
    expect(page).toContain('<p class="url">http://10.0.0.5:8080/c/cp-123</p>');
    page = await print("?origin=javascript:alert(1)", "cairn.example:8080");
    expect(page).toContain('<p class="url">http://cairn.example:8080/c/cp-123</p>');
    // A laptop's own localhost is no use on a phone: the page says so.
    page = await print("?origin=http://localhost:8080", "localhost:8080");
    expect(page).toContain("Phones cannot open http://localhost:8080");
  });
});

describe("QR cards in a hunt with no checkpoint (a CTF)", () => {
  const CTF = `[hunt]\ntitle = "Flags"\ndivisions = ["kids"]\n
[[puzzle]]\nid = "web-1"\ntitle = "Web 1"\nanswer = "flag{a}"\nnormalize = "exact"\n
[[puzzle.hint]]\nid = "ask"\nkind = "ask"\n`;

  /** The admin navigation's links and whether the dashboard links the cards, on `app`'s pages. */
  async function cardLinks(app: App) {
    const b = browser(app, { cairn_admin: ADMIN_TOKEN });
    await joined(app);
    const nav = async (path: string) => {
      const page = await b.get(path);
      expect(page.status).toBe(200);
      const links = /<nav class="nav" aria-label="Main">([\s\S]*?)<\/nav>/.exec(page.text)![1]!;
      return [...links.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]).includes("/admin/print");
    };
    const paths = ["/admin", "/admin/teams/1", "/admin/hints", "/docs/api"];
    return {
      nav: await Promise.all(paths.map(nav)),
      dashboard: (await b.get("/admin")).text.includes("Printable QR cards"),
    };
  }

  test("no page links the QR cards; a hunt with a checkpoint links them everywhere", async () => {
    expect(await cardLinks(makeApp({ toml: CTF }))).toEqual({
      nav: [false, false, false, false],
      dashboard: false,
    });
    const withOne = CTF.replace(
      'answer = "flag{a}"',
      'answer = "flag{a}"\ncheckpoint = { code = "desk-1" }',
    );
    expect(await cardLinks(makeApp({ toml: withOne }))).toEqual({
      nav: [true, true, true, true],
      dashboard: true,
    });
  });

  test("/admin/print says there is none and how to add one, with no empty sheet", async () => {
    const page = (await browser(makeApp({ toml: CTF }), { cairn_admin: ADMIN_TOKEN }).get(
      "/admin/print",
    )).text;
    const text = page.replace(/<[^>]+>/g, "").replace(/&quot;/g, '"').replace(/\s+/g, " ");
    expect(text).toContain("This hunt has no checkpoints, so there are no QR cards to print.");
    expect(text).toContain(
      'To add one, give a puzzle a checkpoint = { code = "crane-7f3a" } in the hunt file',
    );
    expect(text).toContain("cairn docs hunt-file");
    expect(page).not.toContain('class="qr-cards"');
    expect(page).not.toContain("Address on the cards");
  });

  test("a variant's own checkpoint gets its card too", async () => {
    const toml = `[hunt]\ntitle = "Bridges"\n
[[puzzle]]\nid = "bridge"\ntitle = "Bridge"\n
[[puzzle.variant]]\nbody = "North."\nanswer = "n"\ncheckpoint = { code = "bridge-n" }\n
[[puzzle.variant]]\nbody = "South."\nanswer = "s"\ncheckpoint = { code = "bridge-s" }\n`;
    const page = (await browser(makeApp({ toml }), { cairn_admin: ADMIN_TOKEN }).get(
      "/admin/print",
    )).text;
    expect([...page.matchAll(/<p class="url">Code: ([^<]+)<\/p>/g)].map((m) => m[1])).toEqual([
      "bridge-n",
      "bridge-s",
    ]);
  });
});

describe('the address on the QR cards and the projector\'s "Join at"', () => {
  /** This machine's LAN addresses, as `serve` logs them (event=reachable) for --host 0.0.0.0. */
  const lan = Object.values(networkInterfaces()).flatMap((addresses) =>
    (addresses ?? []).filter((a) => !a.internal && a.family === "IPv4").map((a) => a.address)
  );

  /** The print page's card address and notices, and the projector's join line, for `host`. */
  async function addresses(listen: string | undefined, host: string, trustProxy?: string) {
    const app = makeApp({
      ...(listen !== undefined && { host: listen }),
      ...(trustProxy !== undefined && { trustProxy }),
    });
    const b = browser(app);
    await b.post("/admin/session", { token: ADMIN_TOKEN });
    const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const get = async (path: string) =>
      await (await app.app.request(`http://${host}${path}`, {
        headers: { cookie, accept: "text/html", host },
      })).text();
    const print = await get("/admin/print");
    const board = await get("/scoreboard?view=projector");
    return {
      card: /<p class="url">(\S+)\/c\/cp-123<\/p>/.exec(print)?.[1],
      suggestions: [...print.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]),
      loopbackOnly: /id="loopback-only"[^]*?<\/div>/.exec(print)?.[0].replace(/<[^>]+>/g, ""),
      join: /<span>Join at ([^<]+)<\/span>/.exec(board)?.[1],
      empty: /<p class="board-empty">([^<]*)<\/p>/.exec(board)?.[1],
    };
  }

  test("the default and --host :: give this machine's LAN addresses to a laptop on localhost", async () => {
    for (const listen of [undefined, "0.0.0.0", "::"]) {
      const seen = await addresses(listen, "localhost:8080");
      const first = lan[0] === undefined ? "http://localhost:8080" : `http://${lan[0]}:8080`;
      expect([listen, seen.card, seen.join]).toEqual([listen, first, `${first}/`]);
      expect(seen.suggestions).toEqual([
        ...lan.map((a) => `http://${a}:8080`),
        "http://localhost:8080",
      ]);
      expect(seen.loopbackOnly).toBeUndefined();
      expect(seen.empty).toBe(`No teams yet. Join at ${first}/`);
    }
  });

  test("--host 127.0.0.1 gives no LAN address, and says phones cannot reach it", async () => {
    for (
      const [listen, host] of [["127.0.0.1", "127.0.0.1:8080"], ["::1", "[::1]:8080"], [
        "localhost",
        "localhost:8080",
      ]]
    ) {
      const seen = await addresses(listen, host!);
      expect([listen, seen.card, seen.suggestions, seen.join]).toEqual([
        listen,
        `http://${host}`,
        [`http://${host}`],
        undefined,
      ]);
      expect(seen.loopbackOnly).toContain(
        `This server listens on ${listen} only: phones cannot reach it`,
      );
      expect(seen.loopbackOnly).toContain("cairn serve --host 0.0.0.0");
      expect(seen.empty).toBe("No teams yet.");
    }
  });

  test("--host 127.0.0.1 behind a proxy on this machine gives the address the page came to, with no notice", async () => {
    // nginx on the node's machine, as docs/scale-out.md and cairn-node@.service set it up.
    const seen = await addresses("127.0.0.1", "hunt.example.org", "127.0.0.1,::1");
    expect([seen.card, seen.suggestions, seen.join]).toEqual([
      "http://hunt.example.org",
      ["http://hunt.example.org"],
      "http://hunt.example.org/",
    ]);
    expect(seen.loopbackOnly).toBeUndefined();
    // A proxy elsewhere cannot reach a server on loopback: the notice stays.
    expect((await addresses("127.0.0.1", "hunt.example.org", "10.0.0.5")).loopbackOnly)
      .toContain("This server listens on 127.0.0.1 only: phones cannot reach it");
  });

  test("--host with one LAN address gives that address, and any address a page came to", async () => {
    let seen = await addresses("192.168.1.5", "localhost:8080");
    expect([seen.card, seen.suggestions, seen.join]).toEqual([
      "http://192.168.1.5:8080",
      ["http://192.168.1.5:8080", "http://localhost:8080"],
      "http://192.168.1.5:8080/",
    ]);
    seen = await addresses("fd00::5", "localhost:8080");
    expect(seen.card).toBe("http://[fd00::5]:8080");
    seen = await addresses("192.168.1.5", "192.168.1.5:8080");
    expect([seen.card, seen.join, seen.loopbackOnly]).toEqual([
      "http://192.168.1.5:8080",
      "http://192.168.1.5:8080/",
      undefined,
    ]);
  });
});

describe("not found", () => {
  test("is a page for browsers and the envelope for everyone else", async () => {
    const app = makeApp();
    const page = await browser(app).get("/nowhere");
    expect(page.status).toBe(404);
    expect(page.text).toContain("Page not found");
    const api = await app.call("GET", "/nowhere");
    expect(api.body).toEqual({ error: { code: "not_found", message: "There is nothing here" } });
    // So is a page's own 404, for a script.
    const token = await app.register("Gulls");
    const checkpoint = await app.call("GET", "/c/nope", { token });
    expect(checkpoint.status).toBe(404);
    expect(checkpoint.body.error.code).toBe("not_found");
  });
});
