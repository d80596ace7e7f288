/**
 * Following another node's decisions. Where several nodes share one log
 * (PostgreSQL), each decides its own requests in memory and appends their
 * `Write` records; every other node plays those records onto its own engine,
 * in log order, so that all of them hold the same state. Playing a record
 * decides nothing: it changes the state exactly as the deciding node's
 * action did, including the unlocks, which arrive as records of their own.
 */
import { hintKey } from "../rules/mod.ts";
import { type Ask, refunded } from "./asks.ts";
import type { Team } from "./engine.ts";
import type { Submission } from "./missions.ts";
import type { Puzzle } from "./model.ts";
import type { EngineHands } from "./restore.ts";
import type { Write } from "./writes.ts";

/** The engine's parts that following a record reads and changes. */
export interface FollowTarget extends EngineHands {
  readonly submissions: Map<number, Submission>;
  readonly asks: Map<number, Ask>;
  /** A dynamic puzzle's value fell: its other solvers' `score()` rules are judged again. */
  valueFell(team: Team, puzzle: Puzzle): void;
  /** Bytes a team has uploaded, for its quota. */
  addStoredBytes(teamId: number, bytes: number): void;
  /** The id counters move past an id another node handed out; time moves past `at`. */
  seen(
    ids: {
      guess?: number;
      adjustment?: number;
      announcement?: number;
      submission?: number;
      ask?: number;
      at?: number;
    },
  ): void;
  /** A judged submission is no longer anyone's to judge. */
  releaseClaim(submissionId: number): void;
  /** A team's new name, which it is then found by. */
  rename(team: Team, name: string): void;
  /** A team hidden from the public standings, or shown again (`Engine.hideTeam`). */
  hide(team: Team, hidden: boolean): void;
  /** A team banned (and hidden), or its ban lifted (`Engine.banTeam`). */
  ban(team: Team, banned: boolean): void;
}

/** Plays one record of another node's onto the engine. */
export function followWrite(target: FollowTarget, write: Write): void {
  switch (write.kind) {
    case "team":
      if (target.teams.has(write.id)) return;
      target.addTeam({
        id: write.id,
        name: write.name,
        division: write.division,
        members: [...write.members],
        createdAt: write.at,
      });
      target.seen({ at: write.at });
      return;
    case "guess":
      return followGuess(target, write);
    case "submission":
      return followSubmission(target, write);
    case "verdict":
      return followVerdict(target, write);
    case "ask":
    case "ask_close":
      return followAsk(target, write);
    case "unlock":
    case "hint":
    case "checkin":
      return followProgress(target, write);
    case "route": {
      const team = target.teams.get(write.teamId);
      const route = target.hunt.routes.find((r) => r.id === write.route);
      if (team === undefined || route === undefined) return;
      const order = write.stops.map((id) => target.hunt.puzzleIndex.get(id) ?? -1);
      if (order.some((index) => index < 0)) return;
      target.setRoute(team, route, order);
      return;
    }
    case "adjustment": {
      target.seen({ adjustment: write.id, at: write.at });
      const team = target.teams.get(write.teamId);
      if (team !== undefined) target.changeScore(team, write.points, write.at);
      return;
    }
    case "extra_guesses": {
      const team = target.teams.get(write.teamId);
      const index = target.hunt.puzzleIndex.get(write.puzzle);
      if (team === undefined || index === undefined) return;
      team.extraGuesses.set(index, (team.extraGuesses.get(index) ?? 0) + write.count);
      return;
    }
    case "announcement":
      target.seen({ announcement: write.id, at: write.at });
      return;
    case "team_name": {
      const team = target.teams.get(write.teamId);
      if (team !== undefined) target.rename(team, write.name);
      return;
    }
    case "team_hidden": {
      target.seen({ at: write.at });
      const team = target.teams.get(write.teamId);
      if (team !== undefined) target.hide(team, write.hidden);
      return;
    }
    case "team_banned": {
      target.seen({ at: write.at });
      const team = target.teams.get(write.teamId);
      if (team !== undefined) target.ban(team, write.banned);
      return;
    }
    // Accounts, keys, submitters and meta values live outside the engine.
    case "session":
    case "session_end":
    case "password":
    case "idempotency":
    case "idempotency_evict":
    case "idempotency_prune":
    case "submitter":
    case "submitter_release":
    case "meta":
      return;
  }
}

/** The team and puzzle a record names, when the game still has both. */
function played(
  target: FollowTarget,
  write: { teamId: number; puzzle: string },
): { team: Team; puzzle: Puzzle } | undefined {
  const team = target.teams.get(write.teamId);
  const index = target.hunt.puzzleIndex.get(write.puzzle);
  if (team === undefined || index === undefined) return undefined;
  return { team, puzzle: target.hunt.puzzles[index]! };
}

/** A guess: the team's limits and counters, and its solve when it was right. */
function followGuess(target: FollowTarget, write: Extract<Write, { kind: "guess" }>): void {
  target.seen({ guess: write.id, at: write.at });
  const found = played(target, write);
  if (found === undefined) return;
  const { team, puzzle } = found;
  const { layout } = target;
  team.lastActivityAt = Math.max(team.lastActivityAt, write.at);
  if (write.extraUsed) {
    const left = (team.extraGuesses.get(puzzle.index) ?? 0) - 1;
    if (left > 0) team.extraGuesses.set(puzzle.index, left);
    else team.extraGuesses.delete(puzzle.index);
  }
  if (write.result === "correct") {
    if (team.state.counts[layout.solved + puzzle.index] === 1) return;
    if (target.solve(team, puzzle, write.effectiveAt ?? write.at)) {
      target.valueFell(team, puzzle);
    }
    return;
  }
  if (puzzle.guessLimit.perMs !== Infinity) {
    // Those out of the window go now, as a guess decided here trims them: a node that follows a
    // team's guesses on a puzzle and decides none of them would otherwise keep every one.
    const recent = team.recentWrong.get(puzzle.index) ?? [];
    const windowStart = write.at - puzzle.guessLimit.perMs;
    while (recent.length > 0 && recent[0]! <= windowStart) recent.shift();
    recent.push(write.at);
    team.recentWrong.set(puzzle.index, recent);
  }
  team.state.counts[layout.wrongGuesses + puzzle.index]!++;
}

/** A mission's submission: kept for judging, and solved at once when accepted (judge = "auto"). */
function followSubmission(
  target: FollowTarget,
  write: Extract<Write, { kind: "submission" }>,
): void {
  target.seen({ submission: write.id, at: write.at });
  target.submissions.set(write.id, {
    id: write.id,
    teamId: write.teamId,
    puzzle: write.puzzle,
    submit: write.submit,
    file: write.file,
    text: write.text,
    status: write.status,
    points: write.points,
    message: null,
    at: write.at,
    acceptedAt: write.status === "accepted" ? write.at : null,
    judgedAt: null,
    flag: write.flag ?? null,
  });
  target.addStoredBytes(write.teamId, write.file?.size ?? 0);
  const found = played(target, write);
  if (found === undefined) return;
  found.team.lastActivityAt = Math.max(found.team.lastActivityAt, write.at);
  if (write.status === "accepted") target.solve(found.team, found.puzzle, write.at, write.points);
  // Waiting for a judge: the team's puzzle list says so.
  else found.team.version++;
}

/** A verdict: an acceptance solves the mission, a rejection after one takes the solve back. */
function followVerdict(target: FollowTarget, write: Extract<Write, { kind: "verdict" }>): void {
  target.seen({ at: write.at });
  const submission = target.submissions.get(write.submissionId);
  if (submission === undefined) return;
  const found = played(target, write);
  const was = submission.status;
  if (write.status === "accepted") {
    const solvedAt = write.acceptedAt ?? write.at;
    Object.assign(submission, {
      status: "accepted",
      points: write.points,
      acceptedAt: solvedAt,
      message: null,
    });
    if (found !== undefined && was !== "accepted") {
      target.solve(found.team, found.puzzle, solvedAt, write.points);
    }
  } else {
    if (found !== undefined && was === "accepted") {
      target.unsolve(found.team, found.puzzle, submission.points, write.at);
    } else if (found !== undefined) found.team.version++;
    Object.assign(submission, { status: "rejected", message: write.message });
  }
  submission.judgedAt = write.at;
  target.releaseClaim(submission.id);
}

/** An unlock, a taken hint or a check-in. */
function followProgress(
  target: FollowTarget,
  write: Extract<Write, { kind: "unlock" | "hint" | "checkin" }>,
): void {
  const found = played(target, write);
  if (found === undefined) return;
  const { team, puzzle } = found;
  if (write.kind === "unlock") {
    // Two nodes may both record a time-based unlock: the earliest time wins, in any order.
    const unlockedAt = team.state.unlockedAt;
    const current = unlockedAt[puzzle.index]!;
    if (current === current && current <= write.at) return;
    unlockedAt[puzzle.index] = write.at;
    team.version++;
    return;
  }
  target.seen({ at: write.at });
  team.lastActivityAt = Math.max(team.lastActivityAt, write.at);
  if (write.kind === "hint") {
    const hint = puzzle.hints.find((h) => h.id === write.hint);
    const key = hint === undefined ? undefined : `${puzzle.index}:${hint.index}`;
    if (hint === undefined || key === undefined || team.hints.has(key)) return;
    team.hints.add(key);
    team.state.taken.add(hintKey(puzzle.index, hint.index));
    target.changeScore(team, -hint.cost, write.at);
    return;
  }
  const slot = target.layout.checkedIn + puzzle.index;
  if (team.state.counts[slot] === 1) return;
  if (puzzle.route !== undefined) target.checkedInAtStop(team, puzzle);
  team.state.counts[slot] = 1;
}

/** An ask: charged when asked; answered, or refused or withdrawn and paid back. */
function followAsk(
  target: FollowTarget,
  write: Extract<Write, { kind: "ask" | "ask_close" }>,
): void {
  target.seen({ ...(write.kind === "ask" && { ask: write.id }), at: write.at });
  const team = target.teams.get(write.teamId);
  if (write.kind === "ask") {
    if (target.asks.has(write.id)) return;
    const { kind: _, ...fields } = write;
    target.asks.set(write.id, { ...fields, status: "open", answer: null, closedAt: null });
    if (team === undefined || !target.hunt.puzzleIndex.has(write.puzzle)) return;
    team.lastActivityAt = Math.max(team.lastActivityAt, write.at);
    target.changeScore(team, -write.cost, write.at);
    return;
  }
  const ask = target.asks.get(write.askId);
  if (ask === undefined || ask.status !== "open") return;
  Object.assign(ask, { status: write.status, answer: write.answer, closedAt: write.at });
  if (team !== undefined && target.hunt.puzzleIndex.has(ask.puzzle) && refunded(ask.status)) {
    target.changeScore(team, ask.cost, write.at);
  }
}
