/**
 * Each team's guesses, as ids and puzzles, kept in memory for the organizers'
 * views of one team (its page, and its guesses beside each of its asks). The
 * guesses table keeps no index by team (migration 4: one dirtied a page per
 * guess of every commit), so a team's guesses were a scan of the whole table:
 * 90 ms on 1,000,000 guesses, once per ask on the asks page. The store notes
 * each guess under its team instead: those on file when it opened, in boot's
 * one pass over them (load.ts), and those stored since, read by a range of ids
 * when a team's guesses are next asked for (sqlite.ts). Reading a team's
 * guesses is then a lookup by id for each. About 10 bytes a guess.
 */

/** One team's guesses: ids (in the order noted) and puzzle numbers, in arrays that double. */
interface Noted {
  ids: Float64Array;
  puzzles: Uint16Array;
  length: number;
  /** Whether the ids were noted in increasing order (they are, but for a log replayed out of it). */
  sorted: boolean;
}

export class TeamGuesses {
  private readonly teams = new Map<number, Noted>();
  /** Each puzzle's number: a guess keeps its puzzle as 2 bytes. */
  private readonly puzzleNumbers = new Map<string, number>();

  /** Notes one guess. */
  add(id: number, teamId: number, puzzle: string): void {
    let noted = this.teams.get(teamId);
    if (noted === undefined) {
      noted = { ids: new Float64Array(8), puzzles: new Uint16Array(8), length: 0, sorted: true };
      this.teams.set(teamId, noted);
    }
    if (noted.length === noted.ids.length) {
      const ids = new Float64Array(noted.length * 2);
      ids.set(noted.ids);
      const puzzles = new Uint16Array(noted.length * 2);
      puzzles.set(noted.puzzles);
      noted.ids = ids;
      noted.puzzles = puzzles;
    }
    if (noted.length > 0 && id < noted.ids[noted.length - 1]!) noted.sorted = false;
    noted.ids[noted.length] = id;
    noted.puzzles[noted.length] = this.puzzleNumber(puzzle);
    noted.length++;
  }

  /** The ids of a team's guesses (on one puzzle, with `puzzle`), in increasing order. */
  ids(teamId: number, puzzle?: string): number[] {
    const noted = this.teams.get(teamId);
    if (noted === undefined) return [];
    const only = puzzle === undefined ? undefined : this.puzzleNumbers.get(puzzle);
    if (puzzle !== undefined && only === undefined) return [];
    const ids: number[] = [];
    for (let i = 0; i < noted.length; i++) {
      if (only === undefined || noted.puzzles[i] === only) ids.push(noted.ids[i]!);
    }
    return noted.sorted ? ids : ids.sort((a, b) => a - b);
  }

  private puzzleNumber(puzzle: string): number {
    let number = this.puzzleNumbers.get(puzzle);
    if (number === undefined) {
      number = this.puzzleNumbers.size;
      this.puzzleNumbers.set(puzzle, number);
    }
    return number;
  }
}
