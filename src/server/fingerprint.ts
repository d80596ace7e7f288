import { createHash } from "node:crypto";
import type { Hunt } from "../engine/mod.ts";

/**
 * A short hash of what a hunt file compiles to (not where it lies): nodes
 * sharing one log record theirs, so that one running another hunt is seen.
 */
export function huntFingerprint(hunt: Hunt): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(hunt, (key, value: unknown) => {
    // Where the file lies differs between nodes; what it says must not.
    if (key === "assetsDir" || typeof value === "function") return undefined;
    if (value instanceof Map || value instanceof Set) return [...value];
    if (value instanceof RegExp) return String(value);
    if (typeof value === "object" && value !== null) {
      // A puzzle is both in the list and in the index: hashed once, in order.
      if (seen.has(value)) return "[seen]";
      seen.add(value);
    }
    return value;
  });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
