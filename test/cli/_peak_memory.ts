// Runs one cairn command (its arguments are this script's), then prints what it printed, its
// exit code, and this process's peak resident memory: VmHWM, which counts only this process's own
// memory (a spawned child's ru_maxrss also counts its parent's, from before its exec).
import { readFileSync } from "node:fs";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";

const io = fakeIo();
const code = await run(process.argv.slice(2), io);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]!;
process.stdout.write(
  JSON.stringify({ code, stdout: io.out(), stderr: io.err(), peak: Number(hwm) * 1024 }),
);
