// A team's list of its guesses on two nodes of one log: a teammate's guess made
// on one node is in the list the other node gives by the time that node's
// stream tells of it (the cue on which an open puzzle page draws its list again).
import { expect, test } from "bun:test";
import { open } from "../_sse.ts";
import { clusterSuite, registerOn } from "./_nodes.ts";

const HUNT = `[hunt]\ntitle = "Two nodes"\n\n` +
  `[[puzzle]]\nid = "p"\ntitle = "P"\nanswer = ["anchor"]\n` +
  `partial = [{ answer = "anch", message = "Nearly" }]\n`;

const cluster = clusterSuite("guess_history", {
  files: { "hunt.toml": HUNT },
  nodes: ["node-a", "node-b"],
});

test("a teammate's guess on node A is listed on node B when B's stream tells of it", async () => {
  const [a, b] = cluster.nodes as [(typeof cluster.nodes)[number], (typeof cluster.nodes)[number]];
  const token = await registerOn(a, "Gulls");
  const authorization = `Bearer ${token}`;
  const listOn = async (node: { base: string }) =>
    (await (await fetch(`${node.base}/api/puzzles/p/guesses`, { headers: { authorization } }))
      .json()) as { guesses: { answer: string; result: string; message?: string }[] };
  // Node B has read the team (a session made on A) before the stream opens.
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${b.base}/api/puzzles`, { headers: { authorization } })).status === 200) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stream = await open(b.base, { authorization });
  await stream.wait((e) => e.event === "scoreboard");

  const told = () => stream.events.filter((e) => e.event === "wrong_guess").length;
  for (const [answer, result] of [["nope", "incorrect"], ["anch", "partial"]] as const) {
    const before = told();
    const reply = await fetch(`${a.base}/api/puzzles/p/guesses`, {
      method: "POST",
      headers: { authorization, "content-type": "application/json" },
      body: JSON.stringify({ answer }),
    });
    expect(((await reply.json()) as { result: string }).result).toBe(result);
    await stream.wait(() => told() > before);
    expect((await listOn(b)).guesses.map((g) => g.answer).at(-1)).toBe(answer);
  }
  expect((await listOn(b)).guesses.map(({ answer, result, message }) => ({
    answer,
    result,
    ...(message !== undefined && { message }),
  }))).toEqual([
    { answer: "nope", result: "incorrect" },
    { answer: "anch", result: "partial", message: "Nearly" },
  ]);
  expect(await listOn(a)).toEqual(await listOn(b));
  await stream.close();
}, 60_000);
