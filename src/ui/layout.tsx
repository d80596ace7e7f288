/** The page shell every page shares: head, header and navigation, the announcement banner. */
import type { Child, FC } from "hono/jsx";
import { ASSETS } from "./assets.ts";
import type { Flash } from "./flash.ts";

export interface Announcement {
  id: number;
  text: string;
  at: number;
}

export interface ShellProps {
  title: string;
  huntTitle: string;
  /** Which navigation to show. */
  nav: "player" | "guest" | "admin" | "none";
  /** The logged-in team's name. */
  team?: string;
  /** The page the navigation marks as current. */
  current?: string;
  announcement?: Announcement | undefined;
  script?: "player" | "board" | "admin" | "announcements";
  bodyClass?: string;
  /** Submissions waiting for a judge, for the admin navigation; undefined hides the link (no missions). */
  judging?: number | undefined;
  /** Questions waiting for an organizer, for the admin navigation; undefined hides the link (no ask hints). */
  asking?: number | undefined;
  /** Whether the hunt has a checkpoint, for the admin navigation; false hides its QR cards link. */
  checkpoints?: boolean | undefined;
  /** data-* attributes for the page's script. */
  data?: Record<string, string>;
  /** Extra head content (a no-script refresh). */
  head?: Child;
  children?: Child;
}

/** Cairn's mark: three stacked stones. */
export const Mark: FC = () => (
  <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
    <ellipse cx="12" cy="20" rx="9" ry="3.2" fill="currentColor" opacity="0.9" />
    <ellipse cx="12" cy="13.2" rx="6.5" ry="2.8" fill="currentColor" opacity="0.7" />
    <ellipse cx="12" cy="7.4" rx="4.2" ry="2.3" fill="currentColor" opacity="0.5" />
  </svg>
);

export const Shell: FC<ShellProps> = (props) => {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(props.data ?? {})) data[`data-${key}`] = value;
  const link = (href: string, label: string) => (
    <a href={href} aria-current={props.current === href ? "page" : undefined}>{label}</a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="same-origin" />
        <title>
          {props.title === props.huntTitle ? props.title : `${props.title} · ${props.huntTitle}`}
        </title>
        <link rel="icon" href={ASSETS.icon.path} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSETS.css.path} />
        {/* Before the page's own script, which uses it (deferred scripts run in order). */}
        <script src={ASSETS.common.path} defer></script>
        {props.script && <script src={ASSETS[props.script].path} defer></script>}
        {/* Every page of a team sends what waits on the phone, says what waits, and logs out through it. */}
        {(props.script === "player" || props.nav === "player") && (
          <script src={ASSETS.outbox.path} defer></script>
        )}
        {props.head}
      </head>
      <body
        class={props.bodyClass}
        {...data}
        data-team={props.nav === "player" ? props.team : undefined}
      >
        {props.nav !== "none" && <a class="skip" href="#main">Skip to content</a>}
        {props.nav !== "none" && (
          <header class={`top top-${props.nav}`}>
            <div class="top-inner">
              <a class="brand" href={props.nav === "admin" ? "/admin" : "/"}>
                <Mark />
                <span>{props.huntTitle}</span>
              </a>
              <nav class="nav" aria-label="Main">
                {props.nav === "player" && link("/puzzles", "Puzzles")}
                {props.nav !== "admin" && link("/scoreboard", "Scoreboard")}
                {props.nav === "admin" && link("/admin", "Dashboard")}
                {props.nav === "admin" && props.judging !== undefined && (
                  <a
                    href="/admin/judge"
                    aria-current={props.current === "/admin/judge" ? "page" : undefined}
                  >
                    Judge
                    {props.judging > 0 && (
                      <span class="count" title={`${props.judging} waiting`}>{props.judging}</span>
                    )}
                  </a>
                )}
                {props.nav === "admin" && props.asking !== undefined && (
                  <a
                    href="/admin/hints"
                    aria-current={props.current === "/admin/hints" ? "page" : undefined}
                  >
                    Hints
                    {props.asking > 0 && (
                      <span class="count" title={`${props.asking} waiting`}>{props.asking}</span>
                    )}
                  </a>
                )}
                {props.nav === "admin" && props.checkpoints === true &&
                  link("/admin/print", "QR cards")}
                {props.nav === "admin" && link("/scoreboard?view=projector", "Projector")}
                {props.nav === "admin" && link("/docs/api", "API")}
                {props.team !== undefined && (
                  <span class="team-chip" title={props.team}>{props.team}</span>
                )}
                {props.nav === "player" && (
                  <form method="post" action="/logout">
                    <button class="link-button" type="submit">Log out</button>
                  </form>
                )}
                {props.nav === "admin" && (
                  <form method="post" action="/admin/logout">
                    <button class="link-button" type="submit">Sign out</button>
                  </form>
                )}
              </nav>
            </div>
          </header>
        )}
        {props.nav !== "none" && props.nav !== "admin" && (
          <AnnouncementBanner announcement={props.announcement} />
        )}
        {props.children}
        {props.nav !== "none" && <div class="toasts" id="toasts" aria-live="polite"></div>}
      </body>
    </html>
  );
};

/**
 * The latest announcement; the script fills it in live. Dismissing it keeps its id in the cookie
 * `cairn_dismissed` (see `html()`), so later pages leave it out, with or without the script.
 */
export const AnnouncementBanner: FC<{ announcement: Announcement | undefined }> = (
  { announcement },
) => (
  <div
    class="announcement"
    id="announcement"
    role="status"
    aria-live="polite"
    data-id={announcement ? String(announcement.id) : ""}
    hidden={announcement === undefined}
  >
    <div class="announcement-inner">
      <p>
        <span class="label">Announcement:</span>{" "}
        <span id="announcement-text">{announcement?.text ?? ""}</span>{" "}
        {/* The earlier ones too: the banner shows only the latest, and not once dismissed. */}
        <a class="announcement-all" href="/announcements">All announcements</a>
      </p>
      {/* Without the page's script, a form: a cookie then hides it, up to this announcement. */}
      <form method="post" action="/announcements/dismiss" class="announcement-dismiss">
        <input type="hidden" name="id" value={announcement ? String(announcement.id) : ""} />
        <button class="btn btn-quiet btn-small" type="submit" id="announcement-close">
          Dismiss
        </button>
      </form>
    </div>
  </div>
);

/**
 * A reload's errors, as `cairn check` prints them: each message wraps to the box, while the rule
 * and the caret under its bad spot keep their lines (that part scrolls sideways), so that on a
 * phone the caret still points at the spot.
 */
const ErrorLines: FC<{ lines: readonly string[] }> = ({ lines }) => (
  <pre class="errors">
    {lines.map((line) => {
      const [message, ...excerpt] = line.split("\n");
      return (
        <span class="error">
          {message}
          {excerpt.length > 0 && <span class="excerpt" tabindex={0}>{excerpt.join("\n")}</span>}
        </span>
      );
    })}
  </pre>
);

/** A flash message as a notice. */
export const Notice: FC<{ flash: Flash | undefined; id?: string; titles?: Map<string, string> }> = (
  { flash, id, titles },
) => {
  if (flash === undefined) {
    return <div class="notice" id={id} role="status" aria-live="polite"></div>;
  }
  return (
    <div class={`notice notice-${flash.tone}`} id={id} role="status" aria-live="polite">
      <strong>{flash.title}</strong>
      {flash.text && <p>{flash.text}</p>}
      {flash.retryAfter !== undefined && (
        <p>
          Try again in <span data-countdown={String(flash.retryAfter)}>{flash.retryAfter} s</span>.
        </p>
      )}
      {flash.unlocked && flash.unlocked.length > 0 && (
        <p>
          Unlocked: {flash.unlocked.map((puzzle, i) => (
            <>
              {i > 0 && ", "}
              <a href={`/puzzles/${encodeURIComponent(puzzle)}`}>{titles?.get(puzzle) ?? puzzle}</a>
            </>
          ))}
        </p>
      )}
      {flash.lines && flash.lines.length > 0 && <ErrorLines lines={flash.lines} />}
    </div>
  );
};
