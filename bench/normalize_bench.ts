// Answer normalization and checking: on the path of every guess.
import { bench, do_not_optimize, run, summary } from "mitata";
import { compileAnswers, normalize } from "../src/engine/normalize.ts";

// The part of mitata's state these benchmarks read: their string argument.
type Args = { get(name: string): string };

summary(() => {
  bench("normalize($text)", function* (state: Args) {
    const text = state.get("text");
    yield () => do_not_optimize(normalize(text));
  }).args("text", ["North Star", "Île de Ré, à l'aube !", "🦉"]);
});

const compiled = compileAnswers({
  answers: ["North Star", "Polaris"],
  regexes: [],
  partials: [{ answer: "North", message: "Which star?" }],
  mode: "default",
});
if (compiled.kind !== "ok") throw new Error("The benchmark's answers do not compile");
const { checker } = compiled;

summary(() => {
  bench("check($guess)", function* (state: Args) {
    const guess = state.get("guess");
    yield () => do_not_optimize(checker.check(guess));
  }).args("guess", ["polaris", "south star"]);
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
