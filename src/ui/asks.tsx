/**
 * Asks on the pages: the question box and the answers under an ask hint on
 * the puzzle page, and the organizers' /admin/hints, where each open question
 * is shown beside the team's guesses on its puzzle, with the forms to answer
 * or refuse it.
 */
import type { FC } from "hono/jsx";
import {
  type AdminAskView,
  type AskView,
  TEXT_LIMITS as LIMITS,
  type TokensView,
} from "../play/mod.ts";
import { points } from "./charts.ts";
import { chars } from "./_text_limits.ts";
import { type Flash, typedIn } from "./flash.ts";
import { Notice, Shell } from "./layout.tsx";

const STATUS: Record<AskView["status"], { label: string; tone: string }> = {
  open: { label: "Waiting for an organizer", tone: "badge-warn" },
  answered: { label: "Answered", tone: "badge-ok" },
  refused: { label: "Not answered", tone: "" },
  withdrawn: { label: "Withdrawn", tone: "" },
};

/** What a team sees under an ask hint: its questions and their answers, and the box to ask. */
export const AskHint: FC<{
  hint: { id: string; cost: number; available: boolean; text?: string };
  path: string;
  solved: boolean;
  /** Whether the hunt runs: after its end an open question can no longer be withdrawn. */
  running: boolean;
  asks: AskView[];
  tokens: TokensView | null;
  /** When the hint becomes available, as the page says it for other hints. */
  wait: unknown;
  /** The page's message: a refused question comes back in its box. */
  flash?: Flash | undefined;
}> = ({ hint, path, solved, running, asks, tokens, wait, flash }) => {
  const open = asks.some((ask) => ask.status === "open");
  const noToken = tokens !== null && tokens.left <= 0;
  const price = [
    hint.cost > 0 ? points(hint.cost) : "",
    tokens !== null ? "1 hint token" : "",
  ].filter(Boolean).join(" and ");
  return (
    <div class="ask">
      {hint.text !== undefined && <p class="ask-prompt">{hint.text}</p>}
      {asks.length > 0 && (
        <ol class="ask-list">
          {asks.map((ask) => <AskItem key={ask.id} ask={ask} withdraw={running} />)}
        </ol>
      )}
      {tokens !== null && (
        <p class="muted small" id="hint-tokens">
          Hint tokens left: <strong>{tokens.left}</strong>
          {tokens.next_at !== null && <>; the next one comes at {timeOf(tokens.next_at)}</>}.
        </p>
      )}
      {solved
        ? <p class="muted small hint-when">Not needed: your team solved this puzzle.</p>
        : !running
        ? <p class="muted small hint-when">The hunt has ended: no question can be asked now.</p>
        : !hint.available
        ? wait
        : open
        ? null
        : noToken
        ? <p class="muted small">Your team has no hint token left.</p>
        : (
          <form
            method="post"
            action={`${path}/hints/${encodeURIComponent(hint.id)}/asks`}
            class="ask-form"
          >
            <label for={`ask-${hint.id}`}>Your question to the organizers</label>
            <textarea
              id={`ask-${hint.id}`}
              name="question"
              rows={3}
              {...chars(LIMITS.question, { trim: true })}
              required
              placeholder="What have you tried, and where are you stuck?"
            >
              {typedIn(flash, `ask-${hint.id}`)?.question ?? ""}
            </textarea>
            <p class="small muted">
              {price === ""
                ? "Asking is free."
                : `Asking costs ${price}, given back if nobody answers.`}
            </p>
            <button class="btn btn-small" type="submit">Ask</button>
          </form>
        )}
    </div>
  );
};

/** One question of the team's, with its answer or what became of it (and, open, its withdrawal). */
const AskItem: FC<{ ask: AskView; withdraw: boolean }> = ({ ask, withdraw }) => {
  const status = STATUS[ask.status];
  return (
    <li class="ask-item" id={`ask-${ask.id}`} data-status={ask.status}>
      <p class="ask-question">
        <span class={`badge ${status.tone}`}>{status.label}</span> {ask.question}
      </p>
      {ask.status === "answered" && <p class="ask-answer">{ask.answer}</p>}
      {ask.status === "refused" && (
        <p class="ask-answer muted">
          {ask.answer ?? "The organizers did not answer this one."} Its cost was given back.
        </p>
      )}
      {ask.status === "open" && withdraw && (
        <form method="post" action={`/asks/${ask.id}/withdraw`} class="ask-withdraw">
          <button class="link-button small" type="submit">
            Withdraw (its cost comes back)
          </button>
        </form>
      )}
    </li>
  );
};

/** "14:05" from an ISO time, in the server's view of the hunt's clock (UTC). */
function timeOf(iso: string): string {
  return iso.slice(11, 16) + " UTC";
}

export interface HintsPageProps {
  huntTitle: string;
  flash?: Flash | undefined;
  judging?: number | undefined;
  /** Whether the hunt has a checkpoint, for the navigation's QR cards link. */
  checkpoints?: boolean | undefined;
  /** Open asks, oldest first, each with the team's guesses on the puzzle. */
  open: (AdminAskView & { puzzleTitle: string })[];
  /** The latest closed asks, newest first. */
  closed: (AskView & { team: number; team_name: string; puzzleTitle: string })[];
  /** The hunt has ended: an open question can only be answered, as a refusal would pay it back. */
  ended?: boolean | undefined;
}

/** /admin/hints: the questions waiting for an answer, oldest first. */
export const HintsPage: FC<HintsPageProps> = (props) => (
  <Shell
    title="Hints"
    huntTitle={props.huntTitle}
    nav="admin"
    current="/admin/hints"
    script="admin"
    judging={props.judging}
    asking={props.open.length}
    checkpoints={props.checkpoints}
    bodyClass="wide"
    data={{ page: "hints" }}
  >
    <main id="main">
      <div class="judge-head">
        <h1>Hints asked</h1>
        <p class="meta">
          <span class="badge" id="asks-count">{props.open.length} waiting</span>
        </p>
      </div>
      <Notice flash={props.flash} id="result" />
      <Unsent flash={props.flash} open={props.open} ended={props.ended} />
      {props.open.length === 0
        ? (
          <p class="card muted" id="asks-empty">
            No question is waiting. This page updates itself.
          </p>
        )
        : props.open.map((ask) => (
          <OpenAsk key={ask.id} ask={ask} ended={props.ended} flash={props.flash} />
        ))}
      {props.closed.length > 0 && (
        <section class="card" aria-labelledby="closed-title">
          <h2 id="closed-title">Recently closed</h2>
          <ul class="ask-closed">
            {props.closed.map((ask) => (
              <li>
                <strong>{ask.team_name}</strong> · {ask.puzzleTitle}: {ask.question}{" "}
                <span class="badge">{STATUS[ask.status].label}</span>
                {ask.answer !== null && <span class="muted">{ask.answer}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  </Shell>
);

/**
 * A refused reply whose form is no longer on the page (another organizer closed the question
 * first, or the hunt ended before a refusal): what was typed, to copy, so nothing typed is lost.
 */
const Unsent: FC<
  { flash: Flash | undefined; open: HintsPageProps["open"]; ended?: boolean | undefined }
> = ({ flash, open, ended }) => {
  const match = /^(answer|refuse)-(\d+)$/.exec(flash?.fields?.form ?? "");
  if (match === null) return null;
  const [, kind, id] = match;
  const shown = open.some((ask) => ask.id === Number(id)) && !(kind === "refuse" && ended);
  const text = kind === "answer" ? flash?.fields?.answer : flash?.fields?.message;
  if (shown || text === undefined || text.trim() === "") return null;
  return (
    <section class="card" id="unsent">
      <label class="field">
        <span>
          {kind === "answer" ? "Your answer" : "Your refusal's message"}, not sent: copy it if you
          need it
        </span>
        <textarea rows={4} readonly>{text}</textarea>
      </label>
      {/* While this is shown, a new question does not reload the page (admin.js); this does. */}
      <a class="btn btn-quiet" href="/admin/hints">Done</a>
    </section>
  );
};

const RESULT_TONE: Record<string, string> = {
  correct: "badge-ok",
  partial: "badge-warn",
  incorrect: "",
};

/**
 * One open question: who asks about what, their guesses, and the reply forms. A reply the server
 * refused comes back with what was typed (`flash`).
 */
const OpenAsk: FC<{
  ask: HintsPageProps["open"][number];
  ended?: boolean | undefined;
  flash?: Flash | undefined;
}> = ({ ask, ended, flash }) => (
  <section class="card ask-card" id={`ask-${ask.id}`} aria-labelledby={`ask-${ask.id}-title`}>
    <h2 id={`ask-${ask.id}-title`}>
      <a href={`/admin/teams/${ask.team}`}>{ask.team_name}</a> · {ask.puzzleTitle}
    </h2>
    <p class="muted small">
      Asked at {timeOf(ask.at)} on hint <code>{ask.hint}</code>
      {ask.cost > 0 && <>, for {points(ask.cost)}</>}
      {ask.token && <>, for a hint token</>}
    </p>
    <blockquote class="ask-question">{ask.question}</blockquote>
    <div class="ask-columns">
      <div>
        <h3>Their guesses on this puzzle</h3>
        {ask.guesses.length === 0 ? <p class="muted small">None yet.</p> : (
          <ol class="ask-guesses">
            {ask.guesses.map((guess) => (
              <li>
                <code>{guess.raw}</code>{" "}
                <span class={`badge ${RESULT_TONE[guess.result] ?? ""}`}>{guess.result}</span>{" "}
                <span class="muted small">{timeOf(guess.at)}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
      <div>
        <form method="post" action={`/admin/hints/${ask.id}/reply`} class="ask-form">
          <label for={`answer-${ask.id}`}>Answer</label>
          <textarea
            id={`answer-${ask.id}`}
            name="answer"
            rows={4}
            {...chars(LIMITS.reply, { trim: true })}
            required
          >
            {typedIn(flash, `answer-${ask.id}`)?.answer ?? ""}
          </textarea>
          <button class="btn" type="submit">Send the answer</button>
        </form>
        {ended
          ? (
            <p class="muted small">
              The hunt has ended, so the scores are final: a refusal would give the cost back, so
              only an answer is taken now.
            </p>
          )
          : (
            <form method="post" action={`/admin/hints/${ask.id}/reply`} class="ask-form">
              <input type="hidden" name="refuse" value="true" />
              <label for={`refuse-${ask.id}`}>Or refuse it (the team gets its cost back)</label>
              <input
                id={`refuse-${ask.id}`}
                name="message"
                {...chars(LIMITS.reply, { trim: true })}
                placeholder="Optional"
                value={typedIn(flash, `refuse-${ask.id}`)?.message}
              />
              <button class="btn btn-quiet" type="submit">Refuse</button>
            </form>
          )}
      </div>
    </div>
  </section>
);

/** An ask hint's price for its badge: "free", "10 points", "1 token" or "1 token + 10 points". */
export function askPrice(cost: number, tokens: boolean): string {
  if (!tokens) return cost === 0 ? "free" : `costs ${points(cost)}`;
  return cost === 0 ? "1 token" : `1 token + ${points(cost)}`;
}
