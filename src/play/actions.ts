/**
 * What a team can do, shared by the JSON API and the pages' form posts:
 * register, log in and out, guess, take a hint, check in. Each action
 * returns an `Outcome`: its reply once it is on disk, or a refusal as data,
 * which the API sends as the envelope and a page shows as a flash. Each
 * commits once, with whatever the engine found on the way (unlocks that came
 * due) in the same commit.
 */
import * as v from "valibot";
import { MAX_GUESS_LENGTH, type Team, teamNameKey, type Write } from "../engine/mod.ts";
import { hashPassword, Limiter, secretsEqual } from "./accounts.ts";
import { type Outcome, refusal } from "./errors.ts";
import type { Game } from "./game.ts";

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
export const RegisterBody = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, "The team name is empty"), v.maxLength(64)),
  password: v.pipe(
    v.string(),
    v.minLength(8, "The password needs at least 8 characters"),
    v.maxLength(256),
  ),
  division: v.optional(v.nullable(Text(64))),
  members: v.optional(v.pipe(v.array(Text(64)), v.maxLength(50))),
  code: v.optional(Text(256)),
});
export const LoginBody = v.strictObject({ name: Text(64), password: Text(256) });
export const GuessBody = v.strictObject({ answer: v.string() });
export const CheckInBody = v.strictObject({ code: Text(256) });

export interface GuessReply {
  result: "correct" | "incorrect" | "partial" | "already_solved";
  message?: string;
  unlocked: string[];
}
export interface HintReply {
  id: string;
  text: string;
  cost: number;
}
export interface CheckInReply {
  puzzle: string;
  unlocked: string[];
}
export interface RegisterReply {
  team: { id: number; name: string };
  token: string;
}

/** The team actions over one game. */
export function playerActions(game: Game) {
  return { ...accountActions(game), ...puzzleActions(game) };
}

export type PlayerActions = ReturnType<typeof playerActions>;

/** Commits the engine's pending background writes with `writes`, in one commit. */
async function settle(game: Game, writes: readonly Write[] = []): Promise<void> {
  const background = game.engine.takeBackgroundWrites();
  await game.commit(background.length === 0 ? writes : [...background, ...writes]);
}

/** Registering, logging in and out. */
function accountActions(game: Game) {
  return {
    /** Registers a team and opens its first session. */
    async register(body: v.InferOutput<typeof RegisterBody>): Promise<Outcome<RegisterReply>> {
      const hunt = game.engine.hunt;
      if (hunt.registration === "closed") return refusal("forbidden", "Registration is closed");
      if (hunt.registration === "code") {
        // Compare against every code, without stopping at a match.
        let valid = false;
        for (const code of hunt.registrationCodes) {
          valid = secretsEqual(body.code ?? "", code) || valid;
        }
        if (!valid) return refusal("forbidden", "A valid registration code is needed");
      }
      if (game.engine.teamByName(body.name)) return refusal("conflict", "That team name is taken");
      const passwordHash = await hashPassword(body.password);
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
      const session = game.accounts.openSession(result.team.id, engine.now());
      await settle(game, [...result.writes, session.write]);
      game.accounts.addTeam(result.team.id, passwordHash);
      session.open();
      game.logger.info("team_registered", { team: result.team.id, name: result.team.name });
      const team = { id: result.team.id, name: result.team.name };
      return { ok: true, reply: { team, token: session.token } };
    },

    /** Logs a team in: a new session token. */
    async login(body: v.InferOutput<typeof LoginBody>): Promise<Outcome<{ token: string }>> {
      const engine = game.engine;
      const wait = game.accounts.limitLogin(teamNameKey(body.name), engine.now());
      if (wait !== undefined) {
        return refusal(
          "rate_limited",
          "Too many login attempts for this team; try again later",
          wait,
        );
      }
      const team = engine.teamByName(body.name);
      if (!(await game.accounts.verify(team?.id, body.password)) || team === undefined) {
        return refusal("unauthorized", "Wrong team name or password");
      }
      const session = game.accounts.openSession(team.id, engine.now());
      await game.commit([session.write]);
      session.open();
      return { ok: true, reply: { token: session.token } };
    },

    /** Ends a session; refused when the token opened none. */
    async logout(token: string | undefined): Promise<Outcome<{ ok: true }>> {
      const write = token === undefined ? undefined : game.accounts.closeSession(token);
      if (write === undefined) return refusal("unauthorized");
      await game.commit([write]);
      return { ok: true, reply: { ok: true } };
    },
  };
}

/** Guesses, hints and check-ins. */
function puzzleActions(game: Game) {
  // Wrong checkpoint codes are limited per team, so codes cannot be guessed from afar.
  const badCodes = new Limiter(10, 60_000);
  /** The team in the current engine (a reload may have swapped it while a body arrived). */
  const teamOf = (teamId: number): Team | undefined => game.engine.teams.get(teamId);

  return {
    /** Judges a guess. */
    async guess(teamId: number, puzzleId: string, answer: string): Promise<Outcome<GuessReply>> {
      if ([...answer].length > MAX_GUESS_LENGTH) {
        return refusal("bad_request", `A guess is at most ${MAX_GUESS_LENGTH} characters`);
      }
      const team = teamOf(teamId);
      if (team === undefined) return refusal("unauthorized");
      const outcome = game.engine.guess(team, puzzleId, answer);
      switch (outcome.kind) {
        case "hunt_not_running":
        case "not_found":
          await settle(game);
          return refusal(outcome.kind);
        case "rate_limited":
          await settle(game);
          return refusal(
            "rate_limited",
            "Too many wrong guesses on this puzzle; wait a little",
            outcome.retryAfterSeconds,
          );
        case "mission":
          await settle(game);
          return refusal(
            "bad_request",
            "This puzzle is a mission: send a submission (POST /api/puzzles/:id/submissions), not an answer",
          );
        case "already_solved":
          // Answered only once the solve it rests on is on disk.
          await settle(game);
          return { ok: true, reply: { result: "already_solved", unlocked: [] } };
        case "judged":
          await settle(game, outcome.writes);
          return {
            ok: true,
            reply: {
              result: outcome.result,
              ...(outcome.message !== undefined && { message: outcome.message }),
              unlocked: outcome.unlocked,
            },
          };
      }
    },

    /** Takes a hint (idempotent: taking it again charges nothing). */
    async takeHint(teamId: number, puzzleId: string, hintId: string): Promise<Outcome<HintReply>> {
      const team = teamOf(teamId);
      if (team === undefined) return refusal("unauthorized");
      const outcome = game.engine.takeHint(team, puzzleId, hintId);
      switch (outcome.kind) {
        case "hunt_not_running":
        case "not_found":
          await settle(game);
          return refusal(outcome.kind);
        case "not_available":
          await settle(game);
          return refusal("forbidden", "This hint is not available yet");
        case "ok": {
          await settle(game, outcome.writes);
          const { id, text, cost } = outcome.hint;
          return { ok: true, reply: { id, text, cost } };
        }
      }
    },

    /** Checks in at a checkpoint; wrong codes are limited per team. */
    async checkIn(teamId: number, code: string): Promise<Outcome<CheckInReply>> {
      const team = teamOf(teamId);
      if (team === undefined) return refusal("unauthorized");
      const now = game.engine.now();
      const wait = badCodes.blocked(team.id, now);
      if (wait !== undefined) {
        return refusal("rate_limited", "Too many unknown checkpoint codes; try again later", wait);
      }
      const outcome = game.engine.checkIn(team, code);
      switch (outcome.kind) {
        case "hunt_not_running":
          await settle(game);
          return refusal("hunt_not_running");
        case "not_found":
          await settle(game);
          badCodes.hit(team.id, now);
          return refusal("not_found", "There is no checkpoint with that code");
        case "other_variant":
          // Counted like an unknown code, so that codes cannot be probed this way either.
          await settle(game);
          badCodes.hit(team.id, now);
          return refusal(
            "not_found",
            "This checkpoint belongs to another team's version of the puzzle",
          );
        case "ok":
          await settle(game, outcome.writes);
          return { ok: true, reply: { puzzle: outcome.puzzle.id, unlocked: outcome.unlocked } };
      }
    },
  };
}
