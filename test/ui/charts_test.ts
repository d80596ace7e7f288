import { describe, expect, test } from "bun:test";
import { encode } from "uqr";
import {
  CHART_LINES,
  clock,
  clockZone,
  duration,
  guessesChart,
  puzzleChart,
  scoreChart,
  timeTicks,
} from "../../src/ui/charts.ts";
import { qrSvg } from "../../src/ui/qr.ts";
import { makeApp, ORIGIN } from "../http/_app.ts";

const T0 = Date.parse("2026-11-21T10:00:00Z");
const MIN = 60_000;
const ticks = (svg: string) =>
  [...svg.matchAll(/text-anchor="end" font-size="17">(-?\d+)</g)].map((m) => Number(m[1]));
/** Teams T0, T1, …, each with its scores minute by minute from T0. */
const teamsScoring = (scores: number[][]) =>
  scores.map((s, i) => ({
    name: `T${i}`,
    points: s.map((score, k) => ({ at: T0 + k * MIN, score })),
  }));
/** A chart of 10 minutes from T0 with no labels at its lines' ends (the projector's), in a shape. */
const tenMinutes = (aspect?: number) => ({
  from: T0,
  until: T0 + 10 * MIN,
  frozen: false,
  title: "t",
  endLabels: false,
  ...(aspect !== undefined && { aspect }),
});

describe("scoreChart()", () => {
  test("draws one step line per team, labelled, on whole-step axis ticks", () => {
    const svg = scoreChart([
      {
        name: "Gulls",
        points: [{ at: T0, score: 0 }, { at: T0 + MIN, score: -5 }, {
          at: T0 + 2 * MIN,
          score: 95,
        }],
      },
      { name: "Terns <3", points: [{ at: T0, score: 0 }, { at: T0 + 3 * MIN, score: 40 }] },
    ], { from: T0 - 3600_000, until: T0 + 10 * MIN, frozen: false, title: "t" });
    expect(svg.match(/<path class="line s\d"/g)).toEqual([
      '<path class="line s0"',
      '<path class="line s1"',
    ]);
    expect(svg).toContain(">Terns &#60;3</text>");
    // Ticks are multiples of one step up to above the highest score; the axis ends just below the
    // lowest, at a round number, unlabelled: Gulls went under 0 on its way up, and is not now.
    expect(ticks(svg)).toEqual([0, 20, 40, 60, 80, 100]);
    // Its dip is drawn all the same, at the plot's foot.
    expect(svg).toContain('d="M60 614.1H105V644H150V45.9H510"');
    expect(svg).not.toContain("freeze-line");
  });

  test("a small dip below 0 costs a sliver of the axis, not a whole step", () => {
    const line = (name: string, scores: number[]) => ({
      name,
      points: scores.map((score, i) => ({ at: T0 + i * MIN, score })),
    });
    const chart = (...scores: number[][]) =>
      scoreChart(scores.map((s, i) => line(`T${i}`, s)), {
        from: T0,
        until: T0 + 10 * MIN,
        frozen: false,
        title: "t",
      });
    // −10 under steps of 200: the axis ends at −10, too close to 0 for a label of its own.
    const dip = chart([0, -10, 90, 530], [0, 360]);
    expect(ticks(dip)).toEqual([0, 200, 400, 600]);
    const bottom = Math.max(
      ...[...dip.matchAll(/<line class="grid"[^>]* y1="([\d.]+)"/g)].map((m) => Number(m[1])),
    );
    const lowest = Math.max(...[...dip.matchAll(/V([\d.]+)/g)].map((m) => Number(m[1])));
    expect(lowest).toBeGreaterThan(bottom);
    expect(lowest).toBeLessThanOrEqual(16 + 628);
    // A deep one still goes down in whole steps, unlabelled while no team is below 0 (below).
    expect(ticks(chart([0, -250, 300]))).toEqual([0, 200, 400]);
    // None: the axis starts at 0.
    expect(ticks(chart([0, 40]))[0]).toBe(0);
  });

  test("a team below 0 now gets a label under 0; a dip on the way up does not", () => {
    const chart = (...scores: number[][]) => scoreChart(teamsScoring(scores), tenMinutes());
    // The projector's hunt: a 5-point hint taken before the solve, teams at 150 and 95 now.
    expect(ticks(chart([0, -5, 95], [0, 150]))).toEqual([0, 50, 100, 150]);
    // A team at -5 now: the bound under 0 is labelled, far enough down to read apart from 0.
    const now = chart([0, -5], [0, 150]);
    const labels = ticks(now);
    expect(labels.slice(1)).toEqual([0, 50, 100, 150]);
    expect(labels[0]).toBeLessThanOrEqual(-5);
    const at = (n: number) =>
      Number(new RegExp(`y="([\\d.]+)" text-anchor="end" font-size="17">${n}<`).exec(now)![1]);
    expect(at(labels[0]!) - at(0)).toBeGreaterThanOrEqual(30);
    // Everyone below 0: steps of their own.
    expect(ticks(chart([0, -5], [0, -2]))).toEqual([-5, -4, -3, -2, -1, 0]);
  });

  test("a dip of whole steps on the way up is drawn inside the plot, its steps under 0 unlabelled", () => {
    const chart = (...scores: number[][]) => scoreChart(teamsScoring(scores), tenMinutes());
    /** The lowest point of the lines, and the plot's foot (16 from the top, 36 from the bottom). */
    const lowest = (svg: string) =>
      Math.max(...[...svg.matchAll(/(?:M[\d.]+ |V)(-?[\d.]+)/g)].map((m) => Number(m[1])));
    const grids = (svg: string) => [...svg.matchAll(/<line class="grid"/g)].length;
    // A 6-point penalty before a 13-point solve (steps of 5): no "-5", no grid line under 0, and
    // the dip still drawn, under the 0, at the plot's foot.
    const dip = chart([0, -6, 7], [0, 10]);
    expect(ticks(dip)).toEqual([0, 5, 10]);
    expect(grids(dip)).toBe(3);
    const zero = Number(/y="([\d.]+)" text-anchor="end" font-size="17">0</.exec(dip)![1]) - 5;
    expect(lowest(dip)).toBeGreaterThan(zero);
    expect(lowest(dip)).toBeLessThanOrEqual(680 - 36);
    // Deeper, among several teams: the same.
    expect(ticks(chart([0, -250, 300], [0, 120]))).toEqual([0, 200, 400]);
    // A team below 0 now: the steps under 0 are labelled, down to the lowest score.
    expect(ticks(chart([0, -6, 7], [0, 10], [0, -1]))).toEqual([-10, -5, 0, 5, 10]);
  });

  test("every point lies inside the plot, under a top label at or over the highest score", () => {
    const cases: number[][][] = [
      [[0, 5]],
      [[0, 5], [0], [0]],
      [[0, 1]],
      [[0, 3], [0, -1, 2]],
      [[0, -5, 95], [0, 150], [0, 100]],
      [[0, -5], [0, 150]],
      [[0, -250, 300]],
      [[0, -7]],
      [[0, 999], [0, 1001]],
      [[0, 12, 7, 40], [0, -3]],
      [[0]],
      // Dips on the way up whose round bound comes out a whole step under 0.
      [[0, -6, 40]],
      [[0, -30, 100]],
      [[0, -4, 7], [0, 3]],
    ];
    for (const scores of cases) {
      for (const aspect of [undefined, 0.7, 1, 1.9, 2.6]) {
        const svg = scoreChart(teamsScoring(scores), tenMinutes(aspect));
        const what = `${JSON.stringify(scores)} at ${aspect}`;
        // The plot: 16 from the top, 36 from the bottom of a chart 680 high.
        const ys = [...svg.matchAll(/<path class="line[^"]*" d="([^"]+)"/g)].flatMap((m) =>
          [...m[1]!.matchAll(/(?:M[\d.]+ |V)(-?[\d.]+)/g)].map((v) => Number(v[1]))
        );
        expect(ys.length, what).toBeGreaterThan(0);
        for (const y of ys) {
          expect(y, what).toBeGreaterThanOrEqual(16);
          expect(y, what).toBeLessThanOrEqual(680 - 36);
        }
        const labels = ticks(svg);
        expect(Math.max(...labels), what).toBeGreaterThanOrEqual(Math.max(...scores.flat()));
        // The top label is the top of the plot, and the highest score lies on or under it.
        const topLabel = new RegExp(
          `y="([\\d.]+)" text-anchor="end" font-size="17">${Math.max(...labels)}<`,
        ).exec(svg)!;
        expect(Number(topLabel[1]) - 5, what).toBe(16);
        // Under 0, labels only while a team is below 0 now (none for a dip on the way up, however
        // deep), and only as far as the lowest score needs: at most a step under it.
        const low = Math.min(...scores.flat());
        const step = labels.at(-1)! - labels.at(-2)!;
        const belowNow = scores.some((s) => s.at(-1)! < 0);
        if (!belowNow) expect(Math.min(...labels), what).toBe(0);
        expect(Math.min(...labels), what).toBeGreaterThan(low - step);
      }
    }
  });

  test("with an aspect, it is drawn in that shape at the same height, within sane bounds", () => {
    const shape = (aspect?: number) => {
      const svg = scoreChart([], tenMinutes(aspect));
      return /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.slice(1).map(Number);
    };
    expect(shape()).toEqual([520, 680]);
    expect(shape(1.5)).toEqual([1020, 680]);
    expect(shape(1)).toEqual([680, 680]);
    // A box wider than a strip, or taller than a tower, gets the bound's shape.
    expect(shape(9)).toEqual([Math.round(680 * 2.6), 680]);
    expect(shape(0.1)).toEqual([Math.round(680 * 0.7), 680]);
  });

  test("a frozen chart marks the freeze; with no teams it says so", () => {
    const svg = scoreChart([], { from: T0, until: T0 + MIN, frozen: true, title: "t" });
    expect(svg).toContain("freeze-line");
    expect(svg).toContain("No scores yet");
  });
});

describe("admin charts", () => {
  test("a puzzle twice as slow as the typical one stands out", () => {
    const stat = (id: string, median: number | null) => ({
      id,
      title: id,
      round: "r",
      unlocked: 4,
      solves: median === null ? 0 : 2,
      median_solve_seconds: median,
      wrong_guesses: 0,
    });
    const svg = puzzleChart([stat("a", 300), stat("b", 320), stat("c", 1800), stat("d", null)]);
    expect(svg.match(/class="bar-warn"/g)?.length).toBe(1);
    expect(svg).toContain(">30 min</text>");
    expect(svg).toContain(">no solves</text>");
  });

  test("guesses per minute stack the correct ones", () => {
    const svg = guessesChart([{ at: T0, guesses: 4, correct: 1 }, {
      at: T0 + MIN,
      guesses: 0,
      correct: 0,
    }]);
    expect(svg.match(/class="bar"/g)?.length).toBe(1);
    expect(svg.match(/class="bar-ok"/g)?.length).toBe(1);
  });

  test("duration() reads as people say it", () => {
    expect([duration(45), duration(720), duration(3900)]).toEqual(["45 s", "12 min", "1 h 05"]);
  });
});

describe("qrSvg()", () => {
  test("draws exactly the dark modules of the QR matrix, with a quiet zone", () => {
    const url = "http://192.168.1.20:8080/c/crane-7f3a";
    const svg = qrSvg(url, "Crane <card>");
    const { data, size } = encode(url, { ecc: "M", border: 4 });
    expect(svg).toContain(`viewBox="0 0 ${size} ${size}"`);
    expect(svg).toContain("<title>Crane &#60;card&#62;</title>");
    // Paint the path's rectangles back into a matrix and compare.
    const painted = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
    const d = /class="qr-dark" fill="#000" d="([^"]*)"/.exec(svg)![1]!;
    for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(w); i++) painted[Number(y)]![Number(x) + i] = true;
    }
    expect(painted).toEqual(data);
    // The quiet zone is light, and the top-left finder pattern starts right after it.
    expect(data[0]!.every((dark) => !dark)).toBe(true);
    expect(data[4]!.slice(4, 11)).toEqual(Array(7).fill(true));
  });
});

/** A chart's viewBox: its width and height. */
const viewBox = (svg: string) => {
  const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!;
  return [Number(width), Number(height)] as const;
};

/** Shapes a chart is drawn in: the server's own, and boxes from tall to wide, small to big. */
const SHAPES: [number | undefined, number | undefined][] = [
  [undefined, undefined],
  [0.7, undefined],
  [1, undefined],
  [1.9, undefined],
  [2.6, undefined],
  [0.7, 16],
  [0.87, 20],
  [1, 24],
  [1.9, 16],
  [2.6, 30],
];

describe("scoreChart()'s size in lines of type", () => {
  const drawn = (
    options: { aspect?: number; lines?: number; frozen?: boolean; minutes?: number },
  ) =>
    scoreChart([{ name: "T", points: [{ at: T0, score: 5 }] }], {
      from: T0,
      until: T0 + (options.minutes ?? 30) * MIN,
      frozen: options.frozen ?? false,
      title: "t",
      endLabels: false,
      ...options,
    });

  test("a box some lines high is drawn 15 units a line, so its 17-unit labels are 1.13 lines", () => {
    expect(viewBox(drawn({ aspect: 1, lines: 30 }))).toEqual([450, 450]);
    expect(viewBox(drawn({ aspect: 2, lines: 20.4 }))).toEqual([612, 306]);
    // Kept within its bounds: a box under 16 lines as 16, one over 45.3 as the 680 of no box.
    expect(CHART_LINES.min).toBe(16);
    expect(viewBox(drawn({ aspect: 1, lines: 3 }))).toEqual([240, 240]);
    expect(viewBox(drawn({ aspect: 1, lines: 500 }))).toEqual([680, 680]);
    // Lines without a shape: the server's own drawing, as without either.
    expect(viewBox(drawn({ lines: 20 }))).toEqual(viewBox(drawn({})));
    expect(viewBox(drawn({}))).toEqual([520, 680]);
  });

  test("a box too narrow for its time axis's two ends is drawn larger, in its shape", () => {
    // "21/11 11:00" and "Frozen 28/11 11:00" take 290 units beside each other, the axis 84 more.
    const svg = drawn({ aspect: 0.7, lines: 16, frozen: true, minutes: 7 * 1440 });
    const [width, height] = viewBox(svg);
    expect(width).toBeGreaterThanOrEqual(60 + 24 + 29 * 10 + 20);
    expect(Math.abs(width / height - 0.7)).toBeLessThan(0.01);
    // A short axis's "10:00" and "10:30" fit a box as it is.
    expect(viewBox(drawn({ aspect: 1, lines: 16 }))).toEqual([240, 240]);
  });

  test("the score labels of a short box read apart, as in a tall one", () => {
    for (const top of [1, 7, 99, 1234, 56789]) {
      for (const low of [0, -3, -400]) {
        const svg = scoreChart([
          { name: "A", points: [{ at: T0, score: 0 }, { at: T0 + MIN, score: top }] },
          { name: "B", points: [{ at: T0, score: 0 }, { at: T0 + MIN, score: low }] },
        ], { from: T0, until: T0 + 5 * MIN, frozen: false, title: "t", aspect: 1, lines: 1 });
        const ys = [...svg.matchAll(/x="52" y="([\d.]+)" text-anchor="end"/g)].map((m) =>
          Number(m[1])
        );
        expect(ys.length).toBeGreaterThanOrEqual(2);
        for (const [i, y] of ys.entries()) {
          if (i > 0) expect(ys[i - 1]! - y, `${low} to ${top}`).toBeGreaterThanOrEqual(17 + 4);
        }
      }
    }
  });
});

describe("GET /scoreboard/chart.svg's shape and lines", () => {
  test("aspect and lines size the chart; a value that is not a positive number is left out", async () => {
    const app = makeApp();
    const box = async (query: string) =>
      viewBox(await (await app.app.request(`${ORIGIN}/scoreboard/chart.svg?${query}`)).text());
    expect(await box("aspect=1.50&lines=20.0")).toEqual([450, 300]);
    expect(await box("aspect=1&lines=2")).toEqual([240, 240]);
    expect(await box("aspect=1&lines=1e9")).toEqual([680, 680]);
    for (const bad of ["", "0", "-4", "abc", "Infinity", "NaN"]) {
      expect(await box(`aspect=1&lines=${bad}`), bad).toEqual([680, 680]);
    }
    // Lines without a shape: the server's own drawing.
    expect(await box("lines=20")).toEqual([520, 680]);
  });
});

describe("scoreChart()'s time axis", () => {
  const labels = (svg: string) =>
    [...svg.matchAll(/font-size="17">(\d\d:\d\d)</g)].map((m) => m[1]);

  test("never repeats a time label early in a hunt", () => {
    for (const minutes of [1, 3, 4, 7, 12, 45, 130, 600]) {
      const svg = scoreChart([], {
        from: T0 + 20_000,
        until: T0 + minutes * MIN,
        frozen: false,
        title: "t",
      });
      const shown = labels(svg);
      expect({ minutes, unique: new Set(shown).size === shown.length }).toEqual({
        minutes,
        unique: true,
      });
      expect(shown.length).toBeGreaterThanOrEqual(1);
      expect(shown.length).toBeLessThanOrEqual(6);
    }
  });

  const allLabels = (svg: string) => [...svg.matchAll(/y="670"[^>]*>([^<]+)</g)].map((m) => m[1]);

  // Frozen soon after the teams joined (an organizer trying the freeze), the axis spans a minute
  // or two: it showed one round minute, and nothing said where the freeze was.
  test.each([
    ["a minute", 20_000, 90_000],
    ["less than a minute", 20_000, 50_000],
    ["two minutes", 40_000, 2 * MIN + 40_000],
    ["five hours", 0, 5 * 60 * MIN + 7 * MIN],
  ])("a chart frozen %s after the first team labels its start and the freeze", (_, start, end) => {
    const svg = scoreChart([{ name: "Gulls", points: [{ at: T0 + start, score: 0 }] }], {
      from: T0,
      until: T0 + end,
      frozen: true,
      title: "t",
      endLabels: false,
    });
    const shown = allLabels(svg);
    expect(shown[0]).toBe(clock(Math.min(T0 + start, T0 + end - MIN)));
    expect(shown.at(-1)).toBe(`Frozen ${clock(T0 + end)}`);
    expect(svg).toContain(`class="freeze-text" x="496" y="670" text-anchor="end"`);
    // Each a different time, and the freeze is where the axis and the lines end.
    expect(new Set(shown.map((t) => t!.replace("Frozen ", ""))).size).toBe(shown.length);
    expect(svg).toContain('<line class="freeze-line" x1="496" x2="496"');
    expect(svg).toMatch(/<path class="line s0" d="M[\d.]+ 644H496"\/>/);
  });

  test("a running chart labels its start and now, and round minutes between", () => {
    const svg = scoreChart([], {
      from: T0 + 20_000,
      until: T0 + 50 * MIN + 30_000,
      frozen: false,
      title: "t",
      endLabels: false,
    });
    const shown = allLabels(svg);
    expect(shown[0]).toBe(clock(T0));
    expect(shown.at(-1)).toBe(clock(T0 + 50 * MIN));
    expect(shown.slice(1, -1)).toEqual([15, 30].map((m) => clock(T0 + m * MIN)));
    expect(svg).not.toContain("Frozen");
  });

  test("no two time labels touch, on a week-long hunt as on an hour's, in every shape, with end labels or not", () => {
    // A label's width: 17 units high, a digit about 9.4 wide, ":" "/" and " " about 4.7, a letter
    // (of "Frozen") at most 10.
    const widthOf = (text: string) =>
      [...text].reduce((w, ch) => w + (/\d/.test(ch) ? 9.4 : /[:/ ]/.test(ch) ? 4.7 : 10), 0);
    for (const minutes of [45, 600, 2000, 3000, 5 * 1440, 7 * 1440, 10 * 1440]) {
      for (const [aspect, lines] of [...SHAPES, [0.75, undefined], [0.8, 16], [0.8, 40]] as const) {
        for (
          const [frozen, endLabels] of [[false, false], [true, false], [false, true], [true, true]]
        ) {
          const svg = scoreChart([{ name: "T", points: [{ at: T0, score: 5 }] }], {
            from: T0,
            until: T0 + minutes * MIN,
            frozen: frozen!,
            title: "t",
            endLabels: endLabels!,
            ...(aspect !== undefined && { aspect }),
            ...(lines !== undefined && { lines }),
          });
          const foot = viewBox(svg)[1] - 10;
          const spans = [
            ...svg.matchAll(
              new RegExp(`x="([\\d.]+)" y="${foot}" text-anchor="(\\w+)"[^>]*>([^<]+)<`, "g"),
            ),
          ]
            .map(([, x, anchor, text]) => {
              const width = widthOf(text!);
              const start = Number(x) -
                (anchor === "start" ? 0 : anchor === "end" ? width : width / 2);
              return { start, end: start + width, text };
            });
          const what = `${minutes} minutes at ${aspect}, ${lines} lines${frozen ? ", frozen" : ""}${
            endLabels ? ", end labels" : ""
          }`;
          expect(spans.length, what).toBeGreaterThanOrEqual(2);
          for (const [i, span] of spans.entries()) {
            if (i > 0) expect(span.start - spans[i - 1]!.end, what).toBeGreaterThanOrEqual(8);
          }
        }
      }
    }
  });

  test("labels fall on round times of the server's time zone, a day's step at its midnight", () => {
    const zone = process.env.TZ;
    try {
      for (const [tz, hours] of [["Europe/Paris", 1], ["Asia/Kathmandu", 5.75]] as const) {
        process.env.TZ = tz;
        expect(new Date(T0).getTimezoneOffset(), tz).toBe(-hours * 60);
        // Two days and a half from 10:00 UTC: a tick each midnight there (and at noon).
        const days = timeTicks(T0, T0 + 60 * 3600_000, 5).map(clock);
        expect(days.length, tz).toBeGreaterThan(0);
        for (const t of days) expect(t, tz).toMatch(/^(00|12):00$/);
        // An hour and a half: whole quarters there.
        const quarters = timeTicks(T0 + 7 * MIN, T0 + 97 * MIN, 5).map(clock);
        expect(quarters.length, tz).toBeGreaterThan(0);
        for (const t of quarters) expect(t, tz).toMatch(/:(00|15|30|45)$/);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test("the zone given to a browser script writes the times clock() writes", () => {
    const zone = process.env.TZ;
    try {
      // A named zone, an empty TZ (Bun's Intl says "Etc/Unknown"), a POSIX one (Deno names none).
      for (const tz of ["Europe/Paris", "Asia/Kathmandu", "", "UTC-3"]) {
        process.env.TZ = tz;
        const given = clockZone();
        if (given === undefined) continue;
        const inZone = new Intl.DateTimeFormat("en-GB", {
          timeZone: given,
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
        });
        for (const at of [T0, T0 + 7 * 3600_000 + 5 * MIN]) {
          expect(inZone.format(at), tz).toBe(clock(at));
        }
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test("labels fall on round steps", () => {
    expect(timeTicks(T0 + 20_000, T0 + 4 * MIN, 5)).toEqual([
      T0 + MIN,
      T0 + 2 * MIN,
      T0 + 3 * MIN,
      T0 + 4 * MIN,
    ]);
    expect(timeTicks(T0, T0 + 50 * MIN, 5)).toEqual(
      [0, 10, 20, 30, 40, 50].map((m) => T0 + m * MIN),
    );
  });

  test("shows a team name of 24 characters whole in the legend", () => {
    const name = "Team number 12 with a lo"; // 24 characters
    const svg = scoreChart([{ name, points: [{ at: T0, score: 10 }] }], {
      from: T0,
      until: T0 + 10 * MIN,
      frozen: false,
      title: "t",
    });
    expect(svg).toContain(`>${name}</text>`);
  });
});
