import { describe, expect, test } from "bun:test";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { COMMANDS } from "./_commands.ts";

describe("cairn COMMAND --help", () => {
  test.each(COMMANDS)("%s's Usage line names every option it lists", async (command) => {
    const io = fakeIo();
    expect(await run([command, "--help"], io)).toBe(0);
    const text = io.out();
    const usage = /^Usage: (.*)$/m.exec(text)?.[1] ?? "";
    const flags = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((match) => match[1]!);
    const missing = flags.filter((flag) => !new RegExp(`${flag}(?![a-z-])`).test(usage));
    expect(missing).toEqual([]);
  });
});

describe("cairn serve --help", () => {
  test("says where the admin link and the phones' address come, and what to do when it is lost", async () => {
    const io = fakeIo();
    expect(await run(["serve", "--help"], io)).toBe(0);
    const text = io.out();
    expect(text).toContain("event=reachable url=");
    expect(text).toContain("event=admin_link");
    expect(text).toContain("cairn admin-token makes a new one");
  });
});
