/** The hunt's stats page (`/stats`), from its `solutions_at`. */
import type { FC } from "hono/jsx";
import type { PublicPuzzleStat } from "../play/mod.ts";
import { Shell } from "./layout.tsx";

/** A puzzle's stats as the page shows them: times already clock times ("14:05"). */
export interface StatsView extends Omit<PublicPuzzleStat, "first_solve" | "median_solve_seconds"> {
  roundTitle: string;
  firstSolve: { team: string; at: string } | null;
  /** The median time to solve, for people ("34 min"), or null. */
  median: string | null;
}

/**
 * The hunt's stats after it published its solutions (`solutions_at`): a card
 * a puzzle, in the file's order, with its solves, first solve, median time and
 * the wrong answers tried most. Public, as the scoreboard is.
 */
export const StatsPage: FC<{ huntTitle: string; team?: string; puzzles: StatsView[] }> = (
  props,
) => (
  <Shell
    title="Stats"
    huntTitle={props.huntTitle}
    nav={props.team === undefined ? "guest" : "player"}
    {...(props.team !== undefined && { team: props.team })}
  >
    <main id="main">
      <h1>The hunt in numbers</h1>
      {props.puzzles.length === 0 && <p class="muted">No team had any puzzle.</p>}
      {props.puzzles.map((puzzle) => (
        <section
          class="card stat"
          id={`stat-${puzzle.id}`}
          aria-labelledby={`stat-${puzzle.id}-title`}
        >
          <h2 id={`stat-${puzzle.id}-title`}>{puzzle.title}</h2>
          <p class="small muted">{puzzle.roundTitle}</p>
          <p>
            {puzzle.solves} of {puzzle.unlocked} {puzzle.unlocked === 1 ? "team" : "teams"}{" "}
            solved it{puzzle.median !== null && `, in ${puzzle.median} (the median)`}.
            {puzzle.firstSolve !== null &&
              ` First: ${puzzle.firstSolve.team}, at ${puzzle.firstSolve.at}.`}
          </p>
          <p>
            {puzzle.wrong_guesses} wrong {puzzle.wrong_guesses === 1 ? "guess" : "guesses"}
            {puzzle.common_wrong.length > 0 ? ", tried most:" : "."}
          </p>
          {puzzle.common_wrong.length > 0 && (
            <ol class="stat-wrong">
              {puzzle.common_wrong.map((wrong) => (
                <li>
                  <span class="guess-answer">{wrong.answer}</span>{" "}
                  <span class="muted small">
                    {wrong.count} {wrong.count === 1 ? "time" : "times"}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
      ))}
    </main>
  </Shell>
);
