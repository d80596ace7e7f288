/**
 * CTFtime's scoreboard feed (ctftime.org/json-scoreboard-feed): the standings
 * with each team's solved tasks, as CTFtime polls it during an event and
 * imports it after. Built from the engine for `GET /api/ctftime`, and from
 * the database for `cairn export --format ctftime`, through the same shape.
 */
import type { Engine } from "../engine/mod.ts";

/** One task (puzzle) of the feed. */
export interface FeedTask {
  id: string;
  title: string;
}

/** One team's row: its place, score, and what each of its solves is worth. */
export interface FeedRow {
  pos: number;
  team: string;
  score: number;
  solves: { puzzle: string; points: number; at: number }[];
}

/** The feed as CTFtime reads it. */
export interface CtftimeFeed {
  tasks: string[];
  standings: {
    pos: number;
    team: string;
    score: number;
    taskStats: Record<string, { points: number; time: number }>;
    lastAccept?: number;
  }[];
}

/**
 * The feed: tasks named by their titles (a title two puzzles share gets its
 * puzzle id too, as the names are keys), and for every team its solves with
 * their points and UNIX times. Only puzzles some team has solved are tasks:
 * the feed is public, and a puzzle nobody has reached stays secret.
 */
export function ctftimeFeed(all: readonly FeedTask[], rows: readonly FeedRow[]): CtftimeFeed {
  const solved = new Set(rows.flatMap((row) => row.solves.map((solve) => solve.puzzle)));
  const tasks = all.filter((task) => solved.has(task.id));
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.title, (counts.get(task.title) ?? 0) + 1);
  const names = new Map(
    tasks.map((
      task,
    ) => [task.id, counts.get(task.title)! > 1 ? `${task.title} (${task.id})` : task.title]),
  );
  return {
    tasks: tasks.map((task) => names.get(task.id)!),
    standings: rows.map((row) => {
      const taskStats: Record<string, { points: number; time: number }> = {};
      let lastAccept: number | undefined;
      for (const solve of row.solves) {
        const name = names.get(solve.puzzle);
        if (name === undefined) continue;
        const time = Math.floor(solve.at / 1000);
        taskStats[name] = { points: solve.points, time };
        if (lastAccept === undefined || time > lastAccept) lastAccept = time;
      }
      return {
        pos: row.pos,
        team: row.team,
        score: row.score,
        taskStats,
        ...(lastAccept !== undefined && { lastAccept }),
      };
    }),
  };
}

/** The feed as JSON text, with every character past ASCII written as \uXXXX, as CTFtime asks. */
export function ctftimeJson(feed: CtftimeFeed): string {
  return JSON.stringify(feed).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The feed of the running game, as at `at` (the freeze time while the board
 * is frozen, so the feed leaks no more than the public board).
 */
export function engineFeed(engine: Engine, at: number | undefined): CtftimeFeed {
  const hunt = engine.hunt;
  const time = at ?? Infinity;
  // Each solve's points: the puzzle's value then, plus the bonus for its place; a mission's, what
  // its judge gave.
  const judged = new Map<string, number>();
  for (const submission of engine.submissions.values()) {
    if (submission.status === "accepted") {
      judged.set(`${submission.teamId} ${submission.puzzle}`, submission.points);
    }
  }
  const solves = new Map<number, FeedRow["solves"]>();
  for (const puzzle of hunt.puzzles) {
    const value = puzzle.dynamic === undefined ? puzzle.points : engine.valueAt(puzzle.index, time);
    engine.solversOf(puzzle).forEach((team, place) => {
      const solvedAt = team.solvedAt[puzzle.index]!;
      if (solvedAt > time) return;
      let list = solves.get(team.id);
      if (list === undefined) solves.set(team.id, list = []);
      list.push({
        puzzle: puzzle.id,
        points: judged.get(`${team.id} ${puzzle.id}`) ??
          value + (puzzle.firstSolveBonus[place] ?? 0),
        at: solvedAt,
      });
    });
  }
  const rows = engine.standings(at === undefined ? {} : { at }).map((row) => ({
    pos: row.rank,
    team: row.team.name,
    score: row.score,
    solves: solves.get(row.team.id) ?? [],
  }));
  return ctftimeFeed(hunt.puzzles.map((p) => ({ id: p.id, title: p.title })), rows);
}
