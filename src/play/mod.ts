/**
 * What the API (`http/`) and the pages (`ui/`) both stand on: the team and
 * organizer actions as data, accounts and sessions, body reading, the error
 * catalogue, the puzzle view and list, the freeze, the chart figures, and
 * which coding an answer goes out in.
 * Neither `http/` nor `ui/` imports the other; both import this.
 */
import { type AdminActions, adminActions } from "./admin_actions.ts";
import { type PlayerActions, playerActions } from "./actions.ts";
import type { Game } from "./game.ts";
import { type HuntStats, huntStats } from "./hunt_stats.ts";
import { type MissionActions, missionActions } from "./missions.ts";
import type { UploadLimits } from "./upload_gate.ts";

export { CheckInBody, GuessBody, LoginBody, playerActions, RegisterBody } from "./actions.ts";
export { parseId } from "./path_id.ts";
export { TEXT_LIMITS } from "./limits.ts";
export type {
  ActionOptions,
  CheckInReply,
  GuessReply,
  HintReply,
  HintTaken,
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
  TeamBannedBody,
  TeamHiddenBody,
  TeamNameBody,
  TeamPasswordBody,
} from "./admin_actions.ts";
export type { AdminActions } from "./admin_actions.ts";
export { adminLimited, checkAdmin, isAdmin, judgeAdminToken, requireAdmin } from "./admin_check.ts";
export type { AdminCheck } from "./admin_check.ts";
export {
  addressKey,
  clientAddress,
  listensEverywhere,
  listensOnLoopback,
  NO_PROXIES,
  outOfReach,
  ownMachine,
  parseTrustedProxies,
} from "./address.ts";
export type { ParsedProxies, TrustedProxies } from "./address.ts";
export {
  Accounts,
  AdminAttempts,
  hashPassword,
  hashToken,
  Limiter,
  newToken,
  secretsEqual,
  verifyPassword,
} from "./accounts.ts";
export {
  ClaimBody,
  judgedView,
  missionActions,
  submissionFile,
  submissionView,
  VerdictBody,
} from "./missions.ts";
export type { MissionActions, SubmissionView, SubmitOptions } from "./missions.ts";
export { UPLOAD_LIMITS, UPLOAD_MEMORY_FLOOR, UploadGate } from "./upload_gate.ts";
export type { UploadLimits } from "./upload_gate.ts";
export { askActions, AskBody, AskFilter, askView, ReplyBody, tokensView } from "./asks.ts";
export type { AdminAskView, AskActions, AskView, TokensView } from "./asks.ts";
export {
  BODY_LIMIT,
  check,
  EmptyBody,
  readForm,
  readJson,
  readRequestJson,
  validate,
} from "./body.ts";
export {
  ACCEPT_ENCODING,
  BROTLI,
  brotliOf,
  chooseCoding,
  compressedResponse,
  gzipPage,
  PAGE_GZIP_MIN_BYTES,
  varyOnEncoding,
  zlib,
} from "./encoding.ts";
export type { Coding, Compressible } from "./encoding.ts";
export {
  ApiError,
  envelope,
  errorResponse,
  ERRORS,
  refusal,
  refusalResponse,
  UNAVAILABLE_RETRY_SECONDS,
} from "./errors.ts";
export type { ErrorCode, Outcome, Refusal } from "./errors.ts";
export {
  IDEMPOTENCY_HEADER,
  idempotencyKey,
  IdempotencyKeys,
  KEY_GRACE_MS,
  MAX_KEY_LENGTH,
  MAX_KEYS_PER_TEAM,
} from "./idempotency.ts";
export type { KeyCheck, StoredAnswer } from "./idempotency.ts";
export {
  CLAMP_TOLERANCE_MS,
  CONTACT_HEADER,
  contactOf,
  ContactTokens,
  LATE_MS,
  noteContact,
  PRESSED_AT_HEADER,
} from "./contact.ts";
export type { ActionTime } from "./contact.ts";
export { Submitters } from "./submitters.ts";
export { QUOTA_USED, sizeText, tooLargeText } from "./upload.ts";
export { storedFreeze } from "./freeze.ts";
export type { Freeze } from "./freeze.ts";
export type { Game, ReloadResult, ReloadSummary } from "./game.ts";
export { teamWithId } from "./game.ts";
export { puzzleList, puzzleListCache, teamPoints, teamScore } from "./puzzle_list.ts";
export { puzzleView } from "./puzzle_view.ts";
export { type TeamGuess, teamGuesses } from "./guess_history.ts";
export {
  COMMON_WRONG,
  type HuntStats,
  type PublicPuzzleStat,
  STATS_CLOSED,
  statsOpen,
} from "./hunt_stats.ts";
export {
  ADMIN_COOKIE,
  bearer,
  credential,
  playerOf,
  requestBearer,
  requestUrl,
  sameOrigin,
  sameOriginRequest,
  SESSION_COOKIE,
  sessionCookie,
  sessionPlayer,
  sessionTeam,
  setAdminCookie,
  setSessionCookie,
} from "./session.ts";
export type { Player } from "./session.ts";
export { puzzleStats, scoreHistory } from "./stats.ts";
export { ctftimeFeed, ctftimeJson, engineFeed } from "./ctftime.ts";
export type { CtftimeFeed, FeedRow, FeedTask } from "./ctftime.ts";
export { answerSchema, findRoute, openApiDocument, ROUTES } from "./openapi.ts";
export type { Route } from "./openapi.ts";
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
  /** Missions: one count of the uploads in flight, whether they come from the API or a page. */
  missions: MissionActions;
  /** The hunt's public stats (from `solutions_at`), built once for the API and the page. */
  stats: () => Promise<HuntStats>;
}

/** The actions over a game; `uploads` sets the limits on uploads in flight (tests). */
export function play(game: Game, options: { uploads?: Partial<UploadLimits> } = {}): Play {
  return {
    game,
    player: playerActions(game),
    admin: adminActions(game),
    missions: missionActions(game, options),
    stats: huntStats(game),
  };
}
