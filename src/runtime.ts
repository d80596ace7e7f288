/**
 * Which JavaScript runtime runs Cairn: Bun, or Deno. Modules that use a
 * runtime's own API (the listener, the password hash, the SQLite driver)
 * pick their implementation once, at load, from this.
 */

interface DenoGlobal {
  version: { deno: string };
}

const deno = (globalThis as { Deno?: DenoGlobal }).Deno;

/** The runtime's name and version, as `cairn version` and `/metrics` report them. */
export const RUNTIME: { name: "bun" | "deno"; version: string } = "Bun" in globalThis
  ? { name: "bun", version: Bun.version }
  : { name: "deno", version: deno?.version.deno ?? "unknown" };
