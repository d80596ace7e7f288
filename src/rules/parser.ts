/**
 * The rule parser: recursive descent over the tokens, one function per
 * precedence level, from loosest to tightest:
 *
 *   rule     = or EOF
 *   or       = and { "or" and }
 *   and      = not { "and" not }
 *   not      = "not" not | compare
 *   compare  = additive [ ("=="|"!="|"<"|"<="|">"|">=") additive ]
 *   additive = unary { ("+"|"-") unary }
 *   unary    = "-" unary | primary
 *   primary  = INT | STRING | "true" | "false" | "(" or ")" | IDENT "(" [ or { "," or } ] ")"
 */
import type { CompareOp, Node, RuleError, Span } from "./ast.ts";
import { lex, type Token, type TokenKind } from "./lexer.ts";

export type ParseResult = { kind: "ok"; ast: Node } | { kind: "error"; error: RuleError };

const COMPARE_OPS = new Set<TokenKind>(["==", "!=", "<", "<=", ">", ">="]);

/** Thrown inside the parser only, and turned into a returned error at its edge. */
class ParseFailure {
  constructor(readonly error: RuleError) {}
}

/** Parses a rule into its syntax tree, or returns the first syntax error. */
export function parse(source: string): ParseResult {
  const lexed = lex(source);
  if (lexed.kind === "error") return lexed;
  if (lexed.tokens.length === 1) {
    return { kind: "error", error: { message: "The rule is empty", span: { start: 0, end: 0 } } };
  }
  try {
    const parser = new Parser(lexed.tokens);
    const ast = parser.or();
    parser.expectEnd();
    return { kind: "ok", ast };
  } catch (failure) {
    if (failure instanceof ParseFailure) return { kind: "error", error: failure.error };
    throw failure;
  }
}

/**
 * How deeply a rule may nest (parentheses, "not", "-"), and how many operators
 * it may join. Far beyond any real rule; they keep the parser, the checker and
 * the compiler, which all recurse over the tree, within the stack.
 */
export const MAX_NESTING = 64;
export const MAX_OPERATORS = 1_000;

class Parser {
  private pos = 0;
  private nesting = 0;
  private operators = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Counts one more level of nesting at `token`, and refuses one too many. */
  private enter(token: Token): void {
    if (++this.nesting > MAX_NESTING) {
      this.fail(
        `The rule nests more than ${MAX_NESTING} levels deep here: write it more simply`,
        token.span,
      );
    }
  }

  /** Counts one more operator at `token`, and refuses one too many. */
  private operator(token: Token): void {
    if (++this.operators > MAX_OPERATORS) {
      this.fail(
        `The rule joins more than ${
          MAX_OPERATORS.toLocaleString("en")
        } operators: write it more simply (solves() or solves_in_round() can count many puzzles at once)`,
        token.span,
      );
    }
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const token = this.tokens[this.pos]!;
    if (token.kind !== "end") this.pos++;
    return token;
  }

  private fail(message: string, span: Span): never {
    throw new ParseFailure({ message, span });
  }

  private unexpected(token: Token, expected: string): never {
    const found = token.kind === "end" ? "the end of the rule" : `"${token.text}"`;
    this.fail(`Expected ${expected}, found ${found}`, token.span);
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind === "end") return;
    if (token.kind === ")") this.fail('Unexpected ")" without a matching "("', token.span);
    this.unexpected(token, '"and", "or" or the end of the rule');
  }

  or(): Node {
    let left = this.and();
    while (this.peek().kind === "or") {
      this.operator(this.next());
      const right = this.and();
      left = { kind: "logic", op: "or", left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.peek().kind === "and") {
      this.operator(this.next());
      const right = this.not();
      left = { kind: "logic", op: "and", left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private not(): Node {
    const token = this.peek();
    if (token.kind !== "not") return this.compare();
    this.enter(this.next());
    const operand = this.not();
    this.nesting--;
    return { kind: "not", operand, span: join(token.span, operand.span) };
  }

  private compare(): Node {
    const left = this.additive();
    const op = this.peek();
    if (!COMPARE_OPS.has(op.kind)) return left;
    this.next();
    const right = this.additive();
    const node: Node = {
      kind: "compare",
      op: op.kind as CompareOp,
      left,
      right,
      span: join(left.span, right.span),
    };
    // `1 < x < 3` reads naturally but means something else in every language; refuse it.
    const again = this.peek();
    if (COMPARE_OPS.has(again.kind)) {
      this.fail('Comparisons cannot be chained: join them with "and"', again.span);
    }
    return node;
  }

  private additive(): Node {
    let left = this.unary();
    for (let op = this.peek(); op.kind === "+" || op.kind === "-"; op = this.peek()) {
      this.operator(this.next());
      const right = this.unary();
      left = { kind: "arith", op: op.kind, left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token.kind !== "-") return this.primary();
    this.enter(this.next());
    const operand = this.unary();
    this.nesting--;
    return { kind: "negate", operand, span: join(token.span, operand.span) };
  }

  private primary(): Node {
    const token = this.next();
    switch (token.kind) {
      case "int": {
        const value = Number(token.text);
        if (!Number.isSafeInteger(value)) this.fail("This number is too large", token.span);
        return { kind: "int", value, span: token.span };
      }
      case "string":
        return { kind: "string", value: token.text, span: token.span };
      case "true":
      case "false":
        return { kind: "bool", value: token.kind === "true", span: token.span };
      case "(": {
        this.enter(token);
        const inner = this.or();
        this.nesting--;
        const close = this.peek();
        if (close.kind !== ")") this.unexpected(close, '")"');
        this.next();
        return { ...inner, span: join(token.span, close.span) };
      }
      case "ident":
        return this.call(token);
      default:
        this.unexpected(token, 'a value, a function call or "("');
    }
  }

  private call(name: Token): Node {
    const open = this.peek();
    if (open.kind !== "(") {
      this.fail(
        `"${name.text}" is not a value: to call a function, write ${name.text}(…)`,
        name.span,
      );
    }
    this.enter(this.next());
    const args: Node[] = [];
    if (this.peek().kind !== ")") {
      args.push(this.or());
      while (this.peek().kind === ",") {
        this.next();
        args.push(this.or());
      }
    }
    this.nesting--;
    const close = this.peek();
    if (close.kind !== ")") this.unexpected(close, '"," or ")"');
    this.next();
    return {
      kind: "call",
      name: name.text,
      nameSpan: name.span,
      args,
      span: join(name.span, close.span),
    };
  }
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}
