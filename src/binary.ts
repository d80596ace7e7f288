// The entry point of Bun's compiled binary (compile.sh). It is src/main.ts with the commands
// imported statically, before the allocator's restart. In a binary built with `--bytecode`, code
// loaded by a dynamic import could not start a worker thread (Bun 1.4.5: the integrity check's
// worker never answered, so a server on an existing database never listened). With the bytecode,
// loading the commands before the restart costs about 40 ms, and the bytecode saves the start more
// (docs/performance.md).
import { run } from "./cli/mod.ts";
import { restartForAllocator, runProcess } from "./process.ts";

restartForAllocator();
await runProcess(run);
