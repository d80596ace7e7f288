/**
 * The compact team state compiled rules read. The engine owns and updates it;
 * rules only read it. Every per-team number lives in one Int32Array at offsets
 * fixed per hunt (`StateLayout`), so a rule's read is one array load, and
 * copying or resetting a team's state is one array copy.
 */
export interface RuleState {
  /** Now, in epoch milliseconds. */
  now: number;
  /** When the hunt started, in epoch milliseconds. */
  huntStart: number;
  /** The team's counters, at the offsets of the hunt's `StateLayout`. */
  counts: Int32Array;
  /** When each puzzle unlocked for the team (epoch ms), NaN while locked. */
  unlockedAt: Float64Array;
  /** The hints the team took, each as `hintKey(puzzle index, hint index)`. */
  taken: Set<number>;
}

/** The number a taken hint is kept as in `RuleState.taken`. */
export function hintKey(puzzle: number, hint: number): number {
  return puzzle * 65_536 + hint;
}

/** Sizes of the index spaces a state covers. */
export interface StateShape {
  puzzles: number;
  rounds: number;
  tags: number;
  /** How many routes the hunt has (0 when omitted). */
  routes?: number;
}

/** Where each counter starts in `RuleState.counts`. */
export interface StateLayout {
  /** 1 where the team solved puzzle i, at `solved + i`. */
  solved: number;
  /** 1 where the team checked in at puzzle i's checkpoint, at `checkedIn + i`. */
  checkedIn: number;
  /** The team's incorrect and partial guesses on puzzle i, at `wrongGuesses + i`. */
  wrongGuesses: number;
  /** Solves in round r, at `roundSolves + r`. */
  roundSolves: number;
  /** Solves of puzzles with tag t, at `tagSolves + t`. */
  tagSolves: number;
  /** How many puzzles the team solved. */
  solves: number;
  score: number;
  /** The team's division index, or -1 for none. */
  division: number;
  /** Where puzzle i stands in the team's route (from 1), 0 if not a stop, at `routePosition + i`. */
  routePosition: number;
  /** How many stops of route r the team is done with, at `routeProgress + r`. */
  routeProgress: number;
  size: number;
}

/** The offsets of every counter for a hunt of this shape. */
export function stateLayout(shape: StateShape): StateLayout {
  const solved = 0;
  const checkedIn = solved + shape.puzzles;
  const wrongGuesses = checkedIn + shape.puzzles;
  const roundSolves = wrongGuesses + shape.puzzles;
  const tagSolves = roundSolves + shape.rounds;
  const solves = tagSolves + shape.tags;
  const routes = shape.routes ?? 0;
  // Route counters come last, and take no room in a hunt without routes.
  const routePosition = solves + 3;
  const routeProgress = routePosition + (routes > 0 ? shape.puzzles : 0);
  return {
    solved,
    checkedIn,
    wrongGuesses,
    roundSolves,
    tagSolves,
    solves,
    score: solves + 1,
    division: solves + 2,
    routePosition,
    routeProgress,
    size: routeProgress + routes,
  };
}

/** A fresh state for a team that has done nothing yet. */
export function emptyState(shape: StateShape, huntStart: number): RuleState {
  const layout = stateLayout(shape);
  const counts = new Int32Array(layout.size);
  counts[layout.division] = -1;
  return {
    now: huntStart,
    huntStart,
    counts,
    unlockedAt: new Float64Array(shape.puzzles).fill(NaN),
    taken: new Set(),
  };
}
