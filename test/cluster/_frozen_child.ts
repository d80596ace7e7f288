// A node that freezes while it holds the log's lock: it opens a turn, stops
// itself (SIGSTOP) inside it, and once continued commits what it decided.
// Prints what became of that commit, as JSON. Arguments: the database's URL,
// and the uploads folder (inside the test's own temporary folder).
import { PgStore } from "../../src/store/pg.ts";

const store = await PgStore.open(process.argv[2]!, {
  filesDir: process.argv[3]!,
  node: "frozen",
});
store.watch({});
await store.decideTurn();
// The batch's transaction is open and holds the lock: freeze here, as a stopped VM would.
process.kill(process.pid, "SIGSTOP");
let outcome: { committed: boolean; error?: string };
try {
  await store.commit([{
    kind: "team",
    id: 1,
    name: "Frozen",
    nameKey: "frozen",
    passwordHash: "hash",
    division: null,
    members: [],
    at: 1_000,
  }]);
  outcome = { committed: true };
} catch (error) {
  outcome = { committed: false, error: (error as Error).name };
}
console.log(JSON.stringify({ ...outcome, failed: store.failed }));
store.close();
process.exit(0);
