/**
 * The files in `assets/` that a puzzle's Markdown body links to or shows, found
 * by the same parser that renders the body (`play/markdown.ts`), so that what
 * `check` reads is what a player's page asks for: a destination in `<…>` with
 * spaces, one with parentheses, or a name in any script, and nothing inside code.
 */
import MarkdownIt from "markdown-it";

const parser = new MarkdownIt({ html: false, linkify: false, typographer: false });

type Token = ReturnType<typeof parser.parse>[number];

/** The file each `assets/` target names (decoded, without its query), once each, in order. */
export function assetLinks(body: string): string[] {
  if (!body.includes("assets/")) return [];
  const found = new Set<string>();
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      const url = token.type === "image"
        ? token.attrGet("src")
        : token.type === "link_open"
        ? token.attrGet("href")
        : null;
      if (typeof url === "string" && url.startsWith("assets/")) {
        const link = url.slice("assets/".length).replace(/[?#].*$/, "");
        let file: string;
        try {
          file = decodeURIComponent(link);
        } catch {
          file = link;
        }
        found.add(file);
      }
      if (token.children !== null) visit(token.children);
    }
  };
  visit(parser.parse(body, {}));
  return [...found];
}

/**
 * Each picture the body shows with no text for it (`![](map.png)`), by its address: the page gives
 * it an empty alt, which tells a screen reader to say nothing of it.
 */
export function picturesWithoutText(body: string): string[] {
  if (!body.includes("![")) return [];
  const found: string[] = [];
  const visit = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      if (token.type === "image" && token.content.trim() === "") {
        found.push(String(token.attrGet("src") ?? ""));
      }
      if (token.children !== null) visit(token.children);
    }
  };
  visit(parser.parse(body, {}));
  return found;
}
