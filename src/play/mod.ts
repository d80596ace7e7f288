/**
 * What the API (`http/`) and the pages (`ui/`) both stand on: the team and
 * organizer actions as data, accounts and sessions, body reading, the error
 * catalogue, the puzzle view and list, the freeze, and the chart figures.
 * Neither `http/` nor `ui/` imports the other; both import this.
 */
import { type AdminActions, adminActions } from "./admin_actions.ts";
import { type PlayerActions, playerActions } from "./actions.ts";
import type { Game } from "./game.ts";

export { CheckInBody, GuessBody, LoginBody, playerActions, RegisterBody } from "./actions.ts";
export type {
  CheckInReply,
  GuessReply,
  HintReply,
  PlayerActions,
  RegisterReply,
} from "./actions.ts";
export {
  AdjustmentBody,
  adminActions,
  AnnouncementBody,
  ExtraGuessesBody,
  FreezeBody,
  iso,
  reloadFailure,
} from "./admin_actions.ts";
export type { AdminActions } from "./admin_actions.ts";
export { Accounts, hashPassword, hashToken, Limiter, newToken, secretsEqual } from "./accounts.ts";
export { missionActions, submissionView } from "./missions.ts";
export type { MissionActions, SubmissionView } from "./missions.ts";
export { BODY_LIMIT, check, readForm, readJson, validate } from "./body.ts";
export { ApiError, envelope, errorResponse, ERRORS, refusal, refusalResponse } from "./errors.ts";
export type { ErrorCode, Outcome, Refusal } from "./errors.ts";
export { storedFreeze } from "./freeze.ts";
export type { Freeze } from "./freeze.ts";
export type { Game, ReloadResult, ReloadSummary } from "./game.ts";
export { puzzleList, puzzleListCache } from "./puzzle_list.ts";
export { puzzleView } from "./puzzle_view.ts";
export {
  ADMIN_COOKIE,
  bearer,
  credential,
  isAdmin,
  sameOriginRequest,
  SESSION_COOKIE,
  sessionPlayer,
  setAdminCookie,
  setSessionCookie,
} from "./session.ts";
export type { Player } from "./session.ts";
export { puzzleStats, scoreHistory } from "./stats.ts";
export type { HistoryLine, PuzzleStat } from "./stats.ts";

/**
 * A game with its actions, built once: the API and the pages share them, so
 * that, for example, one limiter counts a team's wrong checkpoint codes
 * wherever they come from.
 */
export interface Play {
  game: Game;
  player: PlayerActions;
  admin: AdminActions;
}

/** The actions over a game. */
export function play(game: Game): Play {
  return { game, player: playerActions(game), admin: adminActions(game) };
}
