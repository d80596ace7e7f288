/**
 * The worker thread behind play/password.ts on runtimes without
 * `Bun.password`: argon2id from hash-wasm (WebAssembly, no native addon),
 * one job at a time, answered by id. Verifying also reads bcrypt (`$2a$`,
 * `$2b$`, `$2y$`), as `Bun.password.verify` does: teams imported from CTFd
 * keep bcrypt hashes until their next login.
 */
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { argon2id, argon2Verify, bcryptVerify } from "hash-wasm";

export type PasswordJob =
  | { id: number; op: "hash"; password: string; memoryCost: number; timeCost: number }
  | { id: number; op: "verify"; password: string; hash: string };

export type PasswordReply =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false; message: string };

/** A bcrypt hash: `$2a$`, `$2b$` or `$2y$`, two cost digits, then salt and digest. */
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * bcrypt as `Bun.password.verify` reads it: a password longer than bcrypt's
 * 72 bytes is first reduced to its SHA-512 digest (64 bytes), and an empty
 * password matches nothing (hash-wasm refuses both lengths).
 */
async function verifyBcrypt(password: string, hash: string): Promise<boolean> {
  let bytes: Uint8Array = new TextEncoder().encode(password);
  if (bytes.length === 0) return false;
  if (bytes.length > 72) bytes = new Uint8Array(createHash("sha512").update(bytes).digest());
  return await bcryptVerify({ password: bytes, hash });
}

async function answer(job: PasswordJob): Promise<string | boolean> {
  if (job.op === "verify") {
    if (job.hash.startsWith("$argon2")) {
      return await argon2Verify({ password: job.password, hash: job.hash });
    }
    if (BCRYPT.test(job.hash)) return await verifyBcrypt(job.password, job.hash);
    // A stored value in neither format verifies nothing.
    return false;
  }
  return await argon2id({
    password: job.password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    parallelism: 1,
    iterations: job.timeCost,
    memorySize: job.memoryCost,
    hashLength: 32,
    outputType: "encoded",
  });
}

parentPort?.on("message", async (job: PasswordJob) => {
  let reply: PasswordReply;
  try {
    reply = { id: job.id, ok: true, value: await answer(job) };
  } catch (error) {
    reply = {
      id: job.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(reply);
});
