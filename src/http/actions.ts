/**
 * What a team can do, shared by the JSON API and the web pages' form posts:
 * register, log in and out, guess, take a hint, check in. Each action either
 * returns its result once it is on disk or throws an ApiError, so both callers
 * answer the same thing in their own format.
 */
import type { Context } from "hono";
import * as v from "valibot";
import {
  type Engine,
  MAX_GUESS_LENGTH,
  type Team,
  teamNameKey,
  type Write,
} from "../engine/mod.ts";
import type { Logger } from "../log/mod.ts";
import { hashPassword, Limiter, secretsEqual } from "./accounts.ts";
import { ApiError } from "./errors.ts";
import type { Runtime } from "./runtime.ts";
import { credential } from "./_auth.ts";

export {
  ADMIN_COOKIE,
  credential,
  isAdmin,
  sameOriginRequest,
  SESSION_COOKIE,
  setAdminCookie,
  setSessionCookie,
} from "./_auth.ts";

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

export type GuessReply = {
  result: "correct" | "incorrect" | "partial" | "already_solved";
  message?: string;
  unlocked: string[];
};

/** A team and the engine it was found in (a reload swaps the engine). */
export interface Player {
  engine: Engine;
  team: Team;
}

/** The team the request's session belongs to, or undefined. */
export function currentPlayer(runtime: Runtime, c: Context): Player | undefined {
  const token = credential(c);
  const teamId = token === undefined ? undefined : runtime.accounts.teamFor(token);
  const engine = runtime.engine;
  const team = teamId === undefined ? undefined : engine.teams.get(teamId);
  return team === undefined ? undefined : { engine, team };
}

/** The logged-in team, or a 401. */
export function findPlayer(runtime: Runtime, c: Context): Player {
  const found = currentPlayer(runtime, c);
  if (found === undefined) throw new ApiError("unauthorized");
  return found;
}

/** The team actions over one runtime. */
export function playerActions(runtime: Runtime, logger: Logger) {
  const badCodes = new Limiter(10, 60_000);

  return {
    /** Registers a team and opens its first session. */
    async register(
      body: v.InferOutput<typeof RegisterBody>,
    ): Promise<{ team: { id: number; name: string }; token: string }> {
      const hunt = runtime.engine.hunt;
      if (hunt.registration === "closed") throw new ApiError("forbidden", "Registration is closed");
      if (hunt.registration === "code") {
        // Compare against every code, without stopping at a match.
        let valid = false;
        for (const code of hunt.registrationCodes) {
          valid = secretsEqual(body.code ?? "", code) || valid;
        }
        if (!valid) throw new ApiError("forbidden", "A valid registration code is needed");
      }
      if (runtime.engine.teamByName(body.name)) {
        throw new ApiError("conflict", "That team name is taken");
      }
      const passwordHash = await hashPassword(body.password);
      // The engine is read again after the hash: a reload or another registration may have happened.
      const engine = runtime.engine;
      const result = engine.register({
        name: body.name,
        passwordHash,
        division: body.division ?? null,
        members: body.members ?? [],
      });
      if (result.kind === "name_taken") throw new ApiError("conflict", "That team name is taken");
      if (result.kind === "invalid") throw new ApiError("bad_request", result.message);
      const session = runtime.accounts.openSession(result.team.id, engine.now());
      await runtime.writer.commit([
        ...engine.takeBackgroundWrites(),
        ...result.writes,
        session.write,
      ]);
      runtime.accounts.addTeam(result.team.id, passwordHash);
      session.open();
      logger.info("team_registered", { team: result.team.id, name: result.team.name });
      return { team: { id: result.team.id, name: result.team.name }, token: session.token };
    },

    /** Logs a team in: a new session token. */
    async login(body: v.InferOutput<typeof LoginBody>): Promise<{ token: string }> {
      const engine = runtime.engine;
      const wait = runtime.accounts.limitLogin(teamNameKey(body.name), engine.now());
      if (wait !== undefined) {
        throw new ApiError(
          "rate_limited",
          "Too many login attempts for this team; try again later",
          { "retry-after": String(wait) },
        );
      }
      const team = engine.teamByName(body.name);
      if (!(await runtime.accounts.verify(team?.id, body.password)) || team === undefined) {
        throw new ApiError("unauthorized", "Wrong team name or password");
      }
      const session = runtime.accounts.openSession(team.id, engine.now());
      await runtime.writer.commit([session.write]);
      session.open();
      return { token: session.token };
    },

    /** Ends a session; false when the token opened none. */
    async logout(token: string | undefined): Promise<boolean> {
      const write = token === undefined ? undefined : runtime.accounts.closeSession(token);
      if (write === undefined) return false;
      await runtime.writer.commit([write]);
      return true;
    },

    /** Judges a guess. */
    async guess({ engine, team }: Player, puzzleId: string, answer: string): Promise<GuessReply> {
      if ([...answer].length > MAX_GUESS_LENGTH) {
        throw new ApiError("bad_request", `A guess is at most ${MAX_GUESS_LENGTH} characters`);
      }
      const outcome = engine.guess(team, puzzleId, answer);
      const background = engine.takeBackgroundWrites();
      switch (outcome.kind) {
        case "hunt_not_running":
          return await refuse(runtime, background, "hunt_not_running");
        case "not_found":
          return await refuse(runtime, background, "not_found");
        case "rate_limited":
          return await refuse(
            runtime,
            background,
            "rate_limited",
            "Too many wrong guesses on this puzzle; wait a little",
            { "retry-after": String(outcome.retryAfterSeconds) },
          );
        case "already_solved":
          await runtime.writer.commit(background);
          return { result: "already_solved", unlocked: [] };
        case "judged":
          await runtime.writer.commit([...background, ...outcome.writes]);
          return {
            result: outcome.result,
            ...(outcome.message !== undefined && { message: outcome.message }),
            unlocked: outcome.unlocked,
          };
      }
    },

    /** Takes a hint (idempotent). */
    async takeHint(
      { engine, team }: Player,
      puzzleId: string,
      hintId: string,
    ): Promise<{ id: string; text: string; cost: number }> {
      const outcome = engine.takeHint(team, puzzleId, hintId);
      const background = engine.takeBackgroundWrites();
      switch (outcome.kind) {
        case "hunt_not_running":
          return await refuse(runtime, background, "hunt_not_running");
        case "not_found":
          return await refuse(runtime, background, "not_found");
        case "not_available":
          return await refuse(runtime, background, "forbidden", "This hint is not available yet");
        case "ok":
          await runtime.writer.commit([...background, ...outcome.writes]);
          return { id: outcome.hint.id, text: outcome.hint.text, cost: outcome.hint.cost };
      }
    },

    /** Checks in at a checkpoint; wrong codes are limited per team. */
    async checkIn(
      { engine, team }: Player,
      code: string,
    ): Promise<{ puzzle: string; unlocked: string[] }> {
      // Wrong codes are limited per team, so checkpoint codes cannot be guessed from afar.
      const wait = badCodes.blocked(team.id, engine.now());
      if (wait !== undefined) {
        throw new ApiError("rate_limited", "Too many unknown checkpoint codes; try again later", {
          "retry-after": String(wait),
        });
      }
      const outcome = engine.checkIn(team, code);
      const background = engine.takeBackgroundWrites();
      switch (outcome.kind) {
        case "hunt_not_running":
          return await refuse(runtime, background, "hunt_not_running");
        case "not_found":
          await runtime.writer.commit(background);
          badCodes.hit(team.id, engine.now());
          throw new ApiError("not_found", "There is no checkpoint with that code");
        case "other_variant":
          // Counted like an unknown code, so that codes cannot be probed this way either.
          await runtime.writer.commit(background);
          badCodes.hit(team.id, engine.now());
          throw new ApiError(
            "not_found",
            "This checkpoint belongs to another team's version of the puzzle",
          );
        case "ok":
          await runtime.writer.commit([...background, ...outcome.writes]);
          return { puzzle: outcome.puzzle.id, unlocked: outcome.unlocked };
      }
    },
  };
}

export type PlayerActions = ReturnType<typeof playerActions>;

/** Refuses an action, once the unlocks its catch-up found (if any) are on disk. */
async function refuse(
  runtime: Runtime,
  background: readonly Write[],
  ...error: ConstructorParameters<typeof ApiError>
): Promise<never> {
  await runtime.writer.commit(background);
  throw new ApiError(...error);
}
