import MarkdownIt from "markdown-it";
import type { Puzzle, Variant } from "../engine/mod.ts";

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

// Links and images to `assets/<file>` point at the puzzle's own files
// (`/puzzles/<id>/assets/<file>`), which only teams with it unlocked may fetch.
markdown.core.ruler.push("puzzle_assets", (state) => {
  const puzzleId = (state.env as { puzzleId?: string }).puzzleId;
  if (puzzleId === undefined) return;
  type Token = NonNullable<(typeof state.tokens)[number]["children"]>[number];
  const rewrite = (token: Token, name: string) => {
    const url = token.attrGet(name);
    if (typeof url === "string" && url.startsWith("assets/")) {
      token.attrSet(name, `/puzzles/${encodeURIComponent(puzzleId)}/${url}`);
    }
  };
  for (const block of state.tokens) {
    for (const token of block.children ?? []) {
      if (token.type === "image") rewrite(token, "src");
      else if (token.type === "link_open") rewrite(token, "href");
    }
  }
});

// A table wider than a phone scrolls sideways (app.css): `tabindex` lets a keyboard reach it and
// scroll it too.
markdown.renderer.rules.table_open = (tokens, index, options, _env, self) => {
  tokens[index]!.attrSet("tabindex", "0");
  return self.renderToken(tokens, index, options);
};

const rendered = new WeakMap<Puzzle | Variant, string>();
const renderedSolutions = new WeakMap<Puzzle | Variant, string>();

/** A puzzle's (or a variant's) markdown as HTML (raw HTML in it is escaped), rendered once. */
export function bodyHtml(puzzle: Puzzle, source: Puzzle | Variant = puzzle): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = markdown.render(source.body, { puzzleId: puzzle.id });
    rendered.set(source, html);
  }
  return html;
}

/**
 * A puzzle's (or a variant's) solution as HTML, rendered once, as the body is; undefined when the
 * hunt gives none.
 */
export function solutionHtml(
  puzzle: Puzzle,
  source: Puzzle | Variant = puzzle,
): string | undefined {
  if (source.solution === undefined) return undefined;
  let html = renderedSolutions.get(source);
  if (html === undefined) {
    html = markdown.render(source.solution, { puzzleId: puzzle.id });
    renderedSolutions.set(source, html);
  }
  return html;
}
