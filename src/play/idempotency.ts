/**
 * Idempotent writes: guesses, hint takes and check-ins accept an
 * `Idempotency-Key` header (the IETF httpapi draft's semantics), so a phone on
 * bad Wi-Fi can send the same request again without doing it twice.
 *
 * - The first request with a key is processed, and its answer (status and
 *   body) is committed with its writes, in the same transaction.
 * - A retry with the same key and payload gets that answer back, byte for
 *   byte, and writes nothing.
 * - A retry with the same key and another payload gets 422 (`unprocessable`).
 * - A retry while the first is still in flight gets 409 (`conflict`).
 *
 * Keys belong to a team. Only answers that succeeded are kept: a refusal
 * changed nothing, so the same key may be tried again (after a
 * `rate_limited`, say). A key is kept until a day after the hunt's end, or a
 * day after it was used when the hunt has no end; expired keys are pruned
 * with a later commit. The index lives in memory, loaded at boot.
 */
import { createHash } from "node:crypto";
import type { Write } from "../engine/mod.ts";
import type { StoredIdempotency } from "../store/mod.ts";
import { ApiError } from "./errors.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const MAX_KEY_LENGTH = 255;
/** How long a key outlives the hunt's end (or its use, for a hunt with no end). */
export const KEY_GRACE_MS = 24 * 60 * 60 * 1000;
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
}

/** Every team's keys, in memory; the durable copy is in the store. */
export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();
  private lastPrune = -Infinity;

  /** The index over the keys the store holds. */
  static from(rows: readonly StoredIdempotency[]): IdempotencyKeys {
    const keys = new IdempotencyKeys();
    for (const row of rows) {
      keys.entries.set(slot(row.teamId, row.key), {
        fingerprint: row.fingerprint,
        at: row.at,
        answer: { status: row.status, body: row.body },
      });
    }
    return keys;
  }

  /** How many keys are held (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Looks the key up for a request asking `fingerprint`. A new key is marked
   * in flight: the caller then calls `record` and `settled`, or `abandon`.
   */
  begin(teamId: number, key: string, fingerprint: string, now: number): KeyCheck {
    const id = slot(teamId, key);
    const entry = this.entries.get(id);
    if (entry === undefined) {
      this.entries.set(id, { fingerprint, at: now, answer: undefined });
      return { kind: "new" };
    }
    if (entry.fingerprint !== fingerprint) return { kind: "reused" };
    if (entry.answer === undefined) return { kind: "in_flight" };
    return { kind: "replay", answer: entry.answer };
  }

  /** Plays another node's record (a shared log): a key it answered, or the keys it forgot. */
  follow(write: Write): void {
    if (write.kind === "idempotency") {
      this.entries.set(slot(write.teamId, write.key), {
        fingerprint: write.fingerprint,
        at: write.at,
        answer: { status: write.status, body: write.body },
      });
    } else if (write.kind === "idempotency_prune") {
      for (const [id, entry] of this.entries) {
        if (entry.at < write.before && entry.answer !== undefined) this.entries.delete(id);
      }
    }
  }

  /** The write that stores a key's answer: commit it with the writes it answers for. */
  record(teamId: number, key: string, answer: StoredAnswer): Write {
    const entry = this.entries.get(slot(teamId, key));
    if (entry === undefined) throw new Error(`Key ${key} was not begun`);
    return {
      kind: "idempotency",
      teamId,
      key,
      fingerprint: entry.fingerprint,
      ...answer,
      at: entry.at,
    };
  }

  /** The key's answer is on disk: later retries get it. */
  settled(teamId: number, key: string, answer: StoredAnswer): void {
    const entry = this.entries.get(slot(teamId, key));
    if (entry !== undefined) entry.answer = answer;
  }

  /** The request was refused or failed: the key is free again. */
  abandon(teamId: number, key: string): void {
    const id = slot(teamId, key);
    if (this.entries.get(id)?.answer === undefined) this.entries.delete(id);
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
    let expired = false;
    for (const [id, entry] of this.entries) {
      if (entry.at < before && entry.answer !== undefined) {
        this.entries.delete(id);
        expired = true;
      }
    }
    return expired ? [{ kind: "idempotency_prune", before }] : [];
  }
}

function slot(teamId: number, key: string): string {
  return `${teamId} ${key}`;
}

/** A short hash of what a request asks (its kind, target and payload), to compare retries. */
export function fingerprint(parts: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}

const VISIBLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * The request's `Idempotency-Key`, or undefined when it has none. The draft
 * sends it as a structured-field string (`"…"`); a bare value is accepted
 * too. Anything but 1 to 255 visible ASCII characters is a 400.
 */
export function idempotencyKey(request: Request): string | undefined {
  const header = request.headers.get(IDEMPOTENCY_HEADER);
  if (header === null) return undefined;
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) {
    key = key.slice(1, -1).replace(/\\(["\\])/g, "$1");
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !VISIBLE_ASCII.test(key)) {
    throw new ApiError(
      "bad_request",
      `The Idempotency-Key header must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`,
    );
  }
  return key;
}
