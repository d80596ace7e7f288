import { describe, expect, test } from "bun:test";
import { FakeClock, MINUTE, START } from "../engine/_hunt.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN } from "./_app.ts";
import { listen } from "../../src/server/mod.ts";

const envelope = (code: string, message: string) => ({ error: { code, message } });

describe("GET /healthz and unknown paths", () => {
  test("/healthz answers ok, and an unknown path gets the not_found envelope", async () => {
    const { call } = makeApp();
    expect(await call("GET", "/healthz")).toMatchObject({ status: 200, body: { ok: true } });
    const missing = await call("GET", "/nope");
    expect(missing).toMatchObject({
      status: 404,
      body: envelope("not_found", "There is nothing here"),
    });
    expect(missing.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("GET /api/hunt", () => {
  test("gives the public metadata", async () => {
    const { call } = makeApp();
    expect((await call("GET", "/api/hunt")).body).toEqual({
      title: "Test Hunt",
      starts_at: "2026-11-21T10:00:00.000Z",
      ends_at: "2026-11-21T16:00:00.000Z",
      solutions_at: null,
      freeze_at: null,
      running: true,
      registration: "open",
      divisions: ["kids", "adults"],
      team_size: { min: 1, max: 3 },
    });
  });
});

describe("POST /api/teams", () => {
  test("registers a team: 201, a token, and an HttpOnly SameSite=Lax cookie", async () => {
    const { call } = makeApp();
    const reply = await call("POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse", division: "kids", members: ["Ann"] },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({ team: { id: 1, name: "Gulls" }, token: expect.any(String) });
    const cookie = reply.headers.get("set-cookie")!;
    expect(cookie).toStartWith(`cairn_session=${reply.body.token};`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
  });

  test("marks the cookie Secure behind https", async () => {
    const { call } = makeApp();
    const reply = await call("POST", "/api/teams", {
      body: { name: "Gulls", password: "correct horse" },
      headers: { "x-forwarded-proto": "https" },
    });
    expect(reply.headers.get("set-cookie")).toContain("Secure");
  });

  const refusals: [string, unknown, number, ReturnType<typeof envelope>][] = [
    [
      "an unknown field",
      { name: "X", password: "correct horse", colour: "red" },
      400,
      envelope(
        "bad_request",
        'Unknown field "colour"',
      ),
    ],
    ["a missing password", { name: "X" }, 400, envelope("bad_request", 'Missing field "password"')],
    [
      "a short password",
      { name: "X", password: "short" },
      400,
      envelope(
        "bad_request",
        'Field "password": The password needs at least 8 characters',
      ),
    ],
    [
      "a name of the wrong type",
      { name: 5, password: "correct horse" },
      400,
      envelope(
        "bad_request",
        'Field "name": Invalid type: Expected string but received 5',
      ),
    ],
    [
      "an unknown division",
      { name: "X", password: "correct horse", division: "pets" },
      400,
      envelope(
        "bad_request",
        'Unknown division "pets": use one of kids, adults',
      ),
    ],
    [
      "too many members",
      { name: "X", password: "correct horse", members: ["a", "b", "c", "d"] },
      400,
      envelope(
        "bad_request",
        "A team has 1 to 3 members; this one lists 4",
      ),
    ],
    [
      "a member listed twice",
      { name: "X", password: "correct horse", members: ["a", "a"] },
      400,
      envelope("bad_request", 'The member "a" is listed twice: list each member once'),
    ],
    [
      "a name taken, in other case and spacing",
      { name: "  gULLS ", password: "correct horse" },
      409,
      envelope(
        "conflict",
        "That team name is taken",
      ),
    ],
    [
      "an array instead of an object",
      [1, 2],
      400,
      envelope("bad_request", "The request body must be a JSON object"),
    ],
  ];
  for (const [what, body, status, expected] of refusals) {
    test(`refuses ${what}`, async () => {
      const { call, register } = makeApp();
      await register("Gulls");
      expect(await call("POST", "/api/teams", { body })).toMatchObject({ status, body: expected });
    });
  }

  // Limits count characters (code points): an owl is one character, two UTF-16 units.
  const owls = (n: number) => "🦉".repeat(n);
  const counted: [string, string, (n: number) => Record<string, unknown>, string, number][] = [
    [
      "a team name",
      "/api/teams",
      (n) => ({ name: owls(n), password: "correct horse" }),
      "name",
      64,
    ],
    [
      "a member",
      "/api/teams",
      (n) => ({ name: "X", password: "correct horse", members: [owls(n)] }),
      "members.0",
      64,
    ],
    ["a password", "/api/teams", (n) => ({ name: "X", password: owls(n) }), "password", 256],
    ["an announcement", "/api/admin/announcements", (n) => ({ text: owls(n) }), "text", 2000],
    [
      "an adjustment's reason",
      "/api/admin/adjustments",
      (n) => ({ team: 1, points: 1, reason: owls(n) }),
      "reason",
      500,
    ],
  ];
  for (const [what, path, body, field, max] of counted) {
    test(`counts ${what} in characters: ${max} emoji fit, ${max + 1} are refused`, async () => {
      const { call, register } = makeApp();
      await register("Gulls");
      const token = path.startsWith("/api/admin/") ? ADMIN_TOKEN : undefined;
      expect((await call("POST", path, { token, body: body(max) })).status).toBe(201);
      expect(await call("POST", path, { token, body: body(max + 1) })).toMatchObject({
        status: 400,
        body: envelope(
          "bad_request",
          `Field "${field}": Expected at most ${max} characters but received ${max + 1}`,
        ),
      });
    });
  }

  test("counts a password's minimum in characters: 4 emoji are 4, not 8", async () => {
    const { call } = makeApp();
    expect(await call("POST", "/api/teams", { body: { name: "X", password: owls(4) } }))
      .toMatchObject({
        status: 400,
        body: envelope("bad_request", 'Field "password": The password needs at least 8 characters'),
      });
    expect((await call("POST", "/api/teams", { body: { name: "X", password: owls(8) } })).status)
      .toBe(201);
  });

  test("refuses bad JSON and bad UTF-8 with 400", async () => {
    const { call } = makeApp();
    const headers = { "content-type": "application/json" };
    expect(await call("POST", "/api/teams", { raw: "{nope", headers })).toMatchObject({
      status: 400,
      body: envelope("bad_request", "The request body is not valid JSON"),
    });
    const badUtf8 = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect(await call("POST", "/api/teams", { raw: badUtf8, headers })).toMatchObject({
      status: 400,
      body: envelope("bad_request", "The request body is not valid UTF-8"),
    });
  });

  test("two names whose lone surrogates SQLite would store alike are refused, and the server stays up", async () => {
    const { call, register, game } = makeApp();
    for (const name of ["Crash\ud800", "Crash\udfff", "\udc00Lone"]) {
      expect(await call("POST", "/api/teams", { body: { name, password: "correct horse" } }))
        .toMatchObject({
          status: 400,
          body: envelope(
            "bad_request",
            'Field "name": The text is not well-formed Unicode (it has a lone surrogate)',
          ),
        });
    }
    expect(game.store.failed).toBe(false);
    // A well-formed pair is one character, and welcome.
    await register("Owls \ud83e\udd89");
    expect((await call("GET", "/api/scoreboard")).body.teams[0].name).toBe("Owls 🦉");
  });

  test("a body nested as deep as 64 KiB allows is looked through without running out of stack", async () => {
    const { call } = makeApp();
    const deep = (inner: string) => "[".repeat(30_000) + inner + "]".repeat(30_000);
    const ok = '{"name":"A\\u00e9","password":"correct horse","members":' + deep('"\\u0041"') + "}";
    expect((await call("POST", "/api/teams", { raw: ok })).status).toBe(400);
    const bad = '{"name":"A","password":"correct horse","members":' + deep('"\\ud800"') + "}";
    const reply = await call("POST", "/api/teams", { raw: bad });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toEndWith(
      '.0": The text is not well-formed Unicode (it has a lone surrogate)',
    );
  });

  const malformed: [string, string, string, Record<string, unknown>, string][] = [
    ["a password", "POST", "/api/teams", { name: "X", password: "correct\ud800horse" }, "password"],
    ["a member", "POST", "/api/teams", {
      name: "X",
      password: "p4ssw0rd!",
      members: ["A", "\udfff"],
    }, "members.1"],
    [
      "a login name",
      "POST",
      "/api/session",
      { name: "Gulls\ud800", password: "correct horse" },
      "name",
    ],
    ["a guess", "POST", "/api/puzzles/a/guesses", { answer: "alpha\ud800" }, "answer"],
    ["a check-in code", "POST", "/api/checkins", { code: "\ud800" }, "code"],
    ["a question", "POST", "/api/puzzles/a/hints/ask/asks", { question: "Why\udbff?" }, "question"],
    ["an announcement", "POST", "/api/admin/announcements", { text: "Lunch\ud800" }, "text"],
    ["a field's name", "POST", "/api/admin/announcements", { "te\ud800xt": "Lunch" }, "te\ufffdxt"],
  ];
  for (const [what, method, path, body, field] of malformed) {
    test(`refuses ${what} that is not well-formed Unicode`, async () => {
      const { call, register } = makeApp();
      const token = path.startsWith("/api/admin/") ? ADMIN_TOKEN : await register("Gulls");
      expect(await call(method, path, { token, body })).toMatchObject({
        status: 400,
        body: envelope(
          "bad_request",
          `Field "${field}": The text is not well-formed Unicode (it has a lone surrogate)`,
        ),
      });
    });
  }

  const unshowable: [string, string][] = [
    ["a NUL", "Nul\u0000s"],
    ["a tab", "Tab\tbed"],
    ["a line break", "Two\nLines"],
    ["a C1 control", "Next\u0085Line"],
    ["a right-to-left override", "Gulls\u202Enimda"],
    ["a bidirectional isolate", "Gulls\u2067x"],
    ["a line separator", "Gulls\u2028x"],
  ];
  for (const [what, name] of unshowable) {
    test(`refuses a team name with ${what}`, async () => {
      const { call } = makeApp();
      expect(await call("POST", "/api/teams", { body: { name, password: "correct horse" } }))
        .toMatchObject({
          status: 400,
          body: envelope(
            "bad_request",
            'Field "name": A team name cannot hold control characters or bidirectional overrides',
          ),
        });
    });
  }

  for (const [what, name] of [...unshowable, ["a semicolon", "Ann; Bo"] as [string, string]]) {
    test(`refuses a member name with ${what}`, async () => {
      const { call } = makeApp();
      const body = { name: "Gulls", password: "correct horse", members: ["Ann", name] };
      expect(await call("POST", "/api/teams", { body })).toMatchObject({
        status: 400,
        body: envelope(
          "bad_request",
          'Field "members.1": A member name cannot hold control characters, bidirectional overrides or a semicolon',
        ),
      });
    });
  }

  test("keeps a member name with commas, quotes and emoji, trimmed", async () => {
    const { call } = makeApp();
    const members = [' Smith, "Ann" 🦉 ', "Bo"];
    const body = { name: "Gulls", password: "correct horse", members };
    expect(await call("POST", "/api/teams", { body })).toMatchObject({ status: 201 });
    const teams = await call("GET", "/api/admin/teams", { token: ADMIN_TOKEN });
    expect(teams.body.teams[0].members).toEqual(['Smith, "Ann" 🦉', "Bo"]);
  });

  test("answers 413 with the envelope past 64 KiB, by Content-Length or by a streamed body", async () => {
    const { call } = makeApp();
    const big = JSON.stringify({ name: "x".repeat(70_000), password: "correct horse" });
    expect(await call("POST", "/api/teams", { raw: big })).toMatchObject({
      status: 413,
      body: envelope("payload_too_large", "The request body is larger than 64 KiB"),
    });
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(4096)));
        controller.close();
      },
    });
    expect(await call("POST", "/api/teams", { raw: stream })).toMatchObject({ status: 413 });
  });

  test("follows the registration mode: closed, and code", async () => {
    const closed = makeApp({
      toml: HUNT_TOML.replace(
        'title = "Test Hunt"',
        'title = "Test Hunt"\nregistration = "closed"',
      ),
    });
    expect(
      await closed.call("POST", "/api/teams", { body: { name: "X", password: "correct horse" } }),
    ).toMatchObject({
      status: 403,
      body: envelope("forbidden", "Registration is closed"),
    });
    const coded = makeApp({
      toml: HUNT_TOML.replace(
        'title = "Test Hunt"',
        'title = "Test Hunt"\nregistration = "code"\nregistration_codes = ["GULL-4412"]',
      ),
    });
    const body = { name: "X", password: "correct horse" };
    expect(await coded.call("POST", "/api/teams", { body: { ...body, code: "GULL-0000" } }))
      .toMatchObject({
        status: 403,
        body: envelope("forbidden", "A valid registration code is needed"),
      });
    expect(
      (await coded.call("POST", "/api/teams", { body: { ...body, code: "GULL-4412" } })).status,
    ).toBe(201);
  });

  test("a registration code is taken in any case and with spaces around it, as phones type it", async () => {
    // The join form asks phones for capitals (autocapitalize="characters"), so a code written in
    // lower case in the hunt file arrives in upper case; autocorrect may add a space.
    const { call } = makeApp({
      toml: HUNT_TOML.replace(
        'title = "Test Hunt"',
        'title = "Test Hunt"\nregistration = "code"\nregistration_codes = ["harbor-2026", "GULL-4412"]',
      ),
    });
    const join = (name: string, code: string) =>
      call("POST", "/api/teams", { body: { name, password: "correct horse", code } });
    expect((await join("Upper", "HARBOR-2026")).status).toBe(201);
    expect((await join("Lower", "gull-4412")).status).toBe(201);
    expect((await join("Spaced", " Gull-4412 ")).status).toBe(201);
    expect(await join("Wrong", "GULL-4413")).toMatchObject({
      status: 403,
      body: envelope("forbidden", "A valid registration code is needed"),
    });
    expect(await join("Inside", "GULL 4412")).toMatchObject({ status: 403 });
  });

  test("wrong registration codes are limited per address: 10 a minute, then 429 even for the right code", async () => {
    // Behind a trusted proxy, so that each request names its client.
    const clock = new FakeClock();
    const app = makeApp({
      clock,
      trustProxy: "127.0.0.1",
      toml: HUNT_TOML.replace(
        'title = "Test Hunt"',
        'title = "Test Hunt"\nregistration = "code"\nregistration_codes = ["GULL-4412"]',
      ),
    });
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    try {
      const join = async (from: string, name: string, code: string) => {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/teams`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": from },
          body: JSON.stringify({ name, password: "correct horse", code }),
        });
        return {
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          body: await res.json(),
        };
      };
      for (let i = 0; i < 10; i++) {
        expect((await join("203.0.113.7", "Guess", `GULL-${1000 + i}`)).status).toBe(403);
      }
      // Past the limit, no code is compared: the right one too is refused.
      expect(await join("203.0.113.7", "Guess", "GULL-4412")).toEqual({
        status: 429,
        retryAfter: "60",
        body: envelope(
          "rate_limited",
          "Too many wrong registration codes from this address; try again later",
        ),
      });
      // Another address is not held back; the first is, until a minute has passed.
      expect((await join("203.0.113.8", "Gulls", "GULL-4412")).status).toBe(201);
      clock.advance(MINUTE + 1);
      expect((await join("203.0.113.7", "Terns", "GULL-4412")).status).toBe(201);
    } finally {
      await server.stop(true);
    }
  });

  test("registration is open until the hunt's end: from ends_at on, 409 hunt_not_running", async () => {
    const clock = new FakeClock(Date.parse("2026-11-21T16:00:00Z") - 1);
    const { call } = makeApp({ clock });
    const register = (name: string) =>
      call("POST", "/api/teams", { body: { name, password: "correct horse" } });
    expect((await register("Last")).status).toBe(201);
    clock.advance(1);
    expect(await register("Late")).toMatchObject({
      status: 409,
      body: envelope("hunt_not_running", "The hunt has ended: no new team can join"),
    });
    clock.advance(6 * 60 * MINUTE);
    expect((await register("Later")).status).toBe(409);
    expect((await call("GET", "/api/scoreboard")).body.teams.map((t: { name: string }) => t.name))
      .toEqual(["Last"]);
  });
});

describe("sessions", () => {
  test("log in with the password, log out, and the token stops working", async () => {
    const { call, register } = makeApp();
    await register("Gulls");
    const login = await call("POST", "/api/session", {
      body: { name: "gulls", password: "correct horse" },
    });
    expect(login.status).toBe(200);
    const token = login.body.token;
    expect((await call("GET", "/api/puzzles", { token })).status).toBe(200);
    expect(await call("DELETE", "/api/session", { token })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    expect(await call("GET", "/api/puzzles", { token })).toMatchObject({
      status: 401,
      body: envelope("unauthorized", "Log in first"),
    });
  });

  test("logging out is idempotent: a closed, unknown or missing session answers 200 and clears the cookie", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    expect((await call("DELETE", "/api/session", { token })).status).toBe(200);
    const cases: [string, Record<string, string>][] = [
      ["the same token again", { authorization: `Bearer ${token}` }],
      ["a stale cookie", { cookie: `cairn_session=${token}` }],
      ["an unknown cookie", { cookie: "cairn_session=never-issued" }],
      ["no session at all", {}],
    ];
    for (const [what, headers] of cases) {
      const reply = await call("DELETE", "/api/session", { headers });
      expect({ what, status: reply.status, body: reply.body }).toEqual({
        what,
        status: 200,
        body: { ok: true },
      });
      expect(reply.headers.get("set-cookie")).toMatch(/^cairn_session=; Max-Age=0; Path=\//);
    }
  });

  test("a wrong password and an unknown team get the same 401", async () => {
    const { call, register } = makeApp();
    await register("Gulls");
    const wrong = envelope("unauthorized", "Wrong team name or password");
    expect(await call("POST", "/api/session", { body: { name: "Gulls", password: "wrong one" } }))
      .toMatchObject({
        status: 401,
        body: wrong,
      });
    expect(await call("POST", "/api/session", { body: { name: "Nobody", password: "wrong one" } }))
      .toMatchObject({
        status: 401,
        body: wrong,
      });
  });

  test("limits login attempts per team name", async () => {
    const { call, register } = makeApp();
    await register("Gulls");
    for (let i = 0; i < 10; i++) {
      expect(
        (await call("POST", "/api/session", { body: { name: "Gulls", password: `nope-${i}xx` } }))
          .status,
      )
        .toBe(401);
    }
    const limited = await call("POST", "/api/session", {
      body: { name: "GULLS", password: "correct horse" },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("300");
    expect(limited.body.error.code).toBe("rate_limited");
  }, 20_000);

  test("the session cookie works, and cookie requests from another origin are refused", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const cookie = { cookie: `cairn_session=${token}` };
    expect((await call("GET", "/api/puzzles", { headers: cookie })).status).toBe(200);
    const guess = { answer: "alpha" };
    expect(
      await call("POST", "/api/puzzles/a/guesses", {
        body: guess,
        headers: { ...cookie, origin: "http://evil.example" },
      }),
    ).toMatchObject({
      status: 403,
      body: envelope("forbidden", "Cross-site requests are not allowed"),
    });
    expect(
      await call("POST", "/api/puzzles/a/guesses", {
        body: guess,
        headers: { ...cookie, origin: ORIGIN },
      }),
    ).toMatchObject({ status: 200, body: { result: "correct" } });
  });

  test("requests with a Bearer token are exempt from the origin check", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const reply = await call("POST", "/api/puzzles/a/guesses", {
      token,
      body: { answer: "nope" },
      headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(reply).toMatchObject({ status: 200, body: { result: "incorrect" } });
  });
});

describe("puzzles", () => {
  test("the list follows the clock, solves and unlocks, however often it is asked for", async () => {
    // The hunt's time never steps back, so the clock starts before the start.
    const { call, register, clock } = makeApp({ clock: new FakeClock(START - 60 * MINUTE) });
    const token = await register("Early");
    const list = async () =>
      ((await call("GET", "/api/puzzles", { token })).body as {
        puzzles: { id: string; solved: boolean }[];
      }).puzzles.map((p) => `${p.id}${p.solved ? "*" : ""}`);
    // Before the start nothing shows, twice (the second answer may come from the cache).
    expect(await list()).toEqual([]);
    expect(await list()).toEqual([]);
    clock.time = START;
    expect(await list()).toEqual(["a", "b"]);
    // A solve that unlocks nothing still changes the list.
    expect(
      (await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } }))
        .body.unlocked,
    ).toEqual([]);
    expect(await list()).toEqual(["a", "b*"]);
    expect(
      (await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } }))
        .body.unlocked,
    ).toEqual(["meta", "after-a", "rich"]);
    expect(await list()).toEqual(["a*", "b*", "meta", "after-a", "rich"]);
    expect(await list()).toEqual(["a*", "b*", "meta", "after-a", "rich"]);
  });

  test("lists the team's unlocked puzzles, and shows one with its body as HTML", async () => {
    const { call, register, game } = makeApp();
    const token = await register("Gulls");
    expect((await call("GET", "/api/puzzles", { token })).body).toEqual({
      puzzles: [
        { id: "a", title: "A", round: "r1", points: 10, solved: false },
        { id: "b", title: "B", round: "r1", points: 20, solved: false },
      ],
    });
    expect((await call("GET", "/api/puzzles/a", { token })).body).toEqual({
      id: "a",
      title: "A",
      round: "r1",
      points: 10,
      body_html: "",
      solved: false,
      hints: [
        { id: "free", cost: 0, available: true, taken: false },
        { id: "late", cost: 4, available: false, taken: false },
      ],
    });
    expect(game.engine.hunt.puzzles.length).toBeGreaterThan(2);
  });

  test("a locked or unknown puzzle is 404, the same as one that does not exist", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const missing = envelope("not_found", "There is nothing here");
    expect(await call("GET", "/api/puzzles/meta", { token })).toMatchObject({
      status: 404,
      body: missing,
    });
    expect(await call("GET", "/api/puzzles/nope", { token })).toMatchObject({
      status: 404,
      body: missing,
    });
  });

  test("a guess or a hint on a locked or unknown puzzle says the puzzle is not open", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    // What a player reads when an answer made offline finds its puzzle locked or gone by a reload.
    const notOpen = envelope("not_found", "This puzzle is not open to your team");
    for (const id of ["meta", "nope"]) {
      expect(await call("POST", `/api/puzzles/${id}/guesses`, { token, body: { answer: "x" } }))
        .toMatchObject({ status: 404, body: notOpen });
    }
    expect(await call("POST", "/api/puzzles/meta/hints/free", { token })).toMatchObject({
      status: 404,
      body: envelope("not_found", "This puzzle is not open to your team, or has no such hint"),
    });
  });

  test("renders markdown and escapes raw HTML in a body", async () => {
    const toml = HUNT_TOML.replace(
      'answer = ["bravo"]',
      'answer = ["bravo"]\nbody = "**Bold** <script>alert(1)</script>"',
    );
    const { call, register } = makeApp({ toml });
    const token = await register("Gulls");
    expect((await call("GET", "/api/puzzles/b", { token })).body.body_html).toBe(
      "<p><strong>Bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
    );
  });
});

describe("POST /api/puzzles/:id/guesses", () => {
  test("answers each result, and unlocked lists only what this guess unlocked", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const guess = (id: string, answer: string) =>
      call("POST", `/api/puzzles/${id}/guesses`, { token, body: { answer } });
    expect((await guess("a", "beta")).body).toEqual({ result: "incorrect", unlocked: [] });
    expect((await guess("a", "ALP")).body).toEqual({
      result: "partial",
      message: "Keep going",
      unlocked: [],
    });
    expect((await guess("a", "Alpha!")).body).toEqual({ result: "correct", unlocked: ["after-a"] });
    expect((await guess("a", "alpha")).body).toEqual({ result: "already_solved", unlocked: [] });
    expect((await guess("b", "bravo")).body).toEqual({
      result: "correct",
      unlocked: ["meta", "rich"],
    });
  });

  test("refuses a guess over 500 characters, and a locked puzzle", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    expect(
      await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "é".repeat(501) } }),
    ).toMatchObject({
      status: 400,
      body: envelope("bad_request", "A guess is at most 500 characters"),
    });
    expect(
      (await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "é".repeat(500) } }))
        .status,
    ).toBe(200);
    expect(
      (await call("POST", "/api/puzzles/meta/guesses", { token, body: { answer: "meta" } })).status,
    ).toBe(404);
  });

  test("refuses a blank guess with 400: not stored, and not counted against the limit", async () => {
    const { call, register, db } = makeApp();
    const token = await register("Gulls");
    for (const answer of ["", " ", "\t\n", "\u00a0", "", ""]) {
      expect(await call("POST", "/api/puzzles/a/guesses", { token, body: { answer } }))
        .toMatchObject({ status: 400, body: envelope("bad_request", "The guess is empty") });
    }
    expect(db.query("SELECT COUNT(*) AS n FROM guesses").get()).toEqual({ n: 0 });
    // "a" allows 3 wrong guesses a minute: all 3 are still there.
    for (const answer of ["one", "two", "three"]) {
      expect((await call("POST", "/api/puzzles/a/guesses", { token, body: { answer } })).body)
        .toEqual({ result: "incorrect", unlocked: [] });
    }
  });

  test("answers 429 with Retry-After past the guess limit, for the whole team", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    const teammate =
      (await call("POST", "/api/session", { body: { name: "Gulls", password: "correct horse" } }))
        .body
        .token;
    for (const [who, answer] of [[token, "x1"], [teammate, "x2"], [token, "x3"]] as const) {
      expect(
        (await call("POST", "/api/puzzles/a/guesses", { token: who, body: { answer } })).status,
      ).toBe(200);
    }
    const limited = await call("POST", "/api/puzzles/a/guesses", {
      token: teammate,
      body: { answer: "alpha" },
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.body.error.code).toBe("rate_limited");
  });

  test("answers hunt_not_running (409) outside the hunt's window", async () => {
    const { call, register, clock } = makeApp();
    const token = await register("Gulls");
    clock.time = START + 6 * 60 * MINUTE;
    expect(await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } }))
      .toMatchObject({
        status: 409,
        body: envelope("hunt_not_running", "The hunt is not running"),
      });
  });
});

describe("hints and check-ins", () => {
  test("a hint on a solved puzzle is no longer offered: 409, uncharged; a taken one stays", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    expect((await call("POST", "/api/puzzles/a/hints/free", { token })).status).toBe(200);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "x" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "y" } });
    expect(await call("POST", "/api/puzzles/a/hints/late", { token })).toMatchObject({
      status: 409,
      body: envelope("conflict", "This puzzle is already solved: its hints are no longer offered"),
    });
    expect(await call("POST", "/api/puzzles/a/hints/free", { token })).toMatchObject({
      status: 200,
      body: { hint: { id: "free", text: "Free hint", cost: 0 } },
    });
    expect((await call("GET", "/api/puzzles/a", { token })).body.hints).toEqual([
      { id: "free", cost: 0, available: true, taken: true, text: "Free hint" },
      { id: "late", cost: 4, available: false, taken: false },
    ]);
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(10);
  });

  test("a hint not yet available is 403; taking one is idempotent and accepts an empty body", async () => {
    const { call, register, clock } = makeApp();
    const token = await register("Gulls");
    expect(await call("POST", "/api/puzzles/a/hints/late", { token })).toMatchObject({
      status: 403,
      body: envelope("forbidden", "This hint is not available yet"),
    });
    clock.advance(20 * MINUTE);
    const hint = { hint: { id: "late", text: "Late hint", cost: 4 } };
    expect(await call("POST", "/api/puzzles/a/hints/late", { token })).toMatchObject({
      status: 200,
      body: hint,
    });
    expect(await call("POST", "/api/puzzles/a/hints/late", { token, body: {} })).toMatchObject({
      status: 200,
      body: hint,
    });
    const detail = await call("GET", "/api/puzzles/a", { token });
    expect(detail.body.hints[1]).toEqual({
      id: "late",
      cost: 4,
      available: true,
      taken: true,
      text: "Late hint",
    });
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(-4);
  });

  test("a check-in unlocks its puzzle; an unknown code is 404", async () => {
    const { call, register } = makeApp();
    const token = await register("Gulls");
    expect(await call("POST", "/api/checkins", { token, body: { code: "cp-123" } })).toMatchObject({
      status: 200,
      body: { puzzle: "cp", unlocked: ["cp"] },
    });
    expect(await call("POST", "/api/checkins", { token, body: { code: "cp-123" } })).toMatchObject({
      status: 200,
      body: { puzzle: "cp", unlocked: [] },
    });
    expect(await call("POST", "/api/checkins", { token, body: { code: "nope" } })).toMatchObject({
      status: 404,
      body: envelope("not_found", "There is no checkpoint with that code"),
    });
  });
});

describe("GET /c/:code for a client that does not ask for HTML", () => {
  test("without a session: 401, for a known code and an unknown one alike", async () => {
    const { call } = makeApp();
    for (const code of ["cp-123", "nope"]) {
      for (const accept of [undefined, "application/json", "*/*"]) {
        const headers: Record<string, string> = accept === undefined ? {} : { accept };
        expect(await call("GET", `/c/${code}`, { headers })).toMatchObject({
          status: 401,
          body: envelope("unauthorized", "Log in first"),
        });
      }
    }
    // A browser still gets the page that asks it to log in.
    const page = await call("GET", "/c/nope", { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("You found a checkpoint!");
  });

  test("with a session: the page for a check-in, and the envelope for each refusal", async () => {
    const clock = new FakeClock(START - MINUTE);
    const { call, register } = makeApp({ clock });
    const token = await register("Gulls");
    expect(await call("GET", "/c/cp-123", { token })).toMatchObject({
      status: 409,
      body: { error: { code: "hunt_not_running" } },
    });
    clock.time = START;
    expect(await call("GET", "/c/nope", { token })).toMatchObject({
      status: 404,
      body: envelope("not_found", "There is no checkpoint with that code"),
    });
    const page = await call("GET", "/c/cp-123", { token });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
  });
});

describe("GET /api/scoreboard", () => {
  test("ranks teams, shows divisions, and ranks within one division", async () => {
    const { call, register, clock } = makeApp();
    const kids = await register("Kids", { division: "kids" });
    await register("Adults", { division: "adults" });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/a/guesses", { token: kids, body: { answer: "alpha" } });
    expect((await call("GET", "/api/scoreboard")).body).toEqual({
      frozen: false,
      teams: [
        {
          rank: 1,
          name: "Kids",
          division: "kids",
          score: 10,
          solves: 1,
          last_solve_at: "2026-11-21T10:01:00.000Z",
        },
        { rank: 2, name: "Adults", division: "adults", score: 0, solves: 0, last_solve_at: null },
      ],
    });
    expect((await call("GET", "/api/scoreboard?division=adults")).body.teams).toEqual([
      { rank: 1, name: "Adults", division: "adults", score: 0, solves: 0, last_solve_at: null },
    ]);
    expect(await call("GET", "/api/scoreboard?division=pets")).toMatchObject({
      status: 400,
      body: envelope("bad_request", 'Unknown division "pets"'),
    });
  });
});

describe("durability of answers", () => {
  test("a guess on a puzzle the clock just unlocked commits the unlock with the guess", async () => {
    const { call, register, clock, db } = makeApp();
    const token = await register("Gulls");
    clock.time = START + 31 * MINUTE;
    const reply = await call("POST", "/api/puzzles/timed/guesses", {
      token,
      body: { answer: "t" },
    });
    expect(reply.body.result).toBe("correct");
    expect(db.query("SELECT puzzle, at FROM unlocks WHERE puzzle = 'timed'").all()).toEqual([
      { puzzle: "timed", at: START + 31 * MINUTE },
    ]);
  });

  test("a second take of a hint is answered only once the first is on disk", async () => {
    const { call, register, db } = makeApp();
    const token = await register("Gulls");
    const take = () => call("POST", "/api/puzzles/a/hints/free", { token });
    const count = () => (db.query("SELECT count(*) AS n FROM hint_takes").get() as { n: number }).n;
    const [first, second] = await Promise.all([
      take().then((r) => ({ status: r.status, rows: count() })),
      take().then((r) => ({ status: r.status, rows: count() })),
    ]);
    expect(first).toEqual({ status: 200, rows: 1 });
    expect(second).toEqual({ status: 200, rows: 1 });
  });
});

describe("security headers", () => {
  test("pages carry the Content-Security-Policy and frame headers; API JSON carries nosniff only", async () => {
    const { call } = makeApp();
    const page = await call("GET", "/c/some-code");
    expect(page.headers.get("content-security-policy")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const api = await call("GET", "/api/hunt");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("content-security-policy")).toBeNull();
  });
});
