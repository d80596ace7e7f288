import MarkdownIt from "markdown-it";
import type { Puzzle } from "../engine/mod.ts";

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
const rendered = new WeakMap<Puzzle, string>();

/** A puzzle's markdown as HTML (raw HTML in it is escaped), rendered once. */
export function bodyHtml(puzzle: Puzzle): string {
  let html = rendered.get(puzzle);
  if (html === undefined) {
    html = markdown.render(puzzle.body);
    rendered.set(puzzle, html);
  }
  return html;
}
