/**
 * The SQL side of a commit: one prepared statement per kind of `Write`, and a
 * batch of requests' writes applied in one transaction. The group commit on
 * the main thread (writer.ts) and the commit thread (_commit_worker.ts) both
 * write through it, so a record means the same rows wherever it is committed.
 */
import type { Connection, Statement } from "./driver.ts";
import type { Write } from "../engine/mod.ts";

/** Each request's writes, in the order they were decided. */
export type Batch = readonly (readonly Write[])[];

/** The statements of one connection, and the transaction that runs a batch. */
export class Tables {
  private readonly statements: Record<Write["kind"], Statement>;
  private readonly insertSolve: Statement;
  /** Applies a batch in one transaction (one fsync); returns the rows written. */
  readonly write: (batch: Batch) => number;

  constructor(db: Connection) {
    // Prepared once, kept for the life of the connection.
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      team: prepare(
        "INSERT INTO teams (id, name, name_key, password_hash, division, members, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      guess: prepare(
        "INSERT INTO guesses (id, team_id, puzzle, raw, normalized, result, extra_used, at, effective_at, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      submission: prepare(
        `INSERT INTO submissions (id, team_id, puzzle, submit, file_hash, file_type, file_size, text,
           status, points, at, accepted_at, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // An acceptance sets the solve's time; a rejection keeps it, so a replay takes the solve back.
      verdict: prepare(
        `UPDATE submissions SET status = ?1, points = ?2, message = ?3, judged_at = ?4,
           accepted_at = CASE WHEN ?1 = 'accepted' THEN ?6 ELSE accepted_at END WHERE id = ?5`,
      ),
      ask: prepare(
        `INSERT INTO asks (id, team_id, puzzle, hint, question, cost, token, status, at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
      ),
      // The first close wins: a closed ask is never closed again.
      ask_close: prepare(
        "UPDATE asks SET status = ?, answer = ?, closed_at = ? WHERE id = ? AND status = 'open'",
      ),
      // Unlocking is sticky, and the earliest time recorded stays: nodes sharing a log may each
      // record a time-based unlock, in any order; a reload that moves the start earlier dates
      // again what was unlocked at the old start (Engine.startMovedEarlier).
      unlock: prepare(
        `INSERT INTO unlocks (team_id, puzzle, at) VALUES (?, ?, ?)
         ON CONFLICT (team_id, puzzle) DO UPDATE SET at = min(at, excluded.at)`,
      ),
      hint: prepare(
        "INSERT OR IGNORE INTO hint_takes (team_id, puzzle, hint, at, flag) VALUES (?, ?, ?, ?, ?)",
      ),
      checkin: prepare(
        "INSERT OR IGNORE INTO checkins (team_id, puzzle, at, flag) VALUES (?, ?, ?, ?)",
      ),
      // A route given again (after a reload changed it) replaces the team's old order.
      route: prepare(
        "INSERT OR REPLACE INTO routes (team_id, route, stops, at) VALUES (?, ?, ?, ?)",
      ),
      adjustment: prepare(
        "INSERT INTO adjustments (id, team_id, points, reason, at) VALUES (?, ?, ?, ?, ?)",
      ),
      extra_guesses: prepare(
        "INSERT INTO extra_guesses (team_id, puzzle, count, at) VALUES (?, ?, ?, ?)",
      ),
      announcement: prepare("INSERT INTO announcements (id, text, at) VALUES (?, ?, ?)"),
      session: prepare("INSERT INTO sessions (token_hash, team_id, created_at) VALUES (?, ?, ?)"),
      session_end: prepare("DELETE FROM sessions WHERE token_hash = ?"),
      // An upgrade replaces only the hash it names (?3); a reset, whatever is there.
      password: prepare(
        "UPDATE teams SET password_hash = ?1 WHERE id = ?2 AND (?3 IS NULL OR password_hash = ?3)",
      ),
      team_name: prepare("UPDATE teams SET name = ?, name_key = ? WHERE id = ?"),
      team_hidden: prepare("UPDATE teams SET hidden = ? WHERE id = ?"),
      // A ban hides the team too; lifting it leaves the team hidden.
      team_banned: prepare(
        "UPDATE teams SET banned = ?1, hidden = CASE WHEN ?1 = 1 THEN 1 ELSE hidden END WHERE id = ?2",
      ),
      // A key is answered once: a second record for it (a bug) is ignored, never a failed batch.
      idempotency: prepare(
        "INSERT OR IGNORE INTO idempotency_keys (team_id, key, fingerprint, status, body, at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      idempotency_evict: prepare("DELETE FROM idempotency_keys WHERE team_id = ? AND key = ?"),
      idempotency_prune: prepare("DELETE FROM idempotency_keys WHERE at < ?"),
      submitter: prepare(
        "INSERT OR REPLACE INTO submitters (team_id, token_hash, at) VALUES (?, ?, ?)",
      ),
      submitter_release: prepare("DELETE FROM submitters WHERE team_id = ?"),
      meta: prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
    };
    this.insertSolve = prepare(
      "INSERT INTO solves (team_id, puzzle, guess_id, at) VALUES (?, ?, ?, ?)",
    );
    this.write = db.transaction((batch: Batch) => {
      let rows = 0;
      for (const writes of batch) {
        for (const write of writes) rows += this.apply(write);
      }
      return rows;
    });
  }

  private apply(write: Write): number {
    const s = this.statements;
    switch (write.kind) {
      case "team":
        s.team.run(
          write.id,
          write.name,
          write.nameKey,
          write.passwordHash,
          write.division,
          JSON.stringify(write.members),
          write.at,
        );
        return 1;
      case "guess":
        s.guess.run(
          write.id,
          write.teamId,
          write.puzzle,
          write.raw,
          write.normalized,
          write.result,
          write.extraUsed ? 1 : 0,
          write.at,
          write.effectiveAt ?? null,
          write.flag ?? null,
        );
        if (write.result !== "correct") return 1;
        // A solve counts from when the guess counts (its effective time, for one made offline).
        this.insertSolve.run(write.teamId, write.puzzle, write.id, write.effectiveAt ?? write.at);
        return 2;
      case "submission":
        s.submission.run(
          write.id,
          write.teamId,
          write.puzzle,
          write.submit,
          write.file?.hash ?? null,
          write.file?.type ?? null,
          write.file?.size ?? 0,
          write.text,
          write.status,
          write.points,
          write.at,
          write.status === "accepted" ? write.at : null,
          write.flag ?? null,
        );
        return 1;
      case "verdict": {
        const { status, points, message, at, submissionId, acceptedAt = at } = write;
        s.verdict.run(status, points, message, at, submissionId, acceptedAt);
        return 1;
      }
      case "ask":
        s.ask.run(
          write.id,
          write.teamId,
          write.puzzle,
          write.hint,
          write.question,
          write.cost,
          write.token ? 1 : 0,
          write.at,
        );
        return 1;
      case "ask_close":
        s.ask_close.run(write.status, write.answer, write.at, write.askId);
        return 1;
      case "unlock":
        s.unlock.run(write.teamId, write.puzzle, write.at);
        return 1;
      case "hint":
        s.hint.run(write.teamId, write.puzzle, write.hint, write.at, write.flag ?? null);
        return 1;
      case "checkin":
        s.checkin.run(write.teamId, write.puzzle, write.at, write.flag ?? null);
        return 1;
      case "route":
        s.route.run(write.teamId, write.route, JSON.stringify(write.stops), write.at);
        return 1;
      case "adjustment":
        s.adjustment.run(write.id, write.teamId, write.points, write.reason, write.at);
        return 1;
      case "extra_guesses":
        s.extra_guesses.run(write.teamId, write.puzzle, write.count, write.at);
        return 1;
      case "announcement":
        s.announcement.run(write.id, write.text, write.at);
        return 1;
      case "session":
        s.session.run(write.tokenHash, write.teamId, write.at);
        return 1;
      case "session_end":
        s.session_end.run(write.tokenHash);
        return 1;
      case "password":
        s.password.run(write.passwordHash, write.teamId, write.replaces ?? null);
        return 1;
      case "team_name":
      case "team_hidden":
      case "team_banned":
        return this.applyTeam(write);
      case "idempotency":
      case "idempotency_evict":
      case "idempotency_prune":
        return this.applyKey(write);
      case "submitter":
        s.submitter.run(write.teamId, write.tokenHash, write.at);
        return 1;
      case "submitter_release":
        s.submitter_release.run(write.teamId);
        return 1;
      case "meta":
        s.meta.run(write.key, write.value);
        return 1;
    }
  }

  /** An organizer's change to a team: its name, or whether it is hidden or banned. */
  private applyTeam(
    write: Extract<Write, { kind: "team_name" | "team_hidden" | "team_banned" }>,
  ): number {
    const s = this.statements;
    switch (write.kind) {
      case "team_name":
        s.team_name.run(write.name, write.nameKey, write.teamId);
        return 1;
      case "team_hidden":
        s.team_hidden.run(write.hidden ? 1 : 0, write.teamId);
        return 1;
      case "team_banned":
        s.team_banned.run(write.banned ? 1 : 0, write.teamId);
        return 1;
    }
  }

  /** A keyed request's answer stored, or answers forgotten (a team's oldest, or expired ones). */
  private applyKey(
    write: Extract<Write, { kind: "idempotency" | "idempotency_evict" | "idempotency_prune" }>,
  ): number {
    const s = this.statements;
    switch (write.kind) {
      case "idempotency":
        s.idempotency.run(
          write.teamId,
          write.key,
          write.fingerprint,
          write.status,
          write.body,
          write.at,
        );
        return 1;
      case "idempotency_evict": {
        let changes = 0;
        for (const key of write.keys) {
          changes += (s.idempotency_evict.run(write.teamId, key) as { changes: number }).changes;
        }
        return changes;
      }
      case "idempotency_prune":
        return (s.idempotency_prune.run(write.before) as { changes: number }).changes;
    }
  }
}

/**
 * The passive checkpoints that keep the WAL short, run on a timer between
 * commits instead of inside one (see writer.ts): `soon()` after each commit
 * starts the timer unless it runs; at most one checkpoint per `ms`.
 */
export class Checkpoints {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  /** `ms` 0 leaves checkpoints to SQLite, inside the commits. */
  constructor(private readonly db: Connection, private readonly ms: number) {}

  /** Checkpoints `ms` from now, unless one is already due. */
  soon(): void {
    if (this.ms <= 0 || this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => this.run(), this.ms);
    // Never what keeps the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** No more checkpoints (a failed writer, or one closing: the close checkpoints). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Copies the WAL's committed pages into the database file, without waiting
   * for readers or writers (a page a reader still needs stays for the next
   * one). Once a checkpoint has copied everything, the next commit starts the
   * WAL over and cuts the file back to its size limit.
   */
  private run(): void {
    this.timer = undefined;
    try {
      this.db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      // Nothing committed is lost when a checkpoint fails: the pages stay in the WAL, and the
      // next checkpoint (or a failing commit, which stops the writer) deals with the cause.
    }
  }
}
