/**
 * A CTFd regex flag, written for Python's `re`, as the same pattern in
 * JavaScript's Unicode syntax, which Cairn's `answer_regex` uses. Python takes
 * what JavaScript's Unicode mode refuses: a brace that is no quantifier
 * (`flag{[a-z]+}`), an escaped sign that needs no escape (`\-`, `\_`, `\!`, as
 * Python's `re.escape` wrote them before 3.7), `{,m}` and `{,}`, `\A`, `\Z`, named
 * groups as `(?P<name>…)`, and a leading `(?i)`.
 */

/** Characters JavaScript's Unicode mode lets a backslash escape outside a class (`/` too). */
const SYNTAX = new Set("^$\\.*+?()[]{}|/");
/** A Python quantifier in braces: `{n}`, `{n,}`, `{n,m}` or `{,m}`. */
const QUANTIFIER = /^\{(\d*)(,?)(\d*)\}/;

/** The pattern in JavaScript's syntax, and whether it asked for case-insensitive matching. */
export function fromPython(pattern: string): { pattern: string; caseInsensitive: boolean } {
  let rest = pattern;
  // A leading (?i) makes the whole pattern case-insensitive, as Cairn's patterns always are.
  const caseInsensitive = /^\(\?i\)/.test(rest);
  if (caseInsensitive) rest = rest.slice(4);
  const chars = [...rest];
  let out = "";
  // Inside a class, and at its first character (where Python reads "]" as a literal).
  let inClass = false;
  let classStart = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const first = classStart;
    classStart = false;
    if (c === "\\") {
      const next = chars[++i];
      if (next === undefined) return { pattern, caseInsensitive: false };
      if (/[A-Za-z0-9]/.test(next)) {
        // \A and \Z are the start and the very end; every other letter means the same in both.
        out += inClass ? `\\${next}` : next === "A" ? "^" : next === "Z" ? "$" : `\\${next}`;
      } else if (SYNTAX.has(next) || (inClass && next === "-")) out += `\\${next}`;
      else out += next; // a sign escaped that needs no escape: itself
    } else if (inClass) {
      if (c === "]" && !first) inClass = false;
      out += c === "]" && first ? "\\]" : c === "[" ? "\\[" : c;
    } else if (c === "[") {
      inClass = true;
      classStart = true;
      out += c;
      if (chars[i + 1] === "^") {
        out += "^";
        i++;
      }
    } else if (c === "{") {
      const quantifier = QUANTIFIER.exec(chars.slice(i).join(""));
      if (quantifier !== null && quantifier[0] !== "{}") {
        // {,m} is {0,m} and {,} is {0,}, as Python reads them; a brace that is no quantifier
        // ({} too) is a brace.
        out += `{${quantifier[1] || "0"}${quantifier[2]}${quantifier[3]}}`;
        i += quantifier[0].length - 1;
      } else out += "\\{";
    } else if (c === "}" || c === "]") out += `\\${c}`;
    else if (c === "(" && chars.slice(i, i + 3).join("") === "(?P") {
      // Named groups: (?P<name>…) is (?<name>…), (?P=name) is \k<name>.
      const tail = chars.slice(i + 3).join("");
      const backref = /^=(\w+)\)/.exec(tail);
      if (tail.startsWith("<")) {
        out += "(?";
        i += 2;
      } else if (backref !== null) {
        out += `\\k<${backref[1]}>`;
        i += 3 + backref[0].length - 1;
      } else out += c;
    } else out += c;
  }
  return { pattern: out, caseInsensitive };
}
