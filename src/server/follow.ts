import type { Write } from "../engine/mod.ts";
import type { Game } from "../play/mod.ts";

/**
 * Plays records another node appended to the shared log onto this node's
 * game: the engine's state, accounts and sessions, keys, submitters and the
 * freeze, then the live streams, so that a team's solve on one node reaches
 * its streams on every node. Returns whether the admin token's hash changed,
 * and whether another node recorded the hunt it runs.
 */
export function followWrites(
  game: Game,
  writes: readonly Write[],
): { adminToken: boolean; hunt: boolean } {
  const engine = game.engine;
  let freeze = false;
  let adminToken = false;
  let hunt = false;
  for (const write of writes) {
    engine.apply(write);
    game.accounts.follow(write);
    game.idempotency.follow(write);
    game.submitters.follow(write);
    if (write.kind === "meta") {
      if (write.key.startsWith("scoreboard_")) freeze = true;
      if (write.key === "admin_token_hash") adminToken = true;
      if (write.key === "hunt_fingerprint") hunt = true;
    }
  }
  if (freeze) {
    game.freeze.reread();
    game.live.scoreboardChanged();
  }
  game.live.committed(writes);
  return { adminToken, hunt };
}
