/**
 * A CTFd notification's Markdown as the plain text of a Cairn announcement. CTFd renders a
 * notification's content as Markdown (raw HTML allowed); Cairn shows an announcement as the text
 * an organizer typed, everywhere (the banner, the projector, a toast, the API): `**`, backticks
 * and `[link](url)` would show as they are. So the import reads the Markdown and writes what a
 * reader of CTFd's page saw: the words, each link's address after its text, code as it is.
 */
import MarkdownIt from "markdown-it";

/** CTFd's renderer takes raw HTML; its tags are read here only to be dropped (a `<br>` breaks). */
const markdown = new MarkdownIt({ html: true, linkify: false, typographer: false });

type Token = ReturnType<typeof markdown.parse>[number];

/** A `<br>` in raw HTML: a line break. */
const BREAK = /<br\s*\/?>/gi;
/** A script or a style, and what it holds: a browser runs or applies it, never shows it. */
const HIDDEN = /<(script|style)\b[^]*?(?:<\/\1\s*>|$)/gi;
/** Where an inline script or style opens or closes (each its own token, the text between apart). */
const HIDDEN_OPEN = /^<(?:script|style)\b/i;
const HIDDEN_CLOSE = /^<\/(?:script|style)\s*>/i;
/** Any other tag (or comment) in raw HTML: dropped, its text kept; a quoted `>` is the tag's. */
const TAG = /<!--[^]*?-->|<\/?[A-Za-z](?:[^>"']|"[^"]*"|'[^']*')*>/g;
/** An entity of raw HTML (Markdown's own are decoded by the parser). */
const ENTITY = /&(?:#\d{1,7}|#x[\da-f]{1,6}|[a-z][a-z\d]{1,31});/gi;

/** Raw HTML's text: scripts, styles and tags dropped, `<br>` a line break, entities decoded. */
function htmlText(html: string): string {
  return html.replace(HIDDEN, "").replace(BREAK, "\n").replace(TAG, "").replace(
    ENTITY,
    // One entity alone, so the parser's decoding has no backslash escape to read.
    (entity) => markdown.utils.unescapeAll(entity),
  );
}

/** An inline run's text: a link's address follows its text, unless the text is the address. */
function inlineText(tokens: readonly Token[]): string {
  let out = "";
  const links: { href: string; from: number }[] = [];
  /** Inside an inline script or style: its text is not shown. */
  let hidden = false;
  for (const token of tokens) {
    // (An inline tag is a token of its own.)
    if (token.type === "html_inline" && HIDDEN_OPEN.test(token.content)) hidden = true;
    if (token.type === "html_inline" && HIDDEN_CLOSE.test(token.content)) {
      hidden = false;
      continue;
    }
    if (hidden) continue;
    switch (token.type) {
      case "text":
      case "code_inline":
        out += token.content;
        break;
      case "softbreak":
      case "hardbreak":
        out += "\n";
        break;
      case "html_inline":
        out += htmlText(token.content);
        break;
      case "image": {
        const alt = inlineText(token.children ?? []);
        const src = String(token.attrGet("src") ?? "");
        out += alt === "" ? src : src === "" ? alt : `${alt} (${src})`;
        break;
      }
      case "link_open":
        links.push({ href: String(token.attrGet("href") ?? ""), from: out.length });
        break;
      case "link_close": {
        const link = links.pop();
        if (link === undefined || link.href === "") break;
        const shown = out.slice(link.from);
        const bare = link.href.replace(/^mailto:/, "");
        if (shown !== link.href && shown !== bare) out += ` (${bare})`;
        break;
      }
      // Struck-out text keeps its marks: without them it would read as meant.
      case "s_open":
      case "s_close":
        out += "~~";
        break;
      // Emphasis and the rest: their words alone.
      default:
        break;
    }
  }
  return out;
}

/** Markdown as plain text: paragraphs apart, list items and table rows a line each, code as written. */
export function plainText(source: string): string {
  const tokens = markdown.parse(source, {});
  /** Each block's text, and the list or table it is part of (whose lines stay together). */
  const blocks: { text: string; group: string | undefined }[] = [];
  /** Each open list: its next number, or undefined for a bulleted one. */
  const lists: { next: number | undefined }[] = [];
  /** How many lists and tables began at the top level: each one's lines are a group. */
  let groups = 0;
  let prefix = "";
  let row: string[] | undefined;
  const push = (text: string) =>
    blocks.push({ text, group: lists.length > 0 ? `list ${groups}` : undefined });
  for (const token of tokens) {
    switch (token.type) {
      case "bullet_list_open":
      case "ordered_list_open":
        if (lists.length === 0) groups += 1;
        lists.push({
          next: token.type === "bullet_list_open" ? undefined : Number(token.attrGet("start") ?? 1),
        });
        break;
      case "table_open":
        groups += 1;
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open": {
        const list = lists.at(-1)!;
        const indent = "  ".repeat(lists.length - 1);
        prefix = list.next === undefined ? `${indent}- ` : `${indent}${list.next++}. `;
        break;
      }
      case "inline": {
        const text = inlineText(token.children ?? []);
        if (row !== undefined) row.push(text);
        else {
          push(prefix + text);
          prefix = "";
        }
        break;
      }
      case "fence":
      case "code_block":
        push(prefix + token.content.replace(/\n$/, ""));
        prefix = "";
        break;
      case "html_block":
        push(prefix + htmlText(token.content).trim());
        prefix = "";
        break;
      case "hr":
        push("---");
        break;
      case "tr_open":
        row = [];
        break;
      case "tr_close":
        blocks.push({ text: (row ?? []).join(" | "), group: `table ${groups}` });
        row = undefined;
        break;
      default:
        break;
    }
  }
  let text = "";
  blocks.forEach((block, i) => {
    if (i > 0) {
      const before = blocks[i - 1]!;
      text += block.group !== undefined && block.group === before.group ? "\n" : "\n\n";
    }
    text += block.text;
  });
  return text.trim();
}
