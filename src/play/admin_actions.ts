/**
 * What organizers can change, shared by the admin API and the admin pages'
 * form posts: announce, adjust a score, grant extra guesses, rename a team,
 * set its password or hide it from the standings, freeze or reveal the board,
 * reload the hunt. Each returns an `Outcome`, on disk and
 * published when it resolves.
 */
import * as v from "valibot";
import { maxChars } from "./_chars.ts";
import { TEXT_LIMITS } from "./limits.ts";
import { type Outcome, refusal } from "./errors.ts";
import { decideTurn, type Game, type ReloadResult, teamWithId } from "./game.ts";
import type { Write } from "../engine/mod.ts";
import { hashPassword } from "./accounts.ts";
import { TeamName, TeamPassword } from "./actions.ts";

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
/** A team's new name: registration's rules. */
export const TeamNameBody = v.strictObject({ name: TeamName });
/** Whether a team is hidden from the public standings (`true`), or shown (`false`). */
export const TeamHiddenBody = v.strictObject({ hidden: v.boolean() });
/** Whether a team is banned (`true`), or its ban lifted (`false`). */
export const TeamBannedBody = v.strictObject({ banned: v.boolean() });
/** A team's new password (registration's rules); `logout` also ends every session of the team. */
export const TeamPasswordBody = v.strictObject({
  password: TeamPassword,
  logout: v.optional(v.boolean()),
});

/** A team as a rename or a new password answers it. */
export interface TeamReply {
  id: number;
  name: string;
}

/** A team as a ban answers it: whether it is banned, and hidden. */
export interface BannedReply extends TeamReply {
  hidden: boolean;
  banned: boolean;
}

/** An epoch-ms time as ISO 8601, or null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The sentence a failed reload answers with. */
export function reloadFailure(errors: readonly string[]): string {
  const count = errors.length;
  return `The hunt file has ${count} error${count === 1 ? "" : "s"}; the running hunt is unchanged`;
}

const noTeam = (id: number) => refusal("not_found", `There is no team ${id}`);

/** The organizers' actions over one game. */
export function adminActions(game: Game) {
  return {
    ...teamActions(game),
    ...standingActions(game),
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

/** What organizers change on one team: its name, password and submitter. */
function teamActions(game: Game) {
  return {
    /**
     * Renames a team, by registration's rules (409 when another team has the
     * name). It shows everywhere at once, and the team logs in by it from now on.
     */
    async renameTeam(teamId: number, name: string): Promise<Outcome<TeamReply>> {
      await decideTurn(game);
      const team = game.engine.teams.get(teamId);
      if (team === undefined) return noTeam(teamId);
      const before = team.name;
      const result = game.engine.renameTeam(team, name);
      if (result.kind === "name_taken") return refusal("conflict", "That team name is taken");
      if (result.kind === "invalid") return refusal("bad_request", result.message);
      if (result.writes.length > 0) {
        await game.commit(result.writes);
        game.logger.info("team_renamed", { team: team.id, from: before, name: team.name });
      }
      return { ok: true, reply: { id: team.id, name: team.name } };
    },

    /**
     * Sets a team's password (hashed as at registration). The team's sessions
     * stay open, unless `logout`: then every one of them ends, and with it the
     * team's submitter role.
     */
    async setPassword(
      teamId: number,
      body: v.InferOutput<typeof TeamPasswordBody>,
    ): Promise<Outcome<{ team: TeamReply; sessionsEnded: number }>> {
      if (await teamWithId(game, teamId) === undefined) return noTeam(teamId);
      // Hashed off the event loop, before the turn: the decision and its commit stay together.
      const passwordHash = await hashPassword(body.password);
      await decideTurn(game);
      const team = game.engine.teams.get(teamId);
      if (team === undefined) return noTeam(teamId);
      const reset = game.accounts.resetPassword(team.id, passwordHash);
      const ended = body.logout === true ? endSessions(game, team.id) : undefined;
      const writes = [reset.write, ...ended?.writes ?? []];
      try {
        await game.commit(writes);
        reset.apply();
      } catch (error) {
        // Not saved: the old password, the sessions and the role stand, here as in the database.
        ended?.undo();
        throw error;
      } finally {
        reset.settle();
      }
      const sessionsEnded = writes.filter((write) => write.kind === "session_end").length;
      game.logger.info("team_password_set", { team: team.id, sessions_ended: sessionsEnded });
      return { ok: true, reply: { team: { id: team.id, name: team.name }, sessionsEnded } };
    },

    /**
     * Releases a team's submitter (`submitters = "one"`): the next device that
     * submits for the team becomes its submitter. `released` says whether one was held.
     */
    async releaseSubmitter(teamId: number): Promise<Outcome<{ released: boolean }>> {
      await decideTurn(game);
      if (!game.engine.teams.has(teamId)) return noTeam(teamId);
      const release = game.submitters.release(teamId);
      if (release !== undefined) {
        try {
          await game.commit([release.write]);
        } catch (error) {
          // Not saved: the device the database names keeps the role here too.
          release.undo();
          throw error;
        }
      }
      game.logger.info("submitter_released", { team: teamId, held: release !== undefined });
      return { ok: true, reply: { released: release !== undefined } };
    },
  };
}

/**
 * Ends every session of a team and frees its submitter role, in memory at once: the writes store
 * that, and `undo` puts both back when they were not saved.
 */
function endSessions(game: Game, teamId: number): { writes: Write[]; undo: () => void } {
  const sessions = game.accounts.closeSessionsOf(teamId);
  const release = game.submitters.release(teamId);
  return {
    writes: release === undefined ? sessions.writes : [...sessions.writes, release.write],
    undo: () => {
      sessions.undo();
      release?.undo();
    },
  };
}

/** Whether a team is on the public standings, and whether it may play: hiding and banning. */
function standingActions(game: Game) {
  return {
    /**
     * Hides a team from the public standings (the board, its streams, the
     * projector, CTFtime's feed), or shows it again; its solves count for no
     * other team while hidden (`Engine.hideTeam`). The team plays on.
     */
    async hideTeam(
      teamId: number,
      hidden: boolean,
    ): Promise<Outcome<TeamReply & { hidden: boolean }>> {
      await decideTurn(game);
      const team = game.engine.teams.get(teamId);
      if (team === undefined) return noTeam(teamId);
      if (!hidden && team.banned) {
        return refusal("conflict", "A banned team stays hidden: lift its ban first");
      }
      const result = game.engine.hideTeam(team, hidden);
      if (result.writes.length > 0) {
        await game.commit(result.writes);
        game.logger.info(hidden ? "team_hidden" : "team_shown", { team: team.id });
      }
      return { ok: true, reply: { id: team.id, name: team.name, hidden: team.hidden } };
    },

    /**
     * Bans a team: hidden as `hideTeam` hides it, every session of the team
     * ended (its submitter released), and its logins and actions refused with
     * 403 from then on. Lifting the ban lets it log in again; it stays hidden
     * until shown again.
     */
    async banTeam(
      teamId: number,
      banned: boolean,
    ): Promise<Outcome<{ team: BannedReply; sessionsEnded: number }>> {
      await decideTurn(game);
      const team = game.engine.teams.get(teamId);
      if (team === undefined) return noTeam(teamId);
      const writes = [...game.engine.banTeam(team, banned).writes];
      const ended = banned && writes.length > 0 ? endSessions(game, team.id) : undefined;
      if (ended !== undefined) writes.push(...ended.writes);
      const sessionsEnded = writes.filter((write) => write.kind === "session_end").length;
      if (writes.length > 0) {
        try {
          await game.commit(writes);
        } catch (error) {
          // Not saved: the sessions and the role stand, here as in the database. The engine's
          // ban goes with the engine, which a failed commit makes the server build anew.
          ended?.undo();
          throw error;
        }
        game.logger.info(banned ? "team_banned" : "team_unbanned", {
          team: team.id,
          sessions_ended: sessionsEnded,
        });
      }
      const { id, name, hidden } = team;
      return {
        ok: true,
        reply: { team: { id, name, hidden, banned: team.banned }, sessionsEnded },
      };
    },
  };
}

export type AdminActions = ReturnType<typeof adminActions>;
