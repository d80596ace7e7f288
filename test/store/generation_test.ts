// Per-team generation survives restarts and reloads: route orders are stored
// at registration, variants follow from the seed and the registration order.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Hunt } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import type { ReloadResult } from "../../src/play/mod.ts";
import { startGame } from "../../src/server/mod.ts";
import { SqliteStore } from "../../src/store/mod.ts";
import { FakeClock } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const tempDb = () => join(dirs.make("cairn-generation-"), "cairn.db");

const stop = (id: string) =>
  `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\ncheckpoint = { code = "${id}-code" }\nanswer = "${id}"\n`;

function hunt(route: string, stops: string[], variants = ["one", "two", "three"]): Hunt {
  const toml = `[hunt]
title = "Trail"
seed = "trail"
starts_at = 2026-11-21T10:00:00Z

${route}

[[puzzle]]
id = "v"
title = "Variants"

${variants.map((answer) => `[[puzzle.variant]]\nanswer = "${answer}"\n`).join("\n")}
${stops.map(stop).join("\n")}`;
  const { hunt, problems } = loadHunt(toml, { file: "hunt.toml" });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  return hunt;
}

const FIVE = ["a", "b", "c", "d", "e"];
const ROUTE = `[[route]]\nid = "trail"\nstops = ["a", "b", "c", "d", "e"]`;

/** A server on the database at `path`, through the composition root, with a hunt to reload to. */
function open(path: string, h: Hunt, clock: FakeClock) {
  const opened = SqliteStore.open(path);
  if (opened.kind !== "ok") throw new Error("locked");
  let next = h;
  const server = startGame({
    store: opened.store,
    hunt: h,
    reread: () => ({ hunt: next, problems: [] }),
    clock,
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => "",
  });
  return {
    get engine() {
      return server.game.engine;
    },
    commit: server.game.commit,
    db: opened.store.db,
    close: server.close,
    reloadTo(hunt: Hunt): ReloadResult {
      next = hunt;
      return server.reload("admin");
    },
  };
}
type Game = ReturnType<typeof open>;

async function registerAll(game: Game, names: string[]) {
  for (const name of names) {
    const result = game.engine.register({ name, passwordHash: "x" });
    if (result.kind !== "ok") throw new Error(result.kind);
    await game.commit(result.writes);
  }
}

/** Each team's route order and variant, by team name. */
function snapshot(game: Game) {
  const engine = game.engine;
  return [...engine.teams.values()].map((team) => ({
    name: team.name,
    route: engine.hunt.routes.map((route) => engine.routeOf(team, route)),
    variant: engine.variant(team, engine.hunt.puzzles[0]!)!.index,
  }));
}

describe("per-team generation across restarts and reloads", () => {
  test("a restart gives every team the same route and variant", async () => {
    const path = tempDb();
    const clock = new FakeClock();
    const game = open(path, hunt(ROUTE, FIVE), clock);
    await registerAll(game, ["A", "B", "C", "D"]);
    const before = snapshot(game);
    expect(game.db.query("SELECT count(*) AS n FROM routes").get()).toEqual({ n: 4 });
    game.close();

    const again = open(path, hunt(ROUTE, FIVE), clock);
    expect(snapshot(again)).toEqual(before);
    // Nothing needed rewriting.
    expect(again.db.query("SELECT count(*) AS n FROM routes").get()).toEqual({ n: 4 });
    again.close();
  });

  test("a reload keeps the orders that still satisfy the route, and replaces the others", async () => {
    const path = tempDb();
    const clock = new FakeClock();
    const game = open(path, hunt(ROUTE, FIVE), clock);
    await registerAll(game, ["A", "B", "C", "D", "E"]);
    const before = snapshot(game);

    // Now every team must visit "a" first: only the teams that already did keep their order.
    const changed = hunt(`${ROUTE}\nfirst = "a"`, FIVE);
    const outcome = game.reloadTo(changed);
    const after = snapshot(game);
    const moved = after.filter((_, i) => before[i]!.route[0]![0] !== "a").length;
    expect(moved).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ kind: "ok", summary: { rerouted: moved, reassigned: [] } });
    after.forEach((row, i) => {
      expect(row.route[0]![0]).toBe("a");
      if (before[i]!.route[0]![0] === "a") expect(row.route).toEqual(before[i]!.route);
      expect(row.variant).toBe(before[i]!.variant);
    });
    // The new orders are stored: a restart keeps them.
    game.close();
    const again = open(path, changed, clock);
    expect(snapshot(again)).toEqual(after);
    again.close();
  });

  test("a route added by a reload gives the teams already registered their orders", async () => {
    const path = tempDb();
    const clock = new FakeClock();
    const game = open(path, hunt("", FIVE), clock);
    await registerAll(game, ["A", "B"]);
    expect(game.reloadTo(hunt(ROUTE, FIVE)).kind).toBe("ok");
    const rows = snapshot(game);
    for (const row of rows) expect([...row.route[0]!].sort()).toEqual(FIVE);
    expect(game.db.query("SELECT count(*) AS n FROM routes").get()).toEqual({ n: 2 });
    // Unlocking is sticky: the old teams keep every stop they had; a new team has its first only.
    for (const team of game.engine.teams.values()) {
      expect(game.engine.unlockedPuzzles(team).length).toBe(6);
    }
    await registerAll(game, ["C"]);
    const c = game.engine.teamByName("C")!;
    const visible = game.engine.unlockedPuzzles(c).map((p) => p.id).filter((id) => id !== "v");
    expect(visible).toEqual([game.engine.routeOf(c, game.engine.hunt.routes[0]!)[0]!]);
    game.close();
  });

  test("changing the number of a puzzle's variants deals them out again, and the reload says so", async () => {
    const path = tempDb();
    const clock = new FakeClock();
    const game = open(path, hunt(ROUTE, FIVE), clock);
    await registerAll(game, ["A", "B", "C"]);
    // The same file, with the third variant dropped.
    const outcome = game.reloadTo(hunt(ROUTE, FIVE, ["one", "two"]));
    expect(outcome).toMatchObject({ kind: "ok", summary: { reassigned: ["v"], rerouted: 0 } });
    const per = [0, 0];
    for (const row of snapshot(game)) per[row.variant]!++;
    expect(per.sort()).toEqual([1, 2]);
    game.close();
  });
});
