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
    at: number;
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
    at: number;
  }
  | { kind: "unlock"; teamId: number; puzzle: string; at: number }
  | { kind: "hint"; teamId: number; puzzle: string; hint: string; at: number }
  | { kind: "checkin"; teamId: number; puzzle: string; at: number }
  /** A team's order of a route's stops, given at registration (or again after a reload changed the route). */
  | { kind: "route"; teamId: number; route: string; stops: readonly string[]; at: number }
  | { kind: "adjustment"; id: number; teamId: number; points: number; reason: string; at: number }
  | { kind: "extra_guesses"; teamId: number; puzzle: string; count: number; at: number }
  | { kind: "announcement"; id: number; text: string; at: number }
  /** A login: only the token's hash is stored. */
  | { kind: "session"; tokenHash: string; teamId: number; at: number }
  | { kind: "session_end"; tokenHash: string };
