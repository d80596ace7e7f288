// The entry point of Bun's compiled binary (compile.sh). It is src/main.ts with the commands
// imported statically, before the allocator's restart. In a binary built with `--bytecode` (Bun
// 1.4.5), a worker never started when the main thread had loaded, by a dynamic import, a module with
// a top-level await that the worker imports too (store/driver.ts): the integrity check's worker never
// answered, and a server on an existing database never listened. With the bytecode, loading the
// commands before the restart costs about 40 ms, and the bytecode saves the start more
// (docs/performance.md, "Bytecode in the binary").
import { run } from "./cli/mod.ts";
import { restartForAllocator, runProcess } from "./process.ts";

restartForAllocator();
await runProcess(run);
