/**
 * The event loop's delay, sampled as `perf_hooks.monitorEventLoopDelay` does
 * it: a timer every 10 ms, and how much later than that it fires. Deno has
 * `monitorEventLoopDelay`, but what it records does not follow the loop: a
 * loop blocked for 250 ms shows as a few microseconds. `/metrics` on Deno
 * takes its `nodejs_eventloop_lag_*` figures from here instead (Bun's own
 * are right, and stay).
 */
import { clearInterval, setInterval } from "node:timers";

/** How often the timer fires, as monitorEventLoopDelay's default resolution. */
const RESOLUTION_MS = 10;
/** Buckets per doubling of the delay: a percentile is read to within 2^(1/8), 9%. */
const STEPS = 8;
/** The smallest bucket's bound, 1 µs; below it a delay counts as 1 µs. */
const FLOOR_SECONDS = 1e-6;
/** From 1 µs to 2^30 µs (18 minutes), beyond which a delay counts in the last bucket. */
const BUCKETS = 30 * STEPS + 1;

/** The figures over the delays recorded since the previous read, in seconds. */
export interface DelayFigures {
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Delays in a fixed set of buckets: bounded memory, however long between two reads. */
export class DelayHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private count = 0;
  private sum = 0;
  private sumSquares = 0;
  private min = Infinity;
  private max = 0;

  record(seconds: number): void {
    const step = Math.log2(Math.max(seconds, FLOOR_SECONDS) / FLOOR_SECONDS) * STEPS;
    this.counts[Math.min(BUCKETS - 1, Math.ceil(step))]!++;
    this.count++;
    this.sum += seconds;
    this.sumSquares += seconds * seconds;
    this.min = Math.min(this.min, seconds);
    this.max = Math.max(this.max, seconds);
  }

  /** The figures so far (all 0 when nothing was recorded), then an empty histogram. */
  take(): DelayFigures {
    const { count } = this;
    const mean = count === 0 ? 0 : this.sum / count;
    const variance = count === 0 ? 0 : Math.max(0, this.sumSquares / count - mean * mean);
    const figures: DelayFigures = {
      min: count === 0 ? 0 : this.min,
      max: this.max,
      mean,
      stddev: Math.sqrt(variance),
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
    };
    this.counts.fill(0);
    this.count =
      this.sum =
      this.sumSquares =
      this.max =
        0;
    this.min = Infinity;
    return figures;
  }

  /** The upper bound of the bucket holding the `q` quantile, within the recorded min and max. */
  private percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const bound = FLOOR_SECONDS * 2 ** (i / STEPS);
        return Math.min(this.max, Math.max(this.min, bound));
      }
    }
    return this.max;
  }
}

/** Samples the loop's delay from now on, into a histogram that `take` reads and empties. */
export class LoopDelay {
  private readonly histogram = new DelayHistogram();
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.histogram.record(Math.max(0, now - this.last - RESOLUTION_MS) / 1000);
    this.last = now;
  }, RESOLUTION_MS);

  constructor() {
    // It never keeps the process alive.
    this.timer.unref();
  }

  take(): DelayFigures {
    return this.histogram.take();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
