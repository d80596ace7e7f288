// Idempotency-Key on guesses, hint takes and check-ins: a replay gets the
// stored bytes and writes nothing, another payload gets 422, a concurrent
// duplicate gets 409; an answer that changed nothing stores no key; keys
// belong to a team, survive a restart, are capped per team, and expire a day
// after the hunt's end.
import { describe, expect, test } from "bun:test";
import { MAX_KEYS_PER_TEAM } from "../../src/play/mod.ts";
import { HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { makeApp, ORIGIN } from "./_app.ts";

const rows = (app: ReturnType<typeof makeApp>, table: string) =>
  (app.db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function keyed(key: string, token: string) {
  return { token, headers: { "idempotency-key": key } };
}

describe("Idempotency-Key on POST /api/puzzles/:id/guesses", () => {
  test("a replay gets the same status and bytes, and stores no second guess", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const first = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("k-1", token),
      body: { answer: "alp" },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ result: "partial", message: "Keep going", unlocked: [] });
    for (let i = 0; i < 3; i++) {
      const again = await app.call("POST", "/api/puzzles/a/guesses", {
        ...keyed("k-1", token),
        body: { answer: "alp" },
      });
      expect([again.status, again.text]).toEqual([first.status, first.text]);
      expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
    }
    expect(rows(app, "guesses")).toBe(1);
    expect(rows(app, "idempotency_keys")).toBe(1);
  });

  test("a replayed solve answers `correct` again, not `already_solved`", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const guess = () =>
      app.call("POST", "/api/puzzles/a/guesses", {
        ...keyed("solve", token),
        body: { answer: "alpha" },
      });
    const first = await guess();
    expect(first.body).toEqual({ result: "correct", unlocked: ["after-a"] });
    expect((await guess()).text).toBe(first.text);
    expect([rows(app, "guesses"), rows(app, "solves")]).toEqual([1, 1]);
  });

  test("the same key with another payload is refused with 422 and writes nothing", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("k", token),
      body: { answer: "nope" },
    });
    for (
      const [path, body] of [
        ["/api/puzzles/a/guesses", { answer: "other" }],
        ["/api/puzzles/b/guesses", { answer: "nope" }],
        ["/api/puzzles/a/hints/free", undefined],
        ["/api/checkins", { code: "cp-123" }],
      ] as const
    ) {
      const reply = await app.call("POST", path, { ...keyed("k", token), body });
      expect([path, reply.status, reply.body]).toEqual([path, 422, {
        error: {
          code: "unprocessable",
          message: "This Idempotency-Key was already used for another request",
        },
      }]);
    }
    expect([rows(app, "guesses"), rows(app, "hint_takes"), rows(app, "checkins")]).toEqual([
      1,
      0,
      0,
    ]);
  });

  test("a duplicate that arrives while the first is in flight gets 409", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const send = () =>
      app.call("POST", "/api/puzzles/a/guesses", {
        ...keyed("twice", token),
        body: { answer: "nope" },
      });
    const replies = await Promise.all([send(), send()]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const conflict = replies.find((r) => r.status === 409)!;
    expect(conflict.body.error.code).toBe("conflict");
    // Retry-After tells it from a refusal: the outbox retries this 409, not a solved puzzle's hint.
    expect(conflict.headers.get("retry-after")).toBe("1");
    expect(rows(app, "guesses")).toBe(1);
    // Once the first is on disk, a retry is a replay.
    expect((await send()).text).toBe(replies.find((r) => r.status === 200)!.text);
  });

  test("a keyed hint on a puzzle solved meanwhile is a 409 with no Retry-After, so no retry", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const reply = await app.call("POST", "/api/puzzles/a/hints/free", keyed("late-hint", token));
    expect(reply).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect(reply.headers.get("retry-after")).toBeNull();
    expect(rows(app, "hint_takes")).toBe(0);
  });

  test("keys belong to a team: two teams may use the same key", async () => {
    const app = makeApp();
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    for (const token of [gulls, terns]) {
      const reply = await app.call("POST", "/api/puzzles/a/guesses", {
        ...keyed("shared", token),
        body: { answer: "alpha" },
      });
      expect(reply.body.result).toBe("correct");
    }
    expect(rows(app, "solves")).toBe(2);
  });

  test("a quoted key (a structured-field string) is the same key as the bare one", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const first = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed('"8e03978e-40d5"', token),
      body: { answer: "nope" },
    });
    const bare = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("8e03978e-40d5", token),
      body: { answer: "nope" },
    });
    expect(bare.text).toBe(first.text);
    expect(rows(app, "guesses")).toBe(1);
  });

  test.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["a non-ASCII character", "clé"],
    ["a control character", "a\tb"],
  ])("a key that is %s is a 400", async (_name, key) => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed(key, token),
      body: { answer: "nope" },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.message).toBe(
      "The Idempotency-Key header must be 1 to 255 visible ASCII characters or spaces",
    );
    expect(rows(app, "guesses")).toBe(0);
  });

  test("a key may hold spaces, as the 400's message and the OpenAPI document say", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const guess = (key: string) =>
      app.call("POST", "/api/puzzles/a/guesses", {
        ...keyed(key, token),
        body: { answer: "nope" },
      });
    const first = await guess("team gulls 1");
    expect(first.status).toBe(200);
    expect((await guess('"team gulls 1"')).text).toBe(first.text);
    // Quoted, a key may also begin or end with a space.
    expect((await guess('" padded "')).status).toBe(200);
    expect(rows(app, "guesses")).toBe(2);
    const doc = (await app.call("GET", "/api/openapi.json")).body;
    const header = doc.paths["/api/puzzles/{id}/guesses"].post.parameters
      .find((p: { name: string }) => p.name === "Idempotency-Key");
    expect(header.description).toStartWith("1 to 255 visible ASCII characters or spaces (");
  });

  test("a key of 255 characters is accepted", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const reply = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("k".repeat(255), token),
      body: { answer: "nope" },
    });
    expect(reply.status).toBe(200);
  });

  test("a refusal is not stored: the same key is decided again later", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const take = () => app.call("POST", "/api/puzzles/a/hints/late", { ...keyed("late", token) });
    expect((await take()).status).toBe(403);
    expect(rows(app, "idempotency_keys")).toBe(0);
    app.clock.advance(20 * MINUTE);
    const taken = await take();
    expect(taken.status).toBe(200);
    expect(taken.body).toEqual({ hint: { id: "late", text: "Late hint", cost: 4 } });
    expect((await take()).text).toBe(taken.text);
    expect(rows(app, "hint_takes")).toBe(1);
  });

  test("without a key, nothing is stored and each request is its own", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    for (let i = 0; i < 2; i++) {
      await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "nope" } });
    }
    expect([rows(app, "guesses"), rows(app, "idempotency_keys")]).toEqual([2, 0]);
  });
});

describe("Idempotency-Key on hints and check-ins", () => {
  test("a replayed check-in gets the same bytes, with its unlocks", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const checkIn = () =>
      app.call("POST", "/api/checkins", { ...keyed("cp", token), body: { code: "cp-123" } });
    const first = await checkIn();
    expect(first.body).toEqual({ puzzle: "cp", unlocked: ["cp"], titles: { cp: "Checkpoint" } });
    expect((await checkIn()).text).toBe(first.text);
    expect(rows(app, "checkins")).toBe(1);
  });
});

describe("an answer that changed nothing stores no key", () => {
  // Each route's second action changes nothing: a flood of keys on it must store none.
  const cases: [string, string, unknown, string][] = [
    ["a hint already taken", "/api/puzzles/a/hints/free", undefined, "hint_takes"],
    ["a guess on a solved puzzle", "/api/puzzles/a/guesses", { answer: "alpha" }, "guesses"],
    ["a check-in already made", "/api/checkins", { code: "cp-123" }, "checkins"],
  ];
  for (const [what, path, body, table] of cases) {
    test(`${what}: no key is stored, and a retry gets the same answer again`, async () => {
      const app = makeApp();
      const token = await app.register("Gulls");
      const first = await app.call("POST", path, { ...keyed("first", token), body });
      expect(first.status).toBe(200);
      const again: string[] = [];
      for (let i = 0; i < 50; i++) {
        const reply = await app.call("POST", path, { ...keyed(`again-${i}`, token), body });
        expect(reply.status).toBe(200);
        again.push(reply.text);
      }
      expect([rows(app, "idempotency_keys"), app.game.idempotency.size]).toEqual([1, 1]);
      expect(rows(app, table)).toBe(1);
      // A retry of one of them is decided again, and tells the same.
      const retry = await app.call("POST", path, { ...keyed("again-7", token), body });
      expect(retry.text).toBe(again[7]!);
      // The first, which changed something, still replays its own answer.
      expect((await app.call("POST", path, { ...keyed("first", token), body })).text)
        .toBe(first.text);
      expect(rows(app, "idempotency_keys")).toBe(1);
    });
  }

  test("a retry that arrives after the key was left unstored may ask something else", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const solved = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("k", token),
      body: { answer: "alpha" },
    });
    expect(solved.body).toEqual({ result: "already_solved", unlocked: [] });
    const other = await app.call("POST", "/api/puzzles/b/guesses", {
      ...keyed("k", token),
      body: { answer: "bravo" },
    });
    expect(other.body.result).toBe("correct");
  });
});

describe("keeping keys", () => {
  test("a stored answer survives a restart on the same database", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    const first = await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("boot", token),
      body: { answer: "alp" },
    });
    // A second server over the same database: the keys are loaded at boot.
    const restarted = app.restart();
    const again = await restarted.app.request(`${ORIGIN}/api/puzzles/a/guesses`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": "boot",
      },
      body: JSON.stringify({ answer: "alp" }),
    });
    expect([again.status, await again.text()]).toEqual([200, first.text]);
    expect(rows(app, "guesses")).toBe(1);
  });

  test("keys are pruned once the hunt's end is a day past, and kept before", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("old", token),
      body: { answer: "nope" },
    });
    const end = Date.parse("2026-11-21T16:00:00Z");
    // Still running, an hour before the end: a keyed request prunes nothing.
    app.clock.time = end - 60 * MINUTE;
    await app.call("POST", "/api/puzzles/b/guesses", {
      ...keyed("new", token),
      body: { answer: "nope" },
    });
    expect(rows(app, "idempotency_keys")).toBe(2);
    expect(app.game.idempotency.size).toBe(2);
    // A day and a minute after the end, the hunt is over: the prune rides on a
    // later commit, which a restart's boot makes just as well. Here the store's
    // own prune runs through the index directly.
    app.clock.time = end + 24 * 60 * MINUTE + MINUTE;
    const prune = app.game.idempotency.prune(app.clock.now(), end);
    expect(prune).toEqual([{ kind: "idempotency_prune", before: end + MINUTE }]);
    await app.game.commit(prune);
    expect([rows(app, "idempotency_keys"), app.game.idempotency.size]).toEqual([0, 0]);
  });

  test("a hunt with no end keeps a key for a day after its use", async () => {
    const toml = HUNT_TOML.replace("ends_at = 2026-11-21T16:00:00Z\n", "");
    const app = makeApp({ toml });
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("first", token),
      body: { answer: "nope" },
    });
    app.clock.time = START + 24 * 60 * MINUTE + MINUTE;
    await app.call("POST", "/api/puzzles/a/guesses", {
      ...keyed("second", token),
      body: { answer: "nope" },
    });
    // The first key expired and was pruned in the second one's commit.
    const keys = app.db.query("SELECT key FROM idempotency_keys").all();
    expect(keys).toEqual([{ key: "second" }]);
  });

  test(
    `a team keeps its newest ${MAX_KEYS_PER_TEAM} keys: the oldest is forgotten, on disk too`,
    async () => {
      const app = makeApp();
      const gulls = await app.register("Gulls");
      const terns = await app.register("Terns");
      await app.call("POST", "/api/puzzles/b/guesses", {
        ...keyed("terns", terns),
        body: { answer: "nope" },
      });
      const wrong = (key: string) =>
        app.call("POST", "/api/puzzles/b/guesses", {
          ...keyed(key, gulls),
          body: { answer: "nope" },
        });
      const first = await wrong("key-0");
      for (let i = 1; i <= MAX_KEYS_PER_TEAM; i++) {
        // Ten wrong guesses a minute on "b": the clock moves on, so the limit never answers.
        if (i % 10 === 0) app.clock.advance(MINUTE);
        expect((await wrong(`key-${i}`)).status).toBe(200);
      }
      const held = (team: number) =>
        (app.db.query("SELECT count(*) AS n FROM idempotency_keys WHERE team_id = ?").get(team) as {
          n: number;
        }).n;
      expect([held(1), app.game.idempotency.held(1)]).toEqual([
        MAX_KEYS_PER_TEAM,
        MAX_KEYS_PER_TEAM,
      ]);
      // Another team's key is its own, and stays.
      expect([held(2), app.game.idempotency.held(2)]).toEqual([1, 1]);
      // `?? null`: node:sqlite (Deno) answers no row with undefined, bun:sqlite with null.
      const keyOf = (key: string) =>
        app.db.query("SELECT key FROM idempotency_keys WHERE team_id = 1 AND key = ?").get(key) ??
          null;
      expect([keyOf("key-0"), keyOf("key-1")]).toEqual([null, { key: "key-1" }]);
      // The newest still replays; the forgotten one is decided again, as a new guess.
      const guesses = rows(app, "guesses");
      expect((await wrong(`key-${MAX_KEYS_PER_TEAM}`)).status).toBe(200);
      expect(rows(app, "guesses")).toBe(guesses);
      app.clock.advance(MINUTE);
      expect((await wrong("key-0")).text).toBe(first.text);
      expect(rows(app, "guesses")).toBe(guesses + 1);
      expect([held(1), app.game.idempotency.held(1)]).toEqual([
        MAX_KEYS_PER_TEAM,
        MAX_KEYS_PER_TEAM,
      ]);
    },
    60_000,
  );

  test("a database holding more keys for a team than it keeps is trimmed at boot", async () => {
    const app = makeApp();
    await app.register("Gulls"); // team 1, whose keys are seeded
    const insert = app.db.prepare(
      "INSERT INTO idempotency_keys (team_id, key, fingerprint, status, body, at) VALUES (1, ?, 'f', 200, '{}', ?)",
    );
    for (let i = 0; i < MAX_KEYS_PER_TEAM + 5; i++) insert.run(`old-${i}`, START + i);
    const restarted = app.restart();
    expect(restarted.game.idempotency.held(1)).toBe(MAX_KEYS_PER_TEAM);
    expect(rows(app, "idempotency_keys")).toBe(MAX_KEYS_PER_TEAM);
    const oldest = app.db.query("SELECT key FROM idempotency_keys ORDER BY at LIMIT 1").get();
    expect(oldest).toEqual({ key: "old-5" });
  });
});
