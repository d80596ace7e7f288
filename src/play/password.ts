/**
 * Team passwords: argon2id at OWASP's minimum (19 MiB, t=2, p=1), stored as
 * PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), hashed off the
 * event loop so a login rush slows only the logins. On Bun, `Bun.password`
 * (native, on Bun's thread pool); elsewhere (Deno), hash-wasm's argon2id in
 * worker threads. Both read and write the same format, so a database moves
 * from one runtime to the other with its teams' logins.
 */
import { Worker } from "node:worker_threads";
import type { PasswordJob, PasswordReply } from "./_password_worker.ts";

/** The argon2id cost: 19 MiB of memory, 2 passes, one lane. */
export const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

/** How one runtime hashes and verifies passwords. */
interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Hashes a new password (a PHC string). */
export function hashPassword(password: string): Promise<string> {
  return hasher().hash(password);
}

/** Whether `password` matches a stored PHC hash, written by either runtime. */
export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return hasher().verify(password, hash);
}

let chosen: PasswordHasher | undefined;

function hasher(): PasswordHasher {
  chosen ??= "Bun" in globalThis
    ? {
      hash: (password) => Bun.password.hash(password, ARGON2),
      verify: (password, hash) => Bun.password.verify(password, hash),
    }
    : new WorkerPool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)));
  return chosen;
}

/**
 * A few worker threads, started on first use. Each job goes to the next
 * worker in turn; a worker keeps the process alive only while it has jobs.
 */
class WorkerPool implements PasswordHasher {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (value: string | boolean) => void; reject: (error: Error) => void; slot: number }
  >();
  private nextId = 0;
  private turn = 0;

  constructor(private readonly size: number) {}

  hash(password: string): Promise<string> {
    return this.run({ id: 0, op: "hash", password, ...ARGON2 }) as Promise<string>;
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.run({ id: 0, op: "verify", password, hash }) as Promise<boolean>;
  }

  private run(job: PasswordJob): Promise<string | boolean> {
    const slot = this.turn++ % this.size;
    const entry = this.workers[slot] ?? this.start(slot);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      if (entry.busy++ === 0) entry.worker.ref();
      entry.worker.postMessage({ ...job, id });
    });
  }

  private start(slot: number): { worker: Worker; busy: number } {
    const worker = new Worker(new URL("./_password_worker.ts", import.meta.url));
    worker.unref();
    const entry = { worker, busy: 0 };
    worker.on("message", (reply: PasswordReply) => this.settle(reply));
    worker.on("error", (error: Error) => {
      // A worker that died fails its own jobs; the next job starts a new one.
      delete this.workers[slot];
      for (const [id, job] of this.waiting) {
        if (job.slot !== slot) continue;
        this.waiting.delete(id);
        job.reject(error);
      }
    });
    this.workers[slot] = entry;
    return entry;
  }

  private settle(reply: PasswordReply): void {
    const job = this.waiting.get(reply.id);
    if (job === undefined) return;
    this.waiting.delete(reply.id);
    const entry = this.workers[job.slot];
    if (entry !== undefined && --entry.busy === 0) entry.worker.unref();
    if (reply.ok) job.resolve(reply.value);
    else job.reject(new Error(reply.message));
  }
}
