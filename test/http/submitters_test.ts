// `[hunt] submitters = "one"`: the first device (session) that submits for a
// team is its only submitter, until an organizer releases it or it logs out;
// the role survives a restart.
import { describe, expect, test } from "bun:test";
import { CommitError } from "../../src/store/mod.ts";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, failCommits, makeApp, ORIGIN } from "./_app.ts";

const ONE = HUNT_TOML.replace('title = "Test Hunt"', 'title = "Test Hunt"\nsubmitters = "one"');
const REFUSED = {
  error: {
    code: "forbidden",
    message: "Another phone submits for your team; ask an organizer to release it",
  },
};

const guess = (app: ReturnType<typeof makeApp>, token: string, answer = "nope", puzzle = "a") =>
  app.call("POST", `/api/puzzles/${puzzle}/guesses`, { token, body: { answer } });

describe('submitters = "one"', () => {
  test("the first device to submit is the only one, until an organizer releases it", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    expect((await guess(app, first)).status).toBe(200);
    for (
      const reply of [
        await guess(app, second),
        await app.call("POST", "/api/puzzles/a/hints/free", { token: second }),
        await app.call("POST", "/api/checkins", { token: second, body: { code: "cp-123" } }),
      ]
    ) {
      expect([reply.status, reply.body]).toEqual([403, REFUSED]);
    }
    expect((await guess(app, first)).status).toBe(200);
    // Another team has its own submitter.
    expect((await guess(app, await app.register("Terns"))).status).toBe(200);

    const released = await app.admin("DELETE", "/api/admin/teams/1/submitter");
    expect([released.status, released.body]).toEqual([200, { released: true }]);
    expect((await guess(app, second)).status).toBe(200);
    expect((await guess(app, first)).body).toEqual(REFUSED);
    expect((await app.admin("DELETE", "/api/admin/teams/9/submitter")).status).toBe(404);
  });

  test("the organizers' team page shows the role and releases it", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    const admin = { cookie: `cairn_admin=${ADMIN_TOKEN}`, accept: "text/html" };
    expect((await app.call("GET", "/admin/teams/1", { headers: admin })).text).toContain(
      "No phone yet",
    );
    await guess(app, first);
    const page = await app.call("GET", "/admin/teams/1", { headers: admin });
    expect(page.text).toContain('action="/admin/submitter-release"');
    const release = await app.call("POST", "/admin/submitter-release", {
      headers: { ...admin, "content-type": "application/x-www-form-urlencoded" },
      raw: "team=1",
    });
    expect([release.status, release.headers.get("location")]).toEqual([303, "/admin/teams/1"]);
    expect((await guess(app, second)).status).toBe(200);
  });

  test("the page's forms obey it too", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    await guess(app, first);
    const form = await app.call("POST", "/puzzles/a/guess", {
      headers: {
        cookie: `cairn_session=${second}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      raw: "answer=nope",
    });
    expect(form.status).toBe(303);
    expect(app.db.query("SELECT count(*) AS n FROM guesses").get()).toEqual({ n: 1 });
  });

  test("logging out gives the role up", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    await guess(app, first);
    expect((await app.call("DELETE", "/api/session", { token: first })).status).toBe(200);
    expect((await guess(app, second)).status).toBe(200);
    expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([{ team_id: 1 }]);
  });

  test("a logout that cannot be saved keeps the role, as the database does", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    await guess(app, first);
    const saveCommits = failCommits(app.store);
    expect((await app.call("DELETE", "/api/session", { token: first })).status).toBe(503);
    saveCommits();
    // Still logged in, and still the team's submitter: the other phone is refused.
    expect((await guess(app, second)).body).toEqual(REFUSED);
    expect((await guess(app, first)).status).toBe(200);
    // A logout that is saved then gives it up.
    expect((await app.call("DELETE", "/api/session", { token: first })).status).toBe(200);
    expect((await guess(app, second)).status).toBe(200);
  });

  test("an organizer's release that cannot be saved leaves the role where the database has it", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    await guess(app, first);
    const saveCommits = failCommits(app.store);
    expect((await app.admin("DELETE", "/api/admin/teams/1/submitter")).status).toBe(503);
    saveCommits();
    expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([{ team_id: 1 }]);
    // The first phone still submits, and the other is still refused.
    expect((await guess(app, second)).body).toEqual(REFUSED);
    expect((await guess(app, first)).status).toBe(200);
    // A release that is saved then frees it.
    expect((await app.admin("DELETE", "/api/admin/teams/1/submitter")).body).toEqual({
      released: true,
    });
    expect((await guess(app, second)).status).toBe(200);
  });

  test("a first guess that cannot be saved leaves the role free, as the database has it", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    const saveCommits = failCommits(app.store);
    expect((await guess(app, first)).status).toBe(503);
    saveCommits();
    expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([]);
    // The other phone may take it, and then it is the one that submits.
    expect((await guess(app, second)).status).toBe(200);
    expect((await guess(app, first)).body).toEqual(REFUSED);
  });

  test("a replayed answer claims no role: it stores nothing", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    const keyed = (token: string) =>
      app.call("POST", "/api/puzzles/a/guesses", {
        token,
        body: { answer: "nope" },
        headers: { "idempotency-key": "k1" },
      });
    expect((await keyed(first)).status).toBe(200);
    expect((await app.admin("DELETE", "/api/admin/teams/1/submitter")).status).toBe(200);
    // The other phone sends the same request again (its outbox held it too): the stored answer.
    expect((await keyed(second)).body).toEqual({ result: "incorrect", unlocked: [] });
    expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([]);
    // The role is still free: the first phone takes it.
    expect((await guess(app, first)).status).toBe(200);
    expect((await guess(app, second)).body).toEqual(REFUSED);
  });

  // Two commits in flight when the disk fails: the store refuses both, in the order they came,
  // so the release is undone after the claim it freed. The claim was never saved: nobody holds
  // the role in the database, and nobody may here.
  for (
    const [what, release] of [
      [
        "an organizer's release",
        (app: ReturnType<typeof makeApp>, _token: string) =>
          app.admin("DELETE", "/api/admin/teams/1/submitter"),
      ],
      [
        "its logout",
        (app: ReturnType<typeof makeApp>, token: string) =>
          app.call("DELETE", "/api/session", { token, body: {} }),
      ],
    ] as const
  ) {
    test(`a first claim and ${what}, both not saved, leave the role free`, async () => {
      const app = makeApp({ toml: ONE });
      const first = await app.register("Gulls");
      const second = await app.login("Gulls");
      const refuse: (() => void)[] = [];
      const commit = app.store.commit.bind(app.store);
      app.store.commit = () =>
        new Promise((_, reject) =>
          refuse.push(() => reject(new CommitError(new Error("disk I/O error"))))
        );
      const claimed = guess(app, first);
      while (refuse.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
      const released = release(app, first);
      while (refuse.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
      for (const reject of refuse) reject();
      expect([(await claimed).status, (await released).status]).toEqual([503, 503]);
      app.store.commit = commit;
      expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([]);
      expect(app.game.submitters.has(1)).toBe(false);
      expect((await guess(app, second)).status).toBe(200);
    });
  }

  for (
    const [what, path, body] of [
      ["a reset with logout", "/api/admin/teams/1/password", {
        password: "battery staple",
        logout: true,
      }],
      ["a ban", "/api/admin/teams/1/banned", { banned: true }],
    ] as const
  ) {
    test(`${what} that cannot be saved leaves the role where the database has it`, async () => {
      const app = makeApp({ toml: ONE });
      await guess(app, await app.register("Gulls"));
      const saveCommits = failCommits(app.store);
      expect((await app.admin("PUT", path, body)).status).toBe(503);
      saveCommits();
      expect(app.db.query("SELECT team_id FROM submitters").all()).toEqual([{ team_id: 1 }]);
      expect(app.game.submitters.has(1)).toBe(true);
    });
  }

  test("the role survives a restart", async () => {
    const app = makeApp({ toml: ONE });
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    await guess(app, first);
    const restarted = app.restart({ toml: ONE });
    const reply = await restarted.app.request(`${ORIGIN}/api/puzzles/a/guesses`, {
      method: "POST",
      headers: { authorization: `Bearer ${second}`, "content-type": "application/json" },
      body: JSON.stringify({ answer: "nope" }),
    });
    expect(reply.status).toBe(403);
  });

  test("by default, every device submits", async () => {
    const app = makeApp();
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    expect([(await guess(app, first)).status, (await guess(app, second)).status]).toEqual([
      200,
      200,
    ]);
    expect(app.db.query("SELECT count(*) AS n FROM submitters").get()).toEqual({ n: 0 });
  });
});
