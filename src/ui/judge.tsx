/** The judging page: one claimed submission at a time, large, with its mission and the verdict forms. */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { TEXT_LIMITS as LIMITS } from "../play/mod.ts";
import { points } from "./charts.ts";
import { chars } from "./_text_limits.ts";
import { type Flash, typedIn } from "./flash.ts";
import { Notice, Shell } from "./layout.tsx";

/** A submission as the judge sees it. */
export interface JudgedItem {
  id: number;
  team: string;
  teamId: number;
  puzzle: string;
  mission: string;
  submit: "photo" | "video" | "text";
  text: string | null;
  /** The file's URL, for a photo or a video. */
  file: string | null;
  /** The file's type as sniffed at upload (image/heic, video/mp4…), or null for a text. */
  type: string | null;
  /** The puzzle's full points: the most "accept with points" may give. */
  points: number;
  at: string;
  /** Sent from a phone's outbox with its time clamped, or late (as a guess is flagged); else null. */
  flag: "clamped" | "late" | null;
}

export interface JudgePageProps {
  huntTitle: string;
  flash?: Flash | undefined;
  /** The judge's name (from their cookie); undefined asks for it. */
  judge: string | undefined;
  /** How many submissions wait for a verdict. */
  pending: number;
  /** Questions waiting for an organizer, for the navigation; undefined when the hunt has no ask hint. */
  asking?: number | undefined;
  /** Whether the hunt has a checkpoint, for the navigation's QR cards link. */
  checkpoints?: boolean | undefined;
  /** The submission claimed for this judge, with its mission's text and until when it is held. */
  current?: (JudgedItem & { bodyHtml: string; heldUntil: string; auto: boolean }) | undefined;
  /** Whether the judge asked to skip and nothing else was waiting. */
  skippedLast: boolean;
  /** Recently accepted submissions, newest first: a judge may still reject them. */
  recent: (JudgedItem & { accepted: string; awarded: number; auto: boolean })[];
}

/** The keys the page's script answers, shown on the page. */
const KEYS: [string, string][] = [
  ["A", "accept"],
  ["P", "accept with points"],
  ["R", "reject with a message"],
  ["N", "skip to the next"],
  ["Esc", "cancel typing"],
];

export const JudgePage: FC<JudgePageProps> = (props) => {
  const { current } = props;
  return (
    <Shell
      title="Judge"
      huntTitle={props.huntTitle}
      nav="admin"
      current="/admin/judge"
      script="admin"
      judging={props.pending}
      asking={props.asking}
      checkpoints={props.checkpoints}
      bodyClass="wide"
      data={{
        page: "judge",
        ...(current && { submission: String(current.id) }),
        ...(current === undefined && props.judge !== undefined && { refresh: "10" }),
      }}
      // With nothing to judge, the page looks again every 10 s, with or without its script.
      head={current === undefined && props.judge !== undefined
        ? (
          <noscript>
            <meta http-equiv="refresh" content="10" />
          </noscript>
        )
        : undefined}
    >
      <main id="main">
        <div class="judge-head">
          <h1>Judge</h1>
          <p class="meta">
            <span class="badge" id="pending-count">{props.pending} waiting</span>
            {props.judge !== undefined && (
              <span>
                Judging as <strong id="judge-name">{props.judge}</strong>
              </span>
            )}
          </p>
        </div>
        <Notice flash={props.flash} id="result" />
        {props.judge === undefined
          ? <JudgeName />
          : current === undefined
          ? (
            <section class="card" id="judge-empty">
              <h2>{props.skippedLast ? "Nothing else is waiting" : "Nothing is waiting"}</h2>
              <p class="muted">
                This page looks for new submissions every 10 seconds.
                {props.pending > 0 && " The others are held by other judges for now."}
              </p>
            </section>
          )
          : <Current item={current} flash={props.flash} />}
        {props.judge !== undefined && <Keys />}
        <Recent items={props.recent} flash={props.flash} />
        {props.judge !== undefined && (
          <details class="small">
            <summary>Not {props.judge}?</summary>
            <JudgeName name={props.judge} />
          </details>
        )}
      </main>
    </Shell>
  );
};

/** Asks the judge's name: it tells judges apart, so two never get the same submission. */
const JudgeName: FC<{ name?: string }> = ({ name }) => (
  <section class="card" aria-labelledby="judge-name-title">
    <h2 id="judge-name-title">Who is judging?</h2>
    <p class="muted">
      Each judge gets their own submissions: the page holds each one for you for 2 minutes.
    </p>
    <form method="post" action="/admin/judge/name" class="row">
      <label class="grow">
        <span class="visually-hidden">Your name</span>
        <input
          name="name"
          required
          {...chars(LIMITS.judge, { trim: true })}
          autocomplete="nickname"
          placeholder="Your name"
          value={name ?? ""}
        />
      </label>
      <button class="btn" type="submit">Start judging</button>
    </form>
  </section>
);

/**
 * A control's shortcut key, shown on it: left out of its name ("Reject", not "Reject R"), which
 * its `aria-keyshortcuts` and the keys' line below say.
 */
const Key: FC<{ children: string }> = ({ children }) => <kbd aria-hidden="true">{children}</kbd>;

/** The shortcut keys. */
const Keys: FC = () => (
  <p class="muted small judge-keys" id="judge-keys">
    Keys: {KEYS.map(([key, what], i) => (
      <>
        {i > 0 && " · "}
        <kbd>{key}</kbd> {what}
      </>
    ))}
  </p>
);

/** What the team sent: the photo or video large, or its text. */
const Media: FC<{ item: JudgedItem; small?: boolean }> = ({ item, small }) => {
  if (item.submit === "text" || item.file === null) {
    return <blockquote class="judge-text">{item.text ?? ""}</blockquote>;
  }
  if (item.submit === "video") {
    // An iPhone's video is often HEVC, which Chrome on Linux and Firefox may not play: the file
    // is offered to open on the computer too.
    const download = `submission-${item.id}.${item.type === "video/quicktime" ? "mov" : "mp4"}`;
    return small
      ? (
        <div class="judge-video-small">
          <video src={item.file} controls preload="metadata" class="judge-thumb"></video>
          <a href={item.file} download={download} class="judge-heic-link">Download the video</a>
        </div>
      )
      : (
        <div class="judge-video-box">
          <video src={item.file} controls preload="metadata" class="judge-video"></video>
          <p class="small judge-video-note">
            It does not play? An iPhone's video (HEVC) may not, here.{" "}
            <a href={item.file} download={download}>Download the video</a>{" "}
            and open it on this computer.
          </p>
        </div>
      );
  }
  const alt = `${item.team}'s photo for ${item.mission}`;
  // Only Safari draws HEIC (an iPhone's or an Android phone's own format): elsewhere the judge
  // would see a broken image, so the page offers the file to open on the computer.
  const download = `submission-${item.id}.heic`;
  if (item.type === "image/heic") {
    return small
      ? (
        <a href={item.file} download={download} class="judge-text judge-heic-link">
          HEIC photo: download
        </a>
      )
      : (
        <div class="judge-heic">
          <img src={item.file} alt={alt} class="judge-photo" />
          <p class="notice notice-warn" id="judge-heic">
            <strong>A HEIC photo: only Safari shows it</strong>
            Chrome, Edge and Firefox cannot draw this format.{" "}
            <a href={item.file} download={download}>Download the photo</a>{" "}
            and open it on this computer (or judge from Safari).
          </p>
        </div>
      );
  }
  return small
    ? (
      <a href={item.file} target="_blank" rel="noopener">
        <img src={item.file} alt={alt} class="judge-thumb" loading="lazy" />
      </a>
    )
    : <img src={item.file} alt={alt} class="judge-photo" />;
};

/** What a submission's flag tells a judge: it was made offline, and its time needs a look. */
const FlagBadge: FC<{ flag: JudgedItem["flag"]; id?: string }> = ({ flag, id }) =>
  flag === null ? null : (
    <span
      class="badge badge-warn"
      {...(id !== undefined && { id })}
      title={flag === "late"
        ? "Sent from the phone's outbox more than 10 minutes after it was made"
        : "Sent from the phone's outbox: the time it claimed was moved to one the server can vouch for"}
    >
      {flag === "late" ? "late" : "time clamped"}
    </span>
  );

/** The claimed submission and its three verdicts; a refused one comes back as typed (`flash`). */
const Current: FC<{ item: NonNullable<JudgePageProps["current"]>; flash?: Flash | undefined }> = (
  { item, flash },
) => {
  const action = `/admin/judge/${item.id}/verdict`;
  const typedPoints = typedIn(flash, `points-${item.id}`)?.points;
  return (
    <section class="judge-item" id="judge-item" aria-labelledby="judge-mission">
      <div class="judge-media">
        <Media item={item} />
      </div>
      <div class="judge-side card">
        <h2 id="judge-mission">{item.mission}</h2>
        <p class="small">
          <strong id="judge-team">{item.team}</strong> · sent {item.at}{" "}
          <FlagBadge flag={item.flag} id="judge-flag" /> · {points(item.points)}
        </p>
        <div class="body judge-body">{raw(item.bodyHtml)}</div>
        <p class="muted small">Held for you until {item.heldUntil}.</p>
        <form method="post" action={action} id="judge-accept">
          <input type="hidden" name="verdict" value="accept" />
          <button class="btn" type="submit" aria-keyshortcuts="A">
            Accept (+{item.points}) <Key>A</Key>
          </button>
        </form>
        <form method="post" action={action} id="judge-points" class="row">
          <input type="hidden" name="verdict" value="points" />
          <label>
            <span>Points</span>
            <input
              type="number"
              name="points"
              min={0}
              max={item.points}
              step={1}
              required
              value={typedPoints ?? String(Math.round(item.points / 2))}
              class="judge-points"
            />
          </label>
          <button class="btn btn-quiet" type="submit" aria-keyshortcuts="P">
            Accept with points <Key>P</Key>
          </button>
        </form>
        <form method="post" action={action} id="judge-reject">
          <input type="hidden" name="verdict" value="reject" />
          {/* Rejects it as the judge saw it, waiting: not once another judge has accepted it. */}
          <input type="hidden" name="status" value="pending" />
          <label class="field">
            <span>Message to the team (optional)</span>
            <textarea
              name="message"
              {...chars(LIMITS.verdictMessage, { trim: true })}
              rows={2}
              placeholder="We can't see the statue"
            >
              {typedIn(flash, `reject-${item.id}`)?.message ?? ""}
            </textarea>
          </label>
          <button class="btn btn-danger" type="submit" aria-keyshortcuts="R">
            Reject <Key>R</Key>
          </button>
        </form>
        <p>
          <a href={`/admin/judge?skip=${item.id}`} id="judge-skip" aria-keyshortcuts="N">
            Skip to the next <Key>N</Key>
          </a>
        </p>
      </div>
    </section>
  );
};

/**
 * Recently accepted submissions, each with a reject form: for second thoughts and
 * `judge = "auto"`. A refused reject comes back with its message (`flash`).
 */
const Recent: FC<{ items: JudgePageProps["recent"]; flash?: Flash | undefined }> = (
  { items, flash },
) => (
  <section class="card" aria-labelledby="recent-title" id="judge-recent">
    <h2 id="recent-title">Recently accepted</h2>
    {items.length === 0 ? <p class="muted">None yet.</p> : (
      <ul class="judge-recent">
        {items.map((item) => (
          <li data-id={String(item.id)}>
            <Media item={item} small />
            <div class="grow">
              <p>
                <strong>{item.team}</strong> · {item.mission} · +{item.awarded}
                {/* A space apart: JSX drops the line break, and "+10" ran into the badge. */}
                {item.auto && (
                  <>
                    {" "}
                    <span class="badge">auto</span>
                  </>
                )} <FlagBadge flag={item.flag} /> · {item.accepted}
              </p>
              <form method="post" action={`/admin/judge/${item.id}/verdict`} class="row">
                <input type="hidden" name="verdict" value="reject" />
                <input type="hidden" name="back" value="recent" />
                <label class="grow">
                  <span class="visually-hidden">Message to the team</span>
                  <input
                    name="message"
                    {...chars(LIMITS.verdictMessage, { trim: true })}
                    placeholder="Message to the team"
                    value={typedIn(flash, `recent-${item.id}`)?.message}
                  />
                </label>
                <button class="btn btn-small btn-danger" type="submit">Reject</button>
              </form>
            </div>
          </li>
        ))}
      </ul>
    )}
  </section>
);
