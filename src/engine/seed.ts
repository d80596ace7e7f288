/**
 * Deterministic randomness for per-team generation. Everything a team gets
 * (its variant of a puzzle, its route) is derived from the hunt's seed and
 * stable names, never from `Math.random`, so the same hunt file gives the
 * same result on every start, on every machine.
 */

/** A 32-bit hash of a list of strings (FNV-1a over UTF-16 units, with a final avalanche). */
export function hashStrings(...parts: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    // A separator, so that ("ab", "c") and ("a", "bc") differ.
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  // FNV's low bits mix poorly; finish with murmur3's fmix32.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small seeded generator (mulberry32): `next()` returns a 32-bit unsigned integer. */
export function seededRandom(seed: number): { next(): number; below(n: number): number } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { next, below: (n) => next() % n };
}

/** The integers 0..n-1 in a seeded random order (Fisher–Yates). */
export function shuffled(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const items = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
