// The layout's rules, checked on the source itself: the store is the only door
// to the database, `http/` and `ui/` are siblings, the core imports no runtime,
// and no function grows past about 120 lines.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const SRC = join(import.meta.dir, "..", "src");
const MAX_FUNCTION_LINES = 120;

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = sources().map((path) => ({
  path: relative(SRC, path),
  text: readFileSync(path, "utf8"),
}));

/** The modules a file imports, as written. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

describe("the layout", () => {
  test("finds the source files", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.path === join("server", "mod.ts"))).toBe(true);
  });

  test("only store/ and cli/ touch the database", () => {
    const offenders = files.filter((f) =>
      !f.path.startsWith("store/") && !f.path.startsWith("cli/") &&
      /bun:sqlite|\.query\(|\.prepare\(/.test(f.text)
    ).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  test("http/ and ui/ never import each other", () => {
    const crossing = files.flatMap((f) => {
      const other = f.path.startsWith("http/") ? "ui" : f.path.startsWith("ui/") ? "http" : "";
      if (other === "") return [];
      return importsOf(f.text).filter((m) => m.startsWith(`../${other}/`)).map((m) =>
        `${f.path} imports ${m}`
      );
    });
    expect(crossing).toEqual([]);
  });

  test("engine/ and rules/ import nothing from Bun, Hono or the disk", () => {
    const found = files.flatMap((f) => {
      if (!f.path.startsWith("engine/") && !f.path.startsWith("rules/")) return [];
      return importsOf(f.text).filter((m) =>
        m.startsWith("bun:") || m === "hono" || m.startsWith("hono/") || m.startsWith("node:fs") ||
        /^\.\.\/(store|http|ui|live|cli|server|play)\//.test(m)
      ).map((m) => `${f.path} imports ${m}`);
    });
    expect(found).toEqual([]);
    // Nor do they reach Bun's global.
    expect(
      files.filter((f) =>
        (f.path.startsWith("engine/") || f.path.startsWith("rules/")) && /\bBun\./.test(f.text)
      ).map((f) => f.path),
    ).toEqual([]);
  });

  test("private _files stay inside their folder", () => {
    const leaks = files.flatMap((f) =>
      importsOf(f.text).filter((m) => /^\.\.\/[^/]+\/_/.test(m)).map((m) =>
        `${f.path} imports ${m}`
      )
    );
    expect(leaks).toEqual([]);
  });

  // Parsing every source file takes seconds on a busy machine, more than bun's default 5 s test
  // timeout: it took 9.8 s in a whole `bun test` run beside two busy loops.
  test(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const file of files) {
      const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
          const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
          const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > MAX_FUNCTION_LINES) {
            long.push(`${file.path}:${start + 1} (${end - start + 1} lines)`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  }, 60_000);

  // Bun's compiled binary (with bytecode) starts no worker that imports a module with a top-level
  // await which the main thread loaded by a dynamic import, as main.ts loads the commands
  // (docs/performance.md, "Bytecode in the binary"). Only main.ts awaits at its top level.
  test("no module but main.ts awaits at its top level", () => {
    const found = files.filter((file) => file.path !== "main.ts").flatMap((file) =>
      topLevelAwaits(file.path, file.text).map((line) => `${file.path}:${line}`)
    );
    expect(found).toEqual([]);
  });

  test("topLevelAwaits() finds each way a module awaits as it loads, and no other await", () => {
    const cases: [string, number][] = [
      ["await ready;", 1],
      ["if (ready) { const a = await ready; }", 1],
      ["for await (const chunk of chunks) {}", 1],
      ["await using lock = take();", 1],
      // A computed name, and a decorator's arguments, run where the class or object is defined.
      ["class A { [await key] = 1; }", 1],
      ["class A { [await key]() {} }", 1],
      ["const o = { get [await key]() { return 1; } };", 1],
      ["class A { @mark(await key) run() {} }", 1],
      ["class A extends (await base) {}", 1],
      // A function's body runs when it is called.
      ["async function f() { await ready; for await (const c of cs) {} }", 0],
      ["const f = async () => { await using lock = take(); };", 0],
      ["class A { async [key]() { await ready; } }", 0],
      ["using lock = take();", 0],
    ];
    for (const [text, count] of cases) {
      expect([text, topLevelAwaits("case.ts", text).length]).toEqual([text, count]);
    }
  });
});

/** The lines of a module's awaits that run as it loads (a top-level await), one per await. */
function topLevelAwaits(path: string, text: string): number[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node)) {
      // Its body runs when it is called; its computed name and its decorators, where it is defined.
      const name = (node as { name?: ts.Node }).name;
      if (name !== undefined && ts.isComputedPropertyName(name)) visit(name);
      if (ts.canHaveDecorators(node)) ts.getDecorators(node)?.forEach(visit);
      return;
    }
    // A static block cannot await.
    if (ts.isClassStaticBlockDeclaration(node)) return;
    const awaits = ts.isAwaitExpression(node) ||
      (ts.isForOfStatement(node) && node.awaitModifier !== undefined) ||
      (ts.isVariableDeclarationList(node) &&
        (node.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing);
    if (awaits) lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}
