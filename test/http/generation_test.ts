// Per-team generation through the API: two teams get different variants of a
// puzzle, each answer is correct for its own team only, and each team walks
// its own route.
import { describe, expect, test } from "bun:test";
import { browser } from "../ui/_browser.ts";
import { makeApp } from "./_app.ts";

const TOML = `
[hunt]
title = "Old Town"
seed = "old-town"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
other_variant_message = "That is another team's answer"

[[route]]
id = "town"
stops = ["fountain", "chapel", "market"]

[[puzzle]]
id = "bakery"
title = "The Bakery"

[[puzzle.variant]]
body = "Which bread is **third**?"
answer = "rye"
checkpoint = { code = "bakery-left" }

[[puzzle.variant]]
body = "Which bread is **last**?"
answer = "spelt"
checkpoint = { code = "bakery-right" }

[[puzzle]]
id = "fountain"
title = "Fountain"
checkpoint = { code = "fountain-1" }
answer = "dolphin"

[[puzzle]]
id = "chapel"
title = "Chapel"
checkpoint = { code = "chapel-1" }
answer = "bells"

[[puzzle]]
id = "market"
title = "Market"
checkpoint = { code = "market-1" }
answer = "rooster"

[[puzzle]]
id = "finale"
title = "Finale"
unlock = 'route_progress("town") >= 3'
answer = "home"
`;

const ANSWERS: Record<string, string> = { fountain: "dolphin", chapel: "bells", market: "rooster" };

describe("variants through the API", () => {
  test("two teams get different variants; each answer is correct for its team only", async () => {
    const { call, register } = makeApp({ toml: TOML });
    const one = await register("One");
    const two = await register("Two");
    const pageOne = await call("GET", "/api/puzzles/bakery", { token: one });
    const pageTwo = await call("GET", "/api/puzzles/bakery", { token: two });
    expect(pageOne.status).toBe(200);
    const bodies = [pageOne.body.body_html, pageTwo.body.body_html].sort();
    expect(bodies).toEqual([
      "<p>Which bread is <strong>last</strong>?</p>\n",
      "<p>Which bread is <strong>third</strong>?</p>\n",
    ]);
    const answerOf = (html: string) => (html.includes("third") ? "rye" : "spelt");
    const own = [answerOf(pageOne.body.body_html), answerOf(pageTwo.body.body_html)] as const;

    const guess = (token: string, answer: string) =>
      call("POST", "/api/puzzles/bakery/guesses", { token, body: { answer } });
    expect(await guess(one, own[1])).toMatchObject({
      status: 200,
      body: { result: "incorrect", message: "That is another team's answer", unlocked: [] },
    });
    expect(await guess(two, own[0])).toMatchObject({
      status: 200,
      body: { result: "incorrect", message: "That is another team's answer", unlocked: [] },
    });
    expect((await guess(one, "croissant")).body).toEqual({ result: "incorrect", unlocked: [] });
    expect(await guess(one, own[0])).toMatchObject({ status: 200, body: { result: "correct" } });
    expect(await guess(two, own[1])).toMatchObject({ status: 200, body: { result: "correct" } });
  });

  test("the admin's team view shows the team's variants and route order", async () => {
    const { admin, register, game } = makeApp({ toml: TOML });
    await register("One");
    const team = game.engine.teamByName("One")!;
    const reply = await admin("GET", `/api/admin/teams/${team.id}`);
    expect(reply.status).toBe(200);
    expect(reply.body.variants).toEqual([
      {
        puzzle: "bakery",
        variant: game.engine.variant(team, game.engine.hunt.puzzles[0]!)!.index + 1,
      },
    ]);
    expect(reply.body.routes).toEqual([
      { id: "town", stops: game.engine.routeOf(team, game.engine.hunt.routes[0]!) },
    ]);
    expect([...reply.body.routes[0].stops].sort()).toEqual(["chapel", "fountain", "market"]);
  });

  test("the export carries each team's route order, in JSON and CSV", async () => {
    const { admin, register, game } = makeApp({ toml: TOML });
    await register("One");
    await register("Two");
    const order = (name: string) =>
      game.engine.routeOf(game.engine.teamByName(name)!, game.engine.hunt.routes[0]!);
    const exported = await admin("GET", "/api/admin/export?format=json");
    expect(exported.body.routes.map((r: { team: number; route: string; stops: string[] }) => [
      r.team,
      r.route,
      r.stops,
    ])).toEqual([[1, "town", order("One")], [2, "town", order("Two")]]);
    const csv = await admin("GET", "/api/admin/export?format=csv&table=routes");
    expect(csv.text.split("\r\n")[0]).toBe("\uFEFFteam,route,stops,at");
    expect(csv.text.split("\r\n")[1]).toStartWith(`1,"town","${order("One").join("; ")}",`);
  });

  test("a team checks in only at its own variant's checkpoint", async () => {
    const { call, register } = makeApp({ toml: TOML });
    const token = await register("One");
    const page = await call("GET", "/api/puzzles/bakery", { token });
    const [mine, theirs] = page.body.body_html.includes("third")
      ? ["bakery-left", "bakery-right"]
      : ["bakery-right", "bakery-left"];
    expect(await call("POST", "/api/checkins", { token, body: { code: theirs } })).toMatchObject({
      status: 404,
      body: {
        error: {
          code: "not_found",
          message: "This checkpoint belongs to another team's version of the puzzle",
        },
      },
    });
    expect(await call("POST", "/api/checkins", { token, body: { code: mine } })).toMatchObject({
      status: 200,
      body: { puzzle: "bakery", unlocked: [] },
    });
  });
});

describe("routes through the API", () => {
  test("each team sees only its next stop, and walks its own order to the finale", async () => {
    const { call, register, game } = makeApp({ toml: TOML });
    const tokens = [await register("One"), await register("Two"), await register("Three")];
    const engine = game.engine;
    const route = engine.hunt.routes[0]!;
    const orders = ["One", "Two", "Three"].map((name) =>
      engine.routeOf(engine.teamByName(name)!, route)
    );
    // Three teams, three stops, no constraints: a rotation, so no two start at the same stop.
    expect(new Set(orders.map((order) => order[0])).size).toBe(3);

    const token = tokens[0]!;
    const order = orders[0]!;
    const stops = async () =>
      (await call("GET", "/api/puzzles", { token })).body.puzzles.map((p: { id: string }) => p.id)
        .filter((id: string) => id !== "bakery");
    expect(await stops()).toEqual([order[0]]);
    expect((await call("GET", `/api/puzzles/${order[1]}`, { token })).status).toBe(404);
    for (let k = 0; k < 3; k++) {
      const reply = await call("POST", `/api/puzzles/${order[k]}/guesses`, {
        token,
        body: { answer: ANSWERS[order[k]!] },
      });
      expect(reply.body).toEqual({
        result: "correct",
        unlocked: k < 2 ? [order[k + 1]] : ["finale"],
      });
    }
  });

  test("a check-in at a stop not reached yet is refused with 403, and is no wrong code", async () => {
    const app = makeApp({ toml: TOML });
    const b = browser(app);
    await b.post("/join", { name: "One", password: "correct horse" });
    const token = await app.register("Two");
    const orderOf = (name: string) =>
      app.game.engine.routeOf(app.game.engine.teamByName(name)!, app.game.engine.hunt.routes[0]!);
    const order = orderOf("Two");
    const code = (stop: string) => `${stop}-1`;
    // More times than unknown codes may be tried in a minute: still 403, never 429.
    for (let i = 0; i < 12; i++) {
      expect(await app.call("POST", "/api/checkins", { token, body: { code: code(order[2]!) } }))
        .toMatchObject({
          status: 403,
          body: {
            error: {
              code: "forbidden",
              message:
                "Your route does not reach this stop yet: finish the stop you are on first, then come back",
            },
          },
        });
    }
    expect(app.db.query("SELECT count(*) AS n FROM checkins").get()).toEqual({ n: 0 });
    expect(await app.call("POST", "/api/checkins", { token, body: { code: code(order[0]!) } }))
      .toMatchObject({ status: 200, body: { puzzle: order[0], unlocked: [] } });
    // The page a QR code opens says so too.
    const page = await b.get(`/c/${code(orderOf("One")[1]!)}`);
    // A page, as for a hunt not running: only an unknown code is a 404 page.
    expect(page.status).toBe(200);
    expect(page.text).toContain("Cannot check in");
    expect(page.text).toContain("Your route does not reach this stop yet");
  });
});
