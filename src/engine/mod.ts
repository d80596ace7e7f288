/**
 * The game engine: pure logic over the compiled hunt, with no I/O. It imports
 * nothing from Bun, Hono or the disk, so it runs on Deno unchanged.
 */
export { Engine, longestGuessWindow, MAX_GUESS_LENGTH, teamNameKey } from "./engine.ts";
export {
  escapeUnshown,
  MEMBER_NAME,
  memberName,
  SHOWABLE_NAME,
  showableName,
  visibleName,
} from "./names.ts";
export type {
  CheckInOutcome,
  Clock,
  GuessOutcome,
  HintOutcome,
  RegisterOutcome,
  RenameOutcome,
  ScoreEvent,
  Team,
} from "./engine.ts";
export type { Snapshot } from "./restore.ts";
export type { Standing } from "./standings.ts";
export {
  checkpointKey,
  DEFAULT_GUESS_LIMIT,
  DEFAULT_UPLOADS,
  roundTitle,
  titleCase,
  variantOf,
} from "./model.ts";
export type {
  Hint,
  HintTokens,
  Hunt,
  Mission,
  Puzzle,
  Registration,
  Route,
  Uploads,
  Variant,
} from "./model.ts";
export { crowding, routeConflicts, RoutePlanner, satisfies } from "./routes.ts";
export type { PlanMethod, RouteConflict, RouteConstraints } from "./routes.ts";
export { backtrackRisk, backtrackRisks } from "./backtrack.ts";
export { compileAnswers, normalize } from "./normalize.ts";
export type { AnswerChecker, AnswerResult, AnswerSpec, NormalizeMode } from "./normalize.ts";
export type { ActionFlag, GuessResult, StoredFile, Write } from "./writes.ts";
export { dynamicValue } from "./scoring.ts";
export type { DecayFunction, DynamicPoints } from "./scoring.ts";
export { CLAIM_MS, extensionOf, fitsMission, JudgeQueue, MAX_SUBMISSION_TEXT } from "./missions.ts";
export type {
  JudgeOutcome,
  Submission,
  SubmissionInput,
  SubmitOutcome,
  Verdict,
} from "./missions.ts";
export {
  MAX_ANSWER_LENGTH,
  MAX_QUESTION_LENGTH,
  nextTokenAt,
  refunded,
  tokensGiven,
} from "./asks.ts";
export type { Ask, AskClose, AskOutcome, AskStatus, CloseOutcome, TokenWindow } from "./asks.ts";
