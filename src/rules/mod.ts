/**
 * The rule language: a rule is parsed into a syntax tree, type-checked against
 * the hunt's names, and compiled into closures over a compact team state.
 * Nothing here imports Bun, Hono or the disk, so it runs on Deno unchanged.
 */
import type { RuleError, Span } from "./ast.ts";
import { checkRule, type Expr, type RuleContext, type RuleScope } from "./checker.ts";
import { compileCondition, type Condition } from "./compiler.ts";
import { parse } from "./parser.ts";
import { stateLayout } from "./state.ts";

export type { Node, RuleError, Span } from "./ast.ts";
export { analyze, needsPuzzle, walkCalls } from "./analyze.ts";
export type { Analysis, AnalysisInput, AnalysisPuzzle, Blocked } from "./analyze.ts";
export { checkRule, FUNCTIONS } from "./checker.ts";
export type { Expr, FunctionName, RuleContext, RuleScope, RuleType } from "./checker.ts";
export { compileCondition } from "./compiler.ts";
export { explainRule } from "./explain.ts";
export type { Explanation, Reason } from "./explain.ts";
export type { Condition } from "./compiler.ts";
export { parse } from "./parser.ts";
export { emptyState, hintKey, stateLayout } from "./state.ts";
export type { RuleState, StateLayout, StateShape } from "./state.ts";
export { didYouMean, suggest } from "./suggest.ts";
export { timeBoundaries } from "./time.ts";
export type { TimeBoundaries } from "./time.ts";

/** A rule ready to run: its checked form (for analysis) and its closure. */
export interface CompiledRule {
  source: string;
  expr: Expr;
  condition: Condition;
}

export type CompileResult =
  | { kind: "ok"; rule: CompiledRule }
  | { kind: "error"; errors: RuleError[] };

/** Parses, checks and compiles one rule. */
export function compileRule(source: string, scope: RuleScope, context: RuleContext): CompileResult {
  const parsed = parse(source);
  if (parsed.kind === "error") return { kind: "error", errors: [parsed.error] };
  const checked = checkRule(parsed.ast, scope, context);
  if (checked.kind === "error") return checked;
  const layout = stateLayout({
    puzzles: scope.puzzles.size,
    rounds: scope.rounds.size,
    tags: scope.tags.size,
    routes: scope.routes?.size ?? 0,
  });
  const condition = compileCondition(checked.expr, layout);
  return { kind: "ok", rule: { source, expr: checked.expr, condition } };
}

/** The rule's source with a caret line under `span`: what `cairn check` shows. */
export function caret(source: string, span: Span): string {
  const lineStart = source.lastIndexOf("\n", span.start - 1) + 1;
  const newline = source.indexOf("\n", span.start);
  const lineEnd = newline === -1 ? source.length : newline;
  const line = source.slice(lineStart, lineEnd).replace(/\t/g, " ");
  const width = Math.max(1, Math.min(span.end, lineEnd) - span.start);
  return `${line}\n${" ".repeat(span.start - lineStart)}${"^".repeat(width)}`;
}
