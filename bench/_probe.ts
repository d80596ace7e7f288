// A player's requests while an organizer works, for bench/admin.ts: in a
// process of its own (so that the tool's own work never delays them), it
// sends `GET /api/puzzles` as a logged-in team, one after the other with a
// short pause, and prints each as a line "<sent at, epoch ms> <latency, ms>"
// until it is killed or its time is up.
// Usage: bun bench/_probe.ts URL TOKEN [PAUSE_MS] [SECONDS]
const [url, token, pauseText = "5", secondsText = "3600"] = process.argv.slice(2);
if (url === undefined || token === undefined) {
  console.error("Usage: bun bench/_probe.ts URL TOKEN [PAUSE_MS] [SECONDS]");
  process.exit(2);
}
const pause = Number(pauseText);
const until = Date.now() + Number(secondsText) * 1_000;
const headers = { authorization: `Bearer ${token}` };
while (Date.now() < until) {
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const res = await fetch(`${url}/api/puzzles`, { headers });
    await res.arrayBuffer();
    console.log(`${sentAt} ${(performance.now() - started).toFixed(2)}`);
  } catch {
    console.log(`${sentAt} -1`);
  }
  await Bun.sleep(pause);
}
export {};
