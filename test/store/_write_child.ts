// A writer that never stops: registers teams and stores their guesses (a wrong
// one, then a solve) through the group-commit Writer, as a busy server does,
// until it is killed. Prints "ready" once the first commit is on disk.
import { openDatabase, Writer } from "../../src/store/mod.ts";
import { teamWrite } from "./_writes.ts";

const db = openDatabase(process.argv[2]!);
const writer = new Writer(db);
let next = 1;
let announced = false;

async function team(): Promise<void> {
  const id = next++;
  const at = Date.now();
  await writer.commit([
    { ...teamWrite(id), at },
    {
      kind: "guess",
      id: 2 * id - 1,
      teamId: id,
      puzzle: "p",
      raw: "no",
      normalized: "NO",
      result: "incorrect",
      extraUsed: false,
      at,
    },
  ]);
  await writer.commit([
    {
      kind: "guess",
      id: 2 * id,
      teamId: id,
      puzzle: "p",
      raw: "yes",
      normalized: "YES",
      result: "correct",
      extraUsed: false,
      at,
    },
  ]);
}

for (;;) {
  // Sixteen teams at a time share commits, as concurrent requests do.
  await Promise.all(Array.from({ length: 16 }, team));
  if (!announced) {
    announced = true;
    console.log("ready");
  }
}
