/**
 * A banned team (`Engine.banTeam`) is shut out: its sessions end with the ban,
 * and a login or an action of one of its requests still under way is refused
 * with this one answer.
 */
import { type Refusal, refusal } from "./errors.ts";
import type { Game } from "./game.ts";

/** What a banned team's login and actions are refused with (403 `forbidden`). */
export const BANNED = "The organizers have banned this team from the hunt";

/** The refusal of a banned team's login or action; undefined for a team that is not banned. */
export function bannedRefusal(game: Game, teamId: number): Refusal | undefined {
  return game.engine.teams.get(teamId)?.banned === true ? refusal("forbidden", BANNED) : undefined;
}
