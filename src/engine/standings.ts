/**
 * The ranking of teams, live or as at a past time (a frozen board), over the
 * totals the engine keeps for each team.
 */
import type { StateLayout } from "../rules/mod.ts";
import type { Team } from "./engine.ts";

/** One team's place on the board. */
export interface Standing {
  rank: number;
  team: Team;
  score: number;
  solves: number;
  lastSolveAt: number | null;
}

/** Which teams to rank, and as at when. */
export interface StandingsOptions {
  /** Count only score changes up to then (a frozen board). */
  at?: number;
  /** Rank only this division's teams. */
  division?: string;
  /** Rank hidden teams too (the organizers' views); the public board leaves them out. */
  hidden?: boolean;
  /** With `at`: each dynamic puzzle's value then, by puzzle index (the engine fills it in). */
  valueAt?: Int32Array;
}

type Row = Standing & { reachedAt: number };

/**
 * The ranking: by score, then by who reached it first (the last score
 * change, or registration for a team whose score never changed), then by
 * registration order. With `at`, scores count only changes up to then (a
 * frozen board); with `division`, only that division's teams, ranked apart.
 * Hidden teams take no place unless `hidden` asks for them.
 */
export function standings(
  teams: Iterable<Team>,
  layout: StateLayout,
  options: StandingsOptions = {},
): Standing[] {
  const rows: Row[] = [];
  const { score: scoreAt, solves: solvesAt } = layout;
  for (const team of teams) {
    if (options.division !== undefined && team.division !== options.division) continue;
    if (team.hidden && options.hidden !== true) continue;
    if (options.at === undefined) {
      // The live board reads the totals each change keeps up to date.
      const counts = team.state.counts;
      rows.push({
        rank: 0,
        team,
        score: counts[scoreAt]!,
        solves: counts[solvesAt]!,
        lastSolveAt: team.lastSolveAt,
        reachedAt: team.reachedAt,
      });
      continue;
    }
    // A frozen board does not change, not even by a team registered after the freeze.
    if (team.createdAt > options.at) continue;
    rows.push(rowAt(team, options.at, options.valueAt));
  }
  rows.sort((a, b) => b.score - a.score || a.reachedAt - b.reachedAt || a.team.seq - b.team.seq);
  const ranked: Standing[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    ranked[i] = {
      rank: i + 1,
      team: row.team,
      score: row.score,
      solves: row.solves,
      lastSolveAt: row.lastSolveAt,
    };
  }
  return ranked;
}

/**
 * A team's row as at `at`, replayed from its score changes and solve times;
 * each dynamic puzzle it had solved by then counts at its value then.
 */
function rowAt(team: Team, at: number, valueAt: Int32Array | undefined): Row {
  let score = 0;
  let reachedAt = team.createdAt;
  for (const event of team.scoreEvents) {
    if (event.at > at) break;
    score += event.delta;
    reachedAt = event.at;
  }
  let solves = 0;
  let lastSolveAt: number | null = null;
  for (let index = 0; index < team.solvedAt.length; index++) {
    const solvedAt = team.solvedAt[index]!;
    if (solvedAt !== solvedAt || solvedAt > at) continue;
    solves++;
    if (lastSolveAt === null || solvedAt > lastSolveAt) lastSolveAt = solvedAt;
    if (valueAt !== undefined) score += valueAt[index]!;
  }
  // A solve taken back after `at` (a mission rejected later) still counted then, as its points do.
  for (const { solvedAt, at: takenBack } of team.revoked) {
    if (solvedAt > at || takenBack <= at) continue;
    solves++;
    if (lastSolveAt === null || solvedAt > lastSolveAt) lastSolveAt = solvedAt;
  }
  return { rank: 0, team, score, solves, lastSolveAt, reachedAt };
}
