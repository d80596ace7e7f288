/**
 * Restoring the game from the database at boot: each team's starting state,
 * then the stored rows replayed onto it, in an order that gives the same
 * scores, ties and frozen boards as when they were played.
 */
import { emptyState, hintKey, type StateLayout } from "../rules/mod.ts";
import { type Ask, refunded } from "./asks.ts";
import type { Team } from "./engine.ts";
import type { Submission } from "./missions.ts";
import type { Hunt, Puzzle, Route } from "./model.ts";
import { satisfies } from "./routes.ts";

/** Rows the store reads back at boot, replayed by `restore`. */
export interface Snapshot {
  teams: {
    id: number;
    name: string;
    division: string | null;
    members: string[];
    createdAt: number;
    /** Hidden by an organizer (absent: not). */
    hidden?: boolean;
    /** Banned by an organizer (absent: not); a banned team is hidden too. */
    banned?: boolean;
  }[];
  unlocks: { teamId: number; puzzle: string; at: number }[];
  solves: { teamId: number; puzzle: string; at: number }[];
  checkins: { teamId: number; puzzle: string; at: number }[];
  /** Each team's stored order of each route's stops. */
  routes: { teamId: number; route: string; stops: string[] }[];
  hints: { teamId: number; puzzle: string; hint: string; at: number }[];
  adjustments: { teamId: number; points: number; at: number }[];
  /** Per team and puzzle: incorrect and partial guesses, extra guesses granted and used. */
  guessTotals: {
    teamId: number;
    puzzle: string;
    wrong: number;
    granted: number;
    extraUsed: number;
  }[];
  /** Incorrect and partial guesses recent enough to count against a guess limit. */
  recentWrong: { teamId: number; puzzle: string; at: number }[];
  /** Every mission submission, oldest first. */
  submissions: Submission[];
  /** Every ask (a question on an ask hint), oldest first. */
  asks: Ask[];
  lastGuessId: number;
  lastAdjustmentId: number;
  lastAnnouncementId: number;
  /** Each team's latest guess, hint or check-in. */
  lastActivity: { teamId: number; at: number }[];
}

/** A stored team, as the snapshot (and a new registration) gives it. */
export type TeamRow = Snapshot["teams"][number];

/**
 * The engine's own state changes, which both replaying a snapshot at boot and
 * following another node's records (follow.ts) make: they change the state as
 * an action did, and decide nothing.
 */
export interface EngineHands {
  readonly hunt: Hunt;
  readonly layout: StateLayout;
  readonly teams: ReadonlyMap<number, Team>;
  addTeam(row: TeamRow): Team;
  /** Records a solve; returns whether it lowered a dynamic puzzle's value. */
  solve(team: Team, puzzle: Puzzle, at: number, points?: number): boolean;
  /** Takes a solve back, as a rejection after an acceptance did. */
  unsolve(team: Team, puzzle: Puzzle, points: number, at: number): void;
  changeScore(team: Team, delta: number, at: number): void;
  checkedInAtStop(team: Team, puzzle: Puzzle): void;
  setRoute(team: Team, route: Route, order: readonly number[]): void;
}

/** The engine's parts that replaying a snapshot reads and changes. */
export interface ReplayTarget extends EngineHands {
  /** Gives a team its planner order of a route again, recorded in the background. */
  reassignRoute(team: Team, route: Route): void;
}

const NO_ROUTES = new Int32Array(0);

/** A team's state before it has played: nothing unlocked, solved or taken. */
export function newTeam(
  row: TeamRow,
  options: { hunt: Hunt; layout: StateLayout; startsAt: number; seq: number },
): Team {
  const { hunt, layout } = options;
  const team: Team = {
    id: row.id,
    name: row.name,
    division: row.division,
    members: row.members,
    createdAt: row.createdAt,
    seq: options.seq,
    state: emptyState(
      {
        puzzles: hunt.puzzles.length,
        rounds: hunt.rounds.length,
        tags: hunt.tags.length,
        routes: hunt.routes.length,
      },
      options.startsAt,
    ),
    solvedAt: new Float64Array(hunt.puzzles.length).fill(NaN),
    hints: new Set(),
    scoreEvents: [],
    reachedAt: row.createdAt,
    lastSolveAt: null,
    version: 0,
    recentWrong: new Map(),
    refreshedAt: -Infinity,
    stale: false,
    extraGuesses: new Map(),
    lastActivityAt: row.createdAt,
    routes: [],
    previousStop: hunt.routes.length > 0 ? new Int32Array(hunt.puzzles.length).fill(-1) : NO_ROUTES,
    shownAt: new Map(),
    revoked: [],
    hidden: row.hidden ?? false,
    banned: row.banned ?? false,
  };
  if (row.division !== null) {
    team.state.counts[layout.division] = hunt.divisions.indexOf(row.division);
  }
  return team;
}

/**
 * Rebuilds the teams' state from what the store read back at boot. The id
 * counters (`lastGuessId` and the like) are the caller's to take.
 */
export function replaySnapshot(snapshot: Snapshot, game: ReplayTarget): void {
  const { hunt, layout } = game;
  for (const row of snapshot.teams) game.addTeam(row);
  restoreRoutes(snapshot.routes, game);
  const each = eachPlayed(game);
  each(snapshot.unlocks, (team, index, row: { at: number }) => {
    team.state.unlockedAt[index] = row.at;
    team.version++;
  });
  replayScoreEvents(snapshot, game);
  each(snapshot.checkins, (team, index) => {
    if (hunt.puzzles[index]!.route !== undefined) {
      game.checkedInAtStop(team, hunt.puzzles[index]!);
    }
    team.state.counts[layout.checkedIn + index] = 1;
  });
  each(
    snapshot.guessTotals,
    (team, index, row: { wrong: number; granted: number; extraUsed: number }) => {
      team.state.counts[layout.wrongGuesses + index] = row.wrong;
      const left = row.granted - row.extraUsed;
      if (left > 0) team.extraGuesses.set(index, left);
    },
  );
  each(snapshot.recentWrong, (team, index, row: { at: number }) => {
    const list = team.recentWrong.get(index) ?? [];
    list.push(row.at);
    team.recentWrong.set(index, list);
  });
  for (const team of game.teams.values()) {
    for (const list of team.recentWrong.values()) list.sort((a, b) => a - b);
  }
  for (const row of snapshot.lastActivity) {
    const team = game.teams.get(row.teamId);
    if (team) team.lastActivityAt = Math.max(team.lastActivityAt, row.at);
  }
}

/** Applies rows that name a team and a puzzle, skipping those the game no longer has. */
function eachPlayed(game: ReplayTarget) {
  return (
    rows: { teamId: number; puzzle: string }[],
    apply: (team: Team, index: number, row: never) => void,
  ): void => {
    for (const row of rows) {
      const team = game.teams.get(row.teamId);
      const index = game.hunt.puzzleIndex.get(row.puzzle);
      // Rows for puzzles no longer in the hunt file are kept on disk but not played.
      if (team !== undefined && index !== undefined) apply(team, index, row as never);
    }
  };
}

/** Replays solves, hints and adjustments in time order, so ties and frozen boards come out right. */
function replayScoreEvents(snapshot: Snapshot, game: ReplayTarget): void {
  const { hunt } = game;
  const each = eachPlayed(game);
  const events: { at: number; apply: () => void }[] = [];
  each(snapshot.solves, (team, index, row: { at: number }) => {
    events.push({ at: row.at, apply: () => game.solve(team, hunt.puzzles[index]!, row.at) });
  });
  each(snapshot.hints, (team, index, row: { hint: string; at: number }) => {
    const hint = hunt.puzzles[index]!.hints.find((h) => h.id === row.hint);
    if (hint === undefined) return;
    events.push({
      at: row.at,
      apply: () => {
        team.hints.add(`${index}:${hint.index}`);
        team.state.taken.add(hintKey(index, hint.index));
        game.changeScore(team, -hint.cost, row.at);
      },
    });
  });
  // An accepted mission is a solve at its acceptance's time (when the team sent it, or when a judge
  // accepted it before that was so); a rejection after that takes it back.
  each(snapshot.submissions, (team, index, row: Submission) => {
    const puzzle = hunt.puzzles[index]!;
    const { acceptedAt, judgedAt, points } = row;
    if (acceptedAt === null) return;
    events.push({ at: acceptedAt, apply: () => game.solve(team, puzzle, acceptedAt, points) });
    if (row.status === "rejected") {
      const at = judgedAt ?? acceptedAt;
      events.push({ at, apply: () => game.unsolve(team, puzzle, points, at) });
    }
  });
  // An ask is charged when it was asked, and paid back when it was refused or withdrawn.
  each(snapshot.asks, (team, _index, row: Ask) => {
    events.push({ at: row.at, apply: () => game.changeScore(team, -row.cost, row.at) });
    if (refunded(row.status)) {
      const at = row.closedAt ?? row.at;
      events.push({ at, apply: () => game.changeScore(team, row.cost, at) });
    }
  });
  for (const row of snapshot.adjustments) {
    const team = game.teams.get(row.teamId);
    if (team) {
      events.push({
        at: row.at,
        apply: () => game.changeScore(team, row.points, row.at),
      });
    }
  }
  events.sort((a, b) => a.at - b.at);
  for (const event of events) event.apply();
}

/**
 * Takes each team's stored order of each route when it is still a valid
 * order of the route as the file now has it; otherwise (a team registered
 * before the route existed, or the route's stops or constraints changed
 * since) the team gets its planner order again, recorded in the background.
 */
function restoreRoutes(rows: Snapshot["routes"], game: ReplayTarget): void {
  const { hunt } = game;
  if (hunt.routes.length === 0) return;
  const stored = new Map<string, string[]>();
  for (const row of rows) stored.set(`${row.teamId}\u0000${row.route}`, row.stops);
  for (const team of game.teams.values()) {
    for (const route of hunt.routes) {
      const ids = stored.get(`${team.id}\u0000${route.id}`);
      const slots = ids?.map((id) => route.stops.indexOf(hunt.puzzleIndex.get(id) ?? -1));
      if (slots !== undefined && satisfies(slots, route.constraints)) {
        game.setRoute(team, route, slots.map((slot) => route.stops[slot]!));
      } else game.reassignRoute(team, route);
    }
  }
}
