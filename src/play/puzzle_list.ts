import type { Engine, Team } from "../engine/mod.ts";

/**
 * `GET /api/puzzles` bodies, encoded once per change in what a team sees (its
 * version) and kept until the next time its list can change by the clock
 * alone (an unlock time still ahead: puzzles stay hidden until the start).
 * A reload makes new Team objects, so their entries simply go.
 */
export function puzzleListCache(): (engine: Engine, team: Team) => string {
  const cache = new WeakMap<
    Team,
    { version: number; values: number; until: number; json: string }
  >();
  return (engine, team) => {
    const now = engine.now();
    const hit = cache.get(team);
    // A dynamic puzzle's value changes with other teams' solves (`valuesVersion`).
    if (
      hit !== undefined && hit.version === team.version && hit.values === engine.valuesVersion &&
      now < hit.until
    ) return hit.json;
    const json = JSON.stringify(puzzleList(engine, team));
    let until = Infinity;
    for (const at of team.state.unlockedAt) if (at > now && at < until) until = at;
    cache.set(team, { version: team.version, values: engine.valuesVersion, until, json });
    return json;
  };
}

/** The body of `GET /api/puzzles`: the puzzles a team can see now, in file order. */
export function puzzleList(engine: Engine, team: Team) {
  return {
    puzzles: engine.unlockedPuzzles(team).map((p) => ({
      id: p.id,
      title: p.title,
      round: p.round,
      points: engine.points(p),
      solved: engine.solved(team, p),
    })),
  };
}
