/**
 * What `/metrics` exposes, in Prometheus' text format, through prom-client:
 * requests and their latency by route, guesses by result, group-commit batch
 * sizes and latency, open live streams, teams, mission uploads in flight and
 * the memory they hold, reloads, and the runtime's
 * memory, CPU and event-loop lag. Everything is bounded: route labels are the
 * matched route patterns, never raw paths.
 */
import type {
  Counter as CounterType,
  Gauge as GaugeType,
  Histogram as HistogramType,
  Registry as RegistryType,
} from "prom-client";
import Counter from "prom-client/lib/counter.js";
import collectDefaultMetrics from "prom-client/lib/defaultMetrics.js";
import Gauge from "prom-client/lib/gauge.js";
import Histogram from "prom-client/lib/histogram.js";
import Registry from "prom-client/lib/registry.js";
import { readFileSync } from "node:fs";
import pkg from "../../package.json" with { type: "json" };
import type { Write } from "../engine/mod.ts";
import { RUNTIME } from "../runtime.ts";
import { type DelayFigures, LoopDelay } from "./loop_delay.ts";

export interface MetricsOptions {
  /** Teams registered now. */
  teams: () => number;
  /** Live (SSE) streams open now. */
  streams: () => number;
  /** Whether the public scoreboard is frozen now: guesses are then counted only once it thaws. */
  frozen?: () => boolean;
  /** Mission uploads being read now. */
  uploads: () => number;
  /** The bytes they hold in memory now. */
  uploadBytes: () => number;
}

/**
 * prom-client's default metrics that are left out. Under Bun they are empty
 * or made up (no libuv handles, no V8 heap spaces, no GC entries; the "heap"
 * is the process's whole data segment, gigabytes of reserved address space),
 * and `nodejs_active_{handles,requests,resources}_total` fail promtool's lint
 * (a gauge named `_total`).
 */
export const DROPPED_DEFAULTS = [
  "process_heap_bytes",
  "nodejs_active_handles",
  "nodejs_active_handles_total",
  "nodejs_active_requests",
  "nodejs_active_requests_total",
  "nodejs_active_resources",
  "nodejs_active_resources_total",
  "nodejs_heap_space_size_total_bytes",
  "nodejs_heap_space_size_used_bytes",
  "nodejs_heap_space_size_available_bytes",
  "nodejs_gc_duration_seconds",
] as const;

const LATENCY_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
];
const GUESS_RESULTS = ["correct", "incorrect", "partial"] as const;

/** One request series: its labels, a count, and the latency histogram's non-cumulative buckets. */
interface RouteSeries {
  method: string;
  route: string;
  status: string;
  count: number;
  buckets: Float64Array;
  sum: number;
}

/** What prom-client's Registry reads from a metric at scrape time. */
interface Exposed {
  name: string;
  help: string;
  type: "counter" | "histogram";
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
  aggregator: "sum";
}

/** The counters, histograms and gauges of one server, and their `/metrics` text. */
export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly guesses: Record<(typeof GUESS_RESULTS)[number], { inc(n?: number): void }>;
  /** Guesses stored while the board is frozen, by result: public counts would tell the solves. */
  private readonly held = { correct: 0, incorrect: 0, partial: 0 };
  private frozen: () => boolean = () => false;
  private readonly batchRequests: HistogramType;
  private readonly batchRows: CounterType;
  private readonly commitLatency: HistogramType;
  private readonly reloads: CounterType<"result">;
  private defaultsStarted = false;
  /** On Deno, the event loop's delay as sampled here, and its gauges (see `lagGauges`). */
  private loopDelay:
    | { sampler: LoopDelay; gauges: Record<keyof DelayFigures, GaugeType> }
    | undefined;
  /** Label children by `method route status`, so the request path does not hash labels. */
  private readonly series = new Map<string, RouteSeries>();

  constructor() {
    const registers = [this.registry];

    // Requests are counted on the hot path, where prom-client's label hashing costs about 2 µs
    // a request: they are kept in plain arrays here and handed to the registry at scrape time.
    this.registry.registerMetric({
      name: "cairn_http_requests_total",
      get: () => this.exposeRequests(),
    } as never);
    this.registry.registerMetric({
      name: "cairn_http_request_duration_seconds",
      get: () => this.exposeLatency(),
    } as never);
    const guesses = new Counter({
      name: "cairn_guesses_total",
      help: "Guesses stored, by result (already-solved guesses are not stored).",
      labelNames: ["result"],
      registers,
      collect: () => {
        if (!this.frozen()) this.release();
      },
    });
    // Every result is exported from the start, at 0, so rate() works on the first guess.
    const [correct, incorrect, partial] = GUESS_RESULTS.map((result) => {
      const child = guesses.labels(result);
      child.inc(0);
      return child;
    });
    this.guesses = { correct: correct!, incorrect: incorrect!, partial: partial! };
    this.batchRequests = new Histogram({
      name: "cairn_commit_batch_requests",
      help: "Requests sharing one group commit (one transaction and one fsync).",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    });
    this.batchRows = new Counter({
      name: "cairn_commit_rows_total",
      help: "Rows written by group commits.",
      registers,
    });
    this.commitLatency = new Histogram({
      name: "cairn_commit_duration_seconds",
      help: "Time inside one group commit's transaction, fsync included.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.reloads = new Counter({
      name: "cairn_hunt_reloads_total",
      help: "Hunt file reloads (SIGHUP or the admin route), by result.",
      labelNames: ["result"],
      registers,
    });
    for (const result of ["ok", "error"]) this.reloads.labels(result).inc(0);
    new Gauge({
      name: "cairn_build_info",
      help: "Always 1; its labels say which Cairn and which runtime (bun or deno) are running.",
      labelNames: ["version", RUNTIME.name],
      registers,
    }).labels(pkg.version, RUNTIME.version).set(1);
  }

  /** Exports the gauges read at each scrape: open streams, teams, and uploads in flight. */
  track(options: MetricsOptions): void {
    const registers = [this.registry];
    if (options.frozen !== undefined) this.frozen = options.frozen;
    new Gauge({
      name: "cairn_sse_connections",
      help: "Live event streams (GET /api/events) open now.",
      registers,
      collect() {
        this.set(options.streams());
      },
    });
    new Gauge({
      name: "cairn_teams",
      help: "Teams registered.",
      registers,
      collect() {
        this.set(options.teams());
      },
    });
    new Gauge({
      name: "cairn_uploads_in_flight",
      help: "Mission uploads (POST /api/puzzles/:id/submissions) being read now.",
      registers,
      collect() {
        this.set(options.uploads());
      },
    });
    new Gauge({
      name: "cairn_upload_memory_bytes",
      help: "Bytes the mission uploads in flight hold in memory (photos held whole, " +
        "video metadata, JPEG heads), against the server's budget.",
      registers,
      collect() {
        this.set(options.uploadBytes());
      },
    });
  }

  /** Counts one answered request; `route` is the matched pattern, or "unmatched". */
  request(method: string, route: string, status: number, seconds: number): void {
    count(this.seriesOf(method, route, status), seconds);
  }

  /**
   * `request` for one method and route fixed in advance (a hot route): its
   * series are found by status alone, with no label key built per request.
   */
  recorder(method: string, route: string): (status: number, seconds: number) => void {
    const byStatus = new Map<number, RouteSeries>();
    return (status, seconds) => {
      let series = byStatus.get(status);
      if (series === undefined) {
        series = this.seriesOf(method, route, status);
        byStatus.set(status, series);
      }
      count(series, seconds);
    };
  }

  private seriesOf(method: string, route: string, status: number): RouteSeries {
    const key = `${method} ${route} ${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        method,
        route,
        status: String(status),
        count: 0,
        buckets: new Float64Array(LATENCY_BUCKETS.length + 1),
        sum: 0,
      };
      this.series.set(key, series);
    }
    return series;
  }

  private exposeRequests(): Exposed {
    return {
      name: "cairn_http_requests_total",
      help: "HTTP requests answered, by method, matched route and status.",
      type: "counter",
      values: [...this.series.values()].map((s) => ({
        labels: { method: s.method, route: s.route, status: s.status },
        value: s.count,
      })),
      aggregator: "sum",
    };
  }

  /** The latency histogram by method and route: the status series are merged, buckets made cumulative. */
  private exposeLatency(): Exposed {
    const merged = new Map<
      string,
      { method: string; route: string; buckets: Float64Array; sum: number; count: number }
    >();
    for (const s of this.series.values()) {
      const key = `${s.method} ${s.route}`;
      let m = merged.get(key);
      if (m === undefined) {
        m = {
          method: s.method,
          route: s.route,
          buckets: new Float64Array(s.buckets.length),
          sum: 0,
          count: 0,
        };
        merged.set(key, m);
      }
      for (let i = 0; i < s.buckets.length; i++) m.buckets[i]! += s.buckets[i]!;
      m.sum += s.sum;
      m.count += s.count;
    }
    const name = "cairn_http_request_duration_seconds";
    const values: Exposed["values"] = [];
    for (const m of merged.values()) {
      const labels = { method: m.method, route: m.route };
      let cumulative = 0;
      for (let i = 0; i < m.buckets.length; i++) {
        cumulative += m.buckets[i]!;
        const le = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : "+Inf";
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
      }
      values.push({ labels, value: m.sum, metricName: `${name}_sum` });
      values.push({ labels, value: m.count, metricName: `${name}_count` });
    }
    return {
      name,
      help: "Time to answer an HTTP request (to the response headers), by method and route.",
      type: "histogram",
      values,
      aggregator: "sum",
    };
  }

  /** Counts what a committed batch of writes holds (guesses by result). */
  committed(writes: readonly Write[]): void {
    let frozen: boolean | undefined;
    for (const write of writes) {
      if (write.kind !== "guess") continue;
      frozen ??= this.frozen();
      if (frozen) this.held[write.result]++;
      else this.guesses[write.result].inc();
    }
  }

  /** Counts the guesses held during a freeze, once it is over. */
  private release(): void {
    for (const result of GUESS_RESULTS) {
      if (this.held[result] === 0) continue;
      this.guesses[result].inc(this.held[result]);
      this.held[result] = 0;
    }
  }

  /** Records one group commit: how many requests and rows it carried, and how long it took. */
  batch(stats: { requests: number; rows: number; ms: number }): void {
    this.batchRequests.observe(stats.requests);
    this.batchRows.inc(stats.rows);
    this.commitLatency.observe(stats.ms / 1000);
  }

  /** Counts a reload of the hunt file. */
  reloaded(ok: boolean): void {
    this.reloads.labels(ok ? "ok" : "error").inc();
  }

  /**
   * The exposition text. prom-client's default metrics (memory, CPU, event-loop
   * lag) start at the first scrape, so that they cost the server's start nothing.
   */
  text(): Promise<string> {
    if (!this.defaultsStarted) {
      this.defaultsStarted = true;
      collectDefaultMetrics({ register: this.registry });
      for (const name of DROPPED_DEFAULTS) this.registry.removeSingleMetric(name);
      if (process.platform === "linux" && !readable("/proc/self/status")) {
        // Deno refuses /proc without --allow-all, and prom-client then reports 0 for what it
        // reads there: leave those out, and take the resident memory from the runtime instead.
        for (const name of PROC_DEFAULTS) this.registry.removeSingleMetric(name);
        new Gauge({
          name: "process_resident_memory_bytes",
          help: "Resident memory size in bytes.",
          registers: [this.registry],
          collect() {
            this.set(process.memoryUsage().rss);
          },
        });
      }
      if (RUNTIME.name === "deno") {
        // Deno's monitorEventLoopDelay, which prom-client reads, does not see a blocked loop.
        for (const name of Object.values(LAG_FIGURES)) this.registry.removeSingleMetric(name);
        this.loopDelay = { sampler: new LoopDelay(), gauges: lagGauges(this.registry) };
      }
    }
    if (this.loopDelay !== undefined) {
      const figures = this.loopDelay.sampler.take();
      for (const [figure, gauge] of Object.entries(this.loopDelay.gauges)) {
        gauge.set(figures[figure as keyof DelayFigures]);
      }
    }
    return this.registry.metrics();
  }
}

/** prom-client's event-loop delay gauges, by the figure each reports. */
const LAG_FIGURES: Record<keyof DelayFigures, string> = {
  min: "nodejs_eventloop_lag_min_seconds",
  max: "nodejs_eventloop_lag_max_seconds",
  mean: "nodejs_eventloop_lag_mean_seconds",
  stddev: "nodejs_eventloop_lag_stddev_seconds",
  p50: "nodejs_eventloop_lag_p50_seconds",
  p90: "nodejs_eventloop_lag_p90_seconds",
  p99: "nodejs_eventloop_lag_p99_seconds",
};

/** The gauges of `LAG_FIGURES`, under prom-client's names, set at each scrape from LoopDelay. */
function lagGauges(registry: RegistryType): Record<keyof DelayFigures, GaugeType> {
  const gauges = {} as Record<keyof DelayFigures, GaugeType>;
  for (const [figure, name] of Object.entries(LAG_FIGURES)) {
    gauges[figure as keyof DelayFigures] = new Gauge({
      name,
      help: `The ${figure} of the event loop's delays since the previous scrape.`,
      registers: [registry],
    });
  }
  return gauges;
}

/** prom-client's defaults read from /proc/self on Linux. */
export const PROC_DEFAULTS = [
  "process_resident_memory_bytes",
  "process_virtual_memory_bytes",
  "process_open_fds",
  "process_max_fds",
] as const;

/** Whether the file can be read: Deno without --allow-all refuses everything under /proc. */
function readable(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Adds one request of `seconds` to a series: its count, sum and latency bucket. */
function count(series: RouteSeries, seconds: number): void {
  series.count++;
  series.sum += seconds;
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
  series.buckets[i]!++;
}
