/** The players' pages: landing (join or log in), puzzle list, puzzle, checkpoint. */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { duration, points } from "./charts.ts";
import { titleCase } from "../engine/mod.ts";
import type { Flash } from "./flash.ts";
import { type AskView, TEXT_LIMITS as LIMITS, type TokensView } from "../play/mod.ts";
import { chars, namesPerLine } from "./_text_limits.ts";
import { AskHint, askPrice } from "./asks.tsx";
import type { HintWhen } from "./hint_when.ts";
import { type Announcement, Notice, Shell } from "./layout.tsx";

/** The team name and password fields: a team's own to log in, or a new team's to join. */
const Credentials: FC<{ purpose: "login" | "join"; name: string }> = ({ purpose, name }) => {
  const join = purpose === "join";
  return (
    <>
      <label class="field">
        <span>Team name</span>
        <input
          name="name"
          required
          {...chars(LIMITS.teamName, { trim: join })}
          autocomplete={join ? "organization" : "username"}
          value={name}
        />
      </label>
      <label class="field">
        <span>Password</span>
        <input
          type="password"
          name="password"
          required
          {...chars(LIMITS.password, join ? { min: LIMITS.passwordMin } : {})}
          autocomplete={join ? "new-password" : "current-password"}
          aria-describedby={join ? "password-help" : undefined}
        />
        {join && (
          <small id="password-help">
            At least 8 characters. Share it with your teammates so they can log in too.
          </small>
        )}
      </label>
    </>
  );
};

export interface HuntInfo {
  title: string;
  registration: "open" | "code" | "closed";
  divisions: readonly string[];
  teamSize: { min: number; max: number };
  /** A sentence on whether the hunt runs now, or undefined while it runs. */
  status?: string;
  /** Whether the hunt's stats are out (`solutions_at` passed): the status links to them. */
  stats?: true;
  /** How long until the hunt starts or ends, if it will: when this page shows it wrong. */
  changesInMs?: number;
  /**
   * When the hunt starts and ends, as the page was drawn: "start|end" (ISO 8601; no end, "").
   * The page's script compares it with the live `hunt` event's, and with `GET /api/hunt`.
   */
  times: string;
}

/**
 * The data attribute that tells a page's script when the hunt starts or ends
 * (`HuntInfo.changesInMs`), so that a page left open shows the hunt as it is then.
 */
export function phaseData(hunt: HuntInfo): Record<string, string> {
  return {
    "hunt-times": hunt.times,
    ...(hunt.changesInMs !== undefined && { "phase-in": String(hunt.changesInMs) }),
  };
}

/** Whether the hunt runs now, if it does not; once its stats are out, a link to them. */
const HuntStatus: FC<{ hunt: HuntInfo }> = ({ hunt }) =>
  hunt.status === undefined ? null : (
    <div class="notice notice-info" id="hunt-status">
      {hunt.status}
      {hunt.stats && (
        <>
          {" "}
          <a href="/stats">See the hunt in numbers</a>.
        </>
      )}
    </div>
  );

interface Common {
  hunt: HuntInfo;
  announcement?: Announcement | undefined;
  flash?: Flash | undefined;
}

/** Join or log in. With `next`, both come back to that page (a checkpoint) afterwards. */
export const LandingPage: FC<Common & { next?: string; intro?: string }> = (props) => {
  const { hunt, flash } = props;
  const fields = flash?.fields ?? {};
  const maxMembers = hunt.teamSize.max === Infinity ? undefined : hunt.teamSize.max;
  // At a checkpoint, most players' teams have joined already: logging in comes first there.
  const loginCard = (
    <section class="card" id="login" aria-labelledby="login-title">
      <h2 id="login-title">Log in</h2>
      <form method="post" action="/login">
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <Credentials purpose="login" name={fields.login ?? ""} />
        <button class="btn" type="submit">Log in</button>
      </form>
      {hunt.registration === "closed" && (
        <p class="muted small">Registration is closed: only teams that joined can log in.</p>
      )}
    </section>
  );
  return (
    <Shell
      title={hunt.title}
      huntTitle={hunt.title}
      nav="guest"
      announcement={props.announcement}
      script="player"
      data={{ page: "landing", ...phaseData(hunt) }}
    >
      <main id="main">
        <div class="hero">
          <h1>{hunt.title}</h1>
          <p class="muted">
            {props.intro ??
              (hunt.registration === "closed" ? "Log in with your team's name and password." : (
                <>
                  Join with your team, or <a href="#login">log in</a> if your team already joined.
                </>
              ))}
          </p>
          {hunt.status && <p class="badge badge-warn">{hunt.status}</p>}
        </div>
        <Notice flash={flash} />
        <div class="tabs">
          {props.next !== undefined && loginCard}
          {hunt.registration !== "closed" && (
            <section class="card" aria-labelledby="join-title">
              <h2 id="join-title">Join the hunt</h2>
              <form method="post" action="/join">
                {props.next && <input type="hidden" name="next" value={props.next} />}
                <Credentials purpose="join" name={fields.name ?? ""} />
                {hunt.registration === "code" && (
                  <label class="field">
                    <span>Join code</span>
                    <input
                      name="code"
                      required
                      {...chars(LIMITS.code)}
                      autocomplete="off"
                      autocapitalize="characters"
                      value={fields.code ?? ""}
                    />
                    <small>The organizers give you this code.</small>
                  </label>
                )}
                {hunt.divisions.length > 0 && (
                  <label class="field">
                    <span>Division</span>
                    <select name="division">
                      <option value="">No division</option>
                      {hunt.divisions.map((d) => (
                        <option value={d} selected={fields.division === d}>{titleCase(d)}</option>
                      ))}
                    </select>
                  </label>
                )}
                <label class="field">
                  <span>Members (optional)</span>
                  <textarea
                    name="members"
                    rows={3}
                    {...namesPerLine(LIMITS.member, LIMITS.members)}
                    aria-describedby="members-help"
                  >
                    {fields.members ?? ""}
                  </textarea>
                  <small id="members-help">
                    One name per line. {teamSizeText(hunt.teamSize.min, maxMembers)}
                  </small>
                </label>
                <button class="btn" type="submit">Join</button>
              </form>
            </section>
          )}
          {props.next === undefined && loginCard}
        </div>
      </main>
    </Shell>
  );
};

function teamSizeText(min: number, max: number | undefined): string {
  if (max === undefined) return min > 1 ? `A team has at least ${min} members.` : "";
  if (min === max) return `A team has ${min} member${min === 1 ? "" : "s"}.`;
  return `A team has ${min} to ${max} members.`;
}

export interface ListedPuzzle {
  id: string;
  title: string;
  points: number;
  solved: boolean;
  /** How many teams solved it, where the hunt shows it (`show_solves`). */
  solves?: number | undefined;
  /** A mission whose latest submission waits for a judge. */
  pending?: boolean;
}

/** "No solves yet", "1 solve", "12 solves". */
export function solvesText(n: number): string {
  return n === 0 ? "No solves yet" : n === 1 ? "1 solve" : `${n.toLocaleString("en")} solves`;
}

export const PuzzlesPage: FC<
  Common & {
    team: string;
    score: number;
    solves: number;
    rounds: { round: string; title: string; puzzles: ListedPuzzle[] }[];
    titles: Map<string, string>;
    /** The hunt has a checkpoint to check in at (a CTF's, say an imported CTFd event's, has none). */
    checkpoints: boolean;
  }
> = (props) => (
  <Shell
    title="Puzzles"
    huntTitle={props.hunt.title}
    nav="player"
    team={props.team}
    current="/puzzles"
    announcement={props.announcement}
    script="player"
    data={{ page: "puzzles", ...phaseData(props.hunt) }}
  >
    <main id="main">
      <h1 class="visually-hidden">Puzzles</h1>
      <HuntStatus hunt={props.hunt} />
      <Notice flash={props.flash} titles={props.titles} />
      <div class="summary-line">
        <div class="stat">
          <b id="team-score">{props.score}</b>
          <span>points</span>
        </div>
        <div class="stat">
          <b>{props.solves}</b>
          <span>solved</span>
        </div>
        <div class="stat">
          <b>{props.rounds.reduce((n, r) => n + r.puzzles.length, 0)}</b>
          <span>unlocked</span>
        </div>
      </div>
      {/* Once there is one, where a team that dismissed the banner finds the announcements. */}
      {props.announcement !== undefined && (
        <p class="small announcements-link">
          <a href="/announcements">All announcements</a>
        </p>
      )}
      {props.rounds.length === 0 && (
        <div class="card">
          <p>No puzzles are open for your team yet.</p>
          <p class="muted">This page updates by itself when one unlocks.</p>
        </div>
      )}
      {props.rounds.map(({ round, title, puzzles }) => (
        <section class="round" aria-labelledby={`round-${round}`}>
          <h2 id={`round-${round}`}>{title}</h2>
          <ul class="puzzle-list">
            {puzzles.map((p) => (
              <li class={p.solved ? "solved" : undefined} data-puzzle={p.id}>
                <a href={`/puzzles/${encodeURIComponent(p.id)}`}>
                  <span class="status-icon" aria-hidden="true">{p.solved ? "✓" : ""}</span>
                  <span class="title">
                    {p.title}
                    {p.solves !== undefined && (
                      <>
                        {/* A space for screen readers: the count is on a line of its own. */}{" "}
                        <span class="solves muted small">{solvesText(p.solves)}</span>
                      </>
                    )}
                  </span>
                  {p.solved
                    ? <span class="badge badge-ok">Solved</span>
                    : p.pending
                    ? <span class="badge badge-warn">Being judged</span>
                    : (
                      <span class="badge puzzle-points">
                        {p.points} {p.points === 1 ? "pt" : "pts"}
                      </span>
                    )}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {props.checkpoints && (
        <section class="card" aria-labelledby="checkin-title">
          <h2 id="checkin-title">Found a checkpoint?</h2>
          <p class="muted small">Scan its QR code, or type the code printed under it.</p>
          <form method="post" action="/checkin" class="row">
            <label class="grow">
              <span class="visually-hidden">Checkpoint code</span>
              <input
                name="code"
                required
                {...chars(LIMITS.code, { trim: true })}
                autocomplete="off"
                autocapitalize="off"
                autocorrect="off"
                spellcheck={false}
                placeholder="Code"
              />
            </label>
            <button class="btn" type="submit">Check in</button>
          </form>
        </section>
      )}
    </main>
  </Shell>
);

export interface PuzzleView {
  id: string;
  title: string;
  round: string;
  /** The round's title for players. */
  roundTitle: string;
  points: number;
  bodyHtml: string;
  /** A multiple-choice puzzle's choices (the team's variant's), in file order. */
  choices?: readonly string[] | undefined;
  solved: boolean;
  solvedAt?: string;
  /** How many teams solved it, where the hunt shows it (`show_solves`). */
  solves?: number | undefined;
  /** The puzzle's solution, once the team solved it (the hunt file's `solution`). */
  solutionHtml?: string;
  hints: {
    id: string;
    /** "ask": an organizer answers the team's question (see asks.tsx). */
    kind?: "ask";
    /** What it is about, shown before it is taken (the hunt file's `title`). */
    title?: string;
    cost: number;
    available: boolean;
    taken: boolean;
    text?: string;
    /** When it becomes available, where the rule can say. */
    when?: HintWhen | undefined;
  }[];
  limit: {
    used: number;
    limit: number;
    extra: number;
    window: string;
    /** How guesses are compared, for people ("Capitals … do not matter"). */
    matching: string;
    retryAfter?: number;
    /** The cap on the whole hunt (`per = "hunt"`) is reached: no guess goes until an organizer grants more. */
    capped?: boolean;
  };
  /** The team's questions on this puzzle's ask hints, oldest first, and its hint tokens. */
  asks?: { asks: AskView[]; tokens: TokensView | null };
  /** Every teammate's guesses on it, newest first (the latest `GUESSES_SHOWN`), and how many more. */
  guesses?: { shown: GuessShown[]; earlier: number };
  /** For a mission: what it takes, its size cap, and the team's latest submission. */
  mission?: MissionView | undefined;
}

/** A mission as its team's page shows it. */
export interface MissionView {
  submit: "photo" | "video" | "text";
  /** The largest file it takes, for people: "15 MB", "500 KB" (as the upload's refusal says it). */
  maxSize: string;
  /** The same cap in bytes, for the page's script to refuse a larger file before sending it. */
  maxBytes: number;
  /** Set when that is what is left of the team's upload quota (less than the cap; 0 when used up). */
  quotaLeft?: true;
  /** What a larger file is told, in the server's words: "The file is larger than 15 MB". */
  tooLarge: string;
  /** For a photo mission: the longest side the phone makes a photo before sending it, or "original". */
  photoSize?: number | "original";
  latest?: {
    id: number;
    status: "pending" | "accepted" | "rejected";
    points: number;
    message: string | null;
    /** What was sent: a file's type (its bytes at `/api/submissions/:id/file`), or a text. */
    type: string | null;
    text: string | null;
  };
}

/** One of the team's guesses on its puzzle page: `at` a clock time ("14:05"). */
export interface GuessShown {
  answer: string;
  result: "correct" | "incorrect" | "partial";
  message?: string;
  at: string;
}

/** How many of its latest guesses a puzzle page lists. */
export const GUESSES_SHOWN = 50;

const GUESS_RESULTS = {
  correct: { badge: "badge-ok", text: "Correct" },
  partial: { badge: "badge-warn", text: "Keep going" },
  incorrect: { badge: "badge-bad", text: "Not it" },
} as const;

/**
 * What the team already tried on the puzzle, newest first, with each result:
 * so that nobody types a teammate's wrong answer again. Drawn again with the
 * page's other parts after each guess, the team's own and its teammates'.
 */
const GuessList: FC<{ guesses: PuzzleView["guesses"] }> = ({ guesses }) =>
  guesses === undefined || guesses.shown.length === 0 ? null : (
    <div id="guesses" class="guesses">
      <h3 id="guesses-title">Your team's guesses</h3>
      {/* A long list scrolls within its box: a region the keyboard can reach, to scroll it. */}
      <div
        class="guess-scroll"
        role="region"
        // (A tab stop only where it can scroll: the box holds about 10 lines.)
        tabindex={guesses.shown.length > 8 ? 0 : undefined}
        aria-labelledby="guesses-title"
      >
        <ol class="guess-list">
          {guesses.shown.map((guess) => (
            <li>
              <span class="guess-answer">{guess.answer}</span>{" "}
              <span class={`badge ${GUESS_RESULTS[guess.result].badge}`}>
                {GUESS_RESULTS[guess.result].text}
              </span>{" "}
              <span class="muted small">{guess.at}</span>
              {guess.message !== undefined && (
                <span class="guess-message small">{guess.message}</span>
              )}
            </li>
          ))}
        </ol>
      </div>
      {guesses.earlier > 0 && (
        <p class="muted small">
          And {guesses.earlier} earlier {guesses.earlier === 1 ? "guess" : "guesses"}.
        </p>
      )}
    </div>
  );

interface PuzzlePageProps extends Common {
  team: string;
  puzzle: PuzzleView;
  titles: Map<string, string>;
  running: boolean;
  /** The team's unlocked puzzles: the page's script tells what opened while its stream was down. */
  unlocked: string[];
}

/** A puzzle page's title, round, points, solves (where shown) and whether the team solved it. */
const PuzzleHead: FC<{ puzzle: PuzzleView }> = ({ puzzle }) => (
  <div class="puzzle-head">
    <h1>{puzzle.title}</h1>
    <div class="meta">
      <span class="badge">{puzzle.roundTitle}</span>
      <span id="puzzle-points">{points(puzzle.points)}</span>
      {puzzle.solves !== undefined && (
        <span class="muted" id="puzzle-solves">{solvesText(puzzle.solves)}</span>
      )}
      {puzzle.solved && <span class="badge badge-ok" id="solved-badge">Solved</span>}
    </div>
  </div>
);

export const PuzzlePage: FC<PuzzlePageProps> = (props) => {
  const { puzzle } = props;
  const unlocked = props.unlocked.join(" ");
  const path = `/puzzles/${encodeURIComponent(puzzle.id)}`;
  const left = Math.max(0, puzzle.limit.limit - puzzle.limit.used);
  const extra = puzzle.limit.extra > 0 ? `, plus ${puzzle.limit.extra} extra` : "";
  // Past the guess limit, the form is off until the wait is over (the script counts it down and
  // reloads; without it, the page refreshes itself then).
  const limited = (puzzle.limit.retryAfter !== undefined || puzzle.limit.capped === true) &&
    !puzzle.solved;
  const limitTemplate =
    `{left} of ${puzzle.limit.limit} wrong guesses left per ${puzzle.limit.window}` +
    `${extra}.${puzzle.limit.matching === "" ? "" : ` ${puzzle.limit.matching}`}`;
  return (
    <Shell
      title={puzzle.title}
      huntTitle={props.hunt.title}
      nav="player"
      team={props.team}
      announcement={props.announcement}
      script="player"
      data={{ page: "puzzle", puzzle: puzzle.id, unlocked, ...phaseData(props.hunt) }}
      head={limited && (
        <noscript>
          <meta http-equiv="refresh" content={String(puzzle.limit.retryAfter! + 1)} />
        </noscript>
      )}
    >
      <main id="main">
        <p class="small">
          <a href="/puzzles">← All puzzles</a>
        </p>
        <PuzzleHead puzzle={puzzle} />
        <HuntStatus hunt={props.hunt} />
        <article class="card body">{raw(puzzle.bodyHtml)}</article>

        {puzzle.mission === undefined
          ? (
            <section class="card answer-form" aria-labelledby="answer-title">
              <h2 id="answer-title">Your answer</h2>
              <Notice flash={props.flash} id="result" titles={props.titles} />
              {puzzle.solved
                ? (
                  <p id="solved-note">
                    Your team solved this puzzle{puzzle.solvedAt ? ` at ${puzzle.solvedAt}` : ""}.
                  </p>
                )
                : (
                  <form method="post" action={`${path}/guess`} id="guess-form">
                    {puzzle.choices === undefined
                      ? (
                        <TextAnswer
                          value={props.flash?.fields?.answer}
                          disabled={!props.running || limited}
                        />
                      )
                      : (
                        <Choices
                          choices={puzzle.choices}
                          picked={props.flash?.fields?.answer}
                          disabled={!props.running || limited}
                        />
                      )}
                    {puzzle.limit.retryAfter !== undefined
                      ? (
                        <p class="muted small" id="limit-note">
                          Too many wrong guesses. You can guess again in{" "}
                          <span data-countdown={String(puzzle.limit.retryAfter)}>
                            {duration(puzzle.limit.retryAfter)}
                          </span>.
                        </p>
                      )
                      : puzzle.limit.capped
                      ? (
                        <p class="muted small" id="limit-note" data-capped="">
                          No wrong guesses left on this puzzle; an organizer can grant more.
                        </p>
                      )
                      : (
                        <p
                          class="muted small"
                          id="limit-note"
                          data-left={String(left)}
                          data-template={limitTemplate}
                        >
                          {limitTemplate.replace("{left}", String(left))}
                        </p>
                      )}
                  </form>
                )}
              <GuessList guesses={puzzle.guesses} />
            </section>
          )
          : (
            <MissionForm
              mission={puzzle.mission}
              path={path}
              flash={props.flash}
              solved={puzzle.solved}
              running={props.running}
            />
          )}

        <Solution html={puzzle.solutionHtml} released={!puzzle.solved} />
        <HintList
          hints={puzzle.hints}
          path={path}
          solved={puzzle.solved}
          running={props.running}
          asks={puzzle.asks}
          flash={props.flash}
        />
      </main>
    </Shell>
  );
};

/** A puzzle's answer box and its submit button; a wrong or refused guess stays in the box. */
const TextAnswer: FC<{ value: string | undefined; disabled: boolean }> = ({ value, disabled }) => (
  <div class="row">
    <label class="grow">
      {/* Shown above the box where its placeholder does not fit (app.css). */}
      <span class="visually-hidden answer-label">Answer</span>
      <input
        name="answer"
        required
        {...chars(LIMITS.guess)}
        autocomplete="off"
        autocapitalize="off"
        spellcheck={false}
        placeholder="Type your answer"
        value={value}
        disabled={disabled}
      />
    </label>
    <button class="btn" type="submit" disabled={disabled}>Submit</button>
  </div>
);

/**
 * A multiple-choice puzzle's answer: one radio button per choice, each in its
 * label (the whole row is the tap target), and the submit button. The choice a
 * refused or wrong guess sent stays picked.
 */
const Choices: FC<{ choices: readonly string[]; picked: string | undefined; disabled: boolean }> = (
  { choices, picked, disabled },
) => (
  <>
    <fieldset class="choices">
      <legend>Pick one</legend>
      {choices.map((choice) => (
        <label class="choice">
          <input
            type="radio"
            name="answer"
            value={choice}
            required
            checked={choice === picked}
            disabled={disabled}
          />
          <span>{choice}</span>
        </label>
      ))}
    </fieldset>
    <button class="btn" type="submit" disabled={disabled}>Submit</button>
  </>
);

/** The puzzle's solution, below the answer, once the team solved it (player.js adds it then). */
const Solution: FC<{ html: string | undefined; released: boolean }> = ({ html, released }) =>
  html === undefined ? null : (
    <section
      class="card body"
      id="solution"
      aria-labelledby="solution-title"
      data-released={released ? "" : undefined}
    >
      <h2 id="solution-title">Solution</h2>
      {raw(html)}
    </section>
  );

/** What the mission page says of the team's latest submission. */
export function missionStatus(
  latest: MissionView["latest"],
): { tone: "info" | "ok" | "bad"; title: string; message?: string; text: string } | undefined {
  switch (latest?.status) {
    case undefined:
      return undefined;
    case "pending":
      return { tone: "info", title: "Waiting for a judge", text: "The verdict shows up here." };
    case "accepted":
      // A mission worth nothing says so by saying nothing of points.
      return {
        tone: "ok",
        title: latest.points === 0 ? "Accepted!" : `Accepted! +${points(latest.points)}`,
        text: "",
      };
    case "rejected":
      return {
        tone: "bad",
        title: "Not accepted",
        // The judge's own words, which may end without a full stop, on a line of their own.
        ...(latest.message !== null && { message: latest.message }),
        text: "Send a new one.",
      };
  }
}

const MISSION_WORDS = {
  photo: { heading: "Your photo", input: "Take a photo", accept: "image/*" },
  video: { heading: "Your video", input: "Record a video", accept: "video/*" },
  text: { heading: "Your answer", input: "Your text", accept: "" },
} as const;

/**
 * A mission's form: the camera (a file input with `accept` and `capture`) or a
 * text, the upload's progress, and the latest submission's state, which the
 * page's scripts keep current as the judge decides.
 */
const MissionForm: FC<
  {
    mission: MissionView;
    path: string;
    flash: Flash | undefined;
    solved: boolean;
    running: boolean;
  }
> = ({ mission, path, flash, solved, running }) => {
  const words = MISSION_WORDS[mission.submit];
  const status = missionStatus(mission.latest);
  const waiting = mission.latest?.status === "pending";
  // The form stays, hidden, while one waits or once solved: a judge's later rejection takes the
  // solve back, and the page's script shows it again.
  return (
    <section
      class="card answer-form mission"
      id="mission"
      aria-labelledby="answer-title"
      data-submit={mission.submit}
    >
      <h2 id="answer-title">{words.heading}</h2>
      <Notice flash={flash} id="result" />
      <div
        id="mission-status"
        data-shown={mission.latest && `${mission.latest.id}:${mission.latest.status}`}
        class={status ? `notice notice-${status.tone}` : "notice"}
        role="status"
        aria-live="polite"
        hidden={status === undefined}
      >
        <strong>{status?.title}</strong>
        {status?.message ? <p>{status.message}</p> : null}
        {status?.text ? <p>{status.text}</p> : null}
      </div>
      <Sent latest={mission.latest} />
      {solved && <p id="solved-note">Your team solved this mission.</p>}
      <form
        method="post"
        action={`${path}/submissions`}
        enctype="multipart/form-data"
        id="mission-form"
        hidden={waiting || solved}
        data-max-bytes={mission.submit === "text" ? undefined : mission.maxBytes}
        data-too-large={mission.submit === "text" ? undefined : mission.tooLarge}
        data-photo-size={mission.photoSize}
      >
        {mission.submit === "text"
          ? (
            <label class="field">
              <span>{words.input}</span>
              <textarea
                name="text"
                required
                {...chars(LIMITS.submissionText)}
                rows={5}
                disabled={!running}
              >
              </textarea>
            </label>
          )
          : (
            <label class="field">
              <span>{words.input}</span>
              <input
                type="file"
                name="file"
                required
                accept={words.accept}
                capture="environment"
                disabled={!running}
              />
            </label>
          )}
        {mission.submit !== "text" && (
          <p class="small">
            {/* The camera opens at once; the page's script shows this to pick one already taken. */}
            <button
              type="button"
              class="link-button small"
              id="mission-gallery"
              hidden
              disabled={!running}
            >
              or choose one already taken
            </button>
          </p>
        )}
        <div class="row">
          <button class="btn" type="submit" disabled={!running}>Send</button>
          <progress id="upload-progress" max={100} value={0} hidden aria-label="Sending"></progress>
          {/* The percent on screen as it goes; to a screen reader, at every quarter (player.js). */}
          <span id="upload-percent" class="small muted" aria-hidden="true"></span>
          <span id="upload-said" class="visually-hidden" role="status"></span>
        </div>
        {mission.submit !== "text" && (
          <p class="muted small">
            {mission.quotaLeft === undefined
              ? `Up to ${mission.maxSize}.`
              : mission.maxBytes === 0
              ? `${mission.tooLarge}.`
              : `Up to ${mission.maxSize}: what is left of your team's upload quota.`}{" "}
            {mission.submit === "photo" && "Its location (GPS) is removed when it is stored."}
          </p>
        )}
      </form>
    </section>
  );
};

/**
 * What the team's latest submission sent, for every phone of the team to see: the photo, small and
 * whole (a link to it full size), a link to the video, or the text quoted. The page's script draws
 * it again when a teammate sends another.
 */
export const Sent: FC<{ latest: MissionView["latest"] }> = ({ latest }) => {
  if (latest === undefined) return null;
  const file = `/api/submissions/${latest.id}/file`;
  return (
    <figure class="mission-sent" id="mission-sent" data-id={String(latest.id)}>
      <figcaption class="small muted">What your team sent</figcaption>
      {latest.type === null
        ? <blockquote>{latest.text}</blockquote>
        : latest.type.startsWith("video/")
        ? <a href={file}>The video your team sent</a>
        : (
          <a href={file}>
            <img src={file} alt="The photo your team sent" decoding="async" />
          </a>
        )}
    </figure>
  );
};

/** A puzzle's hints: each one's cost, and its text once taken, or a form to take it. */
const HintList: FC<
  {
    hints: PuzzleView["hints"];
    path: string;
    solved: boolean;
    running: boolean;
    asks?: PuzzleView["asks"];
    /** The page's message: a refused question comes back in its box. */
    flash?: Flash | undefined;
  }
> = (
  { hints, path, solved, running, asks, flash },
) => {
  if (hints.length === 0) return null;
  return (
    <section class="card" aria-labelledby="hints-title">
      <h2 id="hints-title">Hints</h2>
      {hints.map((hint, i) => (
        <div class="hint" id={`hint-${hint.id}`}>
          <div class="hint-head">
            <strong>{hintHeading(hint, i)}</strong>
            {hint.taken ? <span class="badge badge-ok">Taken</span> : (
              <span class="badge">
                {hint.kind === "ask"
                  ? askPrice(hint.cost, (asks?.tokens ?? null) !== null)
                  : hint.cost === 0
                  ? "free"
                  : `costs ${points(hint.cost)}`}
              </span>
            )}
          </div>
          {hint.kind === "ask"
            ? (
              <AskHint
                hint={hint}
                path={path}
                solved={solved}
                running={running}
                asks={(asks?.asks ?? []).filter((ask) => ask.hint === hint.id)}
                tokens={asks?.tokens ?? null}
                wait={<HintWait when={hint.when} />}
                flash={flash}
              />
            )
            : hint.taken
            ? (
              // Focusable as the page's script makes the text of a hint taken by keyboard, so that
              // drawing the hint again (a take tells the team's pages) leaves it, and the focus, be.
              <p class="hint-text" tabindex={-1}>{hint.text}</p>
            )
            : solved
            ? <p class="muted small hint-when">Not needed: your team solved this puzzle.</p>
            : !running
            ? <p class="muted small hint-when">The hunt has ended: no hint can be taken now.</p>
            : hint.available
            ? (
              <details>
                <summary>Take this hint</summary>
                <form
                  method="post"
                  action={`${path}/hints/${encodeURIComponent(hint.id)}`}
                  class="hint-form"
                >
                  <p class="small">
                    {hint.cost === 0
                      ? "This hint is free."
                      : `Your team loses ${
                        points(hint.cost)
                      }. Taking it again later costs nothing.`}
                  </p>
                  <button class="btn btn-small" type="submit">
                    {hint.cost === 0 ? "Show the hint" : `Yes, spend ${points(hint.cost)}`}
                  </button>
                </form>
              </details>
            )
            : <HintWait when={hint.when} />}
        </div>
      ))}
    </section>
  );
};

/**
 * A hint's heading: its number, and its title or that an organizer answers it. A title that only
 * numbers the hint ("Hint 1", as CTFd events often title theirs) is not said twice.
 */
function hintHeading(hint: PuzzleView["hints"][number], i: number): string {
  const ask = hint.kind === "ask";
  const title = hint.title?.trim().replace(/\s+/g, " ").toLowerCase();
  if (hint.title === undefined || title === "hint" || title === `hint ${i + 1}`) {
    return ask ? `Hint ${i + 1}: ask an organizer` : `Hint ${i + 1}`;
  }
  return ask ? `Hint ${i + 1}: ${hint.title} (ask an organizer)` : `Hint ${i + 1}: ${hint.title}`;
}

/** Why a hint cannot be taken yet, and when it can, where its rule says. */
const HintWait: FC<{ when: HintWhen | undefined }> = ({ when }) => {
  if (when === undefined) return <p class="muted small hint-when">Not available yet.</p>;
  return (
    <p class="muted small hint-when">
      Available {when.seconds === undefined ? when.text : (
        <>
          in <span data-countdown={String(when.seconds)}>{when.text.replace(/^in /, "")}</span>
        </>
      )}.
    </p>
  );
};

export const CheckpointPage: FC<
  Common & {
    team: string;
    outcome:
      | {
        kind: "ok";
        puzzle?: { id: string; title: string };
        unlocked: { id: string; title: string }[];
      }
      | { kind: "error"; title: string; text: string }
      | { kind: "confirm"; code: string };
  }
> = (props) => {
  const { outcome } = props;
  return (
    <Shell
      title="Checkpoint"
      huntTitle={props.hunt.title}
      nav="player"
      team={props.team}
      announcement={props.announcement}
      script="player"
      data={{ page: "checkpoint" }}
    >
      <main id="main">
        <h1 class="visually-hidden">Checkpoint</h1>
        {outcome.kind === "confirm"
          ? (
            <section class="card" aria-labelledby="confirm-title">
              <h2 id="confirm-title">Check in here?</h2>
              <p>
                This link came from another site, not from a QR code you scanned: check in only if
                you are at this checkpoint.
              </p>
              <form method="post" action="/checkin">
                <input type="hidden" name="code" value={outcome.code} />
                <button type="submit" class="btn">Check in</button>
              </form>
            </section>
          )
          : outcome.kind === "ok"
          ? (
            <div class="notice notice-ok" role="status">
              <strong>Checked in{outcome.puzzle ? ` at ${outcome.puzzle.title}` : ""}</strong>
              {outcome.unlocked.length > 0
                ? (
                  <p>
                    Unlocked: {outcome.unlocked.map((p, i) => (
                      <>
                        {i > 0 && ", "}
                        <a href={`/puzzles/${encodeURIComponent(p.id)}`}>{p.title}</a>
                      </>
                    ))}
                  </p>
                )
                : <p>Nothing new unlocked this time.</p>}
            </div>
          )
          : (
            <div class="notice notice-bad" role="alert">
              <strong>{outcome.title}</strong>
              <p>{outcome.text}</p>
            </div>
          )}
        <p>
          <a class="btn" href="/puzzles">Go to your puzzles</a>
        </p>
      </main>
    </Shell>
  );
};

/**
 * Every announcement, newest first (the latest `shown` of `total`), for a player who dismissed the
 * banner or missed one: the banner shows the newest only. No banner here: the list has it, and its
 * script (announcements.js) puts each new one at its top as it is made.
 */
export const AnnouncementsPage: FC<{
  hunt: HuntInfo;
  team?: string | undefined;
  announcements: readonly (Announcement & { time: string })[];
  total: number;
  /** The most the page lists (the script keeps to it). */
  most: number;
  /** The server's time zone, which `time` is in: the script writes a new one's time in it. */
  zone?: string | undefined;
}> = (props) => (
  <Shell
    title="Announcements"
    huntTitle={props.hunt.title}
    nav={props.team === undefined ? "guest" : "player"}
    {...(props.team !== undefined && { team: props.team })}
    script="announcements"
    data={{
      total: String(props.total),
      most: String(props.most),
      ...(props.zone !== undefined && { zone: props.zone }),
    }}
  >
    <main id="main">
      <p class="small">
        <a href={props.team === undefined ? "/" : "/puzzles"}>
          {props.team === undefined ? "← Back to the hunt" : "← Your puzzles"}
        </a>
      </p>
      <h1>Announcements</h1>
      <p class="muted" id="announcements-none" hidden={props.announcements.length > 0}>
        No announcements yet.
      </p>
      <ol
        class="announcement-list"
        id="announcement-list"
        hidden={props.announcements.length === 0}
      >
        {props.announcements.map((a) => (
          <li class="card" id={`announcement-${a.id}`}>
            <time datetime={new Date(a.at).toISOString()}>{a.time}</time>
            <p>{a.text}</p>
          </li>
        ))}
      </ol>
      <p
        class="muted small"
        id="announcements-count"
        hidden={props.total <= props.announcements.length}
      >
        The {props.announcements.length} latest of {props.total}.
      </p>
    </main>
  </Shell>
);

/** A page for a plain message: not found, a wrong link. */
export const MessagePage: FC<
  {
    hunt: HuntInfo;
    title: string;
    text: string;
    team?: string | undefined;
    /** A second paragraph, after `text`. */
    more?: string;
    /** Where "Back to the hunt" goes: the puzzle list for a team, else the landing page. */
    back?: string;
    /** The link's text (default "Back to the hunt"). */
    backText?: string;
    /** Seconds until a try again may go through: shown, and counted down by the script. */
    retryAfter?: number;
    /** `data-*` attributes of the page's body, for its scripts. */
    data?: Record<string, string>;
  }
> = (props) => (
  <Shell
    title={props.title}
    huntTitle={props.hunt.title}
    nav={props.team === undefined ? "guest" : "player"}
    {...(props.team !== undefined && { team: props.team })}
    {...(props.data !== undefined && { data: props.data })}
    {...(props.retryAfter !== undefined && { script: "player" as const })}
  >
    <main id="main">
      <div class="card">
        <h1>{props.title}</h1>
        <p>{props.text}</p>
        {props.more !== undefined && <p>{props.more}</p>}
        {props.retryAfter !== undefined && (
          <p>
            Try again in{" "}
            <span data-countdown={String(props.retryAfter)}>{duration(props.retryAfter)}</span>.
          </p>
        )}
        <p>
          <a href={props.back ?? (props.team === undefined ? "/" : "/puzzles")}>
            {props.backText ?? "Back to the hunt"}
          </a>
        </p>
      </div>
    </main>
  </Shell>
);
