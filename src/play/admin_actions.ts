/**
 * What organizers can change, shared by the admin API and the admin pages'
 * form posts: announce, adjust a score, grant extra guesses, freeze or reveal
 * the board, reload the hunt. Each returns an `Outcome`, on disk and
 * published when it resolves.
 */
import * as v from "valibot";
import { maxChars } from "./_chars.ts";
import { TEXT_LIMITS } from "./limits.ts";
import { type Outcome, refusal } from "./errors.ts";
import { decideTurn, type Game, type ReloadResult } from "./game.ts";

export const TeamRef = v.pipe(v.number(), v.integer(), v.minValue(1));
export const AnnouncementBody = v.strictObject({
  text: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "The announcement is empty"),
    maxChars(TEXT_LIMITS.announcement),
  ),
});
export const AdjustmentBody = v.strictObject({
  team: TeamRef,
  points: v.pipe(v.number(), v.integer(), v.minValue(-1_000_000), v.maxValue(1_000_000)),
  reason: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "Give a reason"),
    maxChars(TEXT_LIMITS.reason),
  ),
});
export const ExtraGuessesBody = v.strictObject({
  team: TeamRef,
  puzzle: v.pipe(v.string(), maxChars(200)),
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
});
export const FreezeBody = v.strictObject({ frozen: v.boolean() });

/** An epoch-ms time as ISO 8601, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The sentence a failed reload answers with. */
export function reloadFailure(errors: readonly string[]): string {
  const count = errors.length;
  return `The hunt file has ${count} error${count === 1 ? "" : "s"}; the running hunt is unchanged`;
}

/** The organizers' actions over one game. */
export function adminActions(game: Game) {
  const noTeam = (id: number) => refusal("not_found", `There is no team ${id}`);
  return {
    /** Broadcasts an announcement to every stream, the projector's included. */
    async announce(
      text: string,
    ): Promise<Outcome<{ id: number; text: string; at: string | null }>> {
      await decideTurn(game);
      const result = game.engine.announce(text);
      await game.commit(result.writes);
      game.logger.info("announcement", { id: result.id });
      return { ok: true, reply: { id: result.id, text, at: iso(result.at) } };
    },

    /** A manual score change, with its reason. */
    async adjust(
      body: v.InferOutput<typeof AdjustmentBody>,
    ): Promise<Outcome<{ id: number; unlocked: string[] }>> {
      await decideTurn(game);
      const team = game.engine.teams.get(body.team);
      if (team === undefined) return noTeam(body.team);
      const result = game.engine.adjust(team, body.points, body.reason);
      await game.commit(result.writes);
      game.logger.info("adjustment", { team: team.id, points: body.points });
      return { ok: true, reply: { id: result.id, unlocked: result.unlocked } };
    },

    /** Lifts a team's guess limit on a puzzle by `count` guesses. */
    async extraGuesses(body: v.InferOutput<typeof ExtraGuessesBody>): Promise<Outcome<true>> {
      await decideTurn(game);
      const team = game.engine.teams.get(body.team);
      if (team === undefined) return noTeam(body.team);
      const result = game.engine.grantExtraGuesses(team, body.puzzle, body.count);
      if (result === undefined) return refusal("not_found", `There is no puzzle "${body.puzzle}"`);
      await game.commit(result.writes);
      return { ok: true, reply: true };
    },

    /**
     * Releases a team's submitter (`submitters = "one"`): the next device that
     * submits for the team becomes its submitter. `released` says whether one was held.
     */
    async releaseSubmitter(teamId: number): Promise<Outcome<{ released: boolean }>> {
      await decideTurn(game);
      if (!game.engine.teams.has(teamId)) return noTeam(teamId);
      const write = game.submitters.release(teamId);
      if (write !== undefined) await game.commit([write]);
      game.logger.info("submitter_released", { team: teamId, held: write !== undefined });
      return { ok: true, reply: { released: write !== undefined } };
    },

    /** Freezes the public board now, or reveals it, once that is stored. */
    async setFrozen(frozen: boolean): Promise<void> {
      await game.freeze.set(frozen, game.engine.now());
      game.live.scoreboardChanged();
      game.logger.info(frozen ? "scoreboard_frozen" : "scoreboard_revealed");
    },

    /** Re-reads the hunt file; the game logs the outcome and publishes what changed. */
    reload(): ReloadResult {
      return game.reload();
    },
  };
}

export type AdminActions = ReturnType<typeof adminActions>;
