import MarkdownIt from "markdown-it";
import type { Puzzle, Variant } from "../engine/mod.ts";

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
const rendered = new WeakMap<Puzzle | Variant, string>();

/** A puzzle's (or a variant's) markdown as HTML (raw HTML in it is escaped), rendered once. */
export function bodyHtml(source: Puzzle | Variant): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = markdown.render(source.body);
    rendered.set(source, html);
  }
  return html;
}
