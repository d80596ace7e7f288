/**
 * Idempotent writes: guesses, hint takes and check-ins accept an
 * `Idempotency-Key` header (the IETF httpapi draft's semantics), so a phone on
 * bad Wi-Fi can send the same request again without doing it twice.
 *
 * - The first request with a key is processed. When it changed something (a
 *   guess, a hint take, a check-in or an unlock stored), its answer (status
 *   and body) is committed with its writes, in the same transaction.
 * - A retry with the same key and payload gets that answer back, byte for
 *   byte, and writes nothing.
 * - A retry with the same key and another payload gets 422 (`unprocessable`).
 * - A retry while the first is still in flight gets 409 (`conflict`).
 *
 * Keys belong to a team. Only answers that changed something are kept: a
 * refusal, or an answer that wrote nothing (`already_solved`, a hint already
 * taken, a check-in already made), leaves no key, so a retry is decided
 * again, and gets the same answer since solves, taken hints and check-ins
 * stay. What a team can still store is bounded by the hunt (its solves,
 * hints and checkpoints) except for wrong guesses, which the guess limits
 * only slow down: so a team keeps at most `MAX_KEYS_PER_TEAM` keys, and its
 * oldest is forgotten, on disk too, in the commit that stores one more. A key
 * is kept until a day after the hunt's end, or a day after it was used when
 * the hunt has no end; expired keys are pruned with a later commit. The index
 * lives in memory, loaded at boot.
 */
import { createHash } from "node:crypto";
import type { Write } from "../engine/mod.ts";
import type { StoredIdempotency } from "../store/mod.ts";
import { ApiError } from "./errors.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const MAX_KEY_LENGTH = 255;
/** How long a key outlives the hunt's end (or its use, for a hunt with no end). */
export const KEY_GRACE_MS = 24 * 60 * 60 * 1000;
/**
 * The keys a team keeps at most: more than a team writes in a whole hunt of a
 * hundred puzzles, so only a team that floods wrong guesses ever loses one,
 * and then its oldest, whose retry would be long overdue.
 */
export const MAX_KEYS_PER_TEAM = 1000;
/** Expired keys are looked for at most this often. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/** The answer stored with a key. */
export interface StoredAnswer {
  status: number;
  body: string;
}

/** What a key says about a new request that carries it. */
export type KeyCheck =
  | { kind: "new" }
  | { kind: "replay"; answer: StoredAnswer }
  | { kind: "in_flight" }
  | { kind: "reused" };

interface Entry {
  fingerprint: string;
  at: number;
  /** Undefined while the first request is in flight. */
  answer: StoredAnswer | undefined;
  /** Its answer is on its way to disk: it counts against the cap. */
  recorded?: boolean;
  /** While the commit that forgets it is on its way: it no longer counts against the cap. */
  evicting?: boolean;
  /** The older keys the commit storing this one forgets, to drop once it is on disk. */
  evicts?: string[];
}

/** Every team's keys, in memory, oldest first; the durable copy is in the store. */
export class IdempotencyKeys {
  private readonly teams = new Map<number, Map<string, Entry>>();
  private lastPrune = -Infinity;

  /**
   * The index over the keys the store holds (`rows` oldest first), and the
   * writes that forget, on disk too, what a team holds beyond the cap (a
   * database from a version without one): commit them once, at boot.
   */
  static load(rows: readonly StoredIdempotency[]): { keys: IdempotencyKeys; trim: Write[] } {
    const keys = new IdempotencyKeys();
    for (const row of rows) {
      keys.team(row.teamId).set(row.key, {
        fingerprint: row.fingerprint,
        at: row.at,
        answer: { status: row.status, body: row.body },
      });
    }
    const trim: Write[] = [];
    for (const [teamId, entries] of keys.teams) {
      const over = entries.size - MAX_KEYS_PER_TEAM;
      if (over <= 0) continue;
      const forgotten = [...entries.keys()].slice(0, over);
      for (const key of forgotten) entries.delete(key);
      trim.push({ kind: "idempotency_evict", teamId, keys: forgotten });
    }
    return { keys, trim };
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    let size = 0;
    for (const entries of this.teams.values()) size += entries.size;
    return size;
  }

  /** How many keys a team holds. */
  held(teamId: number): number {
    return this.teams.get(teamId)?.size ?? 0;
  }

  /**
   * Looks the key up for a request asking `fingerprint`. A new key is marked
   * in flight: the caller then calls `record` and `settled`, or `abandon`.
   */
  begin(teamId: number, key: string, fingerprint: string, now: number): KeyCheck {
    const entries = this.team(teamId);
    const entry = entries.get(key);
    if (entry === undefined) {
      entries.set(key, { fingerprint, at: now, answer: undefined });
      return { kind: "new" };
    }
    if (entry.fingerprint !== fingerprint) return { kind: "reused" };
    if (entry.answer === undefined) return { kind: "in_flight" };
    return { kind: "replay", answer: entry.answer };
  }

  /** Plays another node's record (a shared log): a key it answered, or the keys it forgot. */
  follow(write: Write): void {
    if (write.kind === "idempotency") {
      this.team(write.teamId).set(write.key, {
        fingerprint: write.fingerprint,
        at: write.at,
        answer: { status: write.status, body: write.body },
      });
    } else if (write.kind === "idempotency_evict") {
      const entries = this.teams.get(write.teamId);
      for (const key of write.keys) {
        if (entries?.get(key)?.answer !== undefined) entries.delete(key);
      }
    } else if (write.kind === "idempotency_prune") {
      this.expire(write.before);
    }
  }

  /**
   * The writes that store a key's answer, to commit with the writes it
   * answers for: its record, and when the team is at the cap, the record
   * that forgets its oldest answered keys.
   */
  record(teamId: number, key: string, answer: StoredAnswer): Write[] {
    const entries = this.teams.get(teamId);
    const entry = entries?.get(key);
    if (entries === undefined || entry === undefined) throw new Error(`Key ${key} was not begun`);
    const write: Write = {
      kind: "idempotency",
      teamId,
      key,
      fingerprint: entry.fingerprint,
      ...answer,
      at: entry.at,
    };
    entry.recorded = true;
    // Below the cap, with every key counted, as is every team's case but a flooder's.
    if (entries.size <= MAX_KEYS_PER_TEAM) return [write];
    // Counted with the keys on their way to disk and without those on their way out, so that
    // two records at once forget two keys.
    let kept = 0;
    for (const other of entries.values()) {
      if ((other.answer !== undefined || other.recorded) && !other.evicting) kept++;
    }
    if (kept <= MAX_KEYS_PER_TEAM) return [write];
    const evicts: string[] = [];
    for (const [old, other] of entries) {
      if (kept <= MAX_KEYS_PER_TEAM) break;
      if (other.answer === undefined || other.evicting) continue;
      other.evicting = true;
      evicts.push(old);
      kept--;
    }
    entry.evicts = evicts;
    return [write, { kind: "idempotency_evict", teamId, keys: evicts }];
  }

  /** The key's answer is on disk: later retries get it, and the keys it replaced are gone. */
  settled(teamId: number, key: string, answer: StoredAnswer): void {
    const entries = this.teams.get(teamId);
    const entry = entries?.get(key);
    if (entries === undefined || entry === undefined) return;
    entry.answer = answer;
    for (const old of entry.evicts ?? []) entries.delete(old);
    delete entry.evicts;
    delete entry.recorded;
  }

  /** The request was refused, changed nothing, or failed: the key is free again. */
  abandon(teamId: number, key: string): void {
    const entries = this.teams.get(teamId);
    const entry = entries?.get(key);
    if (entries === undefined || entry === undefined || entry.answer !== undefined) return;
    // The keys its commit would have forgotten count again.
    for (const old of entry.evicts ?? []) {
      const other = entries.get(old);
      if (other !== undefined) delete other.evicting;
    }
    entries.delete(key);
    if (entries.size === 0) this.teams.delete(teamId);
  }

  /**
   * Forgets expired keys, at most every ten minutes: the write to commit, or
   * none. Once the hunt's end (if any) is a day past, a key expires a day
   * after it was recorded.
   */
  prune(now: number, endsAt: number | undefined): Write[] {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return [];
    this.lastPrune = now;
    const before = now - KEY_GRACE_MS;
    if (endsAt !== undefined && before < endsAt) return [];
    return this.expire(before) ? [{ kind: "idempotency_prune", before }] : [];
  }

  /** Forgets the answered keys recorded before `before`; whether there were any. */
  private expire(before: number): boolean {
    let expired = false;
    for (const [teamId, entries] of this.teams) {
      for (const [key, entry] of entries) {
        if (entry.at < before && entry.answer !== undefined) {
          entries.delete(key);
          expired = true;
        }
      }
      if (entries.size === 0) this.teams.delete(teamId);
    }
    return expired;
  }

  /** A team's keys, made on first use. */
  private team(teamId: number): Map<string, Entry> {
    let entries = this.teams.get(teamId);
    if (entries === undefined) {
      entries = new Map();
      this.teams.set(teamId, entries);
    }
    return entries;
  }
}

/** A short hash of what a request asks (its kind, target and payload), to compare retries. */
export function fingerprint(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}

/** Visible ASCII characters (`!` to `~`) and spaces. */
const KEY_CHARS = /^[\x20-\x7e]+$/;

/**
 * The request's `Idempotency-Key`, or undefined when it has none. The draft
 * sends it as a structured-field string (`"…"`); a bare value is accepted
 * too (trimmed, so a bare key's own spaces count only between its other
 * characters). Anything but 1 to 255 visible ASCII characters or spaces is a 400.
 */
export function idempotencyKey(request: Request): string | undefined {
  const header = request.headers.get(IDEMPOTENCY_HEADER);
  if (header === null) return undefined;
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    key = key.slice(1, -1).replace(/\\(["\\])/g, "$1");
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_CHARS.test(key)) {
    throw new ApiError(
      "bad_request",
      `The Idempotency-Key header must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters or spaces`,
    );
  }
  return key;
}
