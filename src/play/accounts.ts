/**
 * Who a request is: sessions (random tokens, kept only as their SHA-256
 * hash), team passwords (argon2id at OWASP's minimum: 19 MiB, t=2, hashed off
 * the event loop so a login rush never blocks it: see password.ts), the admin
 * token, the limit on login attempts (per team name and client address, under
 * a higher ceiling per name) and the limit on wrong admin tokens (per address).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Write } from "../engine/mod.ts";
import type { StoredAccounts } from "../store/mod.ts";
import { isBcryptSha256, verifyBcryptSha256 } from "./imported_password.ts";
import { hashPassword, verifyPassword } from "./password.ts";

export { hashPassword, verifyPassword };

/**
 * Login attempts per team name from one client address in LOGIN_WINDOW_MS: a
 * rival on another device cannot lock a team out, and one device guesses slowly.
 */
export const LOGIN_LIMIT = 10;
/** Login attempts per team name from all addresses together: guessing from many stays slow. */
export const LOGIN_NAME_LIMIT = 50;
const LOGIN_WINDOW_MS = 5 * 60_000;
/**
 * Wrong registration codes one client address may give in JOIN_CODE_WINDOW_MS: a phone's typos
 * pass, while guessing a code stays slow (one of 10,000 took 2 s without it).
 */
export const JOIN_CODE_LIMIT = 10;
const JOIN_CODE_WINDOW_MS = 60_000;
/** Different wrong admin tokens one client address may try in ADMIN_WINDOW_MS. */
export const ADMIN_ATTEMPT_LIMIT = 10;
const ADMIN_WINDOW_MS = 60_000;
/**
 * Addresses with wrong admin tokens on record, at most: past it the oldest goes. Pushing one
 * out takes this many other addresses within the window, whose tries are worth more than it.
 */
const ADMIN_ADDRESSES = 10_000;

/**
 * Password checks and hashes (logins and registrations) under way at once, at most. Each waits
 * for a thread of the pool while its request stays in memory, and an abandoned request's check
 * still runs: past this a login or registration is refused at once (503) rather than queued, so
 * a flood holds bounded memory, and a team's login waits seconds behind it, not minutes. 512, not
 * fewer: a venue's phones all logging in at the start (100 teams of 5) wait, and none is refused;
 * the last waits about 8 s on a 2-core machine, which works through 60–65 checks a second.
 */
export const PASSWORD_JOBS = 512;
/** The `Retry-After` of a login or registration refused past PASSWORD_JOBS (seconds). */
export const PASSWORD_BUSY_SECONDS = 2;

/** Valid tokens whose hashes are remembered at most (a token and its hash take about 150 bytes). */
const KNOWN_HASHES = 100_000;

/** A new random token: 32 bytes, base64url. */
export function newToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** The hash a token is stored and looked up by: SHA-256, Bun's native hasher where there is one. */
export const hashToken: (token: string) => string = "Bun" in globalThis
  ? (token) => new Bun.CryptoHasher("sha256").update(token).digest("hex")
  : (token) => createHash("sha256").update(token).digest("hex");

/** Compares two secrets without leaking, through timing, where they differ. */
export function secretsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // Compare equal lengths always, so the length check's timing says nothing either.
  const same = timingSafeEqual(
    new Uint8Array(Buffer.concat([left, Buffer.alloc(Math.max(0, right.length - left.length))])),
    new Uint8Array(Buffer.concat([right, Buffer.alloc(Math.max(0, left.length - right.length))])),
  );
  return same && left.length === right.length;
}

/** A hash to verify against when the name is unknown, so that timing does not tell. */
let decoy: Promise<string> | undefined;

/**
 * Who a request is, kept in memory: each session's team (by token hash), each
 * team's password hash, and the login attempts per team name. Changes reach
 * the database as `Write` records that the caller commits.
 */
export class Accounts {
  private readonly sessions = new Map<string, number>();
  private readonly knownHashes = new Map<string, string>();
  private readonly passwords = new Map<number, string>();
  /** Organizers' password resets in effect, counted; and per team, the count at its last one. */
  private resets = 0;
  private readonly lastReset = new Map<number, number>();
  /** Per team, a reset decided on this node and not yet in effect (or failed). */
  private readonly pendingResets = new Map<number, Promise<void>>();
  private readonly logins = new Limiter(LOGIN_LIMIT, LOGIN_WINDOW_MS);
  private readonly loginsPerName = new Limiter(LOGIN_NAME_LIMIT, LOGIN_WINDOW_MS);
  /** Wrong admin tokens per client address. */
  readonly adminAttempts = new AdminAttempts();
  /** Wrong registration codes per client address. */
  private readonly joinCodes = new Limiter(JOIN_CODE_LIMIT, JOIN_CODE_WINDOW_MS);
  /** When the registration code limit's trip was last logged, and how many trips since. */
  private joinCodeWarnedAt = -Infinity;
  private joinCodeTrips = 0;
  /** Password checks and hashes under way, for PASSWORD_JOBS. */
  private passwordJobs = 0;

  private constructor(private readonly passwordJobLimit: number) {}

  /** How many names have login attempts on record (for tests and metrics). */
  get trackedNames(): number {
    return this.loginsPerName.size;
  }

  /**
   * The accounts from what the store holds: password hashes and open sessions. `passwordJobs`
   * is PASSWORD_JOBS unless a test sets a smaller one.
   */
  static from(stored: StoredAccounts, options: { passwordJobs?: number } = {}): Accounts {
    const accounts = new Accounts(options.passwordJobs ?? PASSWORD_JOBS);
    for (const row of stored.passwords) accounts.passwords.set(row.id, row.hash);
    for (const row of stored.sessions) accounts.sessions.set(row.tokenHash, row.teamId);
    return accounts;
  }

  /**
   * A place for one login's or registration's password work, and the function that gives it
   * back (once, however often it is called); undefined while PASSWORD_JOBS are under way.
   */
  passwordSlot(): (() => void) | undefined {
    if (this.passwordJobs >= this.passwordJobLimit) return undefined;
    this.passwordJobs++;
    let held = true;
    return () => {
      if (held) this.passwordJobs--;
      held = false;
    };
  }

  /** The team a session token belongs to. */
  teamFor(token: string): number | undefined {
    // The hash of a token seen valid before is remembered, so a busy session
    // does not pay for SHA-256 on every request. The session itself is always
    // looked up by hash, so a closed one is refused at once.
    let tokenHash = this.knownHashes.get(token);
    if (tokenHash === undefined) {
      tokenHash = hashToken(token);
      if (!this.sessions.has(tokenHash)) return undefined;
      // Bounded: only valid tokens are kept, and the memo starts over when full.
      if (this.knownHashes.size >= KNOWN_HASHES) this.knownHashes.clear();
      this.knownHashes.set(token, tokenHash);
    }
    return this.sessions.get(tokenHash);
  }

  /** Plays another node's record (a shared log): its teams, sessions and password hashes. */
  follow(write: Write): void {
    if (write.kind === "team") this.passwords.set(write.id, write.passwordHash);
    else if (write.kind === "password") {
      if (write.replaces !== undefined && this.passwords.get(write.teamId) !== write.replaces) {
        return;
      }
      this.passwords.set(write.teamId, write.passwordHash);
      if (write.reset === true) this.lastReset.set(write.teamId, ++this.resets);
    } else if (write.kind === "session") this.sessions.set(write.tokenHash, write.teamId);
    else if (write.kind === "session_end") this.sessions.delete(write.tokenHash);
  }

  /** Records a new team's password hash (after its registration is committed). */
  addTeam(teamId: number, passwordHash: string): void {
    this.passwords.set(teamId, passwordHash);
  }

  /** Opens a session; the token goes to the client, its hash to the database. */
  openSession(teamId: number, now: number): { token: string; write: Write; open: () => void } {
    const token = newToken();
    const tokenHash = hashToken(token);
    return {
      token,
      write: { kind: "session", tokenHash, teamId, at: now },
      // Called once the write is committed, so a session never outlives a failed commit.
      open: () => this.sessions.set(tokenHash, teamId),
    };
  }

  /** Closes a session: forgotten at once, deleted from the database by the write. */
  closeSession(token: string): Write | undefined {
    const tokenHash = hashToken(token);
    this.knownHashes.delete(token);
    if (!this.sessions.delete(tokenHash)) return undefined;
    return { kind: "session_end", tokenHash };
  }

  /** Opens again a session whose close was not committed: the database still holds it. */
  restoreSession(token: string, teamId: number): void {
    this.sessions.set(hashToken(token), teamId);
  }

  /**
   * Ends every open session of a team (an organizer's reset with `logout`, a ban): forgotten at
   * once, deleted from the database by the writes; `undo` opens them again when those were not saved.
   */
  closeSessionsOf(teamId: number): { writes: Write[]; undo: () => void } {
    const writes: Write[] = [];
    const closed: string[] = [];
    for (const [tokenHash, holder] of this.sessions) {
      if (holder !== teamId) continue;
      this.sessions.delete(tokenHash);
      closed.push(tokenHash);
      writes.push({ kind: "session_end", tokenHash });
    }
    return {
      writes,
      undo: () => {
        for (const tokenHash of closed) this.sessions.set(tokenHash, teamId);
      },
    };
  }

  /**
   * An organizer's reset of a team's password, decided: `apply` once the write is committed, then
   * `settle` (also when the commit failed). A login that checked the old password while the reset
   * was under way must not open a session: it takes `resetMark()` before checking, and after its
   * own commit waits for `resetSettled()` and asks `resetSince()`.
   */
  resetPassword(
    teamId: number,
    passwordHash: string,
  ): { write: Write; apply: () => void; settle: () => void } {
    let resolve!: () => void;
    const pending = new Promise<void>((done) => resolve = done);
    this.pendingResets.set(teamId, pending);
    return {
      write: { kind: "password", teamId, passwordHash, reset: true },
      apply: () => {
        this.passwords.set(teamId, passwordHash);
        this.lastReset.set(teamId, ++this.resets);
      },
      settle: () => {
        if (this.pendingResets.get(teamId) === pending) this.pendingResets.delete(teamId);
        resolve();
      },
    };
  }

  /** How many resets were in effect: what a login compares against after its commit. */
  resetMark(): number {
    return this.resets;
  }

  /** Waits until no reset of the team's password decided on this node is still under way. */
  async resetSettled(teamId: number): Promise<void> {
    for (let pending = this.pendingResets.get(teamId); pending !== undefined;) {
      await pending;
      pending = this.pendingResets.get(teamId);
    }
  }

  /** Whether the team's password was reset since `mark` (a `resetMark()`). */
  resetSince(teamId: number, mark: number): boolean {
    return (this.lastReset.get(teamId) ?? 0) > mark;
  }

  /** The team's stored password hash, to tell whether it changed (compared, never sent). */
  passwordOf(teamId: number): string | undefined {
    return this.passwords.get(teamId);
  }

  /** Checks a team's password; an unknown team costs the same time as a wrong password. */
  async verify(teamId: number | undefined, password: string): Promise<boolean> {
    const hash = teamId === undefined ? undefined : this.passwords.get(teamId);
    if (hash === undefined) {
      decoy ??= hashPassword(newToken());
      await verifyPassword(password, await decoy);
      return false;
    }
    // A hash imported from CTFd: passlib's bcrypt_sha256, or plain bcrypt.
    if (isBcryptSha256(hash)) return await verifyBcryptSha256(password, hash);
    try {
      return await verifyPassword(password, hash);
    } catch {
      // A hash no algorithm reads (an imported team that had no password) matches nothing.
      return false;
    }
  }

  /** Whether the team's hash is not argon2id (imported from CTFd): replace it at login. */
  needsUpgrade(teamId: number): boolean {
    return !(this.passwords.get(teamId)?.startsWith("$argon2id$") ?? true);
  }

  /**
   * Hashes a password that just verified with argon2id: the write replaces the
   * stored hash, and `apply` the remembered one once it is committed; both
   * only while the hash is still the imported one (`replaces`), so that an
   * organizer's reset stored in between is never undone.
   */
  async upgrade(teamId: number, password: string): Promise<{ write: Write; apply: () => void }> {
    const replaces = this.passwords.get(teamId) ?? "";
    const passwordHash = await hashPassword(password);
    return {
      write: { kind: "password", teamId, passwordHash, replaces },
      apply: () => {
        if (this.passwords.get(teamId) === replaces) this.passwords.set(teamId, passwordHash);
      },
    };
  }

  /**
   * Counts a login attempt for a team name from a client address; returns the
   * seconds to wait when there were too many recently, from that address or
   * from all together, else undefined. A refused attempt is not counted.
   */
  limitLogin(nameKey: string, address: string, now: number): number | undefined {
    const pair = `${address} ${nameKey}`;
    const fromHere = this.logins.blocked(pair, now);
    const fromAll = this.loginsPerName.blocked(nameKey, now);
    if (fromHere !== undefined || fromAll !== undefined) {
      return Math.max(fromHere ?? 0, fromAll ?? 0);
    }
    this.logins.hit(pair, now);
    this.loginsPerName.hit(nameKey, now);
    return undefined;
  }

  /** Seconds to wait when `address` gave too many wrong registration codes lately, else undefined. */
  joinCodeBlocked(address: string, now: number): number | undefined {
    return this.joinCodes.blocked(address, now);
  }

  /**
   * Counts a wrong registration code from `address`. When it trips the limit, and no trip was
   * logged in the last minute, returns how many other addresses tripped it since the last one
   * logged: a warning for the organizers, at most one a minute.
   */
  wrongJoinCode(address: string, now: number): { others: number } | undefined {
    this.joinCodes.hit(address, now);
    if (this.joinCodes.blocked(address, now) === undefined) return undefined;
    if (now - this.joinCodeWarnedAt < JOIN_CODE_WINDOW_MS) {
      this.joinCodeTrips++;
      return undefined;
    }
    const others = this.joinCodeTrips;
    this.joinCodeWarnedAt = now;
    this.joinCodeTrips = 0;
    return { others };
  }
}

/**
 * Wrong admin tokens per client address: at most ADMIN_ATTEMPT_LIMIT
 * different ones a minute, then the address is refused for the rest of that
 * minute. A wrong token already counted in the window is not counted again:
 * a page that keeps sending a stale admin cookie is one failure, not one a
 * request, while guessing is many.
 */
export class AdminAttempts {
  private readonly failures = new Map<string, { tokenHash: string; at: number }[]>();
  private calls = 0;
  private warnedAt = -Infinity;
  private unwarned = 0;

  /** Addresses with wrong tokens on record (for tests). */
  get size(): number {
    return this.failures.size;
  }

  /** Seconds to wait when `address` is at the limit now, else undefined. */
  blocked(address: string, now: number): number | undefined {
    const recent = this.recent(address, now);
    return recent.length >= ADMIN_ATTEMPT_LIMIT
      ? Math.max(1, Math.ceil((recent[0]!.at + ADMIN_WINDOW_MS - now) / 1000))
      : undefined;
  }

  /**
   * Counts a wrong token from `address`. When it made the address reach the
   * limit, and no warning was due in the last minute, returns the warning to
   * log: how many other addresses reached it since the last one. So the
   * warning is itself limited to one line a minute.
   */
  fail(address: string, tokenHash: string, now: number): { others: number } | undefined {
    if (++this.calls % 1000 === 0) this.sweep(now);
    const recent = this.recent(address, now);
    if (recent.some((failure) => failure.tokenHash === tokenHash)) return undefined;
    recent.push({ tokenHash, at: now });
    // Moved to the end, so that the first address is the one that failed longest ago.
    this.failures.delete(address);
    if (this.failures.size >= ADMIN_ADDRESSES) {
      this.failures.delete(this.failures.keys().next().value!);
    }
    this.failures.set(address, recent);
    if (recent.length < ADMIN_ATTEMPT_LIMIT) return undefined;
    if (now - this.warnedAt < ADMIN_WINDOW_MS) {
      this.unwarned++;
      return undefined;
    }
    const others = this.unwarned;
    this.warnedAt = now;
    this.unwarned = 0;
    return { others };
  }

  private recent(address: string, now: number): { tokenHash: string; at: number }[] {
    const since = now - ADMIN_WINDOW_MS;
    return (this.failures.get(address) ?? []).filter((failure) => failure.at > since);
  }

  private sweep(now: number): void {
    for (const [address, failures] of this.failures) {
      if ((failures.at(-1)?.at ?? 0) <= now - ADMIN_WINDOW_MS) this.failures.delete(address);
    }
  }
}

/**
 * At most `limit` hits per key in a sliding window. Keys with no recent hit
 * are swept now and then, so the map cannot grow without bound.
 */
export class Limiter {
  private readonly hits = new Map<string | number, number[]>();
  private calls = 0;

  constructor(private readonly limit: number, private readonly windowMs: number) {}

  get size(): number {
    return this.hits.size;
  }

  /** Counts a hit; returns the seconds to wait when over the limit, else undefined. */
  hit(key: string | number, now: number): number | undefined {
    if (++this.calls % 1000 === 0) this.sweep(now);
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.hits.set(key, recent);
    return undefined;
  }

  /** Whether a key is over the limit now, without counting a hit. */
  blocked(key: string | number, now: number): number | undefined {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    return recent.length >= this.limit
      ? Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000))
      : undefined;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) {
      if ((times.at(-1) ?? 0) <= now - this.windowMs) this.hits.delete(key);
    }
  }
}
