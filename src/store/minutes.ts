/**
 * Guesses per minute, for the organizers' chart (`Store.guessesPerMinute`),
 * counted in memory. The guesses table keeps no index by time (migration
 * 11): its last page was written again with every batch. So the store counts
 * the guesses that were in the file when it opened once, in boot's one pass
 * over the guesses (load.ts), and every guess it is given to commit after,
 * as it is handed over. A batch whose commit fails is counted too: the
 * server then exits and counts again from the file when it starts.
 */
import type { Write } from "../engine/mod.ts";
import type { MinuteCount } from "./store.ts";

export const MINUTE = 60_000;

export class GuessMinutes {
  private readonly byMinute = new Map<number, { guesses: number; correct: number }>();
  /** Every guess counted. */
  total = 0;

  /** The minute counted last, and its counts: guesses come in time order, mostly. */
  private recent: { minute: number; counts: { guesses: number; correct: number } } | undefined;

  /** Counts one guess, stored at `at` (epoch ms). */
  count(at: number, correct: boolean): void {
    const minute = Math.floor(at / MINUTE);
    const recent = this.recent;
    if (recent !== undefined && recent.minute === minute) {
      this.total++;
      recent.counts.guesses++;
      if (correct) recent.counts.correct++;
      return;
    }
    this.countMinute(minute, 1, correct ? 1 : 0);
    this.recent = { minute, counts: this.byMinute.get(minute)! };
  }

  /** Counts `guesses` guesses of one minute (its number: epoch ms / MINUTE), `correct` of them right. */
  countMinute(minute: number, guesses: number, correct: number): void {
    this.total += guesses;
    const known = this.byMinute.get(minute);
    if (known === undefined) this.byMinute.set(minute, { guesses, correct });
    else {
      known.guesses += guesses;
      known.correct += correct;
    }
  }

  /** Counts the guesses among a batch's writes. */
  add(writes: readonly Write[]): void {
    for (const write of writes) {
      if (write.kind === "guess") this.count(write.at, write.result === "correct");
    }
  }

  /** The `minutes` minutes up to the one of `now`, oldest first, with zeros where none came. */
  last(now: number, minutes: number): MinuteCount[] {
    const last = Math.floor(now / MINUTE);
    const counts: MinuteCount[] = [];
    for (let minute = last - minutes + 1; minute <= last; minute++) {
      const row = this.byMinute.get(minute);
      counts.push({ at: minute * MINUTE, guesses: row?.guesses ?? 0, correct: row?.correct ?? 0 });
    }
    return counts;
  }
}
