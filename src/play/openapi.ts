/**
 * The API as an OpenAPI 3.1 document, served at `GET /api/openapi.json` and
 * shown as a page to organizers. `ROUTES` is the one list of the API's
 * routes: each names the valibot schema that validates its request (the same
 * object the route reads its body with) and the schemas of its answers, and
 * the document is converted from them, so the two cannot drift. A route added
 * to `http/` but not here fails `test/http/contract_test.ts`.
 */
import { type ConversionConfig, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import * as v from "valibot";
import { RESULT_TABLES } from "../store/mod.ts";
import { CheckInBody, GuessBody, LoginBody, RegisterBody } from "./actions.ts";
import {
  AdjustmentBody,
  AnnouncementBody,
  ExtraGuessesBody,
  FreezeBody,
  TeamBannedBody,
  TeamHiddenBody,
  TeamNameBody,
  TeamPasswordBody,
} from "./admin_actions.ts";
import { EmptyBody } from "./body.ts";
import { type ErrorCode, ERRORS } from "./errors.ts";
import { AskBody, AskFilter, ReplyBody } from "./asks.ts";
import { ClaimBody, VerdictBody } from "./missions.ts";
import * as R from "./responses.ts";

/** Who may call a route: anyone, a team (optional: anyone, more for a team), or an organizer. */
export type Access = "public" | "team" | "team_optional" | "admin";

/** One answer of a route besides its errors. */
export interface Answer {
  status: number;
  description: string;
  /** The JSON body's schema. */
  schema?: v.GenericSchema;
  /** A body that is not JSON (its media type), or none (`null`). */
  media?: string | null;
}

/** A parameter in the path, the query or a header. */
export interface Param {
  in: "path" | "query" | "header";
  name: string;
  description: string;
  schema: v.GenericSchema;
  required?: boolean;
}

/** One operation of the API. */
export interface Route {
  method: "get" | "post" | "put" | "delete";
  /** The OpenAPI path, parameters in braces: `/api/puzzles/{id}`. */
  path: string;
  summary: string;
  access: Access;
  params?: Param[];
  /** The JSON body's schema: the one the route validates with. */
  body?: v.GenericSchema;
  /** A multipart/form-data body instead (a mission's upload): its parts. */
  form?: v.GenericSchema;
  answers: Answer[];
  /** The error codes this route answers, besides those every route of its kind may. */
  errors: ErrorCode[];
  description?: string;
}

const Id = v.string();
const pathParam = (name: string, description: string): Param => ({
  in: "path",
  name,
  description,
  schema: Id,
  required: true,
});
const puzzleId = pathParam("id", "The puzzle's id");
/** A numeric id in the path (a team, a submission, an ask): decimal digits, as `parseId` reads. */
const numericId = (what: string): Param => ({
  ...pathParam(
    "id",
    `The ${what}'s id, in decimal digits (anything else is 404, as an unknown id)`,
  ),
  schema: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
/** What an action made offline sends: when it was made, and the newest last-contact token. */
const OFFLINE_TIME_PARAMS: Param[] = [
  {
    in: "header",
    name: "Cairn-Pressed-At",
    description:
      "For an action made offline: when it was made, in ms since 1970 (the phone's clock); " +
      "where the hunt sets offline_times = false, the action counts when received instead",
    schema: v.pipe(v.string(), v.regex(/^\d{1,15}$/)),
  },
  {
    in: "header",
    name: "Cairn-Contact",
    description: "For an action made offline: the newest last-contact token the client holds " +
      "(every answer to a team carries one in the `Cairn-Contact` header)",
    schema: v.string(),
  },
];
/** A key for retries: a guess, a hint take, a check-in and a question on an ask hint accept one. */
const IDEMPOTENCY_KEY: Param = {
  in: "header",
  name: "Idempotency-Key",
  description: "1 to 255 visible ASCII characters or spaces (bare, or as a structured-field " +
    "string): a retry with the same key and request gets the stored answer, byte for byte (an " +
    "answer that changed nothing, such as `already_solved`, is not stored: its retry is decided " +
    "again)",
  schema: v.pipe(v.string(), v.minLength(1), v.maxLength(257)),
};
/** What a guess, a hint take and a check-in accept: a key for retries, and an offline action's time. */
const OFFLINE_PARAMS: Param[] = [IDEMPOTENCY_KEY, ...OFFLINE_TIME_PARAMS];
const OFFLINE_NOTE = " With an `Idempotency-Key`: 422 `unprocessable` when the key was used for " +
  "another request, 409 `conflict` while the first request with it is still in flight.";
const ok = (schema: v.GenericSchema, description: string, status = 200): Answer => ({
  status,
  description,
  schema,
});
const JSON_MEDIA = "application/json";

/** Every route of the API. Add a route here, in the same commit as its handler. */
export const ROUTES: readonly Route[] = [
  // Public.
  {
    method: "get",
    path: "/healthz",
    summary: "Whether the server is ready and can save",
    access: "public",
    answers: [ok(R.Health, "Ready, and the database can be written")],
    errors: ["unavailable"],
    description: "503 `unavailable` when a commit failed, the database or its folder cannot be " +
      "written, less than 1 MiB is free on its disk, or the write lock cannot be taken. " +
      'Where nodes share a log, `"hunt": "differs"` (still 200) says this node\'s hunt file ' +
      "differs from the one the node that started or reloaded last recorded.",
  },
  {
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics",
    access: "public",
    answers: [{ status: 200, description: "Prometheus text format", media: "text/plain" }],
    errors: [],
  },
  {
    method: "get",
    path: "/api/openapi.json",
    summary: "This document",
    access: "public",
    answers: [ok(v.looseObject({ openapi: v.string() }), "The OpenAPI 3.1 document")],
    errors: [],
  },
  {
    method: "get",
    path: "/api/hunt",
    summary: "The hunt's public metadata",
    access: "public",
    answers: [ok(R.HuntInfo, "Title, times, registration, and whether it runs")],
    errors: [],
  },
  {
    method: "get",
    path: "/api/scoreboard",
    summary: "The public scoreboard",
    access: "team_optional",
    params: [
      {
        in: "query",
        name: "division",
        description: "Rank only this division's teams among themselves",
        schema: v.string(),
      },
      {
        in: "query",
        name: "limit",
        description: "Send only this many rows (1 to 500), with the count of all: from `offset`, " +
          "or around the caller's team with `around=me` (default 100, or 7 around a team)",
        schema: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500)),
      },
      {
        in: "query",
        name: "offset",
        description: "Send the rows from this place on (from 0), with the count of all",
        schema: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999_999_999)),
      },
      {
        in: "query",
        name: "around",
        description: "`me`: the rows around the caller's own team's (its token or cookie), " +
          "the team's in the middle; none for a team hidden or outside the division",
        schema: v.picklist(["me"]),
      },
      {
        in: "header",
        name: "If-None-Match",
        description: "The ETag of the same board or part already held",
        schema: v.string(),
      },
    ],
    answers: [
      ok(
        v.union([R.Scoreboard, R.ScoreboardPart]),
        "The board; frozen after the freeze until the organizers reveal it. With `limit`, " +
          "`offset` or `around`, the part asked for, with `total` and `offset`",
      ),
      { status: 304, description: "The board has not changed since the ETag", media: null },
    ],
    errors: ["bad_request", "unauthorized"],
    description: "Each board and part is encoded once per change and has its own ETag. " +
      "`around=me` without a team's token or cookie is 401; its answer is `private`, " +
      "varying by `Authorization` and `Cookie`.",
  },
  {
    method: "get",
    path: "/api/scoreboard/history",
    summary: "The top 10's score over time",
    access: "public",
    params: [{
      in: "query",
      name: "division",
      description: "The top 10 of this division only",
      schema: v.string(),
    }],
    answers: [ok(R.ScoreHistory, "Each team's score after each change; it stops at the freeze")],
    errors: ["bad_request"],
  },
  {
    method: "get",
    path: "/api/stats",
    summary: "The hunt's stats, once its solutions are published",
    access: "public",
    answers: [
      ok(R.HuntStats, "Per puzzle any visible team had: solves, first solve, times, wrong answers"),
    ],
    errors: ["forbidden"],
    description: "From the hunt's `solutions_at` on; 403 `forbidden` before it, and in a hunt " +
      "without one. Hidden teams count for nothing. `common_wrong` lists the 5 wrong answers " +
      "tried most (as compared: normalized), most first.",
  },
  {
    method: "get",
    path: "/api/ctftime",
    summary: "CTFtime's scoreboard feed",
    access: "public",
    answers: [
      ok(R.CtftimeFeed, "The standings with each team's solved tasks; frozen with the board"),
    ],
    errors: [],
    description: "The JSON CTFtime polls: `tasks` (puzzle titles) and `standings`, each with " +
      "`taskStats` (points and UNIX time per solve) and `lastAccept`. Characters past ASCII are " +
      "written as \\uXXXX.",
  },
  {
    method: "get",
    path: "/api/events",
    summary: "Live events (Server-Sent Events)",
    access: "team_optional",
    params: [{
      in: "header",
      name: "Last-Event-ID",
      description: "The last event id seen: the announcements after it are sent again",
      schema: v.string(),
    }, {
      in: "query",
      name: "scoreboard",
      description: "What `scoreboard` events carry: `full`, the whole public board (the " +
        "default); `team`, the same board with only the stream's own team's row (no row " +
        "without a team; a hidden team's own row has `rank: null`, and none while frozen); or `top`, `{frozen, total, teams}` with the rows a team's standings " +
        "page shows: a board of up to 60 teams whole, a bigger one's top 50 and the team's " +
        "own with 3 above and 3 below when it is near or past the top's end; or `page`, " +
        "`{frozen, total, page, teams}` with one page of 100 rows of the board (`page`), then " +
        "the team's own row when it is on another page. `team`, `top` and `page` are sent " +
        "only when they change",
      schema: v.picklist(["full", "team", "top", "page"]),
    }, {
      in: "query",
      name: "division",
      description: "With `scoreboard=top` or `page` only: the top (or the page) of this " +
        "division's board, its teams ranked among themselves, and the team's place in it " +
        "(none when it is not in it)",
      schema: v.string(),
    }, {
      in: "query",
      name: "page",
      description: "With `scoreboard=page` only: the page of 100 rows, from 1 (the default); " +
        "past the last page, the last",
      schema: v.pipe(v.string(), v.regex(/^[0-9]{1,9}$/)),
    }],
    answers: [{
      status: 200,
      description: "An event stream: a `retry:` line and the scoreboard at once, then the " +
        "events in `x-events`, each with an id, and a heartbeat comment about every 20 s",
      media: "text/event-stream",
    }],
    errors: ["bad_request", "unauthorized", "rate_limited"],
    description:
      "Anyone gets the public events (`scoreboard`, `announcement`, `hunt`); a team's token " +
      "or cookie adds its own `solve` and `unlock`; the admin token or cookie adds `guess`, " +
      "every stored guess. Scoreboard pushes are coalesced (250 ms). 401 `unauthorized` for a " +
      "Bearer token that opens no session; a session cookie that opens none gets the public " +
      "stream, and the answer clears it. A team holds at most 20 streams: a 21st closes its " +
      "oldest. A client address holds at most 200 streams with no team's session nor an " +
      "organizer's: a 201st is 429 `rate_limited`, with `Retry-After` (the server's own " +
      "machine is not counted).",
  },
  {
    method: "get",
    path: "/c/{code}",
    summary: "The page a checkpoint's QR code opens (HTML)",
    access: "team_optional",
    params: [pathParam("code", "The checkpoint's code")],
    answers: [{
      status: 200,
      description: "With a team's session, a page that checks the team in; without one, a page " +
        "to log in or join first (only for a client that accepts HTML)",
      media: "text/html",
    }],
    errors: ["unauthorized", "forbidden", "not_found", "hunt_not_running", "rate_limited"],
    description: "A client that does not accept HTML (no `text/html` in `Accept`) gets the API's " +
      "envelope instead of a page for every refusal: 401 `unauthorized` without a team's session " +
      "(whatever the code: whether it exists is not told), 403 `forbidden` for a route stop the " +
      "team has not reached yet, 404 `not_found` for an unknown code, 409 `hunt_not_running`, " +
      "429 `rate_limited`. A script checks in with `POST /api/checkins`.",
  },
  // Teams.
  {
    method: "post",
    path: "/api/teams",
    summary: "Register a team",
    access: "public",
    body: RegisterBody,
    answers: [ok(R.RegisterReply, "The team and its session token, also set as a cookie", 201)],
    errors: ["forbidden", "conflict", "hunt_not_running", "rate_limited"],
    description: "403 `forbidden` when registration is closed or the code is wrong; 429 " +
      "`rate_limited` (`Retry-After`) for the rest of the minute after 10 wrong codes from one " +
      "address, the right one included; 409 " +
      "`hunt_not_running` from the hunt's `ends_at` on; 503 `unavailable` (`Retry-After`) while " +
      "512 logins and registrations are being checked.",
  },
  {
    method: "post",
    path: "/api/session",
    summary: "Log in",
    access: "public",
    body: LoginBody,
    answers: [ok(R.LoginReply, "A new session token, also set as a cookie")],
    errors: ["unauthorized", "rate_limited"],
    description: "429 `rate_limited` past 10 attempts in 5 minutes for one team name from one " +
      "client address, or 50 from all addresses together. 503 `unavailable` (`Retry-After`), " +
      "not counted, while 512 logins and registrations are being checked.",
  },
  {
    method: "delete",
    path: "/api/session",
    summary: "Log out",
    access: "team_optional",
    body: EmptyBody,
    answers: [ok(R.LogoutReply, "The session is closed, and the cookie cleared")],
    errors: [],
    description: "Idempotent: without a session, or with one already closed or unknown, it " +
      "answers 200 too, and clears the cookie, so a browser never keeps a dead one.",
  },
  {
    method: "get",
    path: "/api/puzzles",
    summary: "The team's unlocked puzzles",
    access: "team",
    answers: [ok(R.PuzzleList, "The puzzles the team can see now, in file order")],
    errors: [],
  },
  {
    method: "get",
    path: "/api/puzzles/{id}",
    summary: "One unlocked puzzle",
    access: "team",
    params: [puzzleId],
    answers: [ok(R.PuzzleDetail, "The puzzle's body and hints; a hint's text once taken")],
    errors: ["not_found"],
    description: "A locked puzzle answers 404 like one that does not exist.",
  },
  {
    method: "post",
    path: "/api/puzzles/{id}/guesses",
    summary: "Guess an answer",
    access: "team",
    params: [puzzleId, ...OFFLINE_PARAMS, {
      in: "header",
      name: "X-Request-Id",
      description: "1 to 64 letters, digits, `-` and `_`: echoed as `request` in the team's " +
        "`solve` event when this guess solves the puzzle, so the page that sent it knows",
      schema: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/)),
    }],
    body: GuessBody,
    answers: [ok(R.GuessReply, "The judgement, once the guess is on disk")],
    errors: ["not_found", "hunt_not_running", "rate_limited", "conflict", "unprocessable"],
    description: "A blank guess (empty, or only spaces) and a guess over 500 characters are " +
      "refused with 400, neither stored nor counted against the limit; so is a guess on a " +
      "multiple-choice puzzle that is none of its `choices` (compared as answers are): " +
      '"Pick one of the choices". Past the puzzle\'s guess ' +
      'limit, 429 with `Retry-After`; past a `per = "hunt"` cap, 429 with none.' + OFFLINE_NOTE,
  },
  {
    method: "get",
    path: "/api/puzzles/{id}/guesses",
    summary: "The team's guesses on a puzzle",
    access: "team",
    params: [puzzleId],
    answers: [ok(R.TeamGuessList, "Every teammate's guesses on the puzzle, oldest first")],
    errors: ["not_found"],
    description: "What the team tried, with each result, so that nobody tries it again. A " +
      "guess refused (blank, too long, past the limit, or once solved) is not stored and not " +
      "listed. A mission has none (its submissions are at `/api/puzzles/{id}/submissions`).",
  },
  {
    method: "post",
    path: "/api/puzzles/{id}/hints/{hint}",
    summary: "Take a hint",
    access: "team",
    params: [puzzleId, pathParam("hint", "The hint's id"), ...OFFLINE_PARAMS],
    body: EmptyBody,
    answers: [ok(R.TakenHint, "The hint; taking it again charges nothing")],
    errors: ["not_found", "hunt_not_running", "conflict", "unprocessable"],
    description: "403 `forbidden` while the hint is not available yet; 409 `conflict` once the " +
      "puzzle is solved, unless the team took the hint before." + OFFLINE_NOTE,
  },
  {
    method: "post",
    path: "/api/checkins",
    summary: "Check in at a checkpoint",
    access: "team",
    params: OFFLINE_PARAMS,
    body: CheckInBody,
    answers: [ok(R.CheckInReply, "The checkpoint's puzzle, once the check-in is on disk")],
    errors: [
      "forbidden",
      "not_found",
      "hunt_not_running",
      "rate_limited",
      "conflict",
      "unprocessable",
    ],
    description: "403 `forbidden` for a route stop the team has not reached yet. " +
      OFFLINE_NOTE.trim(),
  },
  {
    method: "post",
    path: "/api/puzzles/{id}/submissions",
    summary: "Send a mission's submission (a photo, a video or a text)",
    access: "team",
    params: [puzzleId, ...OFFLINE_TIME_PARAMS],
    form: v.strictObject({
      file: v.pipe(
        v.optional(v.string()),
        v.description("The photo (JPEG, PNG, HEIC, WebP) or video (MP4, MOV), for such a mission"),
      ),
      text: v.pipe(
        v.optional(v.string()),
        v.description(
          "The answer of a text mission: at most 2,000 characters, and not blank " +
            "(400 'The text is empty')",
        ),
      ),
    }),
    answers: [
      ok(R.SubmissionReply, "The submission, once its file and record are on disk", 201),
    ],
    errors: [
      "bad_request",
      "not_found",
      "conflict",
      "hunt_not_running",
      "payload_too_large",
      "rate_limited",
      "request_timeout",
    ],
    description: "A multipart/form-data body with a `file` part (photo, video) or a `text` part. " +
      "429 `rate_limited` (`Retry-After`) while the team has 3 submissions in flight; 503 " +
      "`unavailable` (`Retry-After`) when the server holds all the memory it allows uploads in " +
      "flight, or cannot store the file (its disk is full), to try again later; " +
      "408 `request_timeout` for an upload that sent nothing for 30 " +
      "s (a slow one is never cut while its bytes keep coming). " +
      "413 `payload_too_large` past the hunt's `uploads` size for the kind or what is left of " +
      "the team's quota, with a message naming which (the size, or the quota left); " +
      "409 `conflict` when the mission is solved or the last submission still waits for a judge. " +
      "Location metadata is removed before the file is stored; of a JPEG, only the first image " +
      "is kept (a second one after its end, as in MPF and motion photos, is dropped). A file " +
      "that is damaged or cut short is 400 `bad_request`, with nothing stored. One queued " +
      "offline counts from when it was made, as a guess does (its time is clamped once the whole " +
      "upload has arrived), and after `ends_at` is taken within the hunt's `offline_grace`.",
  },
  {
    method: "get",
    path: "/api/puzzles/{id}/submissions",
    summary: "The team's submissions for a mission",
    access: "team",
    params: [puzzleId],
    answers: [ok(R.SubmissionList, "The team's submissions for the puzzle, oldest first")],
    errors: ["not_found"],
  },
  {
    method: "get",
    path: "/api/submissions/{id}/file",
    summary: "A submission's file",
    access: "team_optional",
    params: [numericId("submission")],
    answers: [{ status: 200, description: "The file", media: "application/octet-stream" }],
    errors: ["not_found"],
    description: "Only to the submission's team and to organizers (the admin token or cookie); " +
      "anyone else gets 404 as for a submission that does not exist.",
  },
  {
    method: "post",
    path: "/api/puzzles/{id}/hints/{hint}/asks",
    summary: 'Ask an organizer a question (a hint with kind = "ask")',
    access: "team",
    params: [puzzleId, pathParam("hint", "The ask hint's id"), IDEMPOTENCY_KEY],
    body: AskBody,
    answers: [ok(R.AskReply, "The open ask, once it is on disk", 201)],
    errors: [
      "bad_request",
      "not_found",
      "forbidden",
      "conflict",
      "hunt_not_running",
      "unprocessable",
    ],
    description: "It costs the hint's points, and one hint token when the hunt gives them " +
      "(`[hunt] hint_tokens`); both come back if the ask is refused or withdrawn. 409 " +
      "`conflict` when the team's last question on this hint still waits, when it has no " +
      "token left, or when the puzzle is solved; 403 before the hint is available; 400 for a " +
      "hint that gives its text. A retry with the first send's `Idempotency-Key` gets that " +
      "send's answer (the ask as it was then), even once the question was answered or " +
      "withdrawn: it asks, and pays, once." + OFFLINE_NOTE,
  },
  {
    method: "get",
    path: "/api/puzzles/{id}/asks",
    summary: "The team's asks on a puzzle, and its hint tokens",
    access: "team",
    params: [puzzleId],
    answers: [ok(R.AskList, "The team's asks on the puzzle, oldest first")],
    errors: ["not_found"],
  },
  {
    method: "delete",
    path: "/api/asks/{id}",
    summary: "Withdraw an open ask",
    access: "team",
    params: [numericId("ask")],
    body: EmptyBody,
    answers: [ok(R.AskReply, "The withdrawn ask; its points and token are given back")],
    errors: ["not_found", "conflict", "hunt_not_running"],
    description: "409 `conflict` once it is answered, refused or withdrawn; 404 for another " +
      "team's ask; 409 `hunt_not_running` after the hunt's end, when the scores are final.",
  },
  {
    method: "get",
    path: "/puzzles/{id}/assets/{file}",
    summary: "A file of an unlocked puzzle",
    access: "team",
    params: [puzzleId, pathParam("file", "The file's path in the puzzle's folder")],
    answers: [{ status: 200, description: "The file", media: "application/octet-stream" }],
    errors: ["not_found"],
  },
  // Organizers.
  {
    method: "get",
    path: "/api/admin/teams",
    summary: "All teams",
    access: "admin",
    answers: [ok(R.AdminTeams, "Every team with its score, solves and last activity")],
    errors: [],
  },
  {
    method: "get",
    path: "/api/admin/teams/{id}",
    summary: "One team's history",
    access: "admin",
    params: [numericId("team")],
    answers: [ok(R.AdminTeam, "The team, its guesses, hints, check-ins, routes and variants")],
    // On a shared log, an id this node does not know is read from the log: 503 when it cannot be.
    errors: ["not_found", "unavailable"],
  },
  {
    method: "get",
    path: "/api/admin/guesses",
    summary: "The live guess feed",
    access: "admin",
    params: [
      {
        in: "query",
        name: "after",
        description: "Only guesses after this guess id (default 0)",
        schema: v.pipe(v.number(), v.integer(), v.minValue(0)),
      },
      {
        in: "query",
        name: "limit",
        description: "At most this many guesses (default 100)",
        schema: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
      },
    ],
    answers: [ok(R.GuessFeed, "Guesses, oldest first")],
    errors: ["bad_request"],
  },
  {
    method: "post",
    path: "/api/admin/judge/claim",
    summary: "Claim the next submission to judge",
    access: "admin",
    body: ClaimBody,
    answers: [ok(R.ClaimReply, "The oldest pending submission no other judge holds, or null")],
    errors: [],
    description: "The claim lasts two minutes: two judges never get the same submission.",
  },
  {
    method: "post",
    path: "/api/admin/submissions/{id}/verdict",
    summary: "Judge a submission",
    access: "admin",
    params: [numericId("submission")],
    body: VerdictBody,
    answers: [ok(R.VerdictReply, "The judged submission, and the puzzles its solve unlocked")],
    errors: ["not_found", "conflict"],
    description: "Accepting solves the mission for its points, or the `points` given (at most " +
      "the puzzle's); rejecting an accepted one takes its solve back. 409 `conflict` when it " +
      "was already judged so; 400 for points out of range, and for `points` on a rejection " +
      "or `message` on an acceptance (an unknown field there).",
  },
  {
    method: "get",
    path: "/api/admin/asks",
    summary: "The asks to answer",
    access: "admin",
    params: [{
      in: "query",
      name: "status",
      description: "open (default): the asks waiting, oldest first; all: every ask",
      schema: AskFilter,
    }],
    answers: [ok(R.AdminAskList, "Asks, oldest first, each with the team's guesses on its puzzle")],
    errors: ["bad_request"],
  },
  {
    method: "post",
    path: "/api/admin/asks/{id}/reply",
    summary: "Answer or refuse an ask",
    access: "admin",
    params: [numericId("ask")],
    body: ReplyBody,
    answers: [ok(R.AdminAskReply, "The closed ask, once it is on disk")],
    errors: ["not_found", "conflict", "hunt_not_running"],
    description: "`{answer}` answers it; `{refuse: true, message?}` closes it unanswered and " +
      "gives the team its points and token back. The first reply wins: a second one gets 409 " +
      "`conflict`, as does a reply to a withdrawn ask. After the hunt's end the scores are " +
      "final: an answer is still taken, a refusal gets 409 `hunt_not_running`.",
  },
  {
    method: "delete",
    path: "/api/admin/teams/{id}/submitter",
    summary: "Release a team's submitter",
    access: "admin",
    params: [numericId("team")],
    body: EmptyBody,
    answers: [
      ok(R.SubmitterReleased, "Whether a device held the role; the next to submit takes it"),
    ],
    errors: ["not_found"],
    description: 'With `[hunt] submitters = "one"`, only the first device (session) that ' +
      "submits for a team may submit (others get 403 `forbidden`) until this, or its logout.",
  },
  {
    method: "put",
    path: "/api/admin/teams/{id}/name",
    summary: "Rename a team",
    access: "admin",
    params: [numericId("team")],
    body: TeamNameBody,
    answers: [ok(R.TeamRenamed, "The team with its new name, once it is on disk")],
    errors: ["not_found", "conflict"],
    description: "Registration's rules for a name; 409 `conflict` when another team has it " +
      "(compared case-insensitively after trimming: a team may change its own name's case). " +
      "The scoreboard, frozen or not, and every page show the new name at once, and the team " +
      "logs in by it: the old name no longer does.",
  },
  {
    method: "put",
    path: "/api/admin/teams/{id}/hidden",
    summary: "Hide a team from the standings, or show it",
    access: "admin",
    params: [numericId("team")],
    body: TeamHiddenBody,
    answers: [ok(R.TeamHidden, "The team and whether it is hidden, once that is on disk")],
    errors: ["not_found", "conflict"],
    description: "A hidden team (a test team, a cheating one) is left off the public " +
      "scoreboard, its stream and the projector, and CTFtime's feed, and takes no place. Its " +
      "solves count for no other team: dynamic values count the visible teams' solves only, " +
      "and first-solve bonuses go to the visible teams in solve order, so hiding a team " +
      "mid-event moves each later solver a place up (showing it again moves them back). The " +
      "team still logs in and plays; its own score holds each puzzle at the value the others " +
      "hold, with no bonus. Setting the state it already has changes nothing. 409 `conflict` " +
      "when showing a banned team: lift its ban first.",
  },
  {
    method: "put",
    path: "/api/admin/teams/{id}/banned",
    summary: "Ban a team, or lift its ban",
    access: "admin",
    params: [numericId("team")],
    body: TeamBannedBody,
    answers: [ok(R.TeamBanned, "The team, and how many sessions the ban ended, once on disk")],
    errors: ["not_found"],
    description: "A ban hides the team (see the route above), ends every session of the team " +
      "(and releases its submitting phone), and refuses its logins and actions with 403 " +
      "`forbidden` from then on. Lifting the ban lets the team log in again; it stays hidden " +
      "until shown again. Setting the state it already has changes nothing.",
  },
  {
    method: "put",
    path: "/api/admin/teams/{id}/password",
    summary: "Set a team's password",
    access: "admin",
    params: [numericId("team")],
    body: TeamPasswordBody,
    answers: [ok(R.TeamPasswordSet, "The team, once its new password is on disk")],
    errors: ["not_found"],
    description: "Registration's rules for a password (at least 8 characters). The old " +
      "password no longer logs in. The team's sessions stay logged in, unless `logout` is " +
      "true: then every one ends (and its submitting phone is released).",
  },
  {
    method: "post",
    path: "/api/admin/announcements",
    summary: "Broadcast an announcement",
    access: "admin",
    body: AnnouncementBody,
    answers: [ok(R.AnnouncementReply, "The announcement, sent to every stream", 201)],
    errors: [],
  },
  {
    method: "post",
    path: "/api/admin/adjustments",
    summary: "Change a team's score by hand",
    access: "admin",
    body: AdjustmentBody,
    answers: [ok(R.AdjustmentReply, "The adjustment, and what it unlocked", 201)],
    errors: ["not_found"],
  },
  {
    method: "post",
    path: "/api/admin/extra-guesses",
    summary: "Lift a team's guess limit on a puzzle",
    access: "admin",
    body: ExtraGuessesBody,
    answers: [ok(R.ExtraGuessesReply, "The extra guesses granted", 201)],
    errors: ["not_found"],
  },
  {
    method: "post",
    path: "/api/admin/scoreboard",
    summary: "Freeze or reveal the public scoreboard",
    access: "admin",
    body: FreezeBody,
    answers: [ok(R.FreezeReply, "Whether the board is now frozen")],
    errors: [],
  },
  {
    method: "post",
    path: "/api/admin/reload",
    summary: "Re-read the hunt file",
    access: "admin",
    body: EmptyBody,
    answers: [
      ok(R.ReloadReply, "The new hunt runs; what changed"),
      ok(R.ReloadErrorEnvelope, "The file has errors, all listed; the old hunt keeps running", 400),
    ],
    errors: [],
  },
  {
    method: "get",
    path: "/api/admin/stats",
    summary: "Per-puzzle figures and guesses per minute",
    access: "admin",
    answers: [ok(R.AdminStats, "Each puzzle's unlocks, solves, median time and wrong guesses")],
    errors: [],
  },
  {
    method: "get",
    path: "/api/admin/export",
    summary: "The results",
    access: "admin",
    params: [
      {
        in: "query",
        name: "format",
        description: "json (default) or csv",
        schema: v.picklist(["json", "csv"]),
      },
      {
        in: "query",
        name: "table",
        description: "With csv: which table (default scoreboard)",
        schema: v.picklist(RESULT_TABLES),
      },
    ],
    answers: [
      ok(
        R.Results,
        "Teams, solves, guesses, the final scoreboard, routes, hints taken, check-ins, adjustments, submissions and asks (format=json)",
      ),
    ],
    errors: ["bad_request"],
    description: "With `format=csv`, one table as `text/csv`.",
  },
  {
    method: "get",
    path: "/api/admin/export/files",
    summary: "The missions' photos and videos, as one zip",
    access: "admin",
    params: [
      {
        in: "query",
        name: "team",
        description: "Only this team's files (its id)",
        schema: v.pipe(v.string(), v.regex(/^\d+$/)),
      },
    ],
    answers: [{
      status: 200,
      description: "A folder per team, a file per submission (Gulls/statue-12.jpg)",
      media: "application/zip",
    }],
    errors: ["not_found"],
    description: "Files missing from the uploads folder are left out and named in MISSING.txt.",
  },
];

const UNSAFE = new Set(["post", "put", "delete"]);

/**
 * Every error code a route may answer: its own, and those every route of its
 * kind may (a body's, a session's, the same-origin rule's, a failed commit's).
 */
export function errorCodes(route: Route): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors);
  if (route.body !== undefined || route.form !== undefined) {
    codes.add("bad_request").add("payload_too_large");
  }
  if (UNSAFE.has(route.method)) codes.add("forbidden").add("unavailable");
  if (route.access === "team" || route.access === "admin") codes.add("unauthorized");
  // Past 10 different wrong admin tokens a minute from one address.
  if (route.access === "admin") codes.add("rate_limited");
  codes.add("internal");
  return [...codes];
}

/**
 * The JSON schema of what a route answers with `status`, as valibot (for the
 * HTTP tests' check), or undefined when the route does not document it.
 */
export function answerSchema(route: Route, status: number): v.GenericSchema | undefined {
  const answer = route.answers.find((a) => a.status === status);
  if (answer !== undefined) return answer.schema;
  const codes = errorCodes(route).filter((code) => ERRORS[code].status === status);
  return codes.length === 0 ? undefined : R.errorEnvelope(codes);
}

/** The route a method and a concrete path (`/api/puzzles/lighthouse`) belong to. */
export function findRoute(method: string, path: string): Route | undefined {
  const lower = method.toLowerCase();
  return ROUTES.find((route) => route.method === lower && pathPattern(route.path).test(path));
}

const patterns = new Map<string, RegExp>();
/** A path's RegExp: a parameter is one segment, except a file's path, which may hold slashes. */
function pathPattern(path: string): RegExp {
  let pattern = patterns.get(path);
  if (pattern === undefined) {
    const source = path.replace(/[.]/g, "\\.").replace(
      /\{(\w+)\}/g,
      (_, name: string) => (name === "file" ? ".+" : "[^/]+"),
    );
    pattern = new RegExp(`^${source}$`);
    patterns.set(path, pattern);
  }
  return pattern;
}

// Schemas shown once under components and referred to by name.
const NAMED: Record<string, v.GenericSchema> = {
  Error: R.errorEnvelope(),
  Scoreboard: R.Scoreboard,
  ScoreboardRow: R.ScoreboardRow,
  GuessReply: R.GuessReply,
  HintReply: R.HintReply,
};
const CONVERT: ConversionConfig = {
  target: "draft-2020-12",
  // `trim` changes the value before its checks; the checks themselves are converted, but for
  // a team or member name's invisible characters (`check`), which the docs describe.
  ignoreActions: ["trim", "check"],
  // Text limits count characters (code points), as JSON Schema's own lengths do.
  overrideAction: ({ valibotAction, jsonSchema }) => {
    const { type, requirement } = valibotAction as { type: string; requirement?: unknown };
    if (type === "min_code_points") return { ...jsonSchema, minLength: requirement as number };
    if (type === "max_code_points") return { ...jsonSchema, maxLength: requirement as number };
    return undefined;
  },
  errorMode: "throw",
  definitions: NAMED,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

/** A valibot schema as a JSON Schema (2020-12, as OpenAPI 3.1 has it). */
function jsonSchema(schema: v.GenericSchema): Record<string, unknown> {
  const { $schema: _, $defs: __, ...rest } = toJsonSchema(schema, CONVERT) as Record<
    string,
    unknown
  >;
  return rest;
}

let built: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document, built once. */
export function openApiDocument(): Record<string, unknown> {
  built ??= buildDocument();
  return built;
}

function buildDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }
  const components = toJsonSchemaDefs(NAMED, CONVERT) as Record<string, unknown>;
  const events = Object.fromEntries(
    Object.entries(R.EVENTS).map(([name, schema]) => [name, jsonSchema(schema)]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "Cairn",
      version: "1",
      description: "The JSON API of a Cairn treasure-hunt server. Every error is the envelope " +
        '`{"error": {"code", "message"}}`; the codes are in `components.schemas.ErrorCode`. ' +
        "Request bodies are JSON objects of at most 64 KiB, and unknown fields are refused.",
    },
    tags: [
      { name: "public", description: "No authentication" },
      { name: "team", description: "A team's session token (Bearer) or cookie" },
      { name: "admin", description: "The admin token (Bearer) or the admin page's cookie" },
    ],
    paths,
    components: {
      schemas: {
        ...components,
        ErrorCode: errorCodeSchema(),
        ...Object.fromEntries(
          Object.entries(events).map(([name, schema]) => [`Event_${name}`, schema]),
        ),
      },
      securitySchemes: {
        teamToken: { type: "http", scheme: "bearer", description: "A team's session token" },
        teamCookie: { type: "apiKey", in: "cookie", name: "cairn_session" },
        adminToken: {
          type: "http",
          scheme: "bearer",
          description: "The admin token. After 10 different wrong ones in a minute from one " +
            "address, that address gets 429 `rate_limited` for the rest of the minute",
        },
        adminCookie: { type: "apiKey", in: "cookie", name: "cairn_admin" },
      },
    },
  };
}

/** The catalogue of error codes, with each one's status and default message. */
function errorCodeSchema(): Record<string, unknown> {
  const lines = Object.entries(ERRORS).map(([code, e]) =>
    `- \`${code}\` (${e.status}): ${e.message}`
  );
  return {
    type: "string",
    enum: Object.keys(ERRORS),
    description: `The error codes, their status and default message:\n${lines.join("\n")}`,
    "x-errors": ERRORS,
  };
}

const SECURITY: Record<Access, Record<string, string[]>[]> = {
  public: [],
  team: [{ teamToken: [] }, { teamCookie: [] }],
  team_optional: [{}, { teamToken: [] }, { teamCookie: [] }],
  admin: [{ adminToken: [] }, { adminCookie: [] }],
};

/** One route as an OpenAPI operation. */
function operation(route: Route): Record<string, unknown> {
  const tag = route.access === "team_optional" ? "public" : route.access;
  const responses: Record<string, unknown> = {};
  for (const answer of route.answers) responses[String(answer.status)] = response(answer);
  // The errors, grouped by status; each status lists its codes.
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodes(route)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...byStatus.get(status) ?? [], code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (responses[String(status)] !== undefined) continue;
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(", "),
      ...(status === 429 && {
        headers: {
          "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } },
        },
      }),
      content: { [JSON_MEDIA]: { schema: jsonSchema(R.errorEnvelope(codes)) } },
    };
  }
  return {
    operationId: operationId(route),
    summary: route.summary,
    ...(route.description !== undefined && { description: route.description }),
    tags: [tag],
    security: SECURITY[route.access],
    ...(route.params !== undefined && {
      parameters: route.params.map((p) => ({
        name: p.name,
        in: p.in,
        description: p.description,
        required: p.required ?? false,
        schema: jsonSchema(p.schema),
      })),
    }),
    ...(route.form !== undefined && {
      requestBody: {
        required: true,
        description: "A multipart/form-data body; an unknown part is refused with 400",
        content: { "multipart/form-data": { schema: jsonSchema(route.form) } },
      },
    }),
    ...(route.body !== undefined && {
      requestBody: {
        // A POST that needs no data accepts an empty body.
        required: route.body !== EmptyBody,
        description: "A JSON object; unknown fields are refused with 400",
        content: { [JSON_MEDIA]: { schema: jsonSchema(route.body) } },
      },
    }),
    responses,
    ...(route.path === "/api/events" && {
      "x-events": Object.fromEntries(
        Object.keys(R.EVENTS).map((name) => [name, { $ref: `#/components/schemas/Event_${name}` }]),
      ),
    }),
  };
}

function response(answer: Answer): Record<string, unknown> {
  if (answer.media === null) return { description: answer.description };
  const media = answer.media ?? JSON_MEDIA;
  const schema = answer.schema === undefined ? { type: "string" } : jsonSchema(answer.schema);
  return { description: answer.description, content: { [media]: { schema } } };
}

/** A stable, readable id: `post_api_puzzles_id_guesses`. */
function operationId(route: Route): string {
  const words = route.path.replace(/[{}]/g, "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [route.method, ...words].join("_");
}
