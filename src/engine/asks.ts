/**
 * Asks: hints answered by people. A hint with `kind = "ask"` takes a question
 * from the team; an organizer answers it, or refuses it with a message. An
 * ask costs its hint's points, or one hint token when the hunt gives tokens
 * (`[hunt] hint_tokens`); a refused ask, or one the team withdraws before an
 * answer, gives them back. After the hunt's end the score is final: an open
 * ask can only be answered, and no more tokens come. Pure data and decisions;
 * the engine applies them.
 */
import type { HintTokens } from "./model.ts";
import type { Write } from "./writes.ts";

/** The longest question a team may ask, in characters. */
export const MAX_QUESTION_LENGTH = 1_000;

/** The longest answer (or refusal message) an organizer may give, in characters. */
export const MAX_ANSWER_LENGTH = 2_000;

/** Where an ask stands: waiting for an organizer, or closed one of three ways. */
export type AskStatus = "open" | "answered" | "refused" | "withdrawn";

/** A team's question on an ask hint, as the engine keeps it. */
export interface Ask {
  id: number;
  teamId: number;
  puzzle: string;
  hint: string;
  question: string;
  /** Points charged when it was asked (given back if it is refused or withdrawn). */
  cost: number;
  /** Whether it was paid with a hint token (given back likewise). */
  token: boolean;
  status: AskStatus;
  /** The organizer's answer, or the refusal's message; null while open or when withdrawn without one. */
  answer: string | null;
  at: number;
  /** When it was answered, refused or withdrawn; null while open. */
  closedAt: number | null;
}

/** How an ask is closed: answered or refused by an organizer, or withdrawn by its team. */
export type AskClose =
  | { kind: "answer"; answer: string }
  | { kind: "refuse"; message?: string }
  | { kind: "withdraw"; teamId: number };

/** What `ask()` decided. */
export type AskOutcome =
  | { kind: "hunt_not_running" }
  | { kind: "not_found" }
  /** The hint gives its text: take it, do not ask. */
  | { kind: "not_an_ask" }
  | { kind: "not_available" }
  | { kind: "already_solved" }
  /** The team's earlier question on this hint still waits for an answer. */
  | { kind: "open"; ask: Ask }
  /** No hint token left: the next one comes at `nextAt` (epoch ms), or never. */
  | { kind: "no_tokens"; nextAt: number | null }
  | { kind: "ok"; ask: Ask; writes: Write[] };

/** What `closeAsk()` decided. */
export type CloseOutcome =
  | { kind: "not_found" }
  /** A withdrawal or refusal after the hunt's end, which would change the final score. */
  | { kind: "hunt_not_running" }
  /** Answered, refused or withdrawn already: the first close wins. */
  | { kind: "closed"; ask: Ask }
  | { kind: "ok"; ask: Ask; writes: Write[] };

/** Whether a closed ask gives its cost (points or token) back: refused, or withdrawn before an answer. */
export function refunded(status: AskStatus): boolean {
  return status === "refused" || status === "withdrawn";
}

/** The hunt's window, as hint tokens count it: they come from its start until its end. */
export interface TokenWindow {
  startsAt: number;
  endsAt?: number | undefined;
}

/**
 * How many hint tokens the hunt has given a team by `now`: `start` at the
 * hunt's start, one more each `everyMs` after it, never more than `max`.
 * Before the start it has given none; none comes at or after the end.
 */
export function tokensGiven(tokens: HintTokens, window: TokenWindow, now: number): number {
  if (now < window.startsAt) return 0;
  const last = window.endsAt === undefined ? now : Math.min(now, window.endsAt - 1);
  const more = tokens.everyMs === undefined
    ? 0
    : Math.floor((last - window.startsAt) / tokens.everyMs);
  return Math.min(tokens.max ?? Infinity, tokens.start + more);
}

/** When the next token comes (epoch ms) after `now`, or null when no more will. */
export function nextTokenAt(tokens: HintTokens, window: TokenWindow, now: number): number | null {
  if (tokens.everyMs === undefined) return null;
  const { startsAt, endsAt } = window;
  let next: number;
  if (now < startsAt) next = tokens.start > 0 ? startsAt : startsAt + tokens.everyMs;
  else if (tokensGiven(tokens, window, now) >= (tokens.max ?? Infinity)) return null;
  else next = startsAt + (Math.floor((now - startsAt) / tokens.everyMs) + 1) * tokens.everyMs;
  return endsAt !== undefined && next >= endsAt ? null : next;
}
