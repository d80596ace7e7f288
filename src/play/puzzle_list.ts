import type { Engine, Puzzle, Team } from "../engine/mod.ts";
import { type CachedBody, cachedBody } from "../runtime.ts";

/**
 * `GET /api/puzzles` bodies, encoded once per change in what a team sees (its
 * version) and kept until the next time its list can change by the clock
 * alone (an unlock time still ahead: puzzles stay hidden until the start).
 * A reload makes new Team objects, so their entries simply go.
 */
export function puzzleListCache(): (
  engine: Engine,
  team: Team,
  frozenAt: number | undefined,
  now: number,
) => CachedBody {
  const cache = new WeakMap<
    Team,
    {
      version: number;
      values: number;
      solves: number;
      frozenAt: number;
      until: number;
      json: CachedBody;
    }
  >();
  return (engine, team, frozenAt, now) => {
    const hit = cache.get(team);
    // A dynamic puzzle's value changes with other teams' solves (`valuesVersion`), but not the
    // value a frozen board shows; a freeze or a reveal changes which one the team sees.
    const frozen = frozenAt ?? -1;
    // Other teams' solves change the list only where it shows the puzzles' solves.
    const solves = engine.hunt.showSolves ? engine.solvesVersion : 0;
    if (
      hit !== undefined && hit.version === team.version && hit.values === engine.valuesVersion &&
      hit.solves === solves && hit.frozenAt === frozen && now < hit.until
    ) return hit.json;
    const json = cachedBody(JSON.stringify(puzzleList(engine, team, frozenAt)));
    let until = Infinity;
    for (const at of team.state.unlockedAt) if (at > now && at < until) until = at;
    cache.set(team, {
      version: team.version,
      values: engine.valuesVersion,
      solves,
      frozenAt: frozen,
      until,
      json,
    });
    return json;
  };
}

/**
 * The body of `GET /api/puzzles`: the puzzles a team can see now, in file
 * order. While the board is frozen (at `frozenAt`), each is worth what it was
 * to the team at the freeze (see `teamPoints`). Where the hunt shows solves,
 * each says how many teams solved it (`solvesShown`). A mission whose latest submission waits for
 * a judge says so (`pending`).
 */
export function puzzleList(engine: Engine, team: Team, frozenAt?: number) {
  const showSolves = engine.hunt.showSolves;
  const pending = engine.pendingMissions(team);
  return {
    puzzles: engine.unlockedPuzzles(team).map((p) => ({
      id: p.id,
      title: p.title,
      round: p.round,
      points: teamPoints(engine, team, p, frozenAt),
      solved: engine.solved(team, p),
      // (JSON leaves these out while undefined.)
      solves: showSolves ? engine.solvesShown(team, p, frozenAt) : undefined,
      pending: pending.has(p.id) || undefined,
    })),
  };
}

/**
 * What a puzzle is worth to a team: its value now, or, while the board is
 * frozen, its value at the freeze (with the team's own solve since), so that
 * a dynamic puzzle's fall does not tell a team how many others solved it.
 */
export function teamPoints(engine: Engine, team: Team, puzzle: Puzzle, frozenAt?: number): number {
  return engine.pointsShown(team, puzzle, frozenAt);
}

/** A team's own score: now, or, while the board is frozen, with no other team's solve since. */
export function teamScore(engine: Engine, team: Team, frozenAt?: number): number {
  return frozenAt === undefined ? engine.score(team) : engine.scoreFrozen(team, frozenAt);
}
