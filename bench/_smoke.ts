// A stand-in for mitata, preloaded by the smoke test (test/bench/smoke_test.ts)
// and `npm run bench -- --smoke`: `bun --preload ./bench/_smoke.ts
// bench/engine_bench.ts` runs the suite's setup and every benchmark's body a
// few times, for real but without measuring, so a suite the product has broken
// fails in seconds. Unlike mitata, which prints a benchmark's error and carries
// on, it lets the error through: the suite exits 1 with the benchmark's name.
//
// It prints one line per benchmark (per argument set), `bench-smoke: ran N ×
// NAME`, and after run() `bench-smoke: N benchmarks ran`; at exit, a benchmark
// registered but never run (or a suite that never called run()) is an error.
import { plugin } from "bun";

/** How many times each benchmark's body runs. */
const RUNS = 3;

type Body = (...params: unknown[]) => unknown;
type Args = Record<string, unknown[]>;

interface Trial {
  name: string;
  fn: Body;
  args: Args;
  done: boolean;
}

const trials: Trial[] = [];
let ran = false;

const GeneratorFunction = function* () {}.constructor;
const AsyncGeneratorFunction = async function* () {}.constructor;

/** The chainable handle bench() returns; options that only tune measuring are accepted and ignored. */
class B {
  constructor(private readonly trial: Trial) {}
  args(name: string | unknown[] | Args | null, values?: unknown[] | null): this {
    const args = this.trial.args;
    if (name === null) delete args.x;
    else if (Array.isArray(name)) args.x = name;
    else if (typeof name === "string" && values === null) delete args[name];
    else if (typeof name === "string" && Array.isArray(values)) args[name] = values;
    else if (typeof name === "object") {
      for (const [key, value] of Object.entries(name)) {
        if (value == null) delete args[key];
        else args[key] = value;
      }
    } else throw new TypeError("invalid arguments");
    return this;
  }
  range(name: string, start: number, end: number, multiplier = 8): this {
    const values: number[] = [];
    for (let n = start; n <= end; n *= multiplier) values.push(Math.min(n, end));
    if (!values.includes(end)) values.push(end);
    return this.args(name, values);
  }
  dense_range(name: string, start: number, end: number, step = 1): this {
    const values: number[] = [];
    for (let n = start; n <= end; n += step) values.push(n);
    if (!values.includes(end)) values.push(end);
    return this.args(name, values);
  }
  name(name: string): this {
    this.trial.name = name;
    return this;
  }
  baseline(): this {
    return this;
  }
  compact(): this {
    return this;
  }
  gc(): this {
    return this;
  }
  highlight(): this {
    return this;
  }
}

function bench(name: string | Body, fn?: Body): B {
  if (typeof name === "function") [fn, name] = [name, name.name || "anonymous"];
  if (typeof fn !== "function") throw new TypeError(`bench("${name}"): no function to run`);
  const trial = { name, fn, args: {}, done: false };
  trials.push(trial);
  return new B(trial);
}

/** Each combination of a trial's arguments, as mitata walks them, with the name it gives each. */
function* combinations(trial: Trial): Generator<{ name: string; values: Record<string, unknown> }> {
  const keys = Object.keys(trial.args);
  const total = keys.reduce((n, key) => n * trial.args[key]!.length, 1);
  for (let i = 0; i < total; i++) {
    const values: Record<string, unknown> = {};
    let rest = i;
    for (const key of keys) {
      const list = trial.args[key]!;
      values[key] = list[rest % list.length];
      rest = Math.floor(rest / list.length);
    }
    let name = trial.name;
    for (const key of keys) name = name.replaceAll(`$${key}`, String(values[key]));
    yield { name, values };
  }
}

/** Runs `body` RUNS times, with fresh computed parameters each time; returns how many runs finished. */
async function repeat(body: Body, params: Body[]): Promise<number> {
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const values = await Promise.all(params.map((param) => param()));
    await body(...values);
    count++;
  }
  return count;
}

/** One benchmark with one set of arguments: its setup, its body RUNS times, its teardown. */
async function runOne(fn: Body, values: Record<string, unknown>): Promise<number> {
  const get = (name: string) => values[name];
  if (fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction) {
    // bench(function* (state) { setup; yield body; teardown }): the body is a
    // function, or { bench(...params), 0: param, 1: param, … } (computed parameters).
    const generator = fn({ get }) as Generator<unknown> | AsyncGenerator<unknown>;
    const first = await generator.next();
    const yielded = first.value as Body | { bench?: Body; manual?: Body } | undefined;
    let count: number;
    if (typeof yielded === "function") count = await repeat(yielded, []);
    else {
      const body = yielded?.bench ?? yielded?.manual;
      if (typeof body !== "function") {
        throw new TypeError("expected benchmarkable yield from generator");
      }
      const params = Array.from(
        { length: body.length },
        (_, i) => (yielded as Record<number, Body>)[i]!,
      );
      count = await repeat(body, params);
    }
    if (!(await generator.next()).done) throw new TypeError("expected generator to yield once");
    return count;
  }
  if (fn.length === 0) return await repeat(fn, []);
  // bench((state) => { for (const _ of state) body }): the loop runs RUNS times.
  let count = 0;
  const iterator = {
    next: () => count < RUNS ? { value: count++, done: false } : { value: undefined, done: true },
  };
  await fn({ get, [Symbol.iterator]: () => iterator, [Symbol.asyncIterator]: () => iterator });
  return count;
}

async function run(): Promise<void> {
  ran = true;
  let benchmarks = 0;
  for (const trial of trials) {
    if (trial.done) continue;
    trial.done = true;
    for (const { name, values } of combinations(trial)) {
      let count: number;
      try {
        count = await runOne(trial.fn, values);
      } catch (error) {
        console.error(`bench-smoke: "${name}" failed`);
        throw error;
      }
      console.log(`bench-smoke: ran ${count} × ${name}`);
      benchmarks++;
    }
  }
  console.log(`bench-smoke: ${benchmarks} benchmarks ran`);
}

/** summary(), group(), barplot() and the like only arrange mitata's output: each just calls its function. */
function layout(name: string | (() => unknown), f?: () => unknown): unknown {
  return (typeof name === "function" ? name : f!)();
}

process.on("exit", (code) => {
  if (code !== 0) return; // the error that ended the suite says enough
  const missed = trials.filter((trial) => !trial.done).map((trial) => trial.name);
  if (!ran) console.error("bench-smoke: the suite never called run()");
  else if (missed.length > 0) console.error(`bench-smoke: never run: ${missed.join(", ")}`);
  else return;
  process.exitCode = 1;
});

plugin({
  name: "mitata smoke stub",
  setup(build) {
    build.module("mitata", () => ({
      loader: "object",
      exports: {
        bench,
        run,
        do_not_optimize: (_: unknown) => {},
        summary: layout,
        group: layout,
        barplot: layout,
        boxplot: layout,
        lineplot: layout,
        compact: layout,
      },
    }));
  },
});
