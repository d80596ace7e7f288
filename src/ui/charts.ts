/**
 * Charts drawn on the server as SVG strings: the projector's score over time,
 * and the organizers' per-puzzle solves and guesses per minute. Colours come
 * from CSS classes, so they follow the light or dark theme.
 */
import type { HistoryLine, PuzzleStat } from "../play/mod.ts";
import type { MinuteCount } from "../store/mod.ts";

const escape = (text: string) => text.replace(/[<&>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** A clock time, HH:MM, in the server's time zone. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * The time zone `clock` writes in (the server's), for a browser script that writes times too. For
 * a TZ its runtime's Intl cannot name (an empty one, a POSIX "UTC-3" on Deno): its offset now if
 * a whole hour (as "Etc/GMT-3", whose sign is the other way round), else undefined.
 */
export function clockZone(): string | undefined {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  if (zone && zone !== "Etc/Unknown") return zone;
  const east = -new Date().getTimezoneOffset();
  if (east % 60 !== 0) return undefined;
  return east === 0 ? "UTC" : `Etc/GMT${east > 0 ? "-" : "+"}${Math.abs(east) / 60}`;
}

/** A day and a clock time, "21/11 14:05", for an axis that spans days. */
function dayClock(ms: number): string {
  const d = new Date(ms);
  return `${d.getDate()}/${d.getMonth() + 1} ${clock(ms)}`;
}

/** A round upper bound for an axis, and its step: 1, 2 or 5 times a power of ten. */
function niceScale(max: number, ticks: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return { top: Math.ceil(max / step) * step, step: Math.max(step, 1) };
}

/** The smallest round number (1, 2 or 5 times a power of ten) at or above `value`; 0 for 0. */
function niceCeil(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((n) => n >= value)!;
}

/**
 * The top teams' score over time, as steps. `until` is where the time axis
 * ends (now, or the freeze time while frozen), and is labelled, as its start is.
 */
export function scoreChart(
  lines: HistoryLine[],
  options: {
    from: number;
    until: number;
    frozen: boolean;
    title: string;
    /** Name each line at its end (the default), or leave that to a legend beside the chart. */
    endLabels?: boolean;
    /**
     * Its width over its height, to fill a box of that shape (the projector's column), kept
     * within `CHART_ASPECT`; without it, 800 by 680 with end labels, 520 by 680 without.
     */
    aspect?: number;
    /**
     * Its box's height in lines of the type around it (kept within `CHART_LINES`), with
     * `aspect`: for labels a little larger than that type however small the box. Without them,
     * 680 units high.
     */
    lines?: number;
  },
): string {
  const endLabels = options.endLabels ?? true;
  // The axis starts where the first line does (a hunt may have started days before its teams),
  // and spans a minute at least, back from its end: that stays the freeze, or now.
  const starts = lines.flatMap((l) => (l.points[0] === undefined ? [] : [l.points[0].at]));
  const until = options.until;
  const from = Math.min(starts.length > 0 ? Math.min(...starts) : options.from, until - 60_000);
  const label = until - from > 20 * 3600_000 ? dayClock : clock;
  const first = label(from);
  const last = options.frozen ? `Frozen ${label(until)}` : label(until);
  const left = 60;
  // Room for the end labels: team names of up to 24 characters are shown whole.
  const right = endLabels ? 290 : 24;
  const { width, height } = chartSize(
    options,
    left + right + (first.length + last.length) * CHAR_W + 20,
  );
  const top = 16;
  const bottom = 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const { yBottom, yTop, levels } = scoreScale(lines, plotH);
  const span = yTop - yBottom;
  const x = (t: number) => round1(left + ((t - from) / (until - from)) * plotW);
  const y = (s: number) => round1(top + plotH - ((s - yBottom) / span) * plotH);

  let out =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escape(options.title)}" preserveAspectRatio="xMidYMid meet">`;
  // Horizontal grid with score labels, on the steps; a small dip's bound while a team is below 0.
  for (const s of levels) {
    out += `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${y(s)}" y2="${y(s)}"/>`;
    out += `<text x="${left - 8}" y="${y(s) + 5}" text-anchor="end" font-size="17">${s}</text>`;
  }
  // Time labels: the start and the end (the freeze, said so), and between them at most five on a
  // round step of whole minutes, each a different time with room beside the ends' labels and the
  // one before (a week's "24/11 00:00" every day would touch: every other one is left out).
  const room = (text: string) => text.length * CHAR_W + 40;
  const apart = first.length * CHAR_W + 10;
  let before = -Infinity;
  const between = timeTicks(from, until, 5).filter((t) => {
    const fits = x(t) - left >= room(first) && left + plotW - x(t) >= room(last) &&
      x(t) - before >= apart && label(t) !== first && label(t) !== label(until);
    if (fits) before = x(t);
    return fits;
  });
  const timeLabel = (at: number, anchor: string, text: string, extra = "") =>
    `<text${extra} x="${at}" y="${
      height - 10
    }" text-anchor="${anchor}" font-size="17">${text}</text>`;
  out += timeLabel(left, "start", first);
  for (const t of between) out += timeLabel(x(t), "middle", label(t));
  out += timeLabel(left + plotW, "end", last, options.frozen ? ' class="freeze-text"' : "");
  out += `<line class="axis" x1="${left}" x2="${left + plotW}" y1="${y(0)}" y2="${y(0)}"/>`;
  if (options.frozen) {
    out += `<line class="freeze-line" x1="${x(until)}" x2="${x(until)}" y1="${top}" y2="${
      top + plotH
    }"/>`;
  }
  if (lines.length === 0) {
    out += `<text x="${left + plotW / 2}" y="${
      top + plotH / 2
    }" text-anchor="middle" font-size="20">No scores yet</text>`;
  }
  // Each line is a step path, drawn to the end of the axis; its name labels the end.
  const labels: { y: number; name: string; series: number }[] = [];
  lines.forEach((line, i) => {
    let d = "";
    let last = 0;
    for (const [k, p] of line.points.entries()) {
      d += k === 0 ? `M${x(p.at)} ${y(p.score)}` : `H${x(p.at)}V${y(p.score)}`;
      last = p.score;
    }
    d += `H${x(until)}`;
    out += `<path class="line s${i}" d="${d}"/>`;
    labels.push({ y: y(last), name: line.name, series: i });
  });
  // Spread the end labels so that none overlaps the next.
  labels.sort((a, b) => a.y - b.y);
  const gap = 22;
  for (let i = 1; i < labels.length; i++) {
    labels[i]!.y = Math.max(labels[i]!.y, labels[i - 1]!.y + gap);
  }
  const overflow = (labels.at(-1)?.y ?? 0) - (top + plotH);
  if (overflow > 0) { for (const label of labels) label.y -= overflow; }
  for (const label of endLabels ? labels : []) {
    const chars = [...label.name];
    const name = chars.length > 26 ? chars.slice(0, 25).join("") + "…" : label.name;
    out += `<text class="label s${label.series}" x="${left + plotW + 10}" y="${
      round1(label.y + 5)
    }" font-size="19">${escape(name)}</text>`;
  }
  return out + "</svg>";
}

/**
 * The score chart's size in units: 680 high, or 15 a line of a box `lines` high (the labels' 17 a
 * little over a line), up to 680: a small box gets the labels large, a big one keeps them in scale
 * with it. At least `needed` wide, for the time axis's two ends side by side ("22/11 09:00",
 * "Frozen 24/11 18:00"): a narrow box draws it larger in units, its labels smaller, but apart.
 */
function chartSize(
  options: { endLabels?: boolean; aspect?: number; lines?: number },
  needed: number,
): { width: number; height: number } {
  const { aspect, lines } = options;
  // Without end labels the chart is narrower, so its type comes out larger in the same space. A
  // wider box gets a wider chart at the same height: the type keeps its size, the time axis grows.
  if (aspect === undefined) return { width: options.endLabels ?? true ? 800 : 520, height: 680 };
  const shape = chartAspect(aspect);
  let height = lines === undefined ? 680 : Math.round(chartLines(lines) * LINE_UNITS);
  if (height * shape < needed) height = Math.ceil(needed / shape);
  return { width: Math.round(height * shape), height };
}

/**
 * The score axis of a chart `plotH` high: its ends, and the scores it labels (on its grid lines),
 * lowest first.
 */
function scoreScale(
  lines: HistoryLine[],
  plotH: number,
): { yBottom: number; yTop: number; levels: number[] } {
  const scores = lines.flatMap((l) => l.points.map((p) => p.score));
  const low = Math.min(0, ...scores);
  const high = Math.max(0, ...scores);
  const { step } = niceScale(high - low, 5);
  // Up to a whole step over the highest score; 0 when every score is at or under it.
  const yTop = high === 0 && low < 0 ? 0 : Math.max(step, Math.ceil(high / step) * step);
  // A team below 0 now (hints and penalties take points), not only on its way up.
  const below = lines.some((l) => (l.points.at(-1)?.score ?? 0) < 0);
  // The axis goes up in whole steps, and down from 0 only as far as the lowest score needs: whole
  // steps for a deep dip; for a small one, a round bound just under it (while a team is below 0,
  // low enough for its label to clear the 0's).
  const smallDip = -low > 0 && -low < step;
  const yBottom = !smallDip
    ? Math.floor(low / step) * step
    : -niceCeil(Math.max(-low, below ? (LABEL_ROOM * yTop) / (plotH - LABEL_ROOM) : 0));
  // Under 0, labels (and their grid lines) only while a team is below 0 now, to read its score by.
  // A dip on the way up, however deep, is drawn inside the plot, unlabelled: "-5" or "-200" under
  // "0" read as a team below 0.
  const levels = smallDip && below ? [yBottom] : [];
  for (let s = smallDip || !below ? 0 : yBottom; s <= yTop + 1e-9; s += step) levels.push(s);
  return { yBottom, yTop, levels };
}

/** The shapes the score chart may take, width over height: from a tall box to a wide strip. */
export const CHART_ASPECT = { min: 0.7, max: 2.6 } as const;

/** `aspect` kept within `CHART_ASPECT`. */
export function chartAspect(aspect: number): number {
  return Math.min(CHART_ASPECT.max, Math.max(CHART_ASPECT.min, aspect));
}

/**
 * The heights in lines of type a chart's box may be told as (`lines`): a smaller box gets its
 * labels smaller, the plot keeping room between its score labels; a taller one is drawn 680 units
 * high, as without it, its labels already larger than the type.
 */
export const CHART_LINES = { min: 16, max: 680 / 15 } as const;

/** `lines` kept within `CHART_LINES`. */
export function chartLines(lines: number): number {
  return Math.min(CHART_LINES.max, Math.max(CHART_LINES.min, lines));
}

/** The units a line of the type around the chart is drawn in: its labels, 17, are 1.13 lines. */
const LINE_UNITS = 15;

/** The room a score label (17 units high) takes above the next one, so that the two read apart. */
const LABEL_ROOM = 30;

/** The width of a character of a time label (17 units high), a little over its usual. */
const CHAR_W = 10;

/** Minutes a time axis may step by: round numbers a clock reader expects. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080].map((m) =>
  m * 60_000
);

/**
 * Times for an axis's labels from `from` to `until`: whole multiples, in the
 * server's time zone, of the smallest round step that gives at most `most`
 * intervals, so no two labels read the same (a 3-minute axis gets 3 labels,
 * not 6 saying one time).
 */
export function timeTicks(from: number, until: number, most: number): number[] {
  const step = TIME_STEPS.find((s) => (until - from) / s <= most) ?? TIME_STEPS.at(-1)!;
  // Round in the server's time zone, which the labels are written in: a day's step falls at its
  // midnight ("22/11 00:00"), not UTC's ("22/11 01:00" in Paris), an hour's at its whole hours.
  const shift = -new Date(from).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + shift) / step) * step - shift; t <= until; t += step) {
    ticks.push(t);
  }
  return ticks;
}

/** Per puzzle: solves (out of the teams that have it) and the median time to solve. */
export function puzzleChart(stats: PuzzleStat[]): string {
  const rowH = 30;
  const width = 800;
  const nameW = 210;
  const colW = (width - nameW - 20) / 2;
  const height = 40 + stats.length * rowH + 8;
  const maxSolves = Math.max(1, ...stats.map((s) => s.unlocked));
  const maxMedian = Math.max(1, ...stats.map((s) => s.median_solve_seconds ?? 0));
  const medians = stats.map((s) => s.median_solve_seconds).filter((m) => m !== null) as number[];
  const typical = medians.length === 0 ? 0 : medians.sort((a, b) => a - b)[medians.length >> 1]!;
  let out =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="Solves and median time to solve per puzzle">`;
  out += `<text x="${nameW}" y="20" font-size="14" font-weight="700">Solves / teams with it</text>`;
  out += `<text x="${
    nameW + colW + 20
  }" y="20" font-size="14" font-weight="700">Median time to solve</text>`;
  stats.forEach((s, i) => {
    const y0 = 36 + i * rowH;
    const title = s.title.length > 24 ? s.title.slice(0, 23) + "…" : s.title;
    out += `<text x="0" y="${y0 + 19}" font-size="14">${escape(title)}</text>`;
    const solvedW = round1((s.solves / maxSolves) * (colW - 70));
    const openW = round1((s.unlocked / maxSolves) * (colW - 70));
    out += `<rect class="grid" x="${nameW}" y="${
      y0 + 5
    }" width="${openW}" height="18" fill="none"/>`;
    out += `<rect class="bar-ok" x="${nameW}" y="${y0 + 5}" width="${solvedW}" height="18"/>`;
    out += `<text x="${nameW + Math.max(openW, solvedW) + 6}" y="${
      y0 + 19
    }" font-size="14">${s.solves}/${s.unlocked}</text>`;
    const x1 = nameW + colW + 20;
    if (s.median_solve_seconds === null) {
      out += `<text x="${x1}" y="${y0 + 19}" font-size="14">no solves</text>`;
    } else {
      // Twice the typical median or more stands out: a candidate for a hint.
      const slow = typical > 0 && s.median_solve_seconds >= 2 * typical && medians.length > 1;
      const w = round1((s.median_solve_seconds / maxMedian) * (colW - 80));
      out += `<rect class="${slow ? "bar-warn" : "bar"}" x="${x1}" y="${
        y0 + 5
      }" width="${w}" height="18"/>`;
      out += `<text x="${x1 + w + 6}" y="${y0 + 19}" font-size="14">${
        duration(s.median_solve_seconds)
      }</text>`;
    }
  });
  return out + "</svg>";
}

/** Guesses in each of the last minutes, correct ones stacked at the bottom. */
export function guessesChart(counts: MinuteCount[]): string {
  const width = 800;
  const height = 240;
  const left = 40;
  const bottom = 28;
  const top = 10;
  const plotW = width - left - 30;
  const plotH = height - top - bottom;
  const { top: yTop, step } = niceScale(Math.max(0, ...counts.map((c) => c.guesses)), 4);
  const barW = plotW / Math.max(1, counts.length);
  const y = (n: number) => round1(top + plotH - (n / yTop) * plotH);
  let out =
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="Guesses per minute over the last hour">`;
  for (let n = 0; n <= yTop; n += step) {
    out += `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${y(n)}" y2="${y(n)}"/>`;
    out += `<text x="${left - 6}" y="${y(n) + 5}" text-anchor="end" font-size="13">${n}</text>`;
  }
  counts.forEach((c, i) => {
    const x0 = round1(left + i * barW + 1);
    const w = round1(Math.max(1, barW - 2));
    if (c.guesses > 0) {
      out += `<rect class="bar" x="${x0}" y="${y(c.guesses)}" width="${w}" height="${
        round1(y(0) - y(c.guesses))
      }"><title>${clock(c.at)}: ${c.guesses} guesses, ${c.correct} correct</title></rect>`;
    }
    if (c.correct > 0) {
      out += `<rect class="bar-ok" x="${x0}" y="${y(c.correct)}" width="${w}" height="${
        round1(y(0) - y(c.correct))
      }"/>`;
    }
    if (i % 10 === 0 || i === counts.length - 1) {
      out += `<text x="${round1(x0 + w / 2)}" y="${
        height - 8
      }" text-anchor="middle" font-size="13">${clock(c.at)}</text>`;
    }
  });
  return out + "</svg>";
}

/** Points for people: "1 point", "-1 point", "10 points". */
export function points(n: number): string {
  return `${n} ${Math.abs(n) === 1 ? "point" : "points"}`;
}

/** A duration for people: "45 s", "12 min", "1 h 05". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}
