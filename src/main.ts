// The process entry point, from source (`bun src/main.ts`, `deno task start`) and in Deno's compiled
// binary; Bun's compiled binary starts at src/binary.ts.
import { restartForAllocator, runProcess } from "./process.ts";

// The restart comes before anything else. The commands are imported after it, so that the restart
// does not load them twice.
restartForAllocator();
const { run } = await import("./cli/mod.ts");
await runProcess(run);
