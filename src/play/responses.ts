/**
 * What the API answers, written once as valibot schemas: the OpenAPI document
 * (`openapi.ts`) is converted from them, the replies' types are inferred from
 * them, and the HTTP tests check every response body against them. Objects
 * are strict, so a field added or renamed without its schema fails the tests.
 */
import * as v from "valibot";
import { type ErrorCode, ERRORS } from "./errors.ts";

const Int = v.pipe(v.number(), v.integer());
const Time = v.pipe(v.string(), v.isoTimestamp());
const Ids = v.array(v.string());

/** The error envelope every refusal is sent in; `codes` narrows `code` to a route's codes. */
export function errorEnvelope(codes: readonly ErrorCode[] = Object.keys(ERRORS) as ErrorCode[]) {
  return v.strictObject({
    error: v.strictObject({ code: v.picklist(codes), message: v.string() }),
  });
}

/** `POST /api/admin/reload`'s 400: the envelope, with every error of the hunt file when it has some. */
export const ReloadErrorEnvelope = v.strictObject({
  error: v.strictObject({
    code: v.literal("bad_request"),
    message: v.string(),
    errors: v.pipe(
      v.optional(v.array(v.string())),
      v.description("Each error of the hunt file, located (absent for a bad request body)"),
    ),
  }),
});

export const Health = v.strictObject({
  ok: v.literal(true),
  db: v.literal("writable"),
  /** Only where nodes share a log, and this node's hunt is not the one recorded last. */
  hunt: v.optional(v.literal("differs")),
});

export const HuntInfo = v.strictObject({
  title: v.string(),
  starts_at: v.nullable(Time),
  ends_at: v.nullable(Time),
  freeze_at: v.nullable(Time),
  solutions_at: v.pipe(
    v.nullable(Time),
    v.description("From when every team sees the solutions of its puzzles (solutions_at), or null"),
  ),
  running: v.boolean(),
  registration: v.picklist(["open", "code", "closed"]),
  divisions: v.array(v.string()),
  team_size: v.strictObject({ min: Int, max: v.nullable(Int) }),
});

/** The hunt's stats for everyone, from `solutions_at`. */
export const HuntStats = v.strictObject({
  puzzles: v.array(v.strictObject({
    id: v.string(),
    title: v.string(),
    round: v.string(),
    unlocked: v.pipe(Int, v.description("Visible teams that had it unlocked")),
    solves: Int,
    first_solve: v.nullable(v.strictObject({ team: v.string(), at: Time })),
    median_solve_seconds: v.pipe(
      v.nullable(Int),
      v.description("Median of solve time minus unlock time over its solvers; null without"),
    ),
    wrong_guesses: Int,
    common_wrong: v.array(v.strictObject({ answer: v.string(), count: Int })),
  })),
});

export const ScoreboardRow = v.strictObject({
  rank: Int,
  name: v.string(),
  division: v.nullable(v.string()),
  score: Int,
  solves: Int,
  last_solve_at: v.nullable(Time),
});
export const Scoreboard = v.strictObject({ frozen: v.boolean(), teams: v.array(ScoreboardRow) });
/** A part of the board (`limit`, `offset`, `around`), with the count of all its teams. */
export const ScoreboardPart = v.strictObject({
  frozen: v.boolean(),
  total: v.pipe(Int, v.description("The teams on the whole board (of the division)")),
  offset: v.pipe(Int, v.description("The place of the first row sent in the board, from 0")),
  teams: v.array(ScoreboardRow),
});

export const ScoreHistory = v.strictObject({
  frozen: v.boolean(),
  teams: v.array(v.strictObject({
    name: v.string(),
    points: v.array(v.strictObject({ at: Time, score: Int })),
  })),
});

/** CTFtime's scoreboard feed (ctftime.org/json-scoreboard-feed). */
export const CtftimeFeed = v.strictObject({
  tasks: v.array(v.string()),
  standings: v.array(v.strictObject({
    pos: Int,
    team: v.string(),
    score: Int,
    taskStats: v.record(v.string(), v.strictObject({ points: Int, time: Int })),
    lastAccept: v.optional(Int),
  })),
});

export const RegisterReply = v.strictObject({
  team: v.strictObject({ id: Int, name: v.string() }),
  token: v.string(),
});
export type RegisterReply = v.InferOutput<typeof RegisterReply>;
export const LoginReply = v.strictObject({ token: v.string() });
export const LogoutReply = v.strictObject({ ok: v.literal(true) });

/** A puzzle's solves, where the hunt shows them. */
const Solves = v.pipe(
  v.optional(Int),
  v.description(
    "How many teams solved it, where the hunt shows solves (show_solves); while the board is frozen, those by the freeze and the team's own",
  ),
);

export const PuzzleList = v.strictObject({
  puzzles: v.array(v.strictObject({
    id: v.string(),
    title: v.string(),
    round: v.string(),
    points: Int,
    solved: v.boolean(),
    solves: Solves,
    pending: v.pipe(
      v.optional(v.literal(true)),
      v.description("A mission whose latest submission waits for a judge; absent otherwise"),
    ),
  })),
});

export const PuzzleDetail = v.strictObject({
  id: v.string(),
  title: v.string(),
  round: v.string(),
  points: Int,
  solves: Solves,
  body_html: v.string(),
  choices: v.pipe(
    v.optional(v.array(v.string())),
    v.description(
      "A multiple-choice puzzle's choices (the team's variant's), in the hunt file's order; a guess must be one of them. Absent on a puzzle answered in words",
    ),
  ),
  solved: v.boolean(),
  solution_html: v.pipe(
    v.optional(v.string()),
    v.description("The puzzle's solution, once the team solved it, if the hunt gives one"),
  ),
  hints: v.array(v.strictObject({
    id: v.string(),
    kind: v.pipe(
      v.optional(v.literal("ask")),
      v.description(
        '"ask": an organizer answers the team\'s question (POST …/asks); absent: a text hint',
      ),
    ),
    title: v.pipe(
      v.optional(v.string()),
      v.description("What the hint is about, shown before it is taken, if the hunt gives one"),
    ),
    cost: Int,
    available: v.boolean(),
    taken: v.boolean(),
    text: v.pipe(
      v.optional(v.string()),
      v.description("Only once the hint is taken; an ask's prompt, if it has one, at once"),
    ),
  })),
});

export const GuessReply = v.strictObject({
  result: v.picklist(["correct", "incorrect", "partial", "already_solved"]),
  message: v.optional(v.string()),
  unlocked: v.pipe(Ids, v.description("The puzzles this guess newly unlocked")),
});
export type GuessReply = v.InferOutput<typeof GuessReply>;

/** A team's guesses on a puzzle, as its players see them. */
export const TeamGuessList = v.strictObject({
  guesses: v.array(v.strictObject({
    answer: v.pipe(v.string(), v.description("What was typed, as it was sent")),
    result: v.picklist(["correct", "incorrect", "partial"]),
    message: v.pipe(
      v.optional(v.string()),
      v.description("A wrong guess's message, as the puzzle gives it now (a partial's words)"),
    ),
    at: v.pipe(Time, v.description("When it reached the server")),
  })),
});

export const HintReply = v.strictObject({ id: v.string(), text: v.string(), cost: Int });
export type HintReply = v.InferOutput<typeof HintReply>;
export const TakenHint = v.strictObject({ hint: HintReply });

export const CheckInReply = v.strictObject({
  puzzle: v.string(),
  unlocked: v.pipe(Ids, v.description("The puzzles this check-in newly unlocked")),
  titles: v.pipe(
    v.record(v.string(), v.string()),
    v.description("The titles of `puzzle` and of each puzzle in `unlocked`, by id"),
  ),
});
export type CheckInReply = v.InferOutput<typeof CheckInReply>;

const TeamSummary = v.strictObject({
  id: Int,
  name: v.string(),
  division: v.nullable(v.string()),
  members: v.array(v.string()),
  score: Int,
  solves: Int,
  hidden: v.pipe(
    v.boolean(),
    v.description("Hidden from the public standings by an organizer (it still plays)"),
  ),
  banned: v.pipe(
    v.boolean(),
    v.description("Banned by an organizer: hidden, and no longer logs in or plays"),
  ),
  created_at: v.nullable(Time),
  last_activity_at: v.nullable(Time),
});
export const AdminTeams = v.strictObject({ teams: v.array(TeamSummary) });

const GuessResult = v.picklist(["correct", "incorrect", "partial"]);
/** For an action made offline: when it counts, and why the organizers should look at it. */
const EffectiveAt = v.pipe(
  v.optional(Time),
  v.description("When a guess made offline counts (absent: when it arrived, `at`)"),
);
const Flag = v.pipe(
  v.optional(v.picklist(["clamped", "late"])),
  v.description(
    "An action made offline: its claimed time was clamped, or it arrived over 10 min late",
  ),
);
export const AdminTeam = v.strictObject({
  team: TeamSummary,
  guesses: v.array(v.strictObject({
    id: Int,
    puzzle: v.string(),
    raw: v.string(),
    normalized: v.string(),
    result: GuessResult,
    at: v.nullable(Time),
    effective_at: EffectiveAt,
    flag: Flag,
  })),
  hints: v.array(
    v.strictObject({ puzzle: v.string(), hint: v.string(), at: v.nullable(Time), flag: Flag }),
  ),
  checkins: v.array(v.strictObject({ puzzle: v.string(), at: v.nullable(Time), flag: Flag })),
  adjustments: v.array(v.strictObject({
    id: Int,
    points: Int,
    reason: v.string(),
    at: v.nullable(Time),
  })),
  routes: v.array(v.strictObject({ id: v.string(), stops: Ids })),
  variants: v.array(v.strictObject({ puzzle: v.string(), variant: Int })),
});

/** A stored guess's fields, as the export and the organizers' feed both give them. */
const GUESS_ROW = {
  id: Int,
  team: Int,
  team_name: v.string(),
  puzzle: v.string(),
  raw: v.string(),
  normalized: v.string(),
  result: GuessResult,
  at: v.nullable(Time),
};

export const GuessFeed = v.strictObject({
  guesses: v.array(v.strictObject({ ...GUESS_ROW, effective_at: EffectiveAt, flag: Flag })),
});

export const AnnouncementReply = v.strictObject({
  announcement: v.strictObject({ id: Int, text: v.string(), at: v.nullable(Time) }),
});
export const AdjustmentReply = v.strictObject({
  adjustment: v.strictObject({ id: Int, team: Int, points: Int, reason: v.string() }),
  unlocked: Ids,
});
export const ExtraGuessesReply = v.strictObject({
  extra_guesses: v.strictObject({ team: Int, puzzle: v.string(), count: Int }),
});
export const FreezeReply = v.strictObject({ frozen: v.boolean() });
export const SubmitterReleased = v.strictObject({ released: v.boolean() });
const TeamRef = v.strictObject({ id: Int, name: v.string() });
export const TeamRenamed = v.strictObject({ team: TeamRef });
export const TeamHidden = v.strictObject({
  team: v.strictObject({ id: Int, name: v.string(), hidden: v.boolean() }),
});
export const TeamBanned = v.strictObject({
  team: v.strictObject({ id: Int, name: v.string(), hidden: v.boolean(), banned: v.boolean() }),
  sessions_ended: v.pipe(Int, v.description("How many of the team's sessions the ban ended")),
});
export const TeamPasswordSet = v.strictObject({
  team: TeamRef,
  sessions_ended: v.pipe(
    Int,
    v.description("How many of the team's sessions ended (0 unless `logout` was true)"),
  ),
});
export const ReloadReply = v.strictObject({
  reloaded: v.literal(true),
  added: Ids,
  removed: Ids,
  changed: Ids,
  reassigned: v.pipe(Ids, v.description("Puzzles whose variants were dealt out again")),
  rerouted: v.pipe(Int, v.description("Team route orders given anew")),
  hunt: v.pipe(Ids, v.description("The [hunt] keys whose value changed, such as ends_at")),
  puzzles: Int,
});

export const AdminStats = v.strictObject({
  puzzles: v.array(v.strictObject({
    id: v.string(),
    title: v.string(),
    round: v.string(),
    unlocked: Int,
    solves: Int,
    median_solve_seconds: v.nullable(Int),
    wrong_guesses: Int,
  })),
  guesses_per_minute: v.array(v.strictObject({ at: Time, guesses: Int, correct: Int })),
});

export const Results = v.strictObject({
  teams: v.array(v.strictObject({
    id: Int,
    name: v.string(),
    division: v.nullable(v.string()),
    members: v.array(v.string()),
    created_at: v.nullable(Time),
    hidden: v.pipe(
      v.boolean(),
      v.description("Hidden from the standings by an organizer: not on the `scoreboard`"),
    ),
    banned: v.pipe(v.boolean(), v.description("Banned by an organizer (and so hidden)")),
  })),
  solves: v.array(v.strictObject({
    team: Int,
    team_name: v.string(),
    puzzle: v.string(),
    guess_id: v.pipe(v.nullable(Int), v.description("null for an accepted mission")),
    at: v.nullable(Time),
  })),
  guesses: v.array(v.strictObject(GUESS_ROW)),
  scoreboard: v.array(v.strictObject({
    rank: Int,
    team: Int,
    name: v.string(),
    division: v.nullable(v.string()),
    score: Int,
    solves: Int,
    last_solve_at: v.nullable(Time),
  })),
  routes: v.array(v.strictObject({
    team: Int,
    route: v.string(),
    stops: Ids,
    at: v.nullable(Time),
  })),
  hints: v.array(v.strictObject({
    team: Int,
    team_name: v.string(),
    puzzle: v.string(),
    hint: v.string(),
    cost: v.nullable(Int),
    at: v.nullable(Time),
  })),
  checkins: v.array(v.strictObject({
    team: Int,
    team_name: v.string(),
    puzzle: v.string(),
    at: v.nullable(Time),
  })),
  adjustments: v.array(v.strictObject({
    id: Int,
    team: Int,
    team_name: v.string(),
    points: Int,
    reason: v.string(),
    at: v.nullable(Time),
  })),
  submissions: v.array(v.strictObject({
    id: Int,
    team: Int,
    team_name: v.string(),
    puzzle: v.string(),
    submit: v.picklist(["photo", "video", "text"]),
    status: v.picklist(["pending", "accepted", "rejected"]),
    points: Int,
    message: v.nullable(v.string()),
    text: v.nullable(v.string()),
    file: v.pipe(
      v.nullable(v.string()),
      v.description("The file's content hash and extension, as `cairn export --files` names it"),
    ),
    type: v.nullable(v.string()),
    size: Int,
    at: v.nullable(Time),
    accepted_at: v.nullable(Time),
    judged_at: v.nullable(Time),
  })),
  asks: v.array(v.strictObject({
    id: Int,
    team: Int,
    team_name: v.string(),
    puzzle: v.string(),
    hint: v.string(),
    question: v.string(),
    cost: v.pipe(Int, v.description("The points charged (paid back when refused or withdrawn)")),
    token: v.pipe(v.boolean(), v.description("Whether it took a hint token")),
    status: v.picklist(["open", "answered", "refused", "withdrawn"]),
    answer: v.nullable(v.string()),
    at: v.nullable(Time),
    closed_at: v.nullable(Time),
  })),
});

const AskStatus = v.picklist(["open", "answered", "refused", "withdrawn"]);
const AskFields = {
  id: Int,
  puzzle: v.string(),
  hint: v.string(),
  question: v.string(),
  status: AskStatus,
  answer: v.pipe(
    v.nullable(v.string()),
    v.description("The organizer's answer, or a refusal's message"),
  ),
  cost: v.pipe(Int, v.description("The points it cost (paid back when refused or withdrawn)")),
  token: v.pipe(v.boolean(), v.description("Whether it took a hint token")),
  at: Time,
  closed_at: v.nullable(Time),
};

/** A team's hint tokens (with `[hunt] hint_tokens`). */
export const HintTokensInfo = v.strictObject({
  left: Int,
  given: Int,
  spent: Int,
  next_at: v.pipe(v.nullable(Time), v.description("When the next token comes, or null")),
});

/** A question on an ask hint, as its team sees it. */
export const AskInfo = v.strictObject(AskFields);
export const AskReply = v.strictObject({ ask: AskInfo });
export const AskList = v.strictObject({
  asks: v.array(AskInfo),
  tokens: v.pipe(
    v.nullable(HintTokensInfo),
    v.description("The team's hint tokens, or null when the hunt gives none"),
  ),
});
/** An ask as organizers see it: with its team and the team's guesses on the puzzle. */
export const AdminAsk = v.strictObject({
  ...AskFields,
  team: Int,
  team_name: v.string(),
  guesses: v.array(v.strictObject({ id: Int, raw: v.string(), result: GuessResult, at: Time })),
});
export const AdminAskList = v.strictObject({ asks: v.array(AdminAsk) });
export const AdminAskReply = v.strictObject({
  ask: v.strictObject({ ...AskFields, team: Int, team_name: v.string() }),
});

/** The data of each SSE event type (the `data:` line, as JSON). */
const SubmissionFields = {
  id: Int,
  puzzle: v.string(),
  submit: v.picklist(["photo", "video", "text"]),
  status: v.picklist(["pending", "accepted", "rejected"]),
  points: v.pipe(Int, v.description("The points it earns (or would, once accepted)")),
  message: v.pipe(v.nullable(v.string()), v.description("A rejection's message to the team")),
  text: v.pipe(v.nullable(v.string()), v.description("A text mission's answer")),
  type: v.pipe(v.nullable(v.string()), v.description("The file's sniffed media type")),
  size: v.pipe(Int, v.description("The file's size in bytes (0 for a text)")),
  at: Time,
};

/** A mission's submission, as its team sees it. */
export const SubmissionInfo = v.strictObject(SubmissionFields);
export const SubmissionReply = v.strictObject({ submission: SubmissionInfo });
export const SubmissionList = v.strictObject({ submissions: v.array(SubmissionInfo) });
/** As the judges see it: with its flag, when it was sent from a phone's outbox. */
const JudgedSubmissionFields = { ...SubmissionFields, flag: Flag };
export const ClaimReply = v.strictObject({
  submission: v.pipe(
    v.nullable(v.strictObject(JudgedSubmissionFields)),
    v.description("The claimed submission, or null when none is waiting"),
  ),
});
export const VerdictReply = v.strictObject({
  submission: v.strictObject({ ...JudgedSubmissionFields, unlocked: Ids }),
});

/** A hidden team's own row, in its streams' `team` view: no rank, as it takes no place. */
const HiddenTeamRow = v.strictObject({ ...ScoreboardRow.entries, rank: v.null() });

export const EVENTS = {
  scoreboard: v.pipe(
    v.union([
      Scoreboard,
      v.strictObject({ frozen: v.boolean(), total: Int, teams: v.array(ScoreboardRow) }),
      v.strictObject({
        frozen: v.boolean(),
        total: Int,
        page: Int,
        teams: v.array(ScoreboardRow),
      }),
      v.strictObject({ frozen: v.literal(false), teams: v.tuple([HiddenTeamRow]) }),
    ]),
    v.description(
      "The public scoreboard; sent first, then on change. With `?scoreboard=top`, " +
        "`{frozen, total, teams}`: the rows a team's standings page shows (up to 60 whole; " +
        "else the top 50, then the team's own with 3 above and below). With " +
        "`?scoreboard=page`, `{frozen, total, page, teams}`: that page's 100 rows, then the " +
        "team's own if it is on another page. With " +
        "`?scoreboard=team`, the team's own row alone; a hidden team's has `rank: null` " +
        "(its own streams only, while the board is not frozen)",
    ),
  ),
  announcement: v.pipe(
    v.strictObject({ id: Int, text: v.string(), at: v.pipe(Int, v.description("Epoch ms")) }),
    v.description("An organizer's announcement; its id resumes with Last-Event-ID"),
  ),
  hunt: v.pipe(
    v.strictObject({ starts_at: Time, ends_at: v.nullable(Time), solutions_at: v.nullable(Time) }),
    v.description(
      "A reload moved the hunt's start, its end or its release of solutions: the new times, as " +
        "GET /api/hunt gives them",
    ),
  ),
  solve: v.pipe(
    v.strictObject({
      puzzle: v.string(),
      request: v.optional(
        v.pipe(v.string(), v.description("The solving guess's X-Request-Id, when it had one")),
      ),
    }),
    v.description("The team solved a puzzle (a team's own streams only)"),
  ),
  wrong_guess: v.pipe(
    v.strictObject({
      puzzle: v.string(),
      request: v.optional(
        v.pipe(v.string(), v.description("The guess's X-Request-Id, when it had one")),
      ),
    }),
    v.description(
      "The team made a wrong guess (incorrect or partial) on a puzzle, which counts against its " +
        "guess limit and its hints' `wrong_guesses()` (a team's own streams only)",
    ),
  ),
  extra_guesses: v.pipe(
    v.strictObject({ puzzle: v.string(), count: Int }),
    v.description(
      "An organizer gave the team `count` more guesses on a puzzle, past its limit (a team's " +
        "own streams only)",
    ),
  ),
  puzzle_updated: v.pipe(
    v.union([
      v.strictObject({ puzzle: v.string() }),
      v.strictObject({
        puzzles: v.pipe(
          v.array(v.string()),
          v.description("The puzzles whose hints the team can take changed, each at most once"),
        ),
        hints_only: v.pipe(
          v.literal(true),
          v.description(
            "Only the team's hints of these puzzles changed (a hint's rule, the hunt's hint " +
              "tokens, or a hint the team took): open pages of them draw their hints again, with " +
              "no note",
          ),
        ),
      }),
    ]),
    v.description(
      "A reload changed the words of a puzzle the team has unlocked (its title, points, body, " +
        "solution or a hint: `{puzzle}`, one event a puzzle), or the hints it can take of some " +
        "(`{puzzles, hints_only}`, one event for all, as after a hint the team took): open pages " +
        "draw it again (a team's own streams only)",
    ),
  ),
  puzzle_removed: v.pipe(
    v.strictObject({ puzzle: v.string() }),
    v.description(
      "A reload removed a puzzle the team had unlocked: open pages of it say so, and an open " +
        "list draws itself again (a team's own streams only)",
    ),
  ),
  puzzle_values: v.pipe(
    v.strictObject({
      puzzles: v.array(
        v.strictObject({
          id: v.string(),
          points: v.pipe(Int, v.description("What the puzzle is worth to the team now")),
          solves: v.optional(
            v.pipe(
              Int,
              v.description("How many teams solved it, where the hunt sets `show_solves`"),
            ),
          ),
        }),
      ),
    }),
    v.description(
      "Another team's solve (or the reveal, or a hidden team shown again) changed the points of " +
        "puzzles the team has unlocked (dynamic points), or their count of solves (`show_solves`): " +
        "their new values, as GET /api/puzzles gives them; while the board is frozen, none (a " +
        "team's own streams only)",
    ),
  ),
  unlock: v.pipe(
    v.strictObject({
      puzzles: Ids,
      titles: v.pipe(
        v.array(v.string()),
        v.description("Each puzzle's title, in the order of `puzzles`"),
      ),
    }),
    v.description("Puzzles newly unlocked for the team (a team's own streams only)"),
  ),
  submission: v.pipe(
    v.strictObject({
      id: Int,
      puzzle: v.string(),
      status: SubmissionFields.status,
      points: Int,
      message: v.nullable(v.string()),
    }),
    v.description(
      "A mission's submission was received or judged (the team's own streams, and organizers')",
    ),
  ),
  ask: v.pipe(
    v.strictObject({
      id: Int,
      puzzle: v.string(),
      hint: v.string(),
      status: AskStatus,
      answer: v.nullable(v.string()),
    }),
    v.description(
      "A question on an ask hint was asked, answered, refused or withdrawn (the team's own streams, and organizers')",
    ),
  ),
  guess: v.pipe(
    v.strictObject({
      id: Int,
      team: Int,
      team_name: v.nullable(v.string()),
      puzzle: v.string(),
      raw: v.string(),
      result: GuessResult,
      at: Time,
    }),
    v.description("A guess, once stored (the organizers' streams only)"),
  ),
} as const;
