/**
 * The API's text limits, in characters (Unicode code points, as `_chars.ts`
 * counts them): the schemas check them, and the pages' fields state them
 * (`ui/_text_limits.ts`), so a page never stops short of what the API takes.
 */
import {
  MAX_ANSWER_LENGTH,
  MAX_GUESS_LENGTH,
  MAX_QUESTION_LENGTH,
  MAX_SUBMISSION_TEXT,
} from "../engine/mod.ts";

export const TEXT_LIMITS = {
  teamName: 64,
  password: 256,
  passwordMin: 8,
  division: 64,
  /** One member's name. */
  member: 64,
  /** How many members a team may list (a count, not characters). */
  members: 50,
  /** A join code, or a checkpoint's code. */
  code: 256,
  guess: MAX_GUESS_LENGTH,
  question: MAX_QUESTION_LENGTH,
  /** An organizer's answer to a question, or the message of a refusal. */
  reply: MAX_ANSWER_LENGTH,
  submissionText: MAX_SUBMISSION_TEXT,
  announcement: 2000,
  /** A score adjustment's reason. */
  reason: 500,
  judge: 64,
  /** A judge's message to the team with a rejection. */
  verdictMessage: 500,
} as const;
