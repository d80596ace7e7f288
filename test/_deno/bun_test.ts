/**
 * The part of `bun:test` that Cairn's HTTP, live and store suites use, over
 * `Deno.test`, so that `deno task test` runs the very same test files against
 * the server on Deno (node:sqlite, Deno.serve, hash-wasm). deno.json maps
 * `bun:test` here. Each test file runs in its own isolate under `deno test`,
 * so the hooks below are per file, as they are under Bun.
 */

// deno-lint-ignore no-explicit-any -- matchers take and inspect anything, as bun:test's do
type Any = any;
type Fn = () => unknown;

interface DenoTest {
  inspect(value: unknown, options: { depth: number }): string;
  test(options: {
    name: string;
    fn: () => Promise<void>;
    sanitizeOps: boolean;
    sanitizeResources: boolean;
    sanitizeExit: boolean;
    ignore?: boolean;
  }): void;
}
const deno = (globalThis as unknown as { Deno: DenoTest }).Deno;

const prefixes: string[] = [];
const afterEachHooks: Fn[] = [];
const afterAllHooks: Fn[] = [];
const beforeAllHooks: Fn[] = [];
let started = false;
let registered = 0;
let finished = 0;

/** Groups tests: their names are prefixed with the group's, as bun prints them. */
export function describe(name: string, body: () => void): void {
  prefixes.push(name);
  try {
    body();
  } finally {
    prefixes.pop();
  }
}

/** One test; a third argument (bun's timeout) is accepted and ignored. */
export function test(name: string, fn: Fn, _timeoutMs?: number): void {
  registered++;
  deno.test({
    name: [...prefixes, name].join(" > "),
    // Servers, workers and timers are shut down by the tests' own hooks; Deno's per-test
    // sanitizers would count the ones a later test reuses.
    sanitizeOps: false,
    sanitizeResources: false,
    sanitizeExit: false,
    fn: async () => {
      if (!started) {
        started = true;
        for (const hook of beforeAllHooks) await hook();
      }
      try {
        await fn();
      } finally {
        for (const hook of afterEachHooks) await hook();
        if (++finished === registered) { for (const hook of afterAllHooks) await hook(); }
      }
    },
  });
}

/**
 * Table-driven tests, as bun's `test.each(rows)(name, fn)`: one test a row, its
 * name's `%s`, `%d`, `%p` and `%i` replaced by the row's values in turn.
 */
test.each = (rows: readonly Any[]) => (name: string, fn: (...args: Any[]) => unknown) => {
  for (const row of rows) {
    const args = Array.isArray(row) ? row : [row];
    let i = 0;
    const title = name.replace(/%[sdpi]/g, () => String(args[i++]));
    test(title, () => fn(...args));
  }
};

/** `test.skipIf(condition)(name, fn)`: the test is listed as ignored when the condition holds. */
test.skipIf = (condition: boolean) => (name: string, fn: Fn, timeoutMs?: number): void => {
  if (!condition) return test(name, fn, timeoutMs);
  deno.test({
    name: [...prefixes, name].join(" > "),
    ignore: true,
    sanitizeOps: false,
    sanitizeResources: false,
    sanitizeExit: false,
    fn: async () => {},
  });
};

export const it = test;

/** Runs before the file's first test. */
export function beforeAll(fn: Fn): void {
  beforeAllHooks.push(fn);
}

export function afterEach(fn: Fn): void {
  afterEachHooks.push(fn);
}

export function afterAll(fn: Fn): void {
  afterAllHooks.push(fn);
}

/** An asymmetric matcher (`expect.any`, `expect.objectContaining`). */
class Asymmetric {
  constructor(readonly matches: (actual: unknown) => boolean, readonly label: string) {}
}

/** Deep equality as bun's `toEqual`: undefined properties count as absent, prototypes are ignored. */
function equals(a: unknown, b: unknown): boolean {
  if (b instanceof Asymmetric) return b.matches(a);
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) &&
      equals(Array.from(a as Uint8Array), Array.from(b as Uint8Array));
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => equals(item, other[i]));
  }
  if (a instanceof Map || b instanceof Map || a instanceof Set || b instanceof Set) {
    return a.constructor === b.constructor && equals([...(a as Map<unknown, unknown>)], [
      ...(b as Map<unknown, unknown>),
    ]);
  }
  const keys = (o: object) =>
    Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined).sort();
  const ka = keys(a);
  const kb = keys(b);
  return equals(ka, kb) &&
    ka.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether `actual` holds at least what `expected` does, recursively (bun's `toMatchObject`). */
function matchesObject(actual: unknown, expected: unknown): boolean {
  if (expected instanceof Asymmetric) return expected.matches(actual);
  if (typeof expected !== "object" || expected === null) return equals(actual, expected);
  if (typeof actual !== "object" || actual === null) return false;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length &&
      expected.every((item, i) => matchesObject(actual[i], item));
  }
  return Object.entries(expected).every(([key, value]) =>
    matchesObject((actual as Record<string, unknown>)[key], value)
  );
}

function show(value: unknown): string {
  if (value instanceof Asymmetric) return value.label;
  try {
    return typeof value === "string" ? JSON.stringify(value) : deno.inspect(value, { depth: 6 });
  } catch {
    return String(value);
  }
}

function thrown(fn: () => unknown): { threw: boolean; error: unknown } {
  try {
    fn();
  } catch (error) {
    return { threw: true, error };
  }
  return { threw: false, error: undefined };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Matchers = Record<string, (...expected: Any[]) => Any>;

function matchers(actual: Any, negate: boolean, label: string): Matchers {
  const check = (pass: boolean, what: string) => {
    if (pass === negate) {
      throw new Error(`expect(${show(actual)})${label}${negate ? ".not" : ""}.${what}`);
    }
  };
  return {
    toBe: (e) => check(Object.is(actual, e), `toBe(${show(e)})`),
    toEqual: (e) => check(equals(actual, e), `toEqual(${show(e)})`),
    toStrictEqual: (e) => check(equals(actual, e), `toStrictEqual(${show(e)})`),
    toMatchObject: (e) => check(matchesObject(actual, e), `toMatchObject(${show(e)})`),
    toContainEqual: (e) =>
      check([...actual].some((x) => equals(x, e)), `toContainEqual(${show(e)})`),
    toContain: (e) =>
      check(
        typeof actual === "string" ? actual.includes(e) : [...actual].some((x) => Object.is(x, e)),
        `toContain(${show(e)})`,
      ),
    toHaveLength: (n) =>
      check(actual?.length === n, `toHaveLength(${n}), length ${actual?.length}`),
    toBeGreaterThan: (n) => check(actual > n, `toBeGreaterThan(${n})`),
    toBeGreaterThanOrEqual: (n) => check(actual >= n, `toBeGreaterThanOrEqual(${n})`),
    toBeLessThan: (n) => check(actual < n, `toBeLessThan(${n})`),
    toBeLessThanOrEqual: (n) => check(actual <= n, `toBeLessThanOrEqual(${n})`),
    toBeCloseTo: (n, digits = 2) =>
      check(Math.abs(actual - n) < 10 ** -digits / 2, `toBeCloseTo(${n}, ${digits})`),
    toBeNull: () => check(actual === null, "toBeNull()"),
    toBeUndefined: () => check(actual === undefined, "toBeUndefined()"),
    toBeDefined: () => check(actual !== undefined, "toBeDefined()"),
    toBeTruthy: () => check(Boolean(actual), "toBeTruthy()"),
    toBeFalsy: () => check(!actual, "toBeFalsy()"),
    toBeInstanceOf: (c) => check(actual instanceof c, `toBeInstanceOf(${c?.name})`),
    toStartWith: (s) => check(String(actual).startsWith(s), `toStartWith(${show(s)})`),
    toEndWith: (s) => check(String(actual).endsWith(s), `toEndWith(${show(s)})`),
    toMatch: (re) =>
      check(
        typeof re === "string" ? String(actual).includes(re) : re.test(String(actual)),
        `toMatch(${re})`,
      ),
    toThrow: (e?: string | RegExp | (new (...args: Any[]) => Error)) => {
      // After `.rejects`, the value is the rejection itself.
      const { threw, error } = typeof actual === "function"
        ? thrown(actual)
        : { threw: true, error: actual };
      let pass = threw;
      if (threw && typeof e === "string") pass = messageOf(error).includes(e);
      else if (threw && e instanceof RegExp) pass = e.test(messageOf(error));
      else if (threw && typeof e === "function") pass = error instanceof e;
      check(pass, `toThrow(${show(e)}), threw ${threw ? show(messageOf(error)) : "nothing"}`);
    },
  };
}

/** A value's matchers: `.not`, `.rejects` and `.resolves` as bun:test has them. */
export function expect(actual: Any): Any {
  const settle = (rejects: boolean) => {
    const settled = Promise.resolve(actual).then(
      (value) => {
        if (rejects) throw new Error(`expect(promise).rejects: it resolved to ${show(value)}`);
        return value;
      },
      (error) => {
        if (!rejects) throw new Error(`expect(promise).resolves: it rejected: ${messageOf(error)}`);
        return error;
      },
    );
    const label = rejects ? ".rejects" : ".resolves";
    const later = (negate: boolean): Any =>
      new Proxy({}, {
        // `.rejects.not.toThrow(…)`: the trap answers every name, so `not` is answered here.
        get: (_target, name: string) =>
          name === "not" && !negate
            ? later(true)
            : async (...args: Any[]) => matchers(await settled, negate, label)[name]!(...args),
      });
    return later(false);
  };
  return {
    ...matchers(actual, false, ""),
    not: matchers(actual, true, ""),
    get rejects() {
      return settle(true);
    },
    get resolves() {
      return settle(false);
    },
  };
}

expect.any = (type: Any) =>
  new Asymmetric(
    (actual) =>
      actual instanceof type ||
      (type === Number && typeof actual === "number") ||
      (type === String && typeof actual === "string") ||
      (type === Boolean && typeof actual === "boolean"),
    `Any<${type?.name}>`,
  );
expect.objectContaining = (expected: Any) =>
  new Asymmetric((actual) => matchesObject(actual, expected), `ObjectContaining`);
expect.arrayContaining = (expected: unknown[]) =>
  new Asymmetric(
    (actual) =>
      Array.isArray(actual) && expected.every((item) => actual.some((a) => equals(a, item))),
    `ArrayContaining`,
  );
expect.stringMatching = (pattern: string | RegExp) =>
  new Asymmetric(
    (actual) => typeof actual === "string" && new RegExp(pattern).test(actual),
    `StringMatching ${pattern}`,
  );
