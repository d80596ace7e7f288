/**
 * The projector's scoreboard (`/scoreboard`, `?division=D` for one division)
 * and its chart of the top 10's score over time.
 */
import { Hono } from "hono";
import { publicBoard } from "../live/mod.ts";
import { type Game, type Play, scoreHistory, sessionPlayer } from "../play/mod.ts";
import { html, huntInfo, noStore, param, playerOrigins } from "./_page.ts";
import { BoardPage, type BoardRow, TeamBoardPage } from "./board.tsx";
import { scoreChart } from "./charts.ts";
import { MessagePage } from "./player.tsx";

/** The projector's pages, to mount at the root. */
export function boardPages({ game }: Play): Hono {
  const pages = new Hono();

  pages.get("/scoreboard", (c) => {
    const engine = game.engine;
    const division = param(c, "division") || undefined;
    if (division !== undefined && !engine.hunt.divisions.includes(division)) {
      return html(
        c,
        MessagePage({
          hunt: huntInfo(engine),
          title: "Unknown division",
          text: `This hunt has no division "${division.slice(0, 64)}".`,
        }),
        404,
      );
    }
    const board = publicBoard(engine, (now) => game.freeze.frozenAt(now), division) as {
      frozen: boolean;
      teams: BoardRow[];
    };
    // A team on its phone gets its own view; the projector (or ?view=projector) the big one.
    const player = param(c, "view") === "projector" ? undefined : sessionPlayer(game, c);
    if (player !== undefined) {
      return html(
        c,
        TeamBoardPage({
          huntTitle: engine.hunt.title,
          team: player.team.name,
          frozen: board.frozen,
          rows: board.teams,
          division,
          divisions: engine.hunt.divisions,
        }),
      );
    }
    return html(
      c,
      BoardPage({
        huntTitle: engine.hunt.title,
        frozen: board.frozen,
        rows: board.teams,
        page: Number(param(c, "page") ?? 1) || 1,
        chartSvg: chart(game, division),
        division,
        joinUrl: `${playerOrigins(c)[0]}/`,
        announcement: game.live.latestAnnouncement(),
      }),
    );
  });

  pages.get("/scoreboard/chart.svg", (c) => {
    const division = param(c, "division") || undefined;
    if (division !== undefined && !game.engine.hunt.divisions.includes(division)) {
      return c.notFound();
    }
    noStore(c);
    c.header("content-type", "image/svg+xml; charset=utf-8");
    return c.body(chart(game, division));
  });

  return pages;
}

/** The chart of the top 10's score over time (in one division); it stops at the freeze while frozen. */
function chart(game: Game, division: string | undefined): string {
  const engine = game.engine;
  const now = engine.now();
  const at = game.freeze.frozenAt(now);
  return scoreChart(scoreHistory(engine, at, { division }), {
    from: engine.startsAt,
    until: at ?? now,
    frozen: at !== undefined,
    title: "Score over time of the top 10 teams",
    // The page lists the 10 beside the chart, in type that fits the projector.
    endLabels: false,
  });
}
