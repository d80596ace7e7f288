// The embedded example hunt: `bun build --compile` inlines the text, so the
// binary serves it with no file on disk.
import exampleText from "../../config/example.toml" with { type: "text" };

/** The example hunt's TOML source, served when `serve` gets no `--hunt`. */
export const EXAMPLE_HUNT: string = exampleText as unknown as string;

/** The name used for the example in messages and logs. */
export const EXAMPLE_FILE = "example.toml";

import starterText from "../../config/starter.toml" with { type: "text" };

/** The commented starter hunt `cairn init` writes. */
export const STARTER_HUNT: string = starterText as unknown as string;
