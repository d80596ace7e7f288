/**
 * The longest guess the engine takes, in characters (code points): the guess
 * routes refuse a longer one before it is judged, and the `answer_regex` check
 * (backtrack.ts) counts the ways a pattern can split a guess of this length.
 */
export const MAX_GUESS_LENGTH = 500;
