// The event-loop delay sampler that /metrics uses on Deno (src/metrics/loop_delay.ts).
import { expect, test } from "bun:test";
import { DelayHistogram, LoopDelay } from "../../src/metrics/loop_delay.ts";
import { sleep } from "../_runtime.ts";

test("a histogram's figures: exact min, max and mean, percentiles within 9%, then empty", () => {
  const histogram = new DelayHistogram();
  expect(histogram.take()).toEqual({ min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 });
  // 1 ms to 100 ms, one of each whole millisecond.
  for (let ms = 1; ms <= 100; ms++) histogram.record(ms / 1000);
  const figures = histogram.take();
  expect([figures.min, figures.max]).toEqual([0.001, 0.1]);
  expect(figures.mean).toBeCloseTo(0.0505, 9);
  expect(figures.stddev).toBeCloseTo(0.028866, 5);
  for (const [got, want] of [[figures.p50, 0.05], [figures.p90, 0.09], [figures.p99, 0.099]]) {
    expect(got!).toBeGreaterThanOrEqual(want!);
    expect(got!).toBeLessThanOrEqual(want! * 2 ** (1 / 8));
  }
  expect(histogram.take().max).toBe(0);
});

test("the sampler sees a loop blocked for 250 ms", async () => {
  const sampler = new LoopDelay();
  try {
    await sleep(30);
    const blocked = performance.now();
    while (performance.now() - blocked < 250) {
      // Busy: nothing else runs.
    }
    await sleep(30);
    const figures = sampler.take();
    expect(figures.max).toBeGreaterThanOrEqual(0.2);
    expect(figures.p99).toBe(figures.max);
  } finally {
    sampler.stop();
  }
});
