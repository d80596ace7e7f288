/**
 * Live updates: the in-process event bus, the public scoreboard kept as
 * cached bytes, and the SSE streams. Only committed changes are published:
 * callers publish after their commit resolves.
 *
 * Every event's id is `<last announcement id>.<sequence>`, so whatever id a
 * client resumes from tells which announcements it has seen. Each event is
 * formatted once, and the same bytes are written to every stream. The public
 * sequence counts only what every stream is sent: an event for one team's
 * streams (or the organizers') adds `.<n>`, counted for that team alone, so
 * that no id tells how many solves other teams made (a frozen board's secret).
 */
import { createHash } from "node:crypto";
import type { Engine, Puzzle, Team, Write } from "../engine/mod.ts";

/** A short hash of the scoreboard's JSON, for its ETag: Bun's native hash, else SHA-1 (Deno). */
const etagOf: (json: string) => string = "Bun" in globalThis
  ? (json) => Bun.hash(json).toString(36)
  : (json) => createHash("sha1").update(json).digest("hex").slice(0, 16);

export { eventStream, SSE_HEADERS, StreamDropped } from "./sse.ts";

/**
 * What a stream's `scoreboard` events carry: the whole public board (`full`,
 * the default); only the stream's own team's row (`team`); or the rows a
 * team's standings page shows (`top`, see `topRuns`), with the count of
 * teams; or one page of `TOP_VIEW_PAGE` rows of the whole board (`page`), with
 * the count and the team's own row. The last three are sent when they change.
 * A page that shows no standings asks for `team`: at 2,000 teams the board is
 * about 200 KB, which every push would otherwise send to every phone.
 */
export type BoardView = "full" | "team" | "top" | "page";

/** A board of at most this many rows is shown whole by the `top` view, as a phone shows it. */
export const TOP_VIEW_WHOLE = 60;
/** The rows at the head of a bigger board's `top` view: the leaders everyone looks for. */
export const TOP_VIEW_HEAD = 50;
/** The rows above and below the team's own in the `top` view. */
export const TOP_VIEW_NEIGHBOURS = 3;
/** The rows of one page of the `page` view, as a phone pages through the whole board. */
export const TOP_VIEW_PAGE = 100;

/**
 * The runs of rows (`from` to before `to`) of a board of `total` rows that a
 * team's standings show, the team's own at `at`: all of a short board; else
 * the top `TOP_VIEW_HEAD`, and the team's row with its neighbours when it is
 * near or past the top's end. A gap of one row, between them or at the end,
 * is shown rather than left out: its "…" would take as much room.
 */
export function topRuns(total: number, at: number | undefined): { from: number; to: number }[] {
  if (total <= TOP_VIEW_WHOLE) return [{ from: 0, to: total }];
  const runs: { from: number; to: number }[] = [];
  let end = TOP_VIEW_HEAD;
  // A team near the end of the top gets its neighbours below too, as one further down does.
  if (at !== undefined && at + TOP_VIEW_NEIGHBOURS >= TOP_VIEW_HEAD) {
    const from = at - TOP_VIEW_NEIGHBOURS;
    end = Math.min(total, at + TOP_VIEW_NEIGHBOURS + 1);
    if (from > TOP_VIEW_HEAD + 1) runs.push({ from: 0, to: TOP_VIEW_HEAD }, { from, to: end });
  }
  if (runs.length === 0) runs.push({ from: 0, to: end });
  if (total - end === 1) runs.at(-1)!.to = total;
  return runs;
}

/**
 * A short tag of a view's JSON (FNV-1a over its UTF-16 code units, in hex): a team's standings
 * page carries the tag of the `top` view it was drawn from, and player.js computes the same of its
 * stream's first event to tell whether the board changed before the stream opened.
 */
export function viewTag(json: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) hash = Math.imul(hash ^ json.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/** A row of the public scoreboard, as `GET /api/scoreboard` sends it. */
export interface PublicRow {
  rank: number;
  name: string;
  division: string | null;
  score: number;
  solves: number;
  last_solve_at: string | null;
}

/** A public board (the whole one, or a division's) with each row's team id (`ids[i]` is `teams[i]`'s). */
export interface BoardRows {
  frozen: boolean;
  teams: PublicRow[];
  ids: number[];
}

/** A board's JSON, or a part of it, and its ETag. */
export interface Encoded {
  json: string;
  etag: string;
}

/**
 * The bytes of slices (`limit`/`offset` views) of one board kept encoded until it changes: past
 * them, the kept ones are dropped, so that asking for many different slices cannot hold memory
 * without bound. Every team's `around=me` of 2,000 teams counts about 1.9 MB.
 */
export const SLICE_BYTES_KEPT = 4 * 1024 * 1024;
/**
 * What a kept slice takes besides its JSON: its key, its ETag and their objects, and the map's
 * entry. About 220 bytes on Bun (measured); without it, the 69,000 tiny slices (offsets past the
 * last team, 60 bytes of JSON each) that fit the 4 MiB bound held 19 MB of heap.
 */
export const SLICE_ENTRY_BYTES = 256;

/**
 * One board as it is until the next change: its rows, and each of its
 * encodings, made the first time one is asked for. A slice is cut from the
 * rows' JSON, never from the whole board's.
 */
class CachedBoard {
  private encoded: Encoded | undefined;
  private rowTexts: string[] | undefined;
  private positions: Map<number, number> | undefined;
  private headJson: string | undefined;
  private readonly slices = new Map<string, Encoded>();
  private sliceBytes = 0;

  constructor(readonly rows: BoardRows) {}

  /** The whole board: `{frozen, teams}`. */
  whole(): Encoded {
    if (this.encoded === undefined) {
      const json = JSON.stringify({ frozen: this.rows.frozen, teams: this.rows.teams });
      this.encoded = { json, etag: `"${etagOf(json)}"` };
    }
    return this.encoded;
  }

  /** Where the team's row is (from 0), if it has one. */
  positionOf(teamId: number): number | undefined {
    this.positions ??= new Map(this.rows.ids.map((id, i) => [id, i]));
    return this.positions.get(teamId);
  }

  /** The JSON of the row at `index`. */
  row(index: number): string | undefined {
    this.rowTexts ??= this.rows.teams.map((row) => JSON.stringify(row));
    return this.rowTexts[index];
  }

  /** The rows from `from` to before `to` as JSON, joined by commas. */
  rowsJson(from: number, to: number): string {
    const rows: string[] = [];
    for (let i = from; i < Math.min(this.rows.teams.length, to); i++) rows.push(this.row(i)!);
    return rows.join(",");
  }

  /** The first `count` rows as JSON, joined by commas (the same count every time). */
  head(count: number): string {
    return this.headJson ??= this.rowsJson(0, count);
  }

  /** `limit` rows from `offset`: `{frozen, total, offset, teams}`. */
  slice(offset: number, limit: number): Encoded {
    const key = `${offset}:${limit}`;
    let found = this.slices.get(key);
    if (found !== undefined) return found;
    const json = `{"frozen":${this.rows.frozen},"total":${this.rows.teams.length},` +
      `"offset":${offset},"teams":[${this.rowsJson(offset, offset + limit)}]}`;
    found = { json, etag: `"${etagOf(json)}"` };
    const bytes = json.length + SLICE_ENTRY_BYTES;
    if (this.sliceBytes + bytes > SLICE_BYTES_KEPT) {
      this.slices.clear();
      this.sliceBytes = 0;
    }
    this.slices.set(key, found);
    this.sliceBytes += bytes;
    return found;
  }
}

/** What a stream needs from its transport: write bytes, and say whether it is closed. */
export interface Sink {
  write(chunk: Uint8Array): Promise<unknown> | unknown;
  readonly closed: boolean;
  /** Ends the stream from the server's side (at shutdown). */
  close?(): void;
}

interface Client {
  teamId: number | undefined;
  /** The hash of the session token a team's stream was opened with: the stream ends with it. */
  session: string | undefined;
  /** An organizer's stream: it also gets the admin-only events (the guess feed). */
  admin: boolean;
  sink: Sink;
  /** A write is waiting for the socket to drain (the client reads slowly). */
  behind: boolean;
  /** What its `scoreboard` events carry. */
  view: BoardView;
  /** With the `top` or `page` view: the division whose board it follows, if not the whole board. */
  division: string | undefined;
  /** With the `page` view: the page it follows (from 1). */
  page: number | undefined;
  /** With any view but `full`: the view it was last sent. */
  shown: string | undefined;
  /** For a stream with no team and no organizer: the client address it counts against. */
  address: string | undefined;
}

export interface Announcement {
  id: number;
  text: string;
  at: number;
}

export interface LiveOptions {
  /** The current engine (it is swapped on reload). */
  engine: () => Engine;
  /** The time the public board is frozen at, if it is. */
  frozenAt: (now: number) => number | undefined;
  /** The announcements made so far, oldest first; later ones arrive through `committed`. */
  announcements: readonly Announcement[];
  /** Scoreboard pushes closer together than this are merged (ms; default 250). */
  coalesceMs?: number | undefined;
  /**
   * The bytes a second that scoreboard pushes may send, over all streams: a
   * push bigger than this share of its window makes the next window longer
   * (default `PUSH_BYTES_PER_SECOND`).
   */
  pushBytesPerSecond?: number | undefined;
  /**
   * `puzzle_values` pushes closer together than this are merged (ms; default `VALUES_EVERY_MS`);
   * longer when the last one's bytes take longer at `pushBytesPerSecond`.
   */
  valuesEveryMs?: number | undefined;
  /**
   * Streams written to in one turn of a `puzzle_values` push (default `VALUES_SLICE`); the rest
   * after the server has answered what waits.
   */
  valuesSlice?: number | undefined;
  /** Streams one team may hold at once. */
  perTeamLimit?: number;
  /** Streams one client address may hold at once with no team's session nor an organizer's. */
  perAddressLimit?: number;
}

/**
 * Streams one client address may hold at once with no team's session nor an organizer's: a
 * projector and the spectators behind one NAT hold a few; without a bound, one laptop could open
 * streams until the server runs out of file descriptors (10 KB each), and slow every push.
 */
export const PUBLIC_STREAMS_PER_ADDRESS = 200;

/**
 * What scoreboard pushes may send a second, over all streams, before their
 * window grows: 32 MiB, about 270 Mbit/s, more than a venue's Wi-Fi carries.
 * A hundred teams' board (10 KB) to 500 streams is 5 MB, well inside the
 * 250 ms window; 2,000 teams' (200 KB) to 10,000 streams is 2 GB, which
 * would take every CPU cycle at four pushes a second, and goes out once a
 * minute instead.
 */
export const PUSH_BYTES_PER_SECOND = 32 * 1024 * 1024;

/**
 * How often, at most, teams are sent their puzzles' new values (`puzzle_values`): the first change
 * goes out with the board's push, the changes within the next 2 s together at their end. Each is a
 * write to nearly every team's streams (the board's `team` view goes only to the teams whose row
 * moved): at 20 solves a second, pushed four times a second with the board, they took guesses on
 * 4,000 streams from 0.8 of their rate without pushes to 0.5 (docs/performance.md).
 */
export const VALUES_EVERY_MS = 2_000;

/**
 * How long a change of the puzzles' values is sent again to a team's stream that opens after it
 * (`puzzle_values`, the values then): its page may have been drawn before the change, and its stream
 * opened after the push, which it missed.
 */
export const VALUES_RECENT_MS = 5_000;

/**
 * Streams a `puzzle_values` push writes to in one turn of the event loop. Written all at once, a
 * push to 4,000 streams held every request that came meanwhile for 60–70 ms (p99 of guesses while
 * solves ran 64–77 ms against 13–32 ms without the event, docs/performance.md); a slice of 256
 * takes a few ms.
 */
export const VALUES_SLICE = 256;

const encoder = new TextEncoder();
/** The organizers' own sequence's key among the teams' ids. */
const ORGANIZERS = -1;
/** The key of streams with no team, among the teams' ids of a push's `team` views. */
const NO_TEAM = -2;

/** One game's SSE streams, the events published to them, and the cached public scoreboard. */
export class Live {
  private readonly clients = new Set<Client>();
  private readonly byTeam = new Map<number, Set<Client>>();
  /** The streams with no team and no organizer, counted by client address. */
  private readonly byAddress = new Map<string, number>();
  private readonly admins = new Set<Client>();
  private sequence = 0;
  /** Per team (and -1 for the organizers): the events sent to its streams only. */
  private readonly ownSequences = new Map<number, number>();
  private closedSinceAsked = 0;
  private lastAnnouncementId: number;
  /** Every announcement, oldest first: few, and replayed to resuming clients from memory. */
  private readonly announcements: Announcement[];
  /** The boards asked for since the last change, by division ("" for the whole board). */
  private readonly boards = new Map<string, CachedBoard>();
  /** Open streams with any view but `full`. */
  private teamViews = 0;
  private lastPushedBoard = "";
  /**
   * Each puzzle's points and solves (shown or not: `show_solves`) as the last push found them, as
   * a team that has not solved it since the freeze sees them (`Engine.publicValues`), by puzzle id.
   */
  private shownValues = new Map<string, { points: number; solves: number }>();
  private lastValuesAt = -Infinity;
  /** The window after the last `puzzle_values` push: `valuesEveryMs`, or longer after many bytes. */
  private valuesWindowMs: number;
  private valuesTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly valuesEveryMs: number;
  /** The puzzles of each `puzzle_values` push of the last `VALUES_RECENT_MS`, oldest first. */
  private recentValues: { at: number; puzzles: readonly Puzzle[] }[] = [];
  private readonly valuesSlice: number;
  /** A `puzzle_values` push still writing its slices: the next one waits for it. */
  private valuesSending = false;
  /** A push was asked for while one was sending: it goes once that one is done. */
  private valuesAgain = false;
  private lastPushAt = -Infinity;
  /** The window after the last push: `coalesceMs`, or longer after a push of many bytes. */
  private pushWindowMs: number;
  private pushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly coalesceMs: number;
  private readonly pushBytesPerMs: number;
  readonly perTeamLimit: number;
  readonly perAddressLimit: number;

  constructor(private readonly options: LiveOptions) {
    this.announcements = [...options.announcements];
    this.lastAnnouncementId = this.announcements.at(-1)?.id ?? 0;
    this.coalesceMs = options.coalesceMs ?? 250;
    this.pushWindowMs = this.coalesceMs;
    this.pushBytesPerMs = (options.pushBytesPerSecond ?? PUSH_BYTES_PER_SECOND) / 1000;
    this.valuesEveryMs = options.valuesEveryMs ?? VALUES_EVERY_MS;
    this.valuesWindowMs = this.valuesEveryMs;
    this.valuesSlice = Math.max(1, options.valuesSlice ?? VALUES_SLICE);
    this.perTeamLimit = options.perTeamLimit ?? 20;
    this.perAddressLimit = options.perAddressLimit ?? PUBLIC_STREAMS_PER_ADDRESS;
  }

  /** Whether `address` holds as many streams with no team and no organizer as it may. */
  publicStreamsFull(address: string): boolean {
    return (this.byAddress.get(address) ?? 0) >= this.perAddressLimit;
  }

  /** Open streams, for metrics and tests. */
  get connections(): number {
    return this.clients.size;
  }

  /** Streams closed since the last call: a burst means memory worth collecting. */
  takeClosedCount(): number {
    const count = this.closedSinceAsked;
    this.closedSinceAsked = 0;
    return count;
  }

  /** How many streams the team holds open, for the per-team limit. */
  streamsOf(teamId: number): number {
    return this.byTeam.get(teamId)?.size ?? 0;
  }

  /** The public scoreboard's JSON and its ETag, computed once per change. */
  scoreboard(): Encoded {
    return this.cached().whole();
  }

  /** The public board (of one division, ranked among themselves), kept until the next change. */
  standings(division?: string): BoardRows {
    return this.cached(division).rows;
  }

  /** Where the team's row is on the public board (of `division`), from 0; none when hidden. */
  positionOf(teamId: number, division?: string): number | undefined {
    return this.cached(division).positionOf(teamId);
  }

  /**
   * The public board (of `division`) as JSON: the whole of it, or `limit`
   * rows from `offset` with the count of all. Each is encoded once per change.
   */
  scoreboardJson(division?: string, slice?: { offset: number; limit: number }): Encoded {
    const board = this.cached(division);
    return slice === undefined ? board.whole() : board.slice(slice.offset, slice.limit);
  }

  private cached(division?: string): CachedBoard {
    const key = division ?? "";
    let board = this.boards.get(key);
    if (board === undefined) {
      board = new CachedBoard(boardRows(this.options.engine(), this.options.frozenAt, division));
      this.boards.set(key, board);
    }
    return board;
  }

  /**
   * The `team` view of the board: the public board with the team's row alone,
   * if it has one. A hidden team, which has none, gets its own row with no
   * rank (`rank: null`), while the board is not frozen: its phones follow its
   * score as another team's solve moves a dynamic value. Only its own streams
   * get this view, so the public board never shows it.
   */
  private teamView(teamId: number | undefined): string {
    const board = this.cached();
    const at = teamId === undefined ? undefined : board.positionOf(teamId);
    const row = at === undefined ? this.hiddenRow(teamId, board.rows.frozen) : board.row(at);
    return `{"frozen":${board.rows.frozen},"teams":[${row ?? ""}]}`;
  }

  /** A hidden team's own row for its `team` view, unranked; none while the board is frozen. */
  private hiddenRow(teamId: number | undefined, frozen: boolean): string | undefined {
    if (teamId === undefined || frozen) return undefined;
    const engine = this.options.engine();
    const team = engine.teams.get(teamId);
    if (team === undefined || !team.hidden) return undefined;
    const row: Omit<PublicRow, "rank"> & { rank: null } = {
      rank: null,
      name: team.name,
      division: team.division,
      score: engine.score(team),
      solves: engine.solveCount(team),
      last_solve_at: team.lastSolveAt === null ? null : new Date(team.lastSolveAt).toISOString(),
    };
    return JSON.stringify(row);
  }

  /**
   * The `top` view of the board (of `division`): `{frozen, total, teams}`,
   * the rows of `topRuns`, no more, so that it changes only when what a
   * team's standings show does (the ranks tell where the gaps are).
   */
  topView(teamId: number | undefined, division?: string): string {
    const board = this.cached(division);
    const total = board.rows.teams.length;
    const at = teamId === undefined ? undefined : board.positionOf(teamId);
    // The head is every team's: encoded once a board. The rows past it are the team's own.
    const head = total <= TOP_VIEW_WHOLE ? total : TOP_VIEW_HEAD;
    const parts = [board.head(head)];
    for (const run of topRuns(total, at)) {
      const from = Math.max(run.from, head);
      if (from < run.to) parts.push(board.rowsJson(from, run.to));
    }
    const teams = parts.filter((part) => part !== "").join(",");
    return `{"frozen":${board.rows.frozen},"total":${total},"teams":[${teams}]}`;
  }

  /**
   * The `page` view of the board (of `division`): `{frozen, total, page,
   * teams}`, the rows of page `page` (from 1; past the last, the last), then
   * the team's own row if it is on another page, so that the phone's line
   * "Your team is 5th of 2,000" follows too.
   */
  pageView(teamId: number | undefined, page: number, division?: string): string {
    const board = this.cached(division);
    const total = board.rows.teams.length;
    const shown = Math.min(page, Math.max(1, Math.ceil(total / TOP_VIEW_PAGE)));
    const from = (shown - 1) * TOP_VIEW_PAGE;
    const to = from + TOP_VIEW_PAGE;
    const parts = [board.rowsJson(from, to)];
    const at = teamId === undefined ? undefined : board.positionOf(teamId);
    if (at !== undefined && (at < from || at >= to)) parts.push(board.row(at)!);
    const teams = parts.filter((part) => part !== "").join(",");
    return `{"frozen":${board.rows.frozen},"total":${total},"page":${shown},"teams":[${teams}]}`;
  }

  /** What a stream of any view but `full` is sent: its view of the board as it is now. */
  private viewOf(client: Client): string {
    switch (client.view) {
      case "team":
        return this.teamView(client.teamId);
      case "page":
        return this.pageView(client.teamId, client.page ?? 1, client.division);
      default:
        return this.topView(client.teamId, client.division);
    }
  }

  /**
   * The scoreboard changed. The first change goes out at once; later ones
   * within the coalescing window are merged into one push at its end. The
   * window is `coalesceMs`, or as long as the last push's bytes take at
   * `pushBytesPerSecond`, whichever is longer.
   */
  scoreboardChanged(): void {
    this.boards.clear();
    if (this.pushTimer !== undefined) return;
    const wait = this.lastPushAt + this.pushWindowMs - performance.now();
    if (wait <= 0) this.pushScoreboard();
    else this.pushTimer = setTimeout(() => this.pushScoreboard(), wait);
  }

  /**
   * Publishes what a committed batch of writes means: a team's solves and
   * unlocks to its own streams, announcements to everyone, and a scoreboard
   * push when scores or teams changed.
   */
  committed(writes: readonly Write[]): void {
    let board = false;
    const unlocks = new Map<number, string[]>();
    const hints = new Map<number, Set<string>>();
    for (const write of writes) {
      switch (write.kind) {
        case "guess":
          if (this.admins.size > 0) this.guessEvent(write);
          if (write.result === "correct") {
            this.teamEvent(write.teamId, "solve", {
              puzzle: write.puzzle,
              ...(write.request !== undefined && { request: write.request }),
            });
            board = true;
          } else if (this.byTeam.get(write.teamId)?.size) {
            // Teammates' pages of the puzzle bring their guesses left (and hints) up to date. (A
            // wrong guess is the load test's hot write: nothing is built for a team with no stream.)
            this.teamEvent(write.teamId, "wrong_guess", {
              puzzle: write.puzzle,
              ...(write.request !== undefined && { request: write.request }),
            });
          }
          break;
        case "submission":
        case "verdict": {
          // The team sees "waiting for a judge", then the verdict; an acceptance is a solve.
          const { teamId, puzzle, status, points } = write;
          const id = write.kind === "submission" ? write.id : write.submissionId;
          const message = write.kind === "verdict" ? write.message : null;
          const data = { id, puzzle, status, points, message };
          this.teamEvent(teamId, "submission", data);
          // The dashboard's feed of submissions draws itself again.
          if (this.admins.size > 0) this.adminEvent("submission", data);
          if (status === "accepted") this.teamEvent(teamId, "solve", { puzzle });
          if (status !== "pending") board = true;
          break;
        }
        case "ask":
        case "ask_close": {
          // The team sees its question waiting, then the answer; organizers see the queue move.
          const { teamId, puzzle, hint } = write;
          const data = write.kind === "ask"
            ? { id: write.id, puzzle, hint, status: "open", answer: null }
            : { id: write.askId, puzzle, hint, status: write.status, answer: write.answer };
          this.teamEvent(teamId, "ask", data);
          if (this.admins.size > 0) this.adminEvent("ask", data);
          if (write.kind === "ask" || write.status !== "answered") board = true;
          break;
        }
        case "unlock": {
          const list = unlocks.get(write.teamId) ?? [];
          list.push(write.puzzle);
          unlocks.set(write.teamId, list);
          break;
        }
        case "hint": {
          // The team's open pages of the puzzle draw its hints again: the text for a teammate, and
          // a hint whose rule needed this one (hint_taken(), as CTFd's hint prerequisites import).
          const puzzles = hints.get(write.teamId) ?? new Set();
          puzzles.add(write.puzzle);
          hints.set(write.teamId, puzzles);
          board = true;
          break;
        }
        case "team":
        case "team_name":
        case "team_hidden":
        case "team_banned":
        case "adjustment":
          board = true;
          break;
        case "announcement":
          this.announce({ id: write.id, text: write.text, at: write.at });
          break;
        case "session_end":
          this.endSession(write.tokenHash);
          break;
        case "extra_guesses":
          // An open page of the puzzle shows the guesses it now has (past the limit, its box on).
          this.teamEvent(write.teamId, "extra_guesses", {
            puzzle: write.puzzle,
            count: write.count,
          });
          break;
        case "checkin":
        case "session":
        case "password":
        case "idempotency":
        case "idempotency_evict":
        case "idempotency_prune":
        case "submitter":
        case "submitter_release":
        case "meta":
          break;
      }
    }
    if (unlocks.size > 0) {
      // With their titles: a phone whose next request fails (bad Wi-Fi) still names them.
      const { hunt } = this.options.engine();
      const title = (id: string) => hunt.puzzles[hunt.puzzleIndex.get(id) ?? -1]?.title ?? id;
      for (const [teamId, puzzles] of unlocks) {
        this.teamEvent(teamId, "unlock", { puzzles, titles: puzzles.map(title) });
      }
    }
    for (const [teamId, puzzles] of hints) {
      this.teamEvent(teamId, "puzzle_updated", { puzzles: [...puzzles], hints_only: true });
    }
    if (board) this.scoreboardChanged();
  }

  /**
   * A reload swapped in a hunt whose `[hunt]` keys named in `changed` differ:
   * the board may have changed, and when the start, the end or the release of
   * solutions moved, every stream gets the new times (`hunt`), since an open
   * page counts to them; each team hears of its puzzles in `updated`, of
   * those it had in `removed`, and of those it has again in `returned`.
   */
  reloaded(
    changed: readonly string[],
    updated: readonly PuzzleUpdate[] = [],
    removed: readonly PuzzleRemoval[] = [],
    returned: readonly PuzzleRemoval[] = [],
  ): void {
    this.scoreboardChanged();
    // (Told a slice of teams at a time: nobody waits for the last. A failure there leaves the
    // rest untold, whose pages show the new hunt on their next load; it must not end the process.)
    if (updated.length > 0) this.puzzlesUpdated(updated).catch((error) => console.error(error));
    if (removed.length > 0) this.puzzlesRemoved(removed);
    if (returned.length > 0) this.puzzlesReturned(returned);
    if (!TIMES.some((key) => changed.includes(key))) return;
    this.broadcast(this.format("hunt", huntTimes(this.options.engine())));
  }

  /**
   * Tells each team with a stream open which of `puzzles` (whose words, or the
   * hints it can take, a reload changed for it) it has unlocked
   * (`puzzle_updated`), so that its open pages draw them again: the words with a
   * note that says so, one event a puzzle; the hints alone (`hints_only`)
   * without, in one event that names them all (a change to `hint_tokens` is one
   * for every puzzle with an ask: one event a puzzle was hundreds a team). A team
   * that has not unlocked one, or for which nothing of it changed, hears nothing of it.
   * Looking at what changed for each team takes a while (a hint's rule changed on
   * 200 puzzles is 400,000 looks at 2,000 teams): the server answers others
   * between slices of teams (`UPDATE_SLICE`).
   */
  private async puzzlesUpdated(puzzles: readonly PuzzleUpdate[]): Promise<void> {
    const engine = this.options.engine();
    const now = engine.now();
    let looked = 0;
    // The teams with a stream open now: one that opens one meanwhile reads the new hunt.
    for (const teamId of [...this.byTeam.keys()]) {
      if (looked >= UPDATE_SLICE) {
        looked = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const team = engine.teams.get(teamId);
      if (team === undefined || (this.byTeam.get(teamId)?.size ?? 0) === 0) continue;
      looked += puzzles.length;
      const hints: string[] = [];
      for (const { puzzle, changeFor } of puzzles) {
        if (engine.unlockedPuzzle(team, puzzle, now) === undefined) continue;
        const change = changeFor(team);
        if (change === "words") this.teamEvent(teamId, "puzzle_updated", { puzzle });
        else if (change === "hints") hints.push(puzzle);
      }
      if (hints.length > 0) {
        this.teamEvent(teamId, "puzzle_updated", { puzzles: hints, hints_only: true });
      }
    }
  }

  /**
   * Tells each team with a stream open which of the puzzles a reload removed it
   * had unlocked (`puzzle_removed`), so that its open pages of them say they are
   * gone, and its open list draws itself again. Other teams hear nothing of them.
   */
  private puzzlesRemoved(removed: readonly PuzzleRemoval[]): void {
    for (const [teamId, clients] of this.byTeam) {
      if (clients.size === 0) continue;
      for (const { puzzle, teams } of removed) {
        if (teams.has(teamId)) this.teamEvent(teamId, "puzzle_removed", { puzzle });
      }
    }
  }

  /**
   * Tells each team with a stream open which puzzles a reload put back that it
   * has again (an earlier one removed them), as an unlock: its open list draws
   * itself again with them, and an open page of one that said it was removed
   * draws it again.
   */
  private puzzlesReturned(returned: readonly PuzzleRemoval[]): void {
    const { hunt } = this.options.engine();
    const title = (id: string) => hunt.puzzles[hunt.puzzleIndex.get(id) ?? -1]?.title ?? id;
    for (const [teamId, clients] of this.byTeam) {
      if (clients.size === 0) continue;
      const puzzles = returned.filter(({ teams }) => teams.has(teamId)).map((r) => r.puzzle);
      if (puzzles.length > 0) {
        this.teamEvent(teamId, "unlock", { puzzles, titles: puzzles.map(title) });
      }
    }
  }

  /** The newest announcement, for the pages' banner. */
  latestAnnouncement(): Announcement | undefined {
    return this.announcements.at(-1);
  }

  /** The newest `count` announcements, newest first, and how many there are, for their page. */
  latestAnnouncements(count: number): { latest: Announcement[]; total: number } {
    return {
      latest: this.announcements.slice(-count).reverse(),
      total: this.announcements.length,
    };
  }

  /** Sends an announcement to every stream, and keeps it for clients that resume. */
  announce(announcement: Announcement): void {
    if (announcement.id > this.lastAnnouncementId) this.announcements.push(announcement);
    this.lastAnnouncementId = Math.max(this.lastAnnouncementId, announcement.id);
    this.broadcast(this.format("announcement", announcement));
  }

  /** An event only the team's own streams get (its solves, wrong guesses and unlocks). */
  teamEvent(
    teamId: number,
    event:
      | "solve"
      | "wrong_guess"
      | "extra_guesses"
      | "unlock"
      | "submission"
      | "ask"
      | "puzzle_updated"
      | "puzzle_removed",
    data: unknown,
  ): void {
    const clients = this.byTeam.get(teamId);
    if (clients === undefined || clients.size === 0) return;
    const bytes = this.format(event, data, teamId);
    for (const client of clients) this.send(client, bytes);
  }

  /** An event for the organizers' streams only. */
  private adminEvent(event: "ask" | "submission", data: unknown): void {
    const bytes = this.format(event, data, ORGANIZERS);
    for (const client of this.admins) this.send(client, bytes);
  }

  /** A guess, to the organizers' streams only: the dashboard's live feed. */
  private guessEvent(write: Extract<Write, { kind: "guess" }>): void {
    const bytes = this.format("guess", {
      id: write.id,
      team: write.teamId,
      team_name: this.options.engine().teams.get(write.teamId)?.name ?? null,
      puzzle: write.puzzle,
      raw: write.raw,
      result: write.result,
      at: new Date(write.at).toISOString(),
    }, ORGANIZERS);
    for (const client of this.admins) this.send(client, bytes);
  }

  /**
   * Opens a stream: writes the retry line, the current scoreboard at once,
   * and the announcements after `lastEventId`. A team that already holds its
   * limit of streams loses its oldest one: most often a phone that left the
   * network without closing it, which would otherwise hold its place until
   * TCP gives up, many minutes later. An `admin` stream also gets the
   * organizers' events.
   */
  connect(
    teamId: number | undefined,
    sink: Sink,
    lastEventId?: string,
    options: {
      admin?: boolean;
      session?: string;
      view?: BoardView;
      division?: string;
      page?: number;
      /** The client's address, which a stream with no team and no organizer counts against. */
      address?: string;
    } = {},
  ): () => void {
    const held = teamId === undefined ? undefined : this.byTeam.get(teamId);
    if (held !== undefined && held.size >= this.perTeamLimit) {
      const oldest = held.values().next().value!;
      this.disconnect(oldest);
      oldest.sink.close?.();
    }
    const client: Client = {
      teamId,
      session: options.session,
      admin: options.admin === true,
      sink,
      behind: false,
      view: options.view ?? "full",
      division: options.view === "top" || options.view === "page" ? options.division : undefined,
      page: options.view === "page" ? options.page ?? 1 : undefined,
      shown: undefined,
      address: teamId === undefined && options.admin !== true ? options.address : undefined,
    };
    // The values the team's pages are drawn with, which the next push compares with.
    if (teamId !== undefined && this.shownValues.size === 0) this.valuesChanged();
    const board = this.scoreboard().json;
    // The first stream gets the board as it is, so every stream then holds it: a push of the same
    // board (a solve while frozen, when the freeze went out to no stream) is not sent. A later
    // stream that gets a board the others have not been pushed yet (a push held back) makes the
    // next push go out even if the board is back to what they hold.
    if (this.clients.size === 0) this.lastPushedBoard = board;
    else if (board !== this.lastPushedBoard) this.lastPushedBoard = "";
    let first = "retry: 3000\n\n";
    if (client.view !== "full") {
      this.teamViews++;
      client.shown = this.viewOf(client);
      first += this.formatText("scoreboard", client.shown);
    } else first += this.formatText("scoreboard", board);
    this.clients.add(client);
    if (client.admin) this.admins.add(client);
    if (client.address !== undefined) {
      this.byAddress.set(client.address, (this.byAddress.get(client.address) ?? 0) + 1);
    }
    if (teamId !== undefined) {
      let set = this.byTeam.get(teamId);
      if (set === undefined) this.byTeam.set(teamId, set = new Set());
      set.add(client);
    }
    const resumeFrom = lastEventId === undefined ? undefined : Number.parseInt(lastEventId, 10);
    if (resumeFrom !== undefined && Number.isFinite(resumeFrom)) {
      for (const announcement of this.announcementsAfter(resumeFrom)) {
        first += this.formatText("announcement", JSON.stringify(announcement), announcement.id);
      }
    }
    this.send(client, encoder.encode(first));
    // A page drawn just before a change of its puzzles' values, whose stream opens just after.
    const values = teamId === undefined ? undefined : this.recentValuesFor(teamId);
    if (values !== undefined) this.send(client, values);
    return () => this.disconnect(client);
  }

  /** The announcements after an id, oldest first. */
  private announcementsAfter(id: number): Announcement[] {
    let start = this.announcements.length;
    while (start > 0 && this.announcements[start - 1]!.id > id) start--;
    return this.announcements.slice(start);
  }

  /**
   * Ends the streams a session opened, once it has ended (a logout, or an
   * organizer's new password that logs the team's phones out): the phone's
   * page gets no more of its team's events, and its reconnection gets the
   * public stream.
   */
  private endSession(tokenHash: string): void {
    for (const client of [...this.clients]) {
      if (client.session !== tokenHash) continue;
      this.disconnect(client);
      client.sink.close?.();
    }
  }

  /** Ends every stream: a graceful stop would otherwise wait for them forever. */
  closeAll(): void {
    clearTimeout(this.valuesTimer);
    this.valuesTimer = undefined;
    for (const client of [...this.clients]) {
      this.disconnect(client);
      client.sink.close?.();
    }
  }

  /** A comment line to every stream, so proxies and the client know it is alive. */
  heartbeat(): void {
    this.broadcast(encoder.encode(": ping\n\n"));
  }

  private disconnect(client: Client): void {
    if (!this.clients.delete(client)) return;
    this.closedSinceAsked++;
    if (client.view !== "full") this.teamViews--;
    if (client.admin) this.admins.delete(client);
    if (client.address !== undefined) {
      const left = this.byAddress.get(client.address)! - 1;
      if (left === 0) this.byAddress.delete(client.address);
      else this.byAddress.set(client.address, left);
    }
    if (client.teamId === undefined) return;
    const set = this.byTeam.get(client.teamId);
    set?.delete(client);
    if (set?.size === 0) this.byTeam.delete(client.teamId);
  }

  private pushScoreboard(): void {
    this.pushTimer = undefined;
    this.lastPushAt = performance.now();
    this.valuesChangedMaybe();
    // With no stream open, the board is encoded only when someone asks for it.
    if (this.clients.size === 0) return;
    const { json } = this.scoreboard();
    // A frozen board does not change: nothing to send, but a hidden team's own row may have.
    if (json === this.lastPushedBoard) return this.pushHiddenRows();
    this.lastPushedBoard = json;
    const event = this.formatText("scoreboard", json);
    let sent: number;
    if (this.teamViews === 0) {
      const bytes = encoder.encode(event);
      sent = bytes.length * this.clients.size;
      this.broadcast(bytes);
    } else sent = this.pushViews(event, event.slice(0, event.indexOf("\nevent: ")));
    this.pushWindowMs = Math.max(this.coalesceMs, sent / this.pushBytesPerMs);
  }

  /**
   * A push may have changed the puzzles' values: they go out now, or at the end of the values'
   * window (`valuesEveryMs`, or as long as the last values' bytes take), with every change since.
   */
  private valuesChangedMaybe(): void {
    if (this.valuesTimer !== undefined) return;
    // One push at a time, so that no team gets older values after newer ones.
    if (this.valuesSending) {
      this.valuesAgain = true;
      return;
    }
    const wait = this.lastValuesAt + this.valuesWindowMs - performance.now();
    if (wait <= 0) return this.pushPuzzleValues();
    this.valuesTimer = setTimeout(() => {
      this.valuesTimer = undefined;
      this.pushPuzzleValues();
    }, wait);
    // It keeps no process alive by itself: once the streams are closed, nobody waits for it.
    (this.valuesTimer as { unref?: () => void }).unref?.();
  }

  /**
   * Another team's solve changes what the puzzle lists and pages show: a dynamic puzzle's points,
   * and its count of solves where the hunt shows them (`show_solves`). Each team with a stream
   * open is sent the new values of the puzzles it has unlocked whose values changed since the last
   * push (`puzzle_values`), as its list shows them (frozen: as at the freeze, so nothing changes
   * until the reveal), with an id counted for that team alone: the stream does not tell the team
   * of puzzles it has not unlocked. A hunt whose values cannot change (fixed points, no counts
   * shown) sends none, and looks at nothing. Its bytes make the next one wait as the board's do
   * theirs (a reveal after a long freeze can change every puzzle for every team). It is written
   * `valuesSlice` streams a turn, the first slice at once; the next push waits for its last.
   */
  private pushPuzzleValues(): void {
    const changed = this.valuesChanged();
    if (changed.length === 0) return;
    // Noted first: a team's stream that opens while the slices go gets them too.
    this.recentValues.push({ at: performance.now(), puzzles: changed });
    this.forgetOldValues();
    const teams = [...this.byTeam.keys()];
    const push = { next: 0, sent: 0 };
    this.sendValues(teams, changed, push);
    if (push.next >= teams.length) return this.valuesSent(push.sent);
    // The rest a slice a turn, the server answering what waits between them.
    this.valuesSending = true;
    const more = () => {
      try {
        this.sendValues(teams, changed, push);
      } catch (error) {
        // Those not told yet read the values on their next load; the process must not end.
        console.error(error);
        push.next = teams.length;
      }
      if (push.next < teams.length) return void setTimeout(more, 0);
      this.valuesSending = false;
      this.valuesSent(push.sent);
      if (!this.valuesAgain) return;
      this.valuesAgain = false;
      this.valuesChangedMaybe();
    };
    setTimeout(more, 0);
  }

  /**
   * Writes `puzzle_values` of the `changed` puzzles to one slice of streams (`valuesSlice`), from
   * the team `push.next` of `teams` on. Each team's values are read as its turn comes, so a slice
   * never sends values older than the engine's.
   */
  private sendValues(
    teams: readonly number[],
    changed: readonly Puzzle[],
    push: { next: number; sent: number },
  ): void {
    const engine = this.options.engine();
    const now = engine.now();
    const frozenAt = this.options.frozenAt(now);
    let written = 0;
    while (push.next < teams.length && written < this.valuesSlice) {
      const teamId = teams[push.next++]!;
      const clients = this.byTeam.get(teamId);
      const team = engine.teams.get(teamId);
      if (team === undefined || clients === undefined || clients.size === 0) continue;
      const puzzles = [];
      for (const { id } of changed) {
        // A reload since the push began may have removed it, or moved it.
        const puzzle = engine.unlockedPuzzle(team, id, now);
        if (puzzle === undefined) continue;
        puzzles.push({
          id,
          points: engine.pointsShown(team, puzzle, frozenAt),
          // (JSON leaves it out while undefined.)
          solves: engine.hunt.showSolves ? engine.solvesShown(team, puzzle, frozenAt) : undefined,
        });
      }
      if (puzzles.length === 0) continue;
      const bytes = this.format("puzzle_values", { puzzles }, teamId);
      for (const client of clients) this.send(client, bytes);
      push.sent += bytes.length * clients.size;
      written += clients.size;
    }
  }

  /** A `puzzle_values` push is done: its bytes make the next one wait, as the board's do. */
  private valuesSent(sent: number): void {
    this.lastValuesAt = performance.now();
    this.valuesWindowMs = Math.max(this.valuesEveryMs, sent / this.pushBytesPerMs);
  }

  /** Drops the `recentValues` older than `VALUES_RECENT_MS`. */
  private forgetOldValues(): void {
    const since = performance.now() - VALUES_RECENT_MS;
    while (this.recentValues.length > 0 && this.recentValues[0]!.at < since) {
      this.recentValues.shift();
    }
  }

  /**
   * The values of the puzzles a recent `puzzle_values` push changed, for a team's stream that
   * opens now: the event's bytes, if the team has any of them unlocked.
   */
  private recentValuesFor(teamId: number): Uint8Array | undefined {
    this.forgetOldValues();
    if (this.recentValues.length === 0) return undefined;
    const engine = this.options.engine();
    const team = engine.teams.get(teamId);
    if (team === undefined) return undefined;
    const now = engine.now();
    const frozenAt = this.options.frozenAt(now);
    const showSolves = engine.hunt.showSolves;
    const puzzles = new Map<string, { id: string; points: number; solves?: number }>();
    for (const { puzzles: changed } of this.recentValues) {
      for (const puzzle of changed) {
        // A reload since may have removed it, or moved it.
        const current = engine.unlockedPuzzle(team, puzzle.id, now);
        if (current === undefined || puzzles.has(current.id)) continue;
        puzzles.set(current.id, {
          id: current.id,
          points: engine.pointsShown(team, current, frozenAt),
          ...(showSolves && { solves: engine.solvesShown(team, current, frozenAt) }),
        });
      }
    }
    if (puzzles.size === 0) return undefined;
    return this.format("puzzle_values", { puzzles: [...puzzles.values()] }, teamId);
  }

  /**
   * The puzzles whose points or solves (`shownValues`) changed since it was last called; none the
   * first time, which only notes them, as do the pages drawn then.
   */
  private valuesChanged(): Puzzle[] {
    const engine = this.options.engine();
    const { hunt } = engine;
    if (!hunt.showSolves && engine.dynamicPuzzles.length === 0) {
      this.shownValues.clear();
      return [];
    }
    const frozenAt = this.options.frozenAt(engine.now());
    const first = this.shownValues.size === 0;
    const changed: Puzzle[] = [];
    for (const puzzle of hunt.puzzles) {
      const { points, solves } = engine.publicValues(puzzle, frozenAt);
      const before = this.shownValues.get(puzzle.id);
      this.shownValues.set(puzzle.id, { points, solves });
      if (first) continue;
      // The count is noted hidden or not: a reload that starts or stops showing it
      // (`show_solves`) changes no value, and the pages drawn before have no count to move.
      if (
        before === undefined || before.points !== points ||
        (hunt.showSolves && before.solves !== solves)
      ) changed.push(puzzle);
    }
    return changed;
  }

  /**
   * A push to streams of every view: the whole board to `full` ones; to each
   * other one its view of the board, unless that is what it was last sent. Every
   * stream's event has the same id. Returns the bytes sent.
   */
  private pushViews(event: string, idLine: string): number {
    let sent = 0;
    let full: Uint8Array | undefined;
    /**
     * Per view and team (NO_TEAM for none), for `top` and `page` per division too, and for `page`
     * per page: its view for this push, and its bytes once a stream needs them.
     */
    const views = {
      team: new Map<number | string, { view: string; bytes?: Uint8Array }>(),
      top: new Map<number | string, { view: string; bytes?: Uint8Array }>(),
      page: new Map<number | string, { view: string; bytes?: Uint8Array }>(),
    };
    for (const client of this.clients) {
      if (client.view === "full") {
        this.send(client, full ??= encoder.encode(event));
        sent += full.length;
        continue;
      }
      const teamKey = client.teamId ?? NO_TEAM;
      const key = client.division === undefined && client.page === undefined
        ? teamKey
        : `${client.division ?? ""}\n${client.page ?? ""}\n${teamKey}`;
      const kept = views[client.view];
      let team = kept.get(key);
      if (team === undefined) kept.set(key, team = { view: this.viewOf(client) });
      if (client.shown === team.view) continue;
      client.shown = team.view;
      this.send(
        client,
        team.bytes ??= encoder.encode(`${idLine}\nevent: scoreboard\ndata: ${team.view}\n\n`),
      );
      sent += team.bytes.length;
    }
    return sent;
  }

  /**
   * A change that left the public board as it was (a hidden team's hint or
   * adjustment) may have changed a hidden team's own row: its `team` streams
   * get it, with an id counted for that team alone, as its other own events.
   */
  private pushHiddenRows(): void {
    if (this.teamViews === 0 || this.cached().rows.frozen) return;
    const engine = this.options.engine();
    const views = new Map<number, Uint8Array>();
    for (const client of this.clients) {
      if (client.view !== "team" || client.teamId === undefined) continue;
      if (engine.teams.get(client.teamId)?.hidden !== true) continue;
      const view = this.teamView(client.teamId);
      if (client.shown === view) continue;
      client.shown = view;
      let bytes = views.get(client.teamId);
      if (bytes === undefined) {
        views.set(client.teamId, bytes = this.formatOwn("scoreboard", view, client.teamId));
      }
      this.send(client, bytes);
    }
  }

  private broadcast(bytes: Uint8Array): void {
    for (const client of this.clients) this.send(client, bytes);
  }

  private send(client: Client, bytes: Uint8Array): void {
    if (client.sink.closed) {
      this.disconnect(client);
      return;
    }
    // A client that is still behind from an earlier write is closed rather
    // than buffered for without bound; it reconnects, and its Last-Event-ID
    // replays the announcements it missed.
    if (client.behind) return this.drop(client);
    try {
      const pending = client.sink.write(bytes);
      // A promise means the transport's buffer is past its high-water mark.
      if (pending instanceof Promise) {
        client.behind = true;
        pending.then(() => client.behind = false, () => this.drop(client));
      }
    } catch {
      this.drop(client);
    }
  }

  /** Leaves a stream and ends its response, which would otherwise stay open with nothing to send. */
  private drop(client: Client): void {
    this.disconnect(client);
    try {
      client.sink.close?.();
    } catch {
      // The transport is already closed.
    }
  }

  /** An event's bytes; with `audience` (a team's id, or ORGANIZERS), one only they are sent. */
  private format(event: string, data: unknown, audience?: number): Uint8Array {
    const json = JSON.stringify(data);
    if (audience === undefined) return encoder.encode(this.formatText(event, json));
    return this.formatOwn(event, json, audience);
  }

  /** The bytes of an event only `audience` is sent, its JSON given. */
  private formatOwn(event: string, json: string, audience: number): Uint8Array {
    // Not counted in the public sequence: a gap in it would tell of another team's solve.
    const own = (this.ownSequences.get(audience) ?? 0) + 1;
    this.ownSequences.set(audience, own);
    const id = `${this.lastAnnouncementId}.${this.sequence}.${own}`;
    return encoder.encode(`id: ${id}\nevent: ${event}\ndata: ${json}\n\n`);
  }

  private formatText(event: string, json: string, announcementId?: number): string {
    const id = `${announcementId ?? this.lastAnnouncementId}.${++this.sequence}`;
    return `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
  }
}

/**
 * When the hunt starts and ends, as `GET /api/hunt` and the `hunt` event say them: ISO 8601, or
 * null for an end that is not set. The pages draw the same (ui/_page.ts) to tell they are behind.
 */
export function huntTimes(
  engine: Engine,
): { starts_at: string; ends_at: string | null; solutions_at: string | null } {
  const { endsAt, solutionsAt } = engine.hunt;
  return {
    starts_at: new Date(engine.startsAt).toISOString(),
    ends_at: endsAt === undefined ? null : new Date(endsAt).toISOString(),
    solutions_at: solutionsAt === undefined ? null : new Date(solutionsAt).toISOString(),
  };
}

/**
 * A puzzle a reload changed for some teams: what changed for a team (the new
 * engine's), if anything: its words (as variants are dealt out by
 * registration order, they may change for some teams only), or only what the
 * team can take of its hints.
 */
export interface PuzzleUpdate {
  puzzle: string;
  changeFor(team: Team): "words" | "hints" | undefined;
}

/**
 * A puzzle a reload removed, and the ids of the teams that had it unlocked then;
 * or one it put back, and those that have it unlocked again.
 */
export interface PuzzleRemoval {
  puzzle: string;
  teams: ReadonlySet<number>;
}

/**
 * How many of a team's puzzles a reload's `puzzle_updated` looks at before the
 * server answers others (a slice of teams, each whole): about 10 ms of a loaded
 * server's time.
 */
export const UPDATE_SLICE = 1_000;

/** The `[hunt]` keys whose change a reload tells every stream of (`hunt`). */
const TIMES = ["starts_at", "ends_at", "solutions_at"];

/** The public scoreboard: frozen at the freeze time while frozen. */
export function publicBoard(
  engine: Engine,
  frozenAt: (now: number) => number | undefined,
  division?: string,
): { frozen: boolean; teams: PublicRow[] } {
  const { frozen, teams } = boardRows(engine, frozenAt, division);
  return { frozen, teams };
}

/**
 * The public scoreboard (frozen at the freeze time while frozen), with each
 * row's team id beside it, which the board itself does not show.
 */
function boardRows(
  engine: Engine,
  frozenAt: (now: number) => number | undefined,
  division?: string,
): BoardRows {
  const at = frozenAt(engine.now());
  const rows = engine.standings({
    ...(at !== undefined && { at }),
    ...(division !== undefined && { division }),
  });
  const ids: number[] = [];
  const teams = rows.map((row): PublicRow => {
    ids.push(row.team.id);
    return {
      rank: row.rank,
      name: row.team.name,
      division: row.team.division,
      score: row.score,
      solves: row.solves,
      last_solve_at: row.lastSolveAt === null ? null : new Date(row.lastSolveAt).toISOString(),
    };
  });
  return { frozen: at !== undefined, teams, ids };
}
