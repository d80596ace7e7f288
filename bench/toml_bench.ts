// Parsing the example hunt: smol-toml (chosen for its error positions)
// against Bun's built-in TOML parser, to show what the choice costs.
import { bench, do_not_optimize, run, summary } from "mitata";
import { parse } from "smol-toml";
import { EXAMPLE_HUNT } from "../src/hunt/example.ts";

summary(() => {
  bench("Bun.TOML.parse(example)", () => do_not_optimize(Bun.TOML.parse(EXAMPLE_HUNT))).baseline();
  bench("smol-toml parse(example)", () => do_not_optimize(parse(EXAMPLE_HUNT)));
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
