/** A half-open range `[start, end)` of UTF-16 offsets into the rule's source. */
export interface Span {
  start: number;
  end: number;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export type ArithOp = "+" | "-";
export type LogicOp = "and" | "or";

/** A rule's syntax tree. Every node carries the span it was parsed from. */
export type Node =
  | { kind: "int"; value: number; span: Span }
  | { kind: "string"; value: string; span: Span }
  | { kind: "bool"; value: boolean; span: Span }
  | { kind: "not"; operand: Node; span: Span }
  | { kind: "negate"; operand: Node; span: Span }
  | { kind: "logic"; op: LogicOp; left: Node; right: Node; span: Span }
  | { kind: "compare"; op: CompareOp; left: Node; right: Node; span: Span }
  | { kind: "arith"; op: ArithOp; left: Node; right: Node; span: Span }
  | { kind: "call"; name: string; nameSpan: Span; args: Node[]; span: Span };

/** A mistake in a rule, located in its source. */
export interface RuleError {
  message: string;
  span: Span;
}
