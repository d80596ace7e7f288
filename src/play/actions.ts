/**
 * What a team can do, shared by the JSON API and the pages' form posts:
 * register, log in and out, guess, take a hint, check in. Each action
 * returns an `Outcome`: its reply once it is on disk, or a refusal as data,
 * which the API sends as the envelope and a page shows as a flash. Each
 * commits once, with whatever the engine found on the way (unlocks that came
 * due) in the same commit.
 */
import * as v from "valibot";
import { maxChars, minChars } from "./_chars.ts";
import { TEXT_LIMITS as LIMITS } from "./limits.ts";
import {
  MAX_GUESS_LENGTH,
  MEMBER_NAME,
  SHOWABLE_NAME,
  type Team,
  teamNameKey,
  visibleName,
  type Write,
} from "../engine/mod.ts";
import {
  hashPassword,
  JOIN_CODE_LIMIT,
  Limiter,
  PASSWORD_BUSY_SECONDS,
  secretsEqual,
} from "./accounts.ts";
import type { ActionTime } from "./contact.ts";
import { type Outcome, type Refusal, refusal } from "./errors.ts";
import { decideTurn, type Game } from "./game.ts";
import { bannedRefusal } from "./banned.ts";
import { fingerprint } from "./idempotency.ts";
import type { CheckInReply, GuessReply, RegisterReply, TakenHint } from "./responses.ts";
import type { RoleChange } from "./submitters.ts";

export type { CheckInReply, GuessReply, HintReply, RegisterReply } from "./responses.ts";
/** A taken hint, as the API answers it. */
export type HintTaken = v.InferOutput<typeof TakenHint>;

const Text = (max: number) => v.pipe(v.string(), maxChars(max));
const INVISIBLE_IN_TEAM_NAME =
  "A team name cannot hold invisible characters, such as a zero-width space, outside emoji";
const INVISIBLE_IN_MEMBER_NAME =
  "A member name cannot hold invisible characters, such as a zero-width space, outside emoji";
/** A team's name, as registration and an organizer's rename take it. */
export const TeamName = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "The team name is empty"),
  maxChars(LIMITS.teamName),
  v.regex(SHOWABLE_NAME, "A team name cannot hold control characters or bidirectional overrides"),
  v.check(visibleName, INVISIBLE_IN_TEAM_NAME),
);
/** A team's new password, as registration and an organizer's reset take it. */
export const TeamPassword = v.pipe(
  v.string(),
  minChars(LIMITS.passwordMin, `The password needs at least ${LIMITS.passwordMin} characters`),
  maxChars(LIMITS.password),
);
export const RegisterBody = v.strictObject({
  name: TeamName,
  password: TeamPassword,
  division: v.optional(v.nullable(Text(LIMITS.division))),
  members: v.optional(v.pipe(
    v.array(v.pipe(
      v.string(),
      v.trim(),
      maxChars(LIMITS.member),
      v.regex(
        MEMBER_NAME,
        "A member name cannot hold control characters, bidirectional overrides or a semicolon",
      ),
      v.check(visibleName, INVISIBLE_IN_MEMBER_NAME),
    )),
    v.maxLength(LIMITS.members),
  )),
  code: v.optional(Text(LIMITS.code)),
});
export const LoginBody = v.strictObject({
  name: Text(LIMITS.teamName),
  password: Text(LIMITS.password),
});
export const GuessBody = v.strictObject({ answer: v.string() });
export const CheckInBody = v.strictObject({ code: Text(LIMITS.code) });

/** The team actions over one game. */
export function playerActions(game: Game) {
  return { ...accountActions(game), ...puzzleActions(game) };
}

export type PlayerActions = ReturnType<typeof playerActions>;

/** Commits the engine's pending background writes with `writes`, in one commit. */
function settle(game: Game, writes: readonly Write[] = []): Promise<void> {
  const background = game.engine.takeBackgroundWrites();
  return game.commit(background.length === 0 ? writes : [...background, ...writes]);
}

const HUNT_ENDED = "The hunt has ended: no new team can join";
/**
 * A guess, hint, ask or submission on a puzzle the team does not have, the same for one that is
 * locked and one that does not exist: an action made offline, or sent from a page left open, can
 * find its puzzle gone or locked by a reload.
 */
export const PUZZLE_NOT_OPEN = "This puzzle is not open to your team";

/**
 * The team a name and password log in to, or undefined. On a shared log a
 * refusal is checked against the log first: the team, or a password an
 * organizer set, may come from a node this one has not read yet. While the
 * log cannot be read, `problem` says why (503, not a 401 that sends the
 * player away; a login could not be stored then anyway).
 */
async function verifiedTeam(
  game: Game,
  body: v.InferOutput<typeof LoginBody>,
): Promise<{ team: Team; resets: number } | { problem: string } | undefined> {
  // Read with the hash the password is checked against: a reset after them ends the login.
  let resets = game.accounts.resetMark();
  const team = game.engine.teamByName(body.name);
  const before = team === undefined ? undefined : game.accounts.passwordOf(team.id);
  if (team !== undefined && (await game.accounts.verify(team.id, body.password))) {
    return { team, resets };
  }
  if (team === undefined) await game.accounts.verify(undefined, body.password);
  if (game.store.sync === undefined) return undefined;
  await game.store.sync();
  resets = game.accounts.resetMark();
  const after = game.engine.teamByName(body.name);
  const changed = after !== undefined &&
    (after.id !== team?.id || game.accounts.passwordOf(after.id) !== before);
  if (changed && (await game.accounts.verify(after.id, body.password))) {
    return { team: after, resets };
  }
  const problem = game.store.writeProblem();
  return problem === undefined ? undefined : { problem };
}

/**
 * Whether a login's new session stands: an organizer's reset of the team's password since `mark`
 * (while the login checked the old one) ends it, so that a reset with `logout` leaves nobody
 * logged in with the old password.
 */
async function outlivesReset(
  game: Game,
  session: { teamId: number; token: string },
  mark: number,
): Promise<boolean> {
  await game.accounts.resetSettled(session.teamId);
  if (!game.accounts.resetSince(session.teamId, mark)) return true;
  const end = game.accounts.closeSession(session.token);
  if (end !== undefined) await game.commit([end]);
  return false;
}

/**
 * A registration code as it is compared: in any case and without the spaces around it, since the
 * join form asks phones for capitals and autocorrect adds spaces.
 */
function joinCode(code: string): string {
  return code.trim().toUpperCase();
}

/** Registering, logging in and out. */
function accountActions(game: Game) {
  return {
    /**
     * Registers a team and opens its first session. Wrong registration codes are limited per
     * client address: past the limit, no code is compared, the right one included.
     */
    async register(
      body: v.InferOutput<typeof RegisterBody>,
      client: { address: string },
    ): Promise<Outcome<RegisterReply>> {
      const hunt = game.engine.hunt;
      // Checked before the password is hashed, and again by the engine after it.
      if (game.engine.ended()) return refusal("hunt_not_running", HUNT_ENDED);
      if (hunt.registration === "closed") return refusal("forbidden", "Registration is closed");
      if (hunt.registration === "code") {
        const now = game.engine.now();
        const wait = game.accounts.joinCodeBlocked(client.address, now);
        if (wait !== undefined) {
          return refusal(
            "rate_limited",
            "Too many wrong registration codes from this address; try again later",
            wait,
          );
        }
        // Compare against every code, without stopping at a match.
        const given = joinCode(body.code ?? "");
        let valid = false;
        for (const code of hunt.registrationCodes) {
          valid = secretsEqual(given, joinCode(code)) || valid;
        }
        if (!valid) {
          // The limit tripping is logged: teams behind one address (a NAT) are all held back.
          const tripped = game.accounts.wrongJoinCode(client.address, now);
          if (tripped !== undefined) {
            game.logger.warn("registration_code_limited", {
              address: client.address,
              wrong_codes: JOIN_CODE_LIMIT,
              per: "1m",
              other_addresses: tripped.others,
            });
          }
          return refusal("forbidden", "A valid registration code is needed");
        }
      }
      if (game.engine.teamByName(body.name)) return refusal("conflict", "That team name is taken");
      const release = game.accounts.passwordSlot();
      if (release === undefined) return passwordBusy();
      let passwordHash: string;
      try {
        passwordHash = await hashPassword(body.password);
      } finally {
        release();
      }
      const turn = decideTurn(game);
      if (turn !== undefined) await turn;
      // The engine is read again after the hash: a reload or another registration may have happened.
      const engine = game.engine;
      const result = engine.register({
        name: body.name,
        passwordHash,
        division: body.division ?? null,
        members: body.members ?? [],
      });
      if (result.kind === "name_taken") return refusal("conflict", "That team name is taken");
      if (result.kind === "invalid") return refusal("bad_request", result.message);
      if (result.kind === "hunt_not_running") return refusal("hunt_not_running", HUNT_ENDED);
      const session = game.accounts.openSession(result.team.id, engine.now());
      await settle(game, [...result.writes, session.write]);
      game.accounts.addTeam(result.team.id, passwordHash);
      session.open();
      game.logger.info("team_registered", { team: result.team.id, name: result.team.name });
      const team = { id: result.team.id, name: result.team.name };
      return { ok: true, reply: { team, token: session.token } };
    },

    /**
     * Logs a team in: a new session token. While PASSWORD_JOBS password checks and hashes are
     * under way, 503 at once, and the attempt is not counted against the name.
     */
    async login(
      body: v.InferOutput<typeof LoginBody>,
      client: { address: string },
    ): Promise<Outcome<{ token: string }>> {
      const release = game.accounts.passwordSlot();
      if (release === undefined) return passwordBusy();
      try {
        return await logIn(game, body, client);
      } finally {
        release();
      }
    },

    /**
     * Ends the session the token opened, if it is open. Idempotent: without a token, or
     * with one already closed or unknown, there is nothing to end, and that is no error.
     */
    async logout(token: string | undefined): Promise<void> {
      if (token === undefined) return;
      // On a shared log, a database that cannot be reached refuses the turn (503) before the
      // session closes here; in the turn, the commit joins the batch that holds the lock.
      const turn = decideTurn(game);
      if (turn !== undefined) await turn;
      const teamId = game.accounts.teamFor(token);
      const write = game.accounts.closeSession(token);
      if (write === undefined) return;
      // A device that logs out gives up its team's submitter role.
      const release = teamId === undefined ? undefined : game.submitters.releaseFor(teamId, token);
      try {
        await game.commit(release === undefined ? [write] : [write, release.write]);
      } catch (error) {
        // Nothing was saved: the session stands in the database, so the team is still logged in
        // here too (the "Not saved" page shows its menu), until a logout that is saved; and the
        // device keeps its team's submitter role, as the database does.
        if (teamId !== undefined) game.accounts.restoreSession(token, teamId);
        release?.undo();
        throw error;
      }
    },
  };
}

/**
 * Logs a team in: a new session token. Attempts are limited per team name
 * and client address (`clientAddress`), under a ceiling per name. On a
 * shared log, a team or password this node has not read yet is looked for
 * there before the login is refused; while the log cannot be read, 503.
 */
async function logIn(
  game: Game,
  body: v.InferOutput<typeof LoginBody>,
  client: { address: string },
): Promise<Outcome<{ token: string }>> {
  const engine = game.engine;
  const wait = game.accounts.limitLogin(teamNameKey(body.name), client.address, engine.now());
  if (wait !== undefined) {
    return refusal(
      "rate_limited",
      "Too many login attempts for this team; try again later",
      wait,
    );
  }
  const verified = await verifiedTeam(game, body);
  if (verified === undefined) return refusal("unauthorized", "Wrong team name or password");
  // The API names the database's problem, for an organizer's tools; a page says what to do.
  if ("problem" in verified) {
    return { ...refusal("unavailable", verified.problem), shown: LOGIN_UNCHECKED };
  }
  const { team, resets } = verified;
  const shutOut = bannedRefusal(game, team.id);
  if (shutOut !== undefined) return shutOut;
  const session = game.accounts.openSession(team.id, engine.now());
  // A password imported from CTFd (bcrypt) is replaced with argon2id now that it is known.
  const upgrade = game.accounts.needsUpgrade(team.id)
    ? await game.accounts.upgrade(team.id, body.password)
    : undefined;
  // Refused (503) after 5 s on a shared log that cannot be reached: the session opens only after.
  await game.commit(upgrade === undefined ? [session.write] : [session.write, upgrade.write]);
  session.open();
  upgrade?.apply();
  if (!(await outlivesReset(game, { teamId: team.id, token: session.token }, resets))) {
    return refusal(
      "unauthorized",
      "The team's password was just changed: log in with the new one",
    );
  }
  // Banned while the session was being stored (here or on another node, read with the commit):
  // the ban ended the sessions it knew, so this one ends now.
  const banned = bannedRefusal(game, team.id);
  if (banned !== undefined) {
    const end = game.accounts.closeSession(session.token);
    if (end !== undefined) await game.commit([end]);
    return banned;
  }
  return { ok: true, reply: { token: session.token } };
}

/** What a page says of a login the server cannot check while its shared log cannot be read. */
const LOGIN_UNCHECKED = "The server cannot check logins right now";

/** The refusal of a login or registration while PASSWORD_JOBS are under way. */
function passwordBusy(): Refusal {
  return refusal(
    "unavailable",
    "Too many logins at once; try again in a few seconds",
    PASSWORD_BUSY_SECONDS,
  );
}

/** A decided action: its outcome, and the writes to commit before answering. */
interface Decision<T> {
  outcome: Outcome<T>;
  writes: readonly Write[];
}

/** How a team request arrived: the options the API passes on. */
export interface ActionOptions {
  /** The request's `Idempotency-Key` (already checked: 1 to 255 visible ASCII characters or spaces). */
  key?: string;
  /** For an action made offline: when the player pressed the button (epoch ms, their clock). */
  pressedAt?: number;
  /** For an action made offline: the newest last-contact token the page held. */
  contact?: string;
  /** The session token the request came with: with `submitters = "one"`, the device. */
  session?: string;
  /** A guess's `X-Request-Id`: echoed in its live `solve` event, so the page knows its own. */
  request?: string;
}

/**
 * Runs a decision and commits it. With a key, a retry gets the stored answer,
 * and the answer of a success that wrote something is committed with its
 * writes, in one transaction. A refusal or a success that wrote nothing
 * (already solved, a hint already taken, a check-in already made) stores no
 * key: its retry is decided again, and gets the same answer.
 */
export async function run<T>(
  game: Game,
  teamId: number,
  request: { key: string | undefined; asks: readonly string[]; session: string | undefined },
  decide: () => Decision<T>,
): Promise<Outcome<T>> {
  const { key } = request;
  const turn = decideTurn(game);
  if (turn !== undefined) await turn;
  // A request that came in with a session the ban has ended since.
  const banned = bannedRefusal(game, teamId);
  if (banned !== undefined) return banned;
  const claim = submitterClaim(game, teamId, request.session);
  if (claim === "other") {
    return refusal(
      "forbidden",
      "Another phone submits for your team; ask an organizer to release it",
    );
  }
  // A claim makes the role this device's in memory at once, and in the database once it is
  // saved: a request that saves nothing (a replay, a key in use) or whose commit fails frees it.
  let claimed = false;
  try {
    if (key === undefined) {
      const { outcome, writes } = decide();
      await settle(game, claim === undefined ? writes : [claim.write, ...writes]);
      claimed = true;
      return outcome;
    }
    const keys = game.idempotency;
    const now = game.engine.now();
    const check = keys.begin(teamId, key, fingerprint(request.asks), now);
    switch (check.kind) {
      case "replay":
        return { ok: true, reply: JSON.parse(check.answer.body) as T };
      case "in_flight":
        // Retry-After tells this 409 from a refusal (a hint on a solved puzzle): retrying helps.
        return refusal(
          "conflict",
          "A request with this Idempotency-Key is still being processed; try again shortly",
          1,
        );
      case "reused":
        return refusal("unprocessable");
      case "new":
        break;
    }
    let stored = false;
    try {
      const decided = decide();
      const { outcome } = decided;
      const writes = claim === undefined ? decided.writes : [claim.write, ...decided.writes];
      if (!outcome.ok || decided.writes.length === 0) {
        await settle(game, writes);
        claimed = true;
        return outcome;
      }
      const answer = { status: 200, body: JSON.stringify(outcome.reply) };
      const record = keys.record(teamId, key, answer);
      await settle(game, [...writes, ...record, ...keys.prune(now, game.engine.hunt.endsAt)]);
      claimed = true;
      keys.settled(teamId, key, answer);
      stored = true;
      return outcome;
    } finally {
      if (!stored) keys.abandon(teamId, key);
    }
  } finally {
    if (!claimed) claim?.undo();
  }
}

/** The action's own records, marked with its flag for the organizers, if it has one. */
function flagged(writes: readonly Write[], time: ActionTime): readonly Write[] {
  const flag = time.flag;
  if (flag === undefined) return writes;
  return writes.map((write) =>
    write.kind === "guess" || write.kind === "hint" || write.kind === "checkin"
      ? { ...write, flag }
      : write
  );
}

/** A refusal, decided: nothing to write. */
function refused<T>(outcome: Outcome<T>): Decision<T> {
  return { outcome, writes: [] };
}

/** Judges a guess against the current engine. */
function decideGuess(
  game: Game,
  team: Team,
  puzzleId: string,
  answer: string,
  time: ActionTime,
): Decision<GuessReply> {
  const outcome = game.engine.guess(team, puzzleId, answer, time.at);
  switch (outcome.kind) {
    case "hunt_not_running":
      return refused(refusal(outcome.kind));
    case "not_found":
      return refused(refusal("not_found", PUZZLE_NOT_OPEN));
    case "rate_limited":
      // A per-hunt cap has no wait: only an organizer's extra guesses lift it.
      return refused(
        outcome.retryAfterSeconds === undefined
          ? refusal(
            "rate_limited",
            "No wrong guesses left on this puzzle; an organizer can grant more",
          )
          : refusal(
            "rate_limited",
            "Too many wrong guesses on this puzzle; wait a little",
            outcome.retryAfterSeconds,
          ),
      );
    case "mission":
      return refused(refusal(
        "bad_request",
        "This puzzle is a mission: send a submission (POST /api/puzzles/:id/submissions), not an answer",
      ));
    case "not_a_choice":
      return refused(refusal("bad_request", "Pick one of the choices"));
    case "already_solved":
      // Answered only once the solve it rests on is on disk (the commit waits for it).
      return {
        outcome: { ok: true, reply: { result: "already_solved", unlocked: [] } },
        writes: [],
      };
    case "judged": {
      // Built field by field, in the answer's key order, without a spread: this runs on every guess.
      const reply: GuessReply = outcome.message === undefined
        ? { result: outcome.result, unlocked: outcome.unlocked }
        : { result: outcome.result, message: outcome.message, unlocked: outcome.unlocked };
      return { outcome: { ok: true, reply }, writes: flagged(outcome.writes, time) };
    }
  }
}

/** Tags a decided guess's write with the client's request id, for its live `solve` event. */
function withRequest<T>(decision: Decision<T>, request: string | undefined): Decision<T> {
  if (request === undefined) return decision;
  const writes = decision.writes.map((w) => w.kind === "guess" ? { ...w, request } : w);
  return { ...decision, writes };
}

/** Takes a hint in the current engine. */
function decideHint(
  game: Game,
  team: Team,
  puzzleId: string,
  hintId: string,
  time: ActionTime,
): Decision<HintTaken> {
  const outcome = game.engine.takeHint(team, puzzleId, hintId, time.at);
  switch (outcome.kind) {
    case "hunt_not_running":
      return refused(refusal(outcome.kind));
    case "not_found":
      return refused(refusal("not_found", `${PUZZLE_NOT_OPEN}, or has no such hint`));
    case "not_available":
      return refused(refusal("forbidden", "This hint is not available yet"));
    case "ask":
      return refused(
        refusal("bad_request", "An organizer answers this hint: ask your question instead"),
      );
    case "already_solved":
      return refused(
        refusal("conflict", "This puzzle is already solved: its hints are no longer offered"),
      );
    case "ok": {
      const { id, text, cost } = outcome.hint;
      return {
        outcome: { ok: true, reply: { hint: { id, text, cost } } },
        writes: flagged(outcome.writes, time),
      };
    }
  }
}

/** Checks in at a checkpoint in the current engine; wrong codes are counted. */
function decideCheckIn(
  game: Game,
  badCodes: Limiter,
  team: Team,
  code: string,
  time: ActionTime,
): Decision<CheckInReply> {
  const now = game.engine.now();
  const wait = badCodes.blocked(team.id, now);
  if (wait !== undefined) {
    return refused(
      refusal("rate_limited", "Too many unknown checkpoint codes; try again later", wait),
    );
  }
  const outcome = game.engine.checkIn(team, code, time.at);
  switch (outcome.kind) {
    case "hunt_not_running":
      return refused(refusal("hunt_not_running"));
    case "not_found":
      badCodes.hit(team.id, now);
      return refused(refusal("not_found", "There is no checkpoint with that code"));
    case "other_variant":
      // Counted like an unknown code, so that codes cannot be probed this way either.
      badCodes.hit(team.id, now);
      return refused(
        refusal("not_found", "This checkpoint belongs to another team's version of the puzzle"),
      );
    case "not_reached":
      // A real stop of the team's route, so not counted as a wrong code.
      return refused(
        refusal(
          "forbidden",
          "Your route does not reach this stop yet: finish the stop you are on first, then come back",
        ),
      );
    case "ok": {
      // A phone that typed the code shows what it found by name, not by id.
      const { hunt } = game.engine;
      const titles: Record<string, string> = { [outcome.puzzle.id]: outcome.puzzle.title };
      for (const id of outcome.unlocked) {
        titles[id] = hunt.puzzles[hunt.puzzleIndex.get(id)!]!.title;
      }
      const reply = { puzzle: outcome.puzzle.id, unlocked: outcome.unlocked, titles };
      return { outcome: { ok: true, reply }, writes: flagged(outcome.writes, time) };
    }
  }
}

/**
 * With `submitters = "one"`: undefined when this session may submit, the
 * claim that makes it the team's submitter when it is the first, or "other"
 * when another device is the submitter.
 */
function submitterClaim(
  game: Game,
  teamId: number,
  session: string | undefined,
): RoleChange | "other" | undefined {
  if (game.engine.hunt.submitters !== "one" || session === undefined) return undefined;
  const claim = game.submitters.claim(teamId, session, game.engine.now());
  return claim === "ok" ? undefined : claim;
}

/** Guesses, hints and check-ins. */
function puzzleActions(game: Game) {
  // Wrong checkpoint codes are limited per team, so codes cannot be guessed from afar.
  const badCodes = new Limiter(10, 60_000);
  /** The team in the current engine (a reload may have swapped it while a body arrived). */
  const teamOf = (teamId: number): Team | undefined => game.engine.teams.get(teamId);
  /** When an action counts (fair times for actions made offline; see contact.ts). */
  const timeOf = (teamId: number, options: ActionOptions): ActionTime =>
    game.contacts.timeOf(teamId, options, game.engine.now(), game.engine.hunt.offlineTimes);

  return {
    /** Judges a guess. */
    guess(
      teamId: number,
      puzzleId: string,
      answer: string,
      options: ActionOptions = {},
    ): Promise<Outcome<GuessReply>> {
      // A blank guess can match no answer: refused, so it is neither stored nor counted.
      if (answer.trim() === "") {
        return Promise.resolve(refusal("bad_request", "The guess is empty"));
      }
      // Counted in characters; a string no longer in UTF-16 units than the limit is within it.
      if (answer.length > MAX_GUESS_LENGTH && [...answer].length > MAX_GUESS_LENGTH) {
        return Promise.resolve(
          refusal("bad_request", `A guess is at most ${MAX_GUESS_LENGTH} characters`),
        );
      }
      const asks = ["guess", puzzleId, answer];
      return run(game, teamId, { key: options.key, asks, session: options.session }, () => {
        const team = teamOf(teamId);
        return team === undefined ? refused(refusal("unauthorized")) : withRequest(
          decideGuess(game, team, puzzleId, answer, timeOf(teamId, options)),
          options.request,
        );
      });
    },

    /** Takes a hint (idempotent: taking it again charges nothing). */
    takeHint(
      teamId: number,
      puzzleId: string,
      hintId: string,
      options: ActionOptions = {},
    ): Promise<Outcome<HintTaken>> {
      const asks = ["hint", puzzleId, hintId];
      return run(game, teamId, { key: options.key, asks, session: options.session }, () => {
        const team = teamOf(teamId);
        return team === undefined
          ? refused(refusal("unauthorized"))
          : decideHint(game, team, puzzleId, hintId, timeOf(teamId, options));
      });
    },

    /** Checks in at a checkpoint; wrong codes are limited per team. */
    checkIn(
      teamId: number,
      code: string,
      options: ActionOptions = {},
    ): Promise<Outcome<CheckInReply>> {
      return run(game, teamId, {
        key: options.key,
        asks: ["checkin", code],
        session: options.session,
      }, () => {
        const team = teamOf(teamId);
        return team === undefined
          ? refused(refusal("unauthorized"))
          : decideCheckIn(game, badCodes, team, code, timeOf(teamId, options));
      });
    },
  };
}
