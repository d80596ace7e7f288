// A reload of an edited hunt file mid-event (server/reload.ts): what its summary says, what it
// refuses, and that a restart on the same file and database gives what the reload gave.
import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";
import { lostState } from "../../src/server/mod.ts";
import { huntFingerprint } from "../../src/server/fingerprint.ts";
import { reworded } from "../../src/server/reload.ts";
import { makeApp, refuseFirstCommit, unlocksStored } from "../http/_app.ts";

const HUNT = `
[hunt]
title = "Reload Hunt"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
divisions = ["kids", "adults"]

[[puzzle]]
id = "a"
title = "A"
points = 10
answer = ["polarsi"]

[[puzzle.hint]]
id = "nudge"
text = "Look up"
cost = 4

[[puzzle.hint]]
id = "free"
text = "Free"

[[puzzle]]
id = "b"
title = "B"
points = 20
answer = ["bravo"]

[[puzzle.hint]]
id = "ask"
kind = "ask"
text = "Ask us"
cost = 3

[[puzzle]]
id = "photo"
title = "Photo"
points = 5
submit = "text"
`;

/** The hunt without the hint or puzzle whose table starts with `header` (a puzzle goes with its hints). */
function without(toml: string, header: string): string {
  const start = toml.indexOf(header);
  const end = header.startsWith("[[puzzle]]") ? /\[\[puzzle\]\]/ : /\[\[puzzle/;
  const next = toml.slice(start + header.length).search(end);
  return toml.slice(0, start) + (next < 0 ? "" : toml.slice(start + header.length + next));
}

describe("reload", () => {
  test("the summary lists a puzzle whose answers changed, and the [hunt] keys that changed", async () => {
    const { admin } = makeApp({ toml: HUNT });
    const cases: [string, string, { changed: string[]; hunt: string[] }][] = [
      ['answer = ["polarsi"]', 'answer = ["polaris"]', { changed: ["a"], hunt: [] }],
      ['answer = ["bravo"]', 'answer = ["bravo"]\nnormalize = "exact"', {
        changed: ["b"],
        hunt: [],
      }],
      ['answer = ["bravo"]', "answer = [\"bravo\"]\nanswer_regex = ['br.*']", {
        changed: ["b"],
        hunt: [],
      }],
      [
        'answer = ["bravo"]',
        'answer = ["bravo"]\npartial = [{ answer = "brav", message = "Go on" }]',
        {
          changed: ["b"],
          hunt: [],
        },
      ],
      ['submit = "text"', 'submit = "photo"', { changed: ["photo"], hunt: [] }],
      ['id = "nudge"', 'id = "nudge"\ntitle = "Where to look"', { changed: ["a"], hunt: [] }],
      [
        "ends_at = 2026-11-21T16:00:00Z",
        "ends_at = 2026-11-21T15:00:00Z\nfreeze_at = 2026-11-21T14:00:00Z",
        {
          changed: [],
          hunt: ["ends_at", "freeze_at"],
        },
      ],
      ["[hunt]\n", '[hunt]\nteam_size = { max = 4 }\nregistration = "closed"\n', {
        changed: [],
        hunt: ["registration", "team_size"],
      }],
    ];
    for (const [from, to, expected] of cases) {
      const app = makeApp({ toml: HUNT });
      app.setToml(HUNT.replace(from, to));
      expect(await app.admin("POST", "/api/admin/reload")).toMatchObject({
        status: 200,
        body: { reloaded: true, added: [], removed: [], ...expected },
      });
    }
    // Reloading the same file changes nothing.
    expect((await admin("POST", "/api/admin/reload")).body).toMatchObject({
      changed: [],
      hunt: [],
    });
  });

  test("a hint taken for points cannot be removed, alone or with its puzzle; at cost 0 it can", async () => {
    const { call, register, admin, setToml, store } = makeApp({ toml: HUNT });
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/hints/nudge", { token });
    await call("POST", "/api/puzzles/a/hints/free", { token });
    const score = async () => (await call("GET", "/api/scoreboard")).body.teams[0].score;
    expect(await score()).toBe(-4);
    const refusal =
      'Hint "nudge" of puzzle "a" was taken for 4 points, so it cannot be removed: put it back ' +
      "in the file (to give the points back, set its cost to 0 and reload first)";
    for (
      const edited of [
        without(HUNT, '[[puzzle.hint]]\nid = "nudge"'),
        without(HUNT, '[[puzzle]]\nid = "a"'),
      ]
    ) {
      setToml(edited);
      expect(await admin("POST", "/api/admin/reload")).toMatchObject({
        status: 400,
        body: { error: { errors: [refusal] } },
      });
      // Refused at start too (`cairn serve` checks the same).
      expect(lostState(store, loadHunt(edited, { file: "hunt.toml" }).hunt!))
        .toEqual([refusal]);
      expect(await score()).toBe(-4);
    }
    // A hint taken for nothing goes without a word.
    setToml(without(HUNT, '[[puzzle.hint]]\nid = "free"'));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    // The way to give the points back: cost 0 (every team that took it gets them), then remove it.
    setToml(without(HUNT, '[[puzzle.hint]]\nid = "free"').replace("cost = 4", "cost = 0"));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    expect(await score()).toBe(0);
    setToml(
      without(without(HUNT, '[[puzzle.hint]]\nid = "free"'), '[[puzzle.hint]]\nid = "nudge"'),
    );
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    expect(await score()).toBe(0);
  });

  test("a puzzle with an ask that cost points cannot be removed; once it is refused, it can", async () => {
    const { call, register, admin, setToml } = makeApp({ toml: HUNT });
    const token = await register("Gulls");
    const asked = await call("POST", "/api/puzzles/b/hints/ask/asks", {
      token,
      body: { question: "Which knot?" },
    });
    expect(asked.status).toBe(201);
    setToml(without(HUNT, '[[puzzle]]\nid = "b"'));
    expect(await admin("POST", "/api/admin/reload")).toMatchObject({
      status: 400,
      body: {
        error: {
          errors: [
            'Puzzle "b" has questions asked for points, so it cannot be removed: put it back in the file',
          ],
        },
      },
    });
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(-3);
    await admin("POST", `/api/admin/asks/${asked.body.ask.id}/reply`, { refuse: true });
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
  });

  test("a division some team is in cannot be removed or renamed", async () => {
    const { register, admin, setToml, call } = makeApp({ toml: HUNT });
    await register("Gulls", { division: "kids" });
    setToml(HUNT.replace('divisions = ["kids", "adults"]', 'divisions = ["children", "adults"]'));
    expect(await admin("POST", "/api/admin/reload")).toMatchObject({
      status: 400,
      body: {
        error: {
          errors: ['Division "kids" has teams, so it cannot be removed: put it back in the file'],
        },
      },
    });
    expect((await call("GET", "/api/scoreboard?division=kids")).body.teams).toHaveLength(1);
    // A division nobody joined may go.
    setToml(HUNT.replace('divisions = ["kids", "adults"]', 'divisions = ["kids"]'));
    expect(await admin("POST", "/api/admin/reload")).toMatchObject({
      status: 200,
      body: { hunt: ["divisions"] },
    });
  });

  test("the judging queue skips a removed mission's submissions, and offers them when it is back", async () => {
    const app = makeApp({ toml: HUNT });
    const token = await app.register("Gulls");
    const form = new FormData();
    form.set("text", "Our story");
    const sent = await app.call("POST", "/api/puzzles/photo/submissions", { token, raw: form });
    expect(sent.status).toBe(201);
    app.setToml(without(HUNT, '[[puzzle]]\nid = "photo"'));
    expect((await app.admin("POST", "/api/admin/reload")).body.removed).toEqual(["photo"]);
    expect(await app.admin("POST", "/api/admin/judge/claim", { judge: "Ann" })).toMatchObject({
      status: 200,
      body: { submission: null },
    });
    app.setToml(HUNT);
    expect((await app.admin("POST", "/api/admin/reload")).body.added).toEqual(["photo"]);
    expect(await app.admin("POST", "/api/admin/judge/claim", { judge: "Ann" })).toMatchObject({
      status: 200,
      body: { submission: { id: sent.body.submission.id, puzzle: "photo", status: "pending" } },
    });
  });
});

describe("a mission's points changed by a reload", () => {
  test("a pending submission shows the judge and the team what accepting it now gives", async () => {
    const app = makeApp({ toml: HUNT });
    const token = await app.register("Gulls");
    const form = new FormData();
    form.set("text", "Our story");
    const sent = await app.call("POST", "/api/puzzles/photo/submissions", { token, raw: form });
    expect(sent.body.submission.points).toBe(5);
    app.setToml(HUNT.replace("points = 5\nsubmit", "points = 8\nsubmit"));
    expect((await app.admin("POST", "/api/admin/reload")).body.changed).toEqual(["photo"]);
    const claimed = await app.admin("POST", "/api/admin/judge/claim", { judge: "Ann" });
    expect(claimed.body.submission).toMatchObject({ id: sent.body.submission.id, points: 8 });
    const mine = await app.call("GET", "/api/puzzles/photo/submissions", { token });
    expect(mine.body.submissions).toMatchObject([{ id: sent.body.submission.id, points: 8 }]);
    const accepted = await app.admin(
      "POST",
      `/api/admin/submissions/${sent.body.submission.id}/verdict`,
      { accept: true },
    );
    expect(accepted.body.submission).toMatchObject({ status: "accepted", points: 8 });
  });
});

describe("the hunt's fingerprint (nodes sharing a log compare it)", () => {
  test("differs when only an answer differs", () => {
    const one = loadHunt(HUNT, { file: "hunt.toml" }).hunt!;
    const two = loadHunt(HUNT.replace('"polarsi"', '"polaris"'), { file: "hunt.toml" }).hunt!;
    expect(huntFingerprint(one)).not.toBe(huntFingerprint(two));
    expect(huntFingerprint(one)).toBe(huntFingerprint(loadHunt(HUNT, { file: "hunt.toml" }).hunt!));
  });
});

describe("a reload that moves the start earlier", () => {
  const at = (start: string) =>
    `[hunt]\ntitle = "Early"\nstarts_at = ${start}\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n` +
    `\n[[puzzle]]\nid = "b"\ntitle = "B"\nanswer = ["y"]\nunlock = 'solved("a")'\n`;

  test("shows a team registered before it the puzzles open at the start, from the new start, after a restart too", async () => {
    // The clock stands at 10:00; the hunt is to start at 11:00.
    const made = makeApp({ toml: at("2026-11-21T11:00:00Z") });
    const token = await made.register("Gulls");
    const team = made.game.engine.teamByName("Gulls")!;
    expect(made.game.engine.unlockedPuzzles(team)).toEqual([]);
    // The organizer starts it at 9:50 instead: puzzle a is open to the team now, as to a team
    // registering now; b is not (its rule does not hold).
    made.setToml(at("2026-11-21T09:50:00Z"));
    expect((await made.admin("POST", "/api/admin/reload")).status).toBe(200);
    const reloaded = made.game.engine.teamByName("Gulls")!;
    expect(made.game.engine.unlockedPuzzles(reloaded).map((p) => p.id)).toEqual(["a"]);
    expect((await made.call("GET", "/api/puzzles", { token })).body).toMatchObject({
      puzzles: [{ id: "a" }],
    });
    const late = await made.register("Terns");
    expect((await made.call("GET", "/api/puzzles", { token: late })).body).toMatchObject({
      puzzles: [{ id: "a" }],
    });
    // Stored so: a restart on the database shows the same.
    const again = made.restart();
    const restored = again.game.engine.teamByName("Gulls")!;
    expect(again.game.engine.unlockedPuzzles(restored).map((p) => p.id)).toEqual(["a"]);
    again.close();
  });
});

describe("a reload's commit", () => {
  const LATE = `${HUNT}\n[[puzzle]]\nid = "late"\ntitle = "Late"\nanswer = ["late"]\n`;

  // A shared log out of reach refuses a commit after 5 s, nothing stored and the store still open
  // (as the clock's background commits, clock_test.ts): the reload's unlocks go with the next.
  test("the unlocks a reload records, refused by the store, go with the next commit", async () => {
    const app = makeApp({ toml: HUNT });
    await app.register("Gulls");
    const { refused } = refuseFirstCommit(app.store);
    app.setToml(LATE);
    expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({ added: ["late"] });
    // The clock commits each second: wait for its commit.
    const stored = await unlocksStored(app.db, "late");
    expect(refused()).toBe(1);
    expect(stored).toBe(1);
    app.server.close();
  }, 15_000);

  // PgStore refuses a commit no batch took within its 5 s; till then it lists the commit's writes
  // as under way, and a reload (or a start) plays them onto the engine it builds.
  /** The puzzles of each `unlock` event the team's stream gets. */
  function unlocksTold(app: ReturnType<typeof makeApp>, token: string): string[][] {
    const told: string[][] = [];
    const decoder = new TextDecoder();
    app.live.connect(app.game.accounts.teamFor(token)!, {
      write: (chunk: Uint8Array) => {
        for (const event of decoder.decode(chunk).matchAll(/event: unlock\ndata: (.*)\n/g)) {
          told.push(JSON.parse(event[1]!).puzzles);
        }
      },
      closed: false,
    });
    return told;
  }

  test("refused, tells a team of its unlock once, when it is stored", async () => {
    const app = makeApp({ toml: HUNT });
    const told = unlocksTold(app, await app.register("Gulls"));
    const { refused } = refuseFirstCommit(app.store);
    app.setToml(LATE);
    expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({ added: ["late"] });
    // Not stored yet: the team is not told.
    expect(told).toEqual([]);
    expect(await unlocksStored(app.db, "late")).toBe(1);
    expect(refused()).toBe(1);
    expect(told).toEqual([["late"]]);
    app.server.close();
  }, 15_000);

  test(
    "refused after a second reload, gives its unlocks to that reload's engine, which stores them",
    async () => {
      const app = makeApp({ toml: HUNT });
      const told = unlocksTold(app, await app.register("Gulls"));
      let giveUp = () => {};
      const { refused } = refuseFirstCommit(app.store, {
        until: new Promise<void>((resolve) => (giveUp = resolve)),
      });
      app.setToml(LATE);
      expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({
        added: ["late"],
      });
      expect((await app.admin("POST", "/api/admin/reload")).status).toBe(200);
      giveUp();
      expect(await unlocksStored(app.db, "late")).toBe(1);
      expect(refused()).toBe(1);
      expect(told).toEqual([["late"]]);
      app.server.close();
    },
    15_000,
  );

  test(
    "a start's, refused after a reload, gives its unlocks to that reload's engine, which stores them",
    async () => {
      const app = makeApp({ toml: HUNT });
      await app.register("Gulls");
      let giveUp = () => {};
      let refused = () => 0;
      const again = app.restart({
        toml: LATE,
        prepare: (store) => {
          ({ refused } = refuseFirstCommit(store, {
            until: new Promise<void>((resolve) => (giveUp = resolve)),
          }));
        },
      });
      expect(again.reload("admin").kind).toBe("ok");
      giveUp();
      expect(await unlocksStored(app.db, "late")).toBe(1);
      expect(refused()).toBe(1);
      again.close();
    },
    15_000,
  );
});

describe("a reload that changes hints' rules or the hint tokens (reworded)", () => {
  /** Puzzles that each have two ruled hints and an ask. */
  const ruled = (minutes: number, tokens: number) => {
    let toml = `[hunt]\ntitle = "Hints"\nstarts_at = 2026-11-21T10:00:00Z\n` +
      `hint_tokens = { start = ${tokens} }\n\n`;
    for (const id of ["a", "b", "c", "d"]) {
      toml += `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\nanswer = ["x"]\n\n` +
        `[[puzzle.hint]]\nid = "soon"\ntext = "Soon."\n` +
        `unlock = "minutes_since_unlock() >= ${minutes}"\n\n` +
        `[[puzzle.hint]]\nid = "stuck"\ntext = "Stuck."\nunlock = "wrong_guesses() >= 3"\n\n` +
        `[[puzzle.hint]]\nid = "ask"\nkind = "ask"\n\n`;
    }
    return toml;
  };

  /** What `reworded` tells each team of each puzzle, and how often it asked the engines what. */
  async function told(from: string, to: string) {
    const { admin, register, setToml, game } = makeApp({ toml: from });
    for (const name of ["Gulls", "Terns", "Auks"]) await register(name);
    const before = game.engine;
    setToml(to);
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    const after = game.engine;
    const asked = { tokens: 0, available: 0 };
    for (const engine of [before, after]) {
      const { hintTokens, hintAvailable } = engine;
      engine.hintTokens = (...args) => (asked.tokens++, hintTokens.apply(engine, args));
      engine.hintAvailable = (...args) => (asked.available++, hintAvailable.apply(engine, args));
    }
    const updates = reworded(before, after);
    const changes = [...after.teams.values()].map((team) =>
      updates.map(({ puzzle, changeFor }) => `${puzzle}:${changeFor(team)}`)
    );
    return { changes, asked };
  }

  test("reads a team's hint tokens once for all its puzzles with an ask", async () => {
    const { changes, asked } = await told(ruled(30, 1), ruled(30, 2));
    expect(changes).toEqual(Array(3).fill(["a:hints", "b:hints", "c:hints", "d:hints"]));
    // Once a team in each engine, not once a puzzle.
    expect(asked).toEqual({ tokens: 2 * 3, available: 0 });
  });

  test("looks at the hints whose rule changed, not at the puzzle's others", async () => {
    const { changes, asked } = await told(ruled(30, 1), ruled(0, 1));
    expect(changes).toEqual(Array(3).fill(["a:hints", "b:hints", "c:hints", "d:hints"]));
    // The one changed hint of each puzzle, in each engine, for each team.
    expect(asked).toEqual({ tokens: 0, available: 2 * 4 * 3 });
  });
});
