/**
 * The counts the admin navigation shows beside its links: submissions waiting
 * for a judge and questions waiting for an organizer. Undefined hides a link
 * the hunt has no use for, as false does the QR cards of a hunt with no checkpoint.
 */
import type { Engine } from "../engine/mod.ts";

/** How many submissions wait for a judge, or undefined when the hunt has no missions. */
export function judging(engine: Engine): number | undefined {
  if (!engine.hunt.puzzles.some((p) => p.mission !== undefined)) return undefined;
  let pending = 0;
  for (const submission of engine.judgeable()) {
    if (submission.status === "pending") pending += 1;
  }
  return pending;
}

/** Whether the hunt has a checkpoint: the QR cards link shows only then (a CTF has none). */
export function carding(engine: Engine): boolean {
  return engine.hunt.checkpoints.size > 0;
}

/** How many asks wait for an answer, or undefined when the hunt has no ask hint (no nav link). */
export function asking(engine: Engine): number | undefined {
  if (!engine.hunt.puzzles.some((p) => p.hints.some((h) => h.kind === "ask"))) return undefined;
  let open = 0;
  for (const ask of engine.asks.values()) if (ask.status === "open") open++;
  return open;
}
