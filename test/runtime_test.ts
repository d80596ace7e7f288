// `cairn serve`'s one restart with the allocator's settings (src/runtime.ts): when it happens,
// and the program and arguments it runs. The compiled binary's own restart is in
// test/e2e/binary_test.ts.
import { describe, expect, test } from "bun:test";
import { allocatorRestart, type ProcessView, SERVER_ALLOCATOR } from "../src/runtime.ts";

/** `bun --smol src/main.ts serve --port 1`, from a checkout. */
const fromSource: ProcessView = {
  argv: ["/opt/bun", "/repo/src/main.ts", "serve", "--port", "1"],
  execArgv: ["--tsconfig-override", "/repo/tsconfig.json", "--smol"],
  execPath: "/opt/bun",
  env: { PATH: "/usr/bin", CAIRN_DB: "/data/hunt.db", UNSET: undefined },
  platform: "linux",
  main: "/repo/src/main.ts",
  canExec: true,
};

/** The compiled binary: Bun puts its embedded entry at argv[1] itself. */
const compiled: ProcessView = {
  ...fromSource,
  argv: ["bun", "/$bunfs/root/cairn", "serve", "--port", "1"],
  execArgv: [],
  execPath: "/usr/local/bin/cairn",
  main: "/$bunfs/root/cairn",
};

describe("the allocator's restart", () => {
  test("from source: Bun, its flags, the entry and the arguments, with the settings added", () => {
    expect(allocatorRestart(fromSource)).toEqual({
      file: "/opt/bun",
      args: [
        "/opt/bun",
        "--tsconfig-override",
        "/repo/tsconfig.json",
        "--smol",
        "/repo/src/main.ts",
        "serve",
        "--port",
        "1",
      ],
      env: {
        PATH: "/usr/bin",
        CAIRN_DB: "/data/hunt.db",
        MIMALLOC_PURGE_HOLES: "0",
        MIMALLOC_PURGE_DELAY: "10000",
      },
    });
  });

  test("a compiled binary runs itself with the arguments only", () => {
    const restart = allocatorRestart(compiled);
    expect(restart?.file).toBe("/usr/local/bin/cairn");
    expect(restart?.args).toEqual(["/usr/local/bin/cairn", "serve", "--port", "1"]);
    expect(restart?.env).toMatchObject(SERVER_ALLOCATOR);
  });

  test("none for other commands, on Deno, on Windows or without execve", () => {
    expect(allocatorRestart({ ...compiled, argv: ["bun", "/$bunfs/root/cairn", "export"] }))
      .toBeUndefined();
    expect(allocatorRestart({ ...compiled, argv: ["bun", "/$bunfs/root/cairn"] })).toBeUndefined();
    expect(allocatorRestart({ ...fromSource, main: undefined })).toBeUndefined();
    expect(allocatorRestart({ ...compiled, platform: "win32" })).toBeUndefined();
    expect(allocatorRestart({ ...compiled, canExec: false })).toBeUndefined();
  });

  test("none with Bun flags a restart would not keep as they mean, or an argv of another shape", () => {
    for (
      const flag of ["--cwd", "--cwd=sub", "--inspect", "--inspect-brk=9229", "--inspect-wait"]
    ) {
      expect(allocatorRestart({ ...fromSource, execArgv: [flag] })).toBeUndefined();
    }
    expect(allocatorRestart({ ...compiled, argv: ["bun", "/elsewhere", "serve"] })).toBeUndefined();
  });

  test("none once any setting is in the environment: the restarted process, or the operator's choice", () => {
    for (const name of Object.keys(SERVER_ALLOCATOR)) {
      expect(allocatorRestart({ ...compiled, env: { [name]: "100" } })).toBeUndefined();
    }
    const restarted = allocatorRestart(compiled)!;
    expect(allocatorRestart({ ...compiled, env: restarted.env })).toBeUndefined();
  });
});
