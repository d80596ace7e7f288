import { describe, expect, test } from "bun:test";
import { convertExport } from "../../src/ctfd/mod.ts";
import { plainText } from "../../src/ctfd/plain.ts";
import { roundTitle, type Write } from "../../src/engine/mod.ts";
import { at, harborCtf, type Tables } from "./_export.ts";

const convert = (tables: Tables) =>
  convertExport({
    tables: new Map(Object.entries(tables)),
    uploads: new Set(["uploads/abc123/index.php"]),
  });

/** The Harbor CTF in `mode` ("teams" or "users") with CTFd settings `config`, converted. */
function convertedWith(config: Record<string, string>, mode = "teams") {
  const tables = harborCtf("x");
  tables.config = [
    ...tables.config!.filter((row) => row.key !== "user_mode"),
    { id: 9, key: "user_mode", value: mode },
    ...Object.entries(config).map(([key, value], i) => ({ id: 10 + i, key, value })),
  ];
  const result = convert(tables);
  if (result.kind !== "ok") throw new Error(result.message);
  return result.conversion;
}

/** Converts the tables, which must convert, and gives the conversion and its team writes. */
function teamsOf(tables: Tables) {
  const result = convert(tables);
  if (result.kind !== "ok") throw new Error(result.message);
  const teams = result.conversion.writes.filter((w) => w.kind === "team") as Extract<
    Write,
    { kind: "team" }
  >[];
  return { teams, conversion: result.conversion };
}

describe("convertExport()", () => {
  test("users mode: each user is a team of one, with the user's password and submissions", () => {
    const tables = harborCtf("x");
    tables.config = tables.config!.map((row) =>
      row.key === "user_mode" ? { ...row, value: "users" } : row
    );
    tables.users = tables.users!.map((user) => ({ ...user, password: `$2b$04$${user.name}` }));
    const { teams, conversion } = teamsOf(tables);
    // The admin stays behind; so does nobody else, as users mode ignores CTFd's teams.
    expect(teams.map((t) => [t.id, t.name, t.passwordHash, t.members])).toEqual([
      [1, "ann", "$2b$04$ann", []],
      [2, "bo", "$2b$04$bo", []],
      [3, "cy", "$2b$04$cy", []],
      [4, "dee", "$2b$04$dee", []],
      [6, "evil", "$2b$04$evil", []],
    ]);
    const solves = conversion.writes.filter((w) => w.kind === "guess" && w.result === "correct")
      .map((w) => [(w as { teamId: number }).teamId, (w as { puzzle: string }).puzzle]);
    expect(solves).toContainEqual([2, "misc-static"]);
    expect(solves).toContainEqual([6, "web-1"]);
    expect(conversion.report).toContain(
      "The event ran in users mode: each of its 5 user(s) is a team of one, with the user's name and password",
    );
  });

  test("hidden and banned teams come over hidden and banned, with what they did, before it", () => {
    const tables = harborCtf("x");
    tables.teams = tables.teams!.map((t) =>
      t.id === 3
        ? { ...t, hidden: true, password: "$2b$04$puffins" }
        : t.id === 4
        ? { ...t, password: "$2b$04$crew" }
        : t
    );
    const { teams, conversion } = teamsOf(tables);
    // They keep their passwords: a ban lifted in Cairn lets the team log in as it did in CTFd.
    expect(teams.map((t) => [t.id, t.name, t.passwordHash])).toEqual([
      [1, "Gulls", expect.any(String)],
      [2, "Terns", "x"],
      [3, "Puffins", "$2b$04$puffins"],
      [4, "Banned Crew", "$2b$04$crew"],
    ]);
    // Right after the teams, before anything they did.
    const writes = conversion.writes;
    const standing = (w: Write) => w.kind === "team_hidden" || w.kind === "team_banned";
    expect(writes.filter(standing)).toEqual([
      { kind: "team_hidden", teamId: 3, hidden: true, at: expect.any(Number) },
      { kind: "team_banned", teamId: 4, banned: true, at: expect.any(Number) },
    ]);
    const firstPlay = writes.findIndex((w) => w.kind !== "team" && !standing(w));
    expect(writes.findLastIndex(standing)).toBeLessThan(firstPlay);
    expect(writes.findLastIndex((w) => w.kind === "team")).toBeLessThan(writes.findIndex(standing));
    // The banned team's solve of Web 1 came over; the report says who is hidden and why.
    expect(writes).toContainEqual(expect.objectContaining({
      kind: "guess",
      teamId: 4,
      puzzle: "web-1",
      result: "correct",
    }));
    expect(conversion.report.find((line) => line.includes("hidden or banned"))).toBe(
      "2 hidden or banned team(s) came over hidden from the standings (and a banned one banned: " +
        "it cannot log in), with everything they did, as CTFd leaves them off its scoreboard and " +
        "out of dynamic solve counts; an organizer can lift a ban or show a team again on its " +
        'page in /admin: "Puffins" (hidden), "Banned Crew" (banned)',
    );
  });

  test("the accounts that had no password are named, as each needs one set in /admin", () => {
    const tables = harborCtf("x");
    const teams = convert(tables);
    if (teams.kind !== "ok") throw new Error(teams.message);
    expect(teams.conversion.report).toContain(
      "2 team(s) had no password in CTFd (made by an organizer, or through OAuth) and cannot log " +
        'in to Cairn until an organizer sets one (the team\'s page in /admin): "Puffins", "Banned Crew"',
    );
    tables.config = tables.config!.map((row) =>
      row.key === "user_mode" ? { ...row, value: "users" } : row
    );
    tables.users = tables.users!.map((u) => u.id === 2 ? { ...u, password: "$2b$04$bo" } : u);
    const users = convert(tables);
    if (users.kind !== "ok") throw new Error(users.message);
    expect(users.conversion.report).toContain(
      "4 user(s) had no password in CTFd (made by an organizer, or through OAuth) and cannot log " +
        'in to Cairn until an organizer sets one (the team\'s page in /admin): "ann", "cy", "dee", "evil"',
    );
  });

  test("e-mail addresses, affiliations, countries and websites are reported as not carried", () => {
    const lines = (tables: Tables) => {
      const result = convert(tables);
      if (result.kind !== "ok") throw new Error(result.message);
      return result.conversion.report.filter((line) => line.includes("had no place in Cairn"));
    };
    const tables = harborCtf("x");
    expect(lines(tables)).toEqual(["1 page(s) had no place in Cairn"]);
    tables.users = tables.users!.map((u) => ({
      ...u,
      email: `${u.name}@example.org`,
      country: "",
    }));
    tables.teams = tables.teams!.map((t) => t.id === 2 ? { ...t, affiliation: "Uni" } : t);
    expect(lines(tables)).toContain(
      "The teams' and users' e-mail addresses and affiliations had no place in Cairn: a team logs " +
        "in with its name, not an e-mail address",
    );
    tables.config = tables.config!.map((row) =>
      row.key === "user_mode" ? { ...row, value: "users" } : row
    );
    expect(lines(tables)).toContain(
      "The users' e-mail addresses had no place in Cairn: a player logs in with the user's " +
        "name, not an e-mail address",
    );
    tables.users = tables.users!.map((u) => ({ ...u, email: null, website: "https://x.org" }));
    expect(lines(tables)).toContain("The users' websites had no place in Cairn");
  });

  test("CTFd's registration code and team size come over; private registration is closed", () => {
    const hunt = (config: Record<string, string>, mode = "teams") => {
      const { registration, registrationCodes, teamSize } = convertedWith(config, mode).hunt;
      return { registration, registrationCodes, teamSize };
    };
    expect(hunt({ registration_code: " SeCrEt ", team_size: "4" })).toEqual({
      registration: "code",
      registrationCodes: ["SeCrEt"],
      teamSize: { min: 1, max: 4 },
    });
    expect(hunt({ registration_code: "", team_size: "0" })).toEqual({
      registration: "open",
      registrationCodes: [],
      teamSize: { min: 1, max: Infinity },
    });
    expect(hunt({ registration_visibility: "private", registration_code: "x" }).registration)
      .toBe("closed");
    // In users mode each user is a team of one: CTFd's team size has nothing to limit.
    expect(hunt({ team_size: "4" }, "users").teamSize).toEqual(hunt({}).teamSize);
  });

  test("CTFd's settings Cairn has no place for are reported when the event set them", () => {
    const report = (config: Record<string, string>, mode = "teams") => {
      return convertedWith(config, mode).report.filter((line) =>
        /^(The scoreboard was|Registration was through|CTFd allowed|The CTF was paused)/.test(line)
      );
    };
    // As a fresh CTFd sets them: nothing to say.
    expect(report({ score_visibility: "public", paused: "0", num_teams: "0" })).toEqual([]);
    expect(report({
      score_visibility: "hidden",
      registration_visibility: "mlc",
      num_teams: "50",
      num_users: "7",
      paused: "true",
    })).toEqual([
      "The scoreboard was hidden in CTFd; Cairn's is public (/scoreboard, /api/scoreboard and " +
      "the CTFtime feed /api/ctftime), to anyone who can reach the server",
      "Registration was through MajorLeagueCyber in CTFd; Cairn has no sign-in through another " +
      "site: registration is open, with a team name and a password",
      'CTFd allowed at most 50 teams; Cairn has no such limit (registration = "closed" stops new teams)',
      "The CTF was paused in CTFd; Cairn has no pause: it runs from its start to its end",
    ]);
    expect(report({ score_visibility: "private", num_users: "7", paused: "1" }, "users")).toEqual([
      "The scoreboard was shown only to logged-in players in CTFd; Cairn's is public " +
      "(/scoreboard, /api/scoreboard and the CTFtime feed /api/ctftime), to anyone who can reach " +
      "the server",
      'CTFd allowed at most 7 users; Cairn has no such limit (registration = "closed" stops new teams)',
      "The CTF was paused in CTFd; Cairn has no pause: it runs from its start to its end",
    ]);
  });

  test("a description with HTML, which CTFd rendered and Cairn shows as text, is reported", () => {
    const tables = harborCtf("x");
    const descriptions: Record<number, string> = {
      1: 'Go to <a href="http://web.ctf">the site</a><br>and look.',
      2: "The payload:\n\n```html\n<script>alert(1)</script>\n```\n\nor `<img src=x>`; 1 < 2 > 0.",
      3: "Mail <ops@harbor.ctf> or see <https://harbor.ctf>.\n\n<!-- for the authors -->",
    };
    tables.challenges = tables.challenges!.map((c) => ({
      ...c,
      description: descriptions[c.id as number] ?? c.description,
    }));
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    expect(result.conversion.report.filter((line) => line.includes("has HTML"))).toEqual([
      'The description of "Web 1" has HTML (<a href="http://web.ctf">), which CTFd rendered and ' +
      "Cairn shows as text: write it in Markdown in puzzles/web-1.md",
      'The description of "Misc Static" has HTML (<!--), which CTFd rendered and Cairn shows as ' +
      "text: write it in Markdown in puzzles/misc-static.md",
    ]);
  });

  test("names are cleaned as registering would refuse them, and a line says each change", () => {
    const tables = harborCtf("x");
    const rename: Record<number, string> = {
      1: "Gulls\t\r\nof the\u0085Bay", // controls: each run one space
      2: "\u202eTerns\u2066", // bidirectional controls: gone
      3: "\u200f\u0000", // nothing left: a name of its own
      4: "Banned\u202eCrew", // hidden: the report writes the override out
    };
    tables.teams = tables.teams!.map((t) => ({ ...t, name: rename[t.id as number] ?? t.name }));
    const users: Record<number, string> = {
      1: "Smith; Ann", // a semicolon separates CSV members: a comma instead
      2: "bo\u202e",
      3: "c".repeat(70) + "\u0007", // at most 64 characters
    };
    tables.users = tables.users!.map((u) => ({ ...u, name: users[u.id as number] ?? u.name }));
    const { teams, conversion } = teamsOf(tables);
    expect(teams.map((t) => [t.id, t.name, t.members])).toEqual([
      [1, "Gulls of the Bay", ["Smith, Ann", "bo"]],
      [2, "Terns", ["c".repeat(64)]],
      [3, "Team 3", ["dee"]],
      [4, "BannedCrew", ["evil"]],
    ]);
    const report = conversion.report;
    for (
      const line of [
        'The team "Gulls\\u0009\\u000d\\u000aof the\\u0085Bay" is named "Gulls of the Bay" in Cairn',
        'The team "\\u202eTerns\\u2066" is named "Terns" in Cairn',
        'The team "\\u200f\\u0000" is named "Team 3" in Cairn',
        'The user "Smith; Ann" is listed as "Smith, Ann" among the members of "Gulls of the Bay"',
        'The user "bo\\u202e" is listed as "bo" among the members of "Gulls of the Bay"',
        `The user "${"c".repeat(70)}\\u0007" is listed as "${
          "c".repeat(64)
        }" among the members of "Terns"`,
      ]
    ) expect(report).toContain(line);
    expect(report.find((line) => line.includes("hidden or banned"))).toContain(
      '"Banned\\u202eCrew" (banned)',
    );
    // No line of the report holds a character a name may not.
    // deno-lint-ignore no-control-regex -- control characters are what it looks for
    for (const line of report) expect(line).toMatch(/^[^\x00-\x1f\x7f-\x9f\u202e\u2066]*$/);
  });

  test("invisible characters are dropped from names as registering refuses them; emoji stay", () => {
    const tables = harborCtf("x");
    const rename: Record<number, string> = {
      1: "Gulls\u200b", // a zero-width space: gone, so "Gulls"
      2: "👨‍👩‍👧 Terns", // a family emoji: its joiners stay
      3: "\u3164\u2800", // fillers only: nothing left, a name of its own
    };
    tables.teams = tables.teams!.map((t) => ({ ...t, name: rename[t.id as number] ?? t.name }));
    tables.users = tables.users!.map((u) => (u.id === 1 ? { ...u, name: "Ann\u2060" } : u));
    const { teams, conversion } = teamsOf(tables);
    expect(teams.map((t) => t.name)).toEqual(["Gulls", "👨‍👩‍👧 Terns", "Team 3", "Banned Crew"]);
    expect(teams[0]!.members[0]).toBe("Ann");
    const report = conversion.report;
    for (
      const line of [
        'The team "Gulls\\u200b" is named "Gulls" in Cairn',
        'The team "\\u3164\\u2800" is named "Team 3" in Cairn',
        'The user "Ann\\u2060" is listed as "Ann" among the members of "Gulls"',
      ]
    ) expect(report).toContain(line);
    expect(report.some((line) => line.includes("Terns"))).toBe(false);
  });

  test("hint awards are left to the hint takes; other awards become adjustments", () => {
    const tables = harborCtf("x");
    tables.awards!.push({
      id: 9,
      user_id: null,
      team_id: 1,
      type: "standard",
      name: "Penalty",
      description: "Flag sharing",
      date: at(55),
      value: -40,
      category: null,
    });
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const adjustments = result.conversion.writes.filter((w) => w.kind === "adjustment");
    expect(
      adjustments.map((
        w,
      ) => [
        (w as { teamId: number }).teamId,
        (w as { points: number }).points,
        (w as { reason: string }).reason,
      ]),
    )
      .toEqual([[2, 25, "Writeup bonus"], [1, -40, "Penalty: Flag sharing"]]);
    const hints = result.conversion.writes.filter((w) => w.kind === "hint");
    expect(hints).toEqual([
      {
        kind: "hint",
        teamId: 1,
        puzzle: "misc-static",
        hint: "hint-1",
        at: Date.parse(at(25) + "Z"),
      },
      {
        kind: "hint",
        teamId: 3,
        puzzle: "misc-static",
        hint: "hint-1",
        at: Date.parse(at(29) + "Z"),
      },
    ]);
  });

  test("hint takes cost what CTFd charged: a changed cost, a refund and a hint left out are made up", () => {
    const tables = harborCtf("x");
    // Hint 1 (10 points now) cost Gulls 6 when they took it; Puffins' award was deleted (a
    // refund). Terns paid 5 for a hint of the Quiz, a plugin challenge that does not come over.
    tables.awards = tables.awards!.map((row) =>
      row.name === "Hint 1" && row.team_id === 1 ? { ...row, value: -6 } : row
    ).filter((row) => !(row.name === "Hint 1" && row.team_id === 3));
    tables.hints!.push({ id: 3, type: "standard", challenge_id: 5, content: "?", cost: 5 });
    tables.unlocks!.push({ id: 3, user_id: 3, team_id: 2, target: 3, date: at(34), type: "hints" });
    tables.awards!.push({
      id: 4,
      user_id: 3,
      team_id: 2,
      type: "standard",
      name: "Hint 3",
      description: "Hint for Quiz",
      date: at(34),
      value: -5,
      category: "hints",
    });
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const adjustments = result.conversion.writes.filter((w) => w.kind === "adjustment")
      .map((w) => {
        const { teamId, points, reason, at: when } = w as Extract<Write, { kind: "adjustment" }>;
        return [teamId, points, reason, when];
      });
    const minute = (m: number) => Date.parse(at(m) + "Z");
    expect(adjustments).toEqual([
      // Each team's total is CTFd's: the take charges 10, and CTFd charged 6 and 0.
      [1, 4, "CTFd charged 6 points for hint-1 of misc-static, not its cost of 10", minute(25)],
      [3, 10, "CTFd charged 0 points for hint-1 of misc-static, not its cost of 10", minute(29)],
      [2, -5, "Hint 3: Hint for Quiz", minute(34)],
      [2, 25, "Writeup bonus", minute(50)],
    ]);
  });

  test("brackets of the event's mode become divisions; the teams keep theirs", () => {
    const teamsMode = harborCtf("x");
    teamsMode.brackets = [
      { id: 1, name: "Students", type: "teams" },
      { id: 2, name: "Open", type: "teams" },
      { id: 3, name: "students!", type: "teams" },
      { id: 4, name: "Solo players", type: "users" },
    ];
    teamsMode.teams = teamsMode.teams!.map((team) => ({ ...team, bracket_id: team.id }));
    const { teams, conversion } = teamsOf(teamsMode);
    expect(teams.map((t) => [t.name, t.division])).toEqual([
      ["Gulls", "students"],
      ["Terns", "open"],
      ["Puffins", "students-2"],
      ["Banned Crew", null],
    ]);
    expect(conversion.hunt.divisions).toEqual(["students", "open", "students-2"]);
    expect(conversion.toml).toContain('divisions = [ "students", "open", "students-2" ]');
    expect(conversion.report).toContain(
      'Brackets are divisions in Cairn: "Students" is "students", "Open" is "open", ' +
        '"students!" is "students-2"',
    );
    expect(conversion.report).toContain(
      '1 bracket(s) of users had no place in Cairn, whose divisions group teams: "Solo players"',
    );
    // In users mode, the users' brackets.
    const usersMode = harborCtf("x");
    usersMode.config = usersMode.config!.map((row) =>
      row.key === "user_mode" ? { ...row, value: "users" } : row
    );
    usersMode.brackets = [{ id: 7, name: "Solo", type: "users" }, {
      id: 8,
      name: "Crews",
      type: "teams",
    }];
    usersMode.users = usersMode.users!.map((user) => ({
      ...user,
      bracket_id: user.id === 2 ? 7 : null,
    }));
    const solo = teamsOf(usersMode);
    expect(solo.teams.map((t) => [t.name, t.division])).toEqual([
      ["ann", null],
      ["bo", "solo"],
      ["cy", null],
      ["dee", null],
      ["evil", null],
    ]);
  });

  test("unlock times: registration or start, prerequisites solved, first guess at the latest", () => {
    const tables = harborCtf("x");
    // Core Dynamic is scheduled (CTFd 3.8) to show an hour in.
    tables.challenges![5]!.scheduled_at = at(60);
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const unlocks = result.conversion.writes.filter((w) => w.kind === "unlock" && w.teamId === 3)
      .map((w) => [(w as { puzzle: string }).puzzle, (w as { at: number }).at]);
    const start = Date.parse(at(0) + "Z");
    expect(unlocks).toEqual([
      ["web-1", start],
      ["crypto-log", start],
      // Puffins solved web-1 at +14 minutes, which opened misc-static.
      ["misc-static", Date.parse(at(14) + "Z")],
      // Scheduled an hour in, but Puffins solved it at +42 minutes: it had it by then.
      ["core-dynamic", Date.parse(at(42) + "Z")],
    ]);
    expect(result.conversion.toml).toContain(
      'unlock = "after(\\"2026-03-07T10:00:00.000Z\\")"',
    );
  });

  test("challenges that need themselves, through a cycle of prerequisites, stay hidden", () => {
    const tables = harborCtf("x");
    // Web 1 and Misc Static need each other; Crypto Log needs itself; Core Dynamic needs Web 1.
    tables.challenges![0]!.requirements = { prerequisites: [3] };
    tables.challenges![1]!.requirements = { prerequisites: [2] };
    tables.challenges![5]!.requirements = { prerequisites: [1] };
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const hidden = result.conversion.hunt.puzzles.filter((p) =>
      p.unlock?.expr.kind === "const" && p.unlock.expr.value === false
    ).map((p) => p.id);
    expect(hidden).toEqual(["web-1", "crypto-log", "misc-static", "hidden-one", "core-dynamic"]);
    for (const title of ["Web 1", "Crypto Log", "Misc Static"]) {
      expect(result.conversion.report).toContain(
        `"${title}" needs itself through its prerequisites, so no team could open it: it stays hidden`,
      );
    }
    expect(result.conversion.report).toContain(
      '"Core Dynamic" needs a hidden challenge, so it stays hidden too',
    );
  });

  test("hints that need themselves, or need such a hint, are left out", () => {
    const tables = harborCtf("x");
    // Misc Static's hints 1 and 2 need each other; hint 5 needs hint 2; Web 1's hint 3 needs
    // itself; hint 4 needs nothing.
    tables.hints![0]!.requirements = { prerequisites: [2] };
    tables.hints!.push(
      {
        id: 3,
        type: "standard",
        challenge_id: 1,
        content: "Me",
        cost: 1,
        requirements: { prerequisites: [3] },
      },
      { id: 4, type: "standard", challenge_id: 1, content: "Free", cost: 0, requirements: null },
      {
        id: 5,
        type: "standard",
        challenge_id: 3,
        content: "After",
        cost: 0,
        requirements: { prerequisites: [2] },
      },
    );
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const hints = Object.fromEntries(
      result.conversion.hunt.puzzles.map((p) => [p.id, p.hints.map((h) => h.id)]),
    );
    expect([hints["web-1"], hints["misc-static"]]).toEqual([["hint-4"], []]);
    for (
      const [hint, title] of [[1, "Misc Static"], [2, "Misc Static"], [5, "Misc Static"], [
        3,
        "Web 1",
      ]]
    ) {
      expect(result.conversion.report).toContain(
        `Hint ${hint} of "${title}" needs itself through its prerequisites (or a hint that does), ` +
          "so no team could take it: it was left out",
      );
    }
  });

  test("players see each challenge's solves, as in CTFd, unless CTFd hid scores or accounts", () => {
    for (
      const [config, shown] of [
        [{}, true],
        [{ score_visibility: "private", account_visibility: "private" }, true],
        [{ score_visibility: "hidden" }, false],
        [{ score_visibility: "admins" }, false],
        [{ account_visibility: "admins" }, false],
      ] as const
    ) {
      const conversion = convertedWith(config);
      expect({ config, shown: conversion.hunt.showSolves }).toEqual({ config, shown });
      expect(conversion.toml.includes("show_solves = true")).toBe(shown);
    }
  });

  test("a hint's title comes over as its title, shown before it is taken, as CTFd shows it", () => {
    const tables = harborCtf("x");
    // Misc Static's hint 1 gets a title; hint 3 of Web 1 has a title and no content; hint 4 none.
    tables.hints![0]!.title = "  Where to start ";
    tables.hints!.push(
      { id: 3, challenge_id: 1, title: "Ports", content: "", cost: 1, requirements: null },
      { id: 4, challenge_id: 1, title: "", content: " Look closer\n", cost: 0 },
    );
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const hints = Object.fromEntries(
      result.conversion.hunt.puzzles.map((p) => [
        p.id,
        p.hints.map(({ id, title, text }) => ({ id, title, text })),
      ]),
    );
    expect(hints["misc-static"]).toEqual([
      { id: "hint-1", title: "Where to start", text: "Try harder" },
      { id: "hint-2", title: undefined, text: "Really" },
    ]);
    expect(hints["web-1"]).toEqual([
      { id: "hint-3", title: "Ports", text: "Ports" },
      { id: "hint-4", title: undefined, text: "Look closer" },
    ]);
    // The hunt file says it: `title` on the hint, and no title in bold in its text.
    expect(result.conversion.toml).toContain('title = "Where to start"');
    expect(result.conversion.toml).not.toContain("**");
  });

  test("values a hunt file cannot hold: attempts are capped, a time past 9999 is dropped", () => {
    const tables = harborCtf("x");
    tables.challenges![1]!.max_attempts = 999_999_999;
    tables.config = tables.config!.map((row) =>
      row.key === "end" ? { ...row, value: "1000000000000" } : row
    );
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const crypto = result.conversion.hunt.puzzles.find((p) => p.id === "crypto-log")!;
    expect(crypto.guessLimit).toMatchObject({ count: 1_000_000 });
    expect(result.conversion.toml).not.toContain("ends_at");
    expect(result.conversion.report).toContain(
      '"Crypto Log" allowed 999999999 attempts in CTFd, more than a hunt file allows: it allows 1000000',
    );
    expect(result.conversion.report).toContain(
      "The end time (1000000000000) is past the year 9999 and was dropped",
    );
  });

  test("categories keep their names as CTFd shows them, as rounds' titles; a blank name is named", () => {
    const tables = harborCtf("x");
    const extra = (id: number, name: string, category: string | null) => ({
      ...tables.challenges![2]!,
      id,
      name,
      category,
      requirements: null,
    });
    tables.challenges!.push(
      extra(20, "Whois", "OSINT"),
      extra(21, "Kanji", "暗号"),
      extra(22, "Kana", " 問題 "),
      extra(23, "   ", "Misc"),
      extra(24, "Loose", null),
    );
    tables.flags!.push(
      ...[20, 21, 22, 23, 24].map((id) => ({
        id,
        challenge_id: id,
        type: "static",
        content: `flag{${id}}`,
        data: "",
      })),
    );
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const { hunt } = result.conversion;
    const shown = (title: string) => {
      const puzzle = hunt.puzzles.find((p) => p.title === title)!;
      return [puzzle.id, puzzle.round, roundTitle(hunt, puzzle.round)];
    };
    // "Web" and "Misc" read as they did; the others get a [[round]] title.
    expect(shown("Web 1")).toEqual(["web-1", "web", "Web"]);
    expect(shown("Whois")).toEqual(["whois", "osint", "OSINT"]);
    // Two categories with nothing an id can keep stay two rounds.
    expect(shown("Kanji")).toEqual(["kanji", "category-1", "暗号"]);
    expect(shown("Kana")).toEqual(["kana", "category-2", "問題"]);
    expect(shown("Loose")).toEqual(["loose", "main", "Main"]);
    // A challenge named with spaces only (CTFd's API takes it) no longer fails the import.
    expect(shown("Challenge 23")).toEqual(["challenge-23", "misc", "Misc"]);
    expect(result.conversion.toml).toContain('[[round]]\nid = "osint"\ntitle = "OSINT"\n');
    expect(result.conversion.toml).not.toContain('id = "web"\ntitle');
  });

  test("what has no place in Cairn is reported: modules' audiences, topics, ratings", () => {
    const tables = harborCtf("x");
    // CTFd 3.8: Web 1 and the hidden challenge are in a module only one audience sees.
    tables.challenges![0]!.module_id = 1;
    tables.challenges![3]!.module_id = 1;
    tables.modules = [{ id: 1, name: "Finals", description: null }];
    tables.audiences = [{ id: 1, name: "Finalists", description: null, type: "standard" }];
    tables.audience_members = [{ id: 1, audience_id: 1, user_id: null, team_id: 1 }];
    tables.module_audience_access = [{ id: 1, module_id: 1, audience_id: 1 }];
    tables.topics = [{ id: 1, value: "sqli" }];
    tables.ratings = [{ id: 1, user_id: 1, challenge_id: 1, value: 1, review: "Nice" }];
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    for (
      const line of [
        "1 challenge(s) were in modules (CTFd 3.8), which only the audiences given access to them " +
        'see; Cairn has no audiences, so every team sees them: "Web 1"',
        "1 challenge topic(s) had no place in Cairn",
        "1 challenge rating(s) and review(s) had no place in Cairn",
        "1 audience(s) had no place in Cairn",
      ]
    ) expect(result.conversion.report).toContain(line);
  });

  test("a challenge that needs a hidden one stays hidden, down a chain", () => {
    const tables = harborCtf("x");
    // Misc Static needs Web 1; hide Web 1, and make Core Dynamic need Misc Static.
    tables.challenges![0]!.state = "hidden";
    tables.challenges![5]!.requirements = { prerequisites: [3] };
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const hidden = result.conversion.hunt.puzzles.filter((p) =>
      p.unlock?.expr.kind === "const" && p.unlock.expr.value === false
    ).map((p) => p.id);
    expect(hidden).toEqual(["web-1", "misc-static", "hidden-one", "core-dynamic"]);
    expect(result.conversion.report).toContain(
      '"Core Dynamic" needs a hidden challenge, so it stays hidden too',
    );
  });

  test("regex flags written for Python's re come over as the same patterns in JavaScript's syntax", () => {
    // [CTFd's flag, the pattern in the hunt file, a flag CTFd accepts, one it refuses]
    const cases: [string, string, string, string][] = [
      ["flag{[a-z]+}", "flag\\{[a-z]+\\}", "flag{abc}", "flag{ab1}"],
      ["CTF\\{a\\-b\\_c\\}", "CTF\\{a-b_c\\}", "CTF{a-b_c}", "CTF{a_b_c}"],
      ["(?i)flag\\{x\\}", "flag\\{x\\}", "FLAG{X}", "flag{y}"],
      ["\\Aflag\\{[a-z\\_]+\\}\\Z", "^flag\\{[a-z_]+\\}$", "flag{a_b}", "flag{a-b}"],
      ["f\\{(?P<n>\\d+)-(?P=n)\\}", "f\\{(?<n>\\d+)-\\k<n>\\}", "f{12-12}", "f{12-13}"],
      [
        "flag\\{hello\\ world\\!\\}",
        "flag\\{hello world!\\}",
        "flag{hello world!}",
        "flag{hello_world!}",
      ],
      ["flag\\{a{,3}\\}", "flag\\{a{0,3}\\}", "flag{aaa}", "flag{aaaa}"],
      // {,} is a quantifier in Python (a*), and {} a brace.
      ["flag\\{a{,}\\}", "flag\\{a{0,}\\}", "flag{aaaa}", "flag{a{,}}"],
      ["x{}", "x\\{\\}", "x{}", "x"],
      ["[]x]+", "[\\]x]+", "]x]", "x["],
      ["[^]\\!]+", "[^\\]!]+", "ab", "a!"],
      ["flag\\{c[0-9]+\\}", "flag\\{c[0-9]+\\}", "flag{c7}", "flag{c}"],
    ];
    for (const [flag, pattern, accepted, refused] of cases) {
      const tables = harborCtf("x");
      tables.flags = tables.flags!.map((f) => f.id === 2 ? { ...f, content: flag } : f);
      const result = convert(tables);
      if (result.kind !== "ok") throw new Error(result.message);
      const puzzle = result.conversion.hunt.puzzles.find((p) => p.id === "crypto-log")!;
      expect([flag, puzzle.answers.spec.regexes]).toEqual([flag, [pattern]]);
      expect([flag, puzzle.answers.check(accepted).kind]).toEqual([flag, "correct"]);
      expect([flag, puzzle.answers.check(refused).kind]).toEqual([flag, "incorrect"]);
      const rewritten = result.conversion.report.filter((line) => line.includes("Python's"));
      expect(rewritten).toEqual(
        flag === pattern ? [] : [
          `A regex flag of "Crypto Log" is written in JavaScript's syntax, which Cairn's patterns ` +
          `use, as ${pattern} (CTFd's, in Python's: ${flag})`,
        ],
      );
    }
  });
});

describe("regex flags and case", () => {
  test("a case-sensitive regex flag refuses the other case; a case-insensitive one takes it", () => {
    // [CTFd's flag, its data, the pattern in the hunt file, guesses it takes, guesses it refuses]
    const cases: [string, string | null, string, string[], string[]][] = [
      ["flag\\{Ab[0-9]+\\}", null, "(?-i:flag\\{Ab[0-9]+\\})", ["flag{Ab1}"], [
        "FLAG{AB1}",
        "flag{ab1}",
      ]],
      ["flag\\{Ab[0-9]+\\}", "", "(?-i:flag\\{Ab[0-9]+\\})", ["flag{Ab1}"], ["FLAG{Ab1}"]],
      // Alternatives and anchors stay inside the group.
      ["\\Aab\\Z|cd", null, "(?-i:^ab$|cd)", ["ab", "cd"], ["AB", "Cd", "abcd"]],
      ["flag\\{Ab\\}", "case_insensitive", "flag\\{Ab\\}", ["flag{Ab}", "FLAG{AB}"], [
        "flag{Ac}",
      ]],
      // A leading (?i) is case-insensitive too, as in CTFd.
      ["(?i)flag\\{Ab\\}", null, "flag\\{Ab\\}", ["FLAG{aB}"], ["flag{Ac}"]],
    ];
    for (const [flag, data, pattern, taken, refused] of cases) {
      const tables = harborCtf("x");
      tables.flags = tables.flags!.map((f) => f.id === 2 ? { ...f, content: flag, data } : f);
      const result = convert(tables);
      if (result.kind !== "ok") throw new Error(result.message);
      const puzzle = result.conversion.hunt.puzzles.find((p) => p.id === "crypto-log")!;
      expect([flag, data, puzzle.answers.spec.regexes]).toEqual([flag, data, [pattern]]);
      for (const guess of taken) {
        expect([flag, guess, puzzle.answers.check(guess).kind]).toEqual([flag, guess, "correct"]);
      }
      for (const guess of refused) {
        expect([flag, guess, puzzle.answers.check(guess).kind]).toEqual([
          flag,
          guess,
          "incorrect",
        ]);
      }
      // The flag is judged as in CTFd: no line says it changed.
      expect(result.conversion.report.filter((line) => /case/i.test(line))).toEqual([]);
    }
  });

  test("a case-sensitive flag in Python's syntax is reported as the pattern the hunt file holds", () => {
    const tables = harborCtf("x");
    tables.flags = tables.flags!.map((f) =>
      f.id === 2 ? { ...f, content: "flag{[a-z]+}", data: "" } : f
    );
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const puzzle = result.conversion.hunt.puzzles.find((p) => p.id === "crypto-log")!;
    expect(puzzle.answers.spec.regexes).toEqual(["(?-i:flag\\{[a-z]+\\})"]);
    expect(puzzle.answers.check("flag{abc}").kind).toBe("correct");
    expect(puzzle.answers.check("flag{aBc}").kind).toBe("incorrect");
    expect(result.conversion.report).toContain(
      `A regex flag of "Crypto Log" is written in JavaScript's syntax, which Cairn's patterns use, ` +
        "as (?-i:flag\\{[a-z]+\\}) (CTFd's, in Python's: flag{[a-z]+})",
    );
    // The hunt file holds the same pattern.
    expect(result.conversion.toml).toContain(
      String.raw`answer_regex = [ "(?-i:flag\\{[a-z]+\\})" ]`,
    );
  });

  test("regex flags of one challenge that are fine alone but too many together: the later ones are left out", () => {
    const tables = harborCtf("x");
    // Each takes about 85 ms for 500 letters; a guess is tried against each.
    const flags = ["b", "c", "d"].map((end, index) => ({
      id: 20 + index,
      challenge_id: 2,
      type: "regex",
      content: `a.*a.*a.*a{0,3}${end}`,
      data: "case_insensitive",
    }));
    tables.flags = [...tables.flags!.filter((f) => f.challenge_id !== 2), ...flags];
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const puzzle = result.conversion.hunt.puzzles.find((p) => p.id === "crypto-log")!;
    expect(puzzle.answers.spec.regexes).toEqual(["a.*a.*a.*a{0,3}b"]);
    expect(puzzle.answers.check("aaab").kind).toBe("correct");
    expect(result.conversion.report.filter((line) => line.startsWith("A regex flag"))).toEqual(
      ["c", "d"].map((end) =>
        `A regex flag of "Crypto Log" was left out: with the flags before it, a crafted guess could make them run for seconds (cairn check explains the shape): a.*a.*a.*a{0,3}${end}`
      ),
    );
  });

  test("a flag whose brackets do not pair stays left out, though a group around it would pair them", () => {
    const tables = harborCtf("x");
    tables.flags = tables.flags!.map((f) => f.id === 2 ? { ...f, content: "a)|(b", data: "" } : f);
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    expect(result.conversion.hunt.puzzles.some((p) => p.id === "crypto-log")).toBe(false);
    expect(result.conversion.report).toContain(
      `A regex flag of "Crypto Log" is not valid in JavaScript's syntax and was left out: a)|(b`,
    );
  });
});

describe("notifications", () => {
  test("plainText() writes a notification's Markdown as the words CTFd's page showed", () => {
    const cases: [string, string][] = [
      [
        "**Server down**: use `nc 10.0.0.5 1337` instead, see [the rules](https://ctf.example/rules).",
        "Server down: use nc 10.0.0.5 1337 instead, see the rules (https://ctf.example/rules).",
      ],
      // A link that shows its address, or an e-mail address, is not given twice.
      ["<https://ctf.example/> or [a@b.c](mailto:a@b.c)", "https://ctf.example/ or a@b.c"],
      [
        "# Heads up\n\nFlags are `flag{...}`, _not_ `FLAG{}`.",
        "Heads up\n\nFlags are flag{...}, not FLAG{}.",
      ],
      [
        "- one\n- two\n  1. nested\n\n3. three\n4. four",
        "- one\n- two\n  1. nested\n\n3. three\n4. four",
      ],
      // Code as written, marks and all; a struck-out time keeps its marks.
      ["```\nprint(*args)\n```\n\n~~10:00~~ 11:00", "print(*args)\n\n~~10:00~~ 11:00"],
      // CTFd takes raw HTML: its tags go, a <br> breaks the line; a lone < and snake_case stay.
      ["a<br>b <b>bold</b> &amp; 5 < 6 in snake_case_name", "a\nb bold & 5 < 6 in snake_case_name"],
      ["| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"],
      ["![map](/files/abc/map.png) \\*not em\\*", "map (/files/abc/map.png) *not em*"],
      ["plain text, as typed", "plain text, as typed"],
      // A script or a style is run or applied by CTFd's page, never shown: its text goes with it.
      [
        "<script>alert(1)</script>\n\nStarts at <b>noon</b><script>track()</script>.<style>p{}</style>",
        "Starts at noon.",
      ],
      // A quoted > belongs to its tag; any entity of raw HTML reads as its character.
      ['<a href="/x" title="a>b">Rules</a> <p>&copy; &#8217; &#x41; &mdash;</p>', "Rules © ’ A —"],
    ];
    for (const [markdown, plain] of cases) {
      expect({ markdown, plain: plainText(markdown) }).toEqual({ markdown, plain });
    }
  });

  test("come over as announcements in plain text, and the report says how many had Markdown", () => {
    const tables = harborCtf("x");
    tables.notifications = [
      { id: 1, title: "Welcome", content: "Good luck", date: at(1), user_id: null, team_id: null },
      {
        id: 2,
        title: "Web 1 fixed",
        content: "**Web 1** is back: `curl http://10.0.0.5/`. [Status](https://status.example)",
        date: at(2),
        user_id: null,
        team_id: null,
      },
      { id: 3, title: "Only a title", content: "", date: at(3), user_id: null, team_id: null },
    ];
    const result = convert(tables);
    if (result.kind !== "ok") throw new Error(result.message);
    const { writes, report } = result.conversion;
    expect(writes.filter((w) => w.kind === "announcement").map((w) => "text" in w && w.text))
      .toEqual([
        "Welcome\n\nGood luck",
        "Web 1 fixed\n\nWeb 1 is back: curl http://10.0.0.5/. Status (https://status.example)",
        "Only a title",
      ]);
    expect(report.filter((line) => line.includes("notification"))).toEqual([
      "1 notification(s) had Markdown, which CTFd renders and Cairn shows as typed: each came over " +
      "as plain text, its words without the marks, a link's address after its words, code as it is",
    ]);
  });
});
