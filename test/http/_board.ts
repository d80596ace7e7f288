// A big board written straight into a new database, for the tests of the scoreboard's parts
// and of a phone's standings: registering hundreds of teams through the API would hash as many
// passwords.
import { teamNameKey } from "../../src/engine/mod.ts";
import { hashToken } from "../../src/play/mod.ts";
import type { Connection } from "../../src/store/mod.ts";
import { START } from "../engine/_hunt.ts";

/**
 * Writes `count` teams: team i (from 1) is named "Team i", is in division "kids" when i is odd
 * ("adults" else), scores `count + 1 - i` points from an adjustment (so it is ranked i-th), and
 * is logged in with the token `token-i`.
 */
export function seedBoard(db: Connection, count: number): void {
  const team = db.prepare(
    "INSERT INTO teams (id, name, name_key, password_hash, division, members, created_at) VALUES (?, ?, ?, '!no-password', ?, '[]', ?)",
  );
  const session = db.prepare(
    "INSERT INTO sessions (token_hash, team_id, created_at) VALUES (?, ?, ?)",
  );
  const adjustment = db.prepare(
    "INSERT INTO adjustments (team_id, points, reason, at) VALUES (?, ?, 'seed', ?)",
  );
  for (let i = 1; i <= count; i++) {
    const name = `Team ${i}`;
    team.run(i, name, teamNameKey(name), i % 2 === 1 ? "kids" : "adults", START);
    session.run(hashToken(`token-${i}`), i, START);
    adjustment.run(i, count + 1 - i, START);
  }
}
