/**
 * When a hint that is not available yet will be: "in 7 min", "after 3 wrong
 * guesses", "after you solve The Lighthouse", "after you take Hint 1", from the hint's rule as
 * `explainRule` reads it and the team's state now.
 */
import type { Engine, Hint, Puzzle, Team } from "../engine/mod.ts";
import { roundTitle } from "../engine/mod.ts";
import { explainRule, type Explanation, hintKey, type Reason } from "../rules/mod.ts";

/** What the page says: the text after "Available", and the seconds to count down for a time. */
export interface HintWhen {
  text: string;
  seconds?: number;
}

const MINUTE = 60_000;

/** When the hint becomes available, or undefined when its rule cannot be put in words. */
export function hintWhen(
  engine: Engine,
  target: { team: Team; puzzle: Puzzle; hint: Hint },
  now: number,
): HintWhen | undefined {
  const { hint } = target;
  if (hint.unlock === undefined) return undefined;
  const explanation = explainRule(hint.unlock.expr);
  if (explanation === undefined) return undefined;
  const wait = pending(explanation, { engine, ...target, now });
  if (wait === undefined || wait.length === 0) return undefined;
  const seconds = wait.length === 1 ? wait[0]!.seconds : undefined;
  return {
    text: wait.map((w) => w.text).join(" and "),
    ...(seconds !== undefined && { seconds }),
  };
}

interface Facts {
  engine: Engine;
  team: Team;
  puzzle: Puzzle;
  now: number;
}

/** The conditions still to meet (all of them), or undefined when they cannot be said. */
function pending(e: Explanation, facts: Facts): HintWhen[] | undefined {
  switch (e.kind) {
    case "all": {
      const parts: HintWhen[] = [];
      for (const part of e.parts) {
        const wait = pending(part, facts);
        if (wait === undefined) return undefined;
        parts.push(...wait);
      }
      return parts;
    }
    case "any": {
      // Any one will do: met already means nothing to wait for; else say the options.
      const options: string[] = [];
      for (const part of e.parts) {
        const wait = pending(part, facts);
        if (wait === undefined) return undefined;
        if (wait.length === 0) return [];
        options.push(wait.map((w) => w.text).join(" and "));
      }
      return [{ text: options.join(", or ") }];
    }
    default: {
      const wait = reasonWait(e, facts);
      return wait === undefined ? undefined : wait === "met" ? [] : [wait];
    }
  }
}

/** One condition: met, what is left of it, or undefined when it cannot be said. */
function reasonWait(reason: Reason, facts: Facts): HintWhen | "met" | undefined {
  const { engine, team, puzzle, now } = facts;
  const { counts, unlockedAt } = team.state;
  const layout = engine.layout;
  switch (reason.kind) {
    case "time":
      return timeWait(reason.at, now);
    case "taken": {
      // Named as the page heads it ("Hint 1"); an ask is never taken, so it is not waited for.
      if (puzzle.hints[reason.arg]?.kind === "ask") return undefined;
      if (team.state.taken.has(hintKey(puzzle.index, reason.arg))) return "met";
      return { text: `after you take Hint ${reason.arg + 1}` };
    }
    case "done": {
      const slot = reason.fn === "solved" ? layout.solved : layout.checkedIn;
      if (counts[slot + reason.arg] === 1) return "met";
      const other = engine.hunt.puzzles[reason.arg]!;
      // A puzzle the team cannot see yet is not named.
      const seen = engine.isUnlocked(team, other.index, now);
      if (reason.fn === "solved") {
        return {
          text: seen ? `after you solve “${other.title}”` : "after you solve another puzzle",
        };
      }
      return {
        text: seen ? `after you check in at “${other.title}”` : "after you find a checkpoint",
      };
    }
    case "at_least":
      switch (reason.fn) {
        case "minutes_since_unlock":
          return timeWait(unlockedAt[puzzle.index]! + reason.count * MINUTE, now);
        case "minutes":
          return timeWait(engine.startsAt + reason.count * MINUTE, now);
        case "wrong_guesses": {
          const have = counts[layout.wrongGuesses + puzzle.index]!;
          return more(reason.count, have, "wrong guess", "wrong guesses");
        }
        case "solves":
          return more(reason.count, counts[layout.solves]!, "solve", "solves");
        case "solves_in_round": {
          const round = roundTitle(engine.hunt, engine.hunt.rounds[reason.arg]!);
          const left = more(
            reason.count,
            counts[layout.roundSolves + reason.arg]!,
            "solve",
            "solves",
          );
          return left === "met" ? left : { text: `${left.text} in “${round}”` };
        }
        case "solves_with_tag":
        case "score": {
          // Tags are the organizers' words, and a score can also fall: not put in words.
          const slot = reason.fn === "score" ? layout.score : layout.tagSolves + reason.arg;
          return counts[slot]! >= reason.count ? "met" : undefined;
        }
      }
  }
}

/** "in 7 min", "in 1 h 5 min", with the seconds left for a countdown; met once the time passed. */
function timeWait(at: number, now: number): HintWhen | "met" | undefined {
  if (!Number.isFinite(at)) return undefined;
  if (now >= at) return "met";
  const seconds = Math.ceil((at - now) / 1000);
  const minutes = Math.ceil(seconds / 60);
  const text = minutes < 60
    ? `in ${minutes} min`
    : `in ${Math.floor(minutes / 60)} h${minutes % 60 === 0 ? "" : ` ${minutes % 60} min`}`;
  return { text, seconds };
}

/** "after 3 wrong guesses", or "after 2 more wrong guesses" once some were made. */
function more(count: number, have: number, one: string, many: string): HintWhen | "met" {
  const left = count - have;
  if (left <= 0) return "met";
  const noun = left === 1 ? one : many;
  return { text: have === 0 ? `after ${left} ${noun}` : `after ${left} more ${noun}` };
}
