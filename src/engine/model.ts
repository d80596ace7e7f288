/**
 * The compiled hunt the engine runs: everything from the hunt file, validated,
 * with ids mapped to dense indices and rules compiled to closures.
 */
import type { CompiledRule } from "../rules/mod.ts";
import type { AnswerChecker } from "./normalize.ts";

export type Registration = "open" | "code" | "closed";

export interface Hint {
  index: number;
  id: string;
  text: string;
  cost: number;
  /** Undefined: available as soon as its puzzle is. */
  unlock?: CompiledRule;
}

export interface Puzzle {
  index: number;
  id: string;
  title: string;
  round: string;
  roundIndex: number;
  tags: readonly string[];
  tagIndexes: readonly number[];
  points: number;
  /** Markdown. */
  body: string;
  answers: AnswerChecker;
  /** Undefined: open from the start. */
  unlock?: CompiledRule;
  guessLimit: { count: number; perMs: number };
  hints: readonly Hint[];
  checkpoint?: { code: string };
}

export interface Hunt {
  title: string;
  /** Epoch ms; undefined: the hunt starts when a server first runs on its database. */
  startsAt?: number;
  endsAt?: number;
  freezeAt?: number;
  registration: Registration;
  registrationCodes: readonly string[];
  teamSize: { min: number; max: number };
  divisions: readonly string[];
  seed: string;
  puzzles: readonly Puzzle[];
  puzzleIndex: ReadonlyMap<string, number>;
  rounds: readonly string[];
  tags: readonly string[];
  /** Checkpoint code → puzzle index. */
  checkpoints: ReadonlyMap<string, number>;
  /** The folder of per-puzzle assets (`assets/<puzzle id>/…`) beside the hunt file, if any. */
  assetsDir?: string;
}

/** The guess limit a puzzle gets when it sets none: 10 per minute. */
export const DEFAULT_GUESS_LIMIT = { count: 10, perMs: 60_000 } as const;
