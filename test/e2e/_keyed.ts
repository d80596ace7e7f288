// Keyed guesses for the kill -9 tests (idempotency_crash_test on Bun, deno_crash_test on Deno):
// each guess carries its own Idempotency-Key, and what the server answered before a kill is
// kept to compare with what the same key gets after the restart.

/** A guess sent with its Idempotency-Key. */
export interface Sent {
  /** The sender's team, by its index in the test's tokens. */
  team: number;
  key: string;
  puzzle: string;
  raw: string;
  /** The status and body the server answered, when it answered before the kill. */
  answer?: string;
}

/** Sends `sent` as `token`'s team; its answer as "STATUS BODY". */
export async function sendKeyed(base: string, token: string, sent: Sent): Promise<string> {
  const res = await fetch(`${base}/api/puzzles/${sent.puzzle}/guesses`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "idempotency-key": sent.key,
    },
    body: JSON.stringify({ answer: sent.raw }),
  });
  return `${res.status} ${await res.text()}`;
}
