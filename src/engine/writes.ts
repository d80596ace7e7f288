/**
 * What the engine asks the store to make durable. Every action decided in
 * memory yields these plain records; the store writes a batch of them in one
 * transaction, and only then is the action acknowledged. Ids are allocated by
 * the engine, so a record is complete data with nothing to read back.
 */
export type GuessResult = "correct" | "incorrect" | "partial";

/** A stored upload: its content hash (the file's name on disk), its sniffed type and size. */
export interface StoredFile {
  hash: string;
  type: string;
  size: number;
}

/**
 * Why an action made offline is flagged for the organizers: its claimed time
 * was `clamped` into what the server can vouch for, or it arrived `late`
 * (more than 10 minutes after its effective time).
 */
export type ActionFlag = "clamped" | "late";

export type Write =
  | {
    kind: "team";
    id: number;
    name: string;
    nameKey: string;
    passwordHash: string;
    division: string | null;
    members: readonly string[];
    at: number;
  }
  | {
    kind: "guess";
    id: number;
    teamId: number;
    puzzle: string;
    raw: string;
    normalized: string;
    result: GuessResult;
    /** The guess went past the limit on one of the organizers' extra guesses. */
    extraUsed: boolean;
    /** When the server received it. */
    at: number;
    /** When it counts (a guess made offline): its solve's time. Undefined: `at`. */
    effectiveAt?: number;
    /** Why the organizers should look at its time (an offline action); see `ActionFlag`. */
    flag?: ActionFlag;
    /** The id the client sent with the guess, echoed in its live `solve` or `wrong_guess`; not stored. */
    request?: string;
  }
  /** A mission's submission: its file (by content hash) or its text; "accepted" at once with judge = "auto". */
  | {
    kind: "submission";
    id: number;
    teamId: number;
    puzzle: string;
    submit: "photo" | "video" | "text";
    file: StoredFile | null;
    text: string | null;
    status: "pending" | "accepted";
    points: number;
    at: number;
    /** Made offline, and why the judges should look at its time (absent otherwise). */
    flag?: ActionFlag;
  }
  /** A judge's verdict on a submission; a rejection of an accepted one takes its solve back. */
  | {
    kind: "verdict";
    submissionId: number;
    teamId: number;
    puzzle: string;
    status: "accepted" | "rejected";
    points: number;
    message: string | null;
    /** When the judge gave it. */
    at: number;
    /**
     * An acceptance's solve time: when the team sent the submission. Absent in logs written before
     * acceptances were dated so, where the solve's time is `at`.
     */
    acceptedAt?: number;
  }
  /** A team's question on an ask hint, and what it paid: `cost` points, or a token. */
  | {
    kind: "ask";
    id: number;
    teamId: number;
    puzzle: string;
    hint: string;
    question: string;
    cost: number;
    token: boolean;
    at: number;
  }
  /** An ask answered or refused by an organizer, or withdrawn by its team; refused or withdrawn, it is paid back. */
  | {
    kind: "ask_close";
    askId: number;
    teamId: number;
    puzzle: string;
    hint: string;
    status: "answered" | "refused" | "withdrawn";
    answer: string | null;
    at: number;
  }
  | { kind: "unlock"; teamId: number; puzzle: string; at: number }
  /** `at` is when it counts: for an action made offline, its effective time. */
  | { kind: "hint"; teamId: number; puzzle: string; hint: string; at: number; flag?: ActionFlag }
  | { kind: "checkin"; teamId: number; puzzle: string; at: number; flag?: ActionFlag }
  /** A team's order of a route's stops, given at registration (or again after a reload changed the route). */
  | { kind: "route"; teamId: number; route: string; stops: readonly string[]; at: number }
  | { kind: "adjustment"; id: number; teamId: number; points: number; reason: string; at: number }
  | { kind: "extra_guesses"; teamId: number; puzzle: string; count: number; at: number }
  | { kind: "announcement"; id: number; text: string; at: number }
  /** A login: only the token's hash is stored. */
  | { kind: "session"; tokenHash: string; teamId: number; at: number }
  | { kind: "session_end"; tokenHash: string }
  /**
   * A team's password hash replaced: an organizer's reset, or an imported
   * (bcrypt) hash upgraded to argon2id at login.
   */
  /**
   * A team's new password hash: an organizer's reset (`reset`), or an imported hash upgraded at a
   * login, which replaces only the hash it names (`replaces`): never a reset stored before it.
   */
  | { kind: "password"; teamId: number; passwordHash: string; reset?: true; replaces?: string }
  /** A team renamed by an organizer: its new name, and the key it is unique by (`teamNameKey`). */
  | { kind: "team_name"; teamId: number; name: string; nameKey: string }
  /**
   * A team hidden from the public standings by an organizer, or shown again
   * (`hidden: false`): its solves count for no one else (see `Engine.hideTeam`).
   */
  | { kind: "team_hidden"; teamId: number; hidden: boolean; at: number }
  /**
   * A team banned by an organizer, or its ban lifted (`banned: false`). A ban
   * hides the team too; lifting it leaves the team hidden (see `Engine.banTeam`).
   */
  | { kind: "team_banned"; teamId: number; banned: boolean; at: number }
  /**
   * A keyed request's answer (its `Idempotency-Key`), committed with the
   * writes it answers for, so that a retry gets the same bytes back.
   */
  | {
    kind: "idempotency";
    teamId: number;
    key: string;
    /** A hash of what was asked: a retry that asks something else is refused. */
    fingerprint: string;
    status: number;
    body: string;
    at: number;
  }
  /** Forgets a team's oldest keys' answers: it holds as many as it may keep. */
  | { kind: "idempotency_evict"; teamId: number; keys: readonly string[] }
  /** Forgets the answers of keys recorded before `before` (expired). */
  | { kind: "idempotency_prune"; before: number }
  /** With `submitters = "one"`: the session that alone submits for its team. */
  | { kind: "submitter"; teamId: number; tokenHash: string; at: number }
  /** An organizer released the team's submitter (or it logged out). */
  | { kind: "submitter_release"; teamId: number }
  /**
   * A server-wide value (the hunt's start, the freeze, the admin token's
   * hash): written through the log only where several nodes share one
   * (PostgreSQL); a single node sets its meta values directly.
   */
  | { kind: "meta"; key: string; value: string };
