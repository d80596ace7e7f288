/**
 * The worker thread behind play/password.ts on runtimes without
 * `Bun.password`: argon2id from hash-wasm (WebAssembly, no native addon),
 * one job at a time, answered by id.
 */
import { parentPort } from "node:worker_threads";
import { argon2id, argon2Verify } from "hash-wasm";

export type PasswordJob =
  | { id: number; op: "hash"; password: string; memoryCost: number; timeCost: number }
  | { id: number; op: "verify"; password: string; hash: string };

export type PasswordReply =
  | { id: number; ok: true; value: string | boolean }
  | { id: number; ok: false; message: string };

async function answer(job: PasswordJob): Promise<string | boolean> {
  if (job.op === "verify") {
    // A stored value that is not an argon2 PHC string verifies nothing.
    if (!job.hash.startsWith("$argon2")) return false;
    return await argon2Verify({ password: job.password, hash: job.hash });
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
