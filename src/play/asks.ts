/**
 * Ask actions: a team's question on an ask hint, its withdrawal, and an
 * organizer's answer or refusal, each answered once it is on disk. The
 * organizers' list shows each ask with the team's guesses on its puzzle.
 */
import * as v from "valibot";
import { maxChars } from "./_chars.ts";
import {
  type Ask,
  type AskClose,
  type AskOutcome,
  type Engine,
  MAX_ANSWER_LENGTH,
  MAX_QUESTION_LENGTH,
  type Team,
} from "../engine/mod.ts";
import type { PuzzleGuess } from "../store/mod.ts";
import { type Outcome, refusal } from "./errors.ts";
import { decideTurn, type Game } from "./game.ts";
import { bannedRefusal } from "./banned.ts";
import { PUZZLE_NOT_OPEN, run } from "./actions.ts";

/** `POST /api/puzzles/:id/hints/:hint/asks`: the team's question. */
export const AskBody = v.strictObject({
  question: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "The question is empty"),
    maxChars(MAX_QUESTION_LENGTH, `A question has at most ${MAX_QUESTION_LENGTH} characters`),
  ),
});

const Answer = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "The answer is empty"),
  maxChars(MAX_ANSWER_LENGTH, `An answer has at most ${MAX_ANSWER_LENGTH} characters`),
);

/** `POST /api/admin/asks/:id/reply`: an answer, or a refusal with an optional message. */
export const ReplyBody = v.union([
  v.strictObject({ answer: Answer }),
  v.strictObject({
    refuse: v.literal(true),
    message: v.optional(
      v.pipe(
        v.string(),
        v.trim(),
        maxChars(MAX_ANSWER_LENGTH, `A message has at most ${MAX_ANSWER_LENGTH} characters`),
      ),
    ),
  }),
], 'Send {"answer": "..."} or {"refuse": true, "message": "..."}');

/** `GET /api/admin/asks?status=`: the open asks (default), or all of them. */
export const AskFilter = v.picklist(["open", "all"], 'Expected status "open" or "all"');

/** An ask as its team sees it. */
export interface AskView {
  id: number;
  puzzle: string;
  hint: string;
  question: string;
  status: Ask["status"];
  answer: string | null;
  cost: number;
  token: boolean;
  at: string;
  closed_at: string | null;
}

/** An ask as organizers see it: its team, and the team's guesses on the puzzle, oldest first. */
export interface AdminAskView extends AskView {
  team: number;
  team_name: string;
  guesses: { id: number; raw: string; result: string; at: string }[];
}

/** A team's hint tokens, as the API answers them. */
export interface TokensView {
  left: number;
  given: number;
  spent: number;
  next_at: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The JSON view of an ask. */
export function askView(ask: Ask): AskView {
  return {
    id: ask.id,
    puzzle: ask.puzzle,
    hint: ask.hint,
    question: ask.question,
    status: ask.status,
    answer: ask.answer,
    cost: ask.cost,
    token: ask.token,
    at: iso(ask.at),
    closed_at: ask.closedAt === null ? null : iso(ask.closedAt),
  };
}

/** The team's hint tokens now, or null when the hunt gives none. */
export function tokensView(engine: Engine, team: Team): TokensView | null {
  const tokens = engine.hintTokens(team);
  if (tokens === undefined) return null;
  const { left, given, spent, nextAt } = tokens;
  return { left, given, spent, next_at: nextAt === null ? null : iso(nextAt) };
}

/** What a refused ask answers. */
function askRefusal(outcome: Exclude<AskOutcome, { kind: "ok" }>) {
  switch (outcome.kind) {
    case "hunt_not_running":
      return refusal("hunt_not_running");
    case "not_found":
      return refusal("not_found", `${PUZZLE_NOT_OPEN}, or has no such hint`);
    case "not_an_ask":
      return refusal("bad_request", "This hint gives its text: take it, there is nothing to ask");
    case "not_available":
      return refusal("forbidden", "This hint is not available yet");
    case "already_solved":
      return refusal("conflict", "This puzzle is already solved");
    case "open":
      return refusal("conflict", "Your team's last question on this hint is still waiting");
    case "no_tokens":
      return refusal(
        "conflict",
        outcome.nextAt === null
          ? "Your team has no hint token left"
          : `Your team has no hint token left; the next one comes at ${iso(outcome.nextAt)}`,
      );
  }
}

/** The ask actions over a game. */
export function askActions(game: Game) {
  /** Closes an ask (answer, refusal or withdrawal) and commits it. */
  const close = async (askId: number, how: AskClose): Promise<Outcome<Ask>> => {
    await decideTurn(game);
    const banned = how.kind === "withdraw" ? bannedRefusal(game, how.teamId) : undefined;
    if (banned !== undefined) return banned;
    const engine = game.engine;
    const outcome = engine.closeAsk(askId, how);
    switch (outcome.kind) {
      case "not_found":
        return refusal("not_found", "There is no such ask");
      case "hunt_not_running":
        return refusal(
          "hunt_not_running",
          how.kind === "withdraw"
            ? "The hunt has ended: a question can no longer be withdrawn"
            : "The hunt has ended: a refusal would give the cost back and change the final score; answer the question, or adjust the team's score",
        );
      case "closed":
        return refusal("conflict", `This ask is already ${outcome.ask.status}`);
      case "ok": {
        const background = engine.takeBackgroundWrites();
        await game.commit([...background, ...outcome.writes]);
        game.logger.info("ask_closed", { id: askId, status: outcome.ask.status });
        return { ok: true, reply: outcome.ask };
      }
    }
  };

  return {
    /**
     * A team's question on an ask hint; answered once it is on disk. With `key` (the request's
     * Idempotency-Key), a retry gets the first send's answer: it asks, and pays, once, even when
     * the first question was answered or withdrawn meanwhile.
     */
    async ask(
      teamId: number,
      puzzleId: string,
      hintId: string,
      question: string,
      options: { key?: string } = {},
    ): Promise<Outcome<AskView>> {
      const request = {
        key: options.key,
        asks: ["ask", puzzleId, hintId, question],
        session: undefined,
      };
      let asked: Ask | undefined;
      const outcome = await run(game, teamId, request, () => {
        const engine = game.engine;
        const team = engine.teams.get(teamId);
        if (team === undefined) return { outcome: refusal("unauthorized"), writes: [] };
        const decided = engine.ask(team, puzzleId, hintId, question);
        if (decided.kind !== "ok") return { outcome: askRefusal(decided), writes: [] };
        asked = decided.ask;
        return { outcome: { ok: true, reply: askView(decided.ask) }, writes: decided.writes };
      });
      if (asked !== undefined && outcome.ok) {
        game.logger.info("ask", { team: teamId, puzzle: puzzleId, hint: hintId, id: asked.id });
      }
      return outcome;
    },

    /** The team withdraws its open question: its points or token come back. */
    async withdraw(teamId: number, askId: number): Promise<Outcome<AskView>> {
      const outcome = await close(askId, { kind: "withdraw", teamId });
      return outcome.ok ? { ok: true, reply: askView(outcome.reply) } : outcome;
    },

    /** An organizer's answer, or refusal (which pays the ask back). */
    async reply(
      askId: number,
      body: v.InferOutput<typeof ReplyBody>,
    ): Promise<Outcome<Omit<AdminAskView, "guesses">>> {
      const how: AskClose = "answer" in body
        ? { kind: "answer", answer: body.answer }
        : { kind: "refuse", ...(body.message ? { message: body.message } : {}) };
      const outcome = await close(askId, how);
      if (!outcome.ok) return outcome;
      const ask = outcome.reply;
      const name = game.engine.teams.get(ask.teamId)?.name ?? "";
      return { ok: true, reply: { ...askView(ask), team: ask.teamId, team_name: name } };
    },

    /** The asks for organizers, oldest first (the open ones, or all), each with the team's guesses. */
    async list(filter: v.InferOutput<typeof AskFilter>): Promise<AdminAskView[]> {
      const engine = game.engine;
      const asks = [...engine.asks.values()].filter((ask) =>
        filter === "all" || ask.status === "open"
      );
      const views: AdminAskView[] = [];
      for (const ask of asks) {
        const guesses = await game.store.teamPuzzleGuesses(ask.teamId, ask.puzzle);
        views.push({
          ...askView(ask),
          team: ask.teamId,
          team_name: engine.teams.get(ask.teamId)?.name ?? "",
          guesses: guesses.map(guessView),
        });
      }
      return views;
    },
  };
}

export type AskActions = ReturnType<typeof askActions>;

function guessView(guess: PuzzleGuess): AdminAskView["guesses"][number] {
  return { id: guess.id, raw: guess.raw, result: guess.result, at: iso(guess.at) };
}
