// test/run.ts prints the failed tests again at the end, read from the JUnit reports of bun test
// and deno test: these are reports each runner wrote for a failing test, cut down.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { describeFailures, failures } from "./junit.ts";

const BUN = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="3" assertions="2" failures="2" skipped="0" time="0.04">
  <testsuite name="test/x_test.ts" file="test/x_test.ts" tests="3" failures="2">
    <testcase name="a passing one" classname="" time="0.0004" file="test/x_test.ts" line="2" assertions="1" />
    <testsuite name="outer" file="test/x_test.ts" line="3" tests="1" failures="1">
      <testcase name="fails with &lt;angle&gt; &amp; &quot;quotes&quot;" classname="outer" time="0.002" file="test/x_test.ts" line="3" assertions="0">
        <failure type="TypeError" message="ECONNREFUSED: Unable to connect.">TypeError: ECONNREFUSED: Unable to connect.&#10;      at test/x_test.ts:3:61&#10;</failure>
      </testcase>
    </testsuite>
    <testcase name="passes" classname="" time="0.0008" file="test/x_test.ts" line="4" assertions="1">
    </testcase>
    <testcase name="expect fails" classname="" time="0.0008" file="test/x_test.ts" line="5" assertions="1">
      <failure type="AssertionError" message="expect(received).toBe(expected)">AssertionError: expect(received).toBe(expected)&#10;&#10;Expected: 2&#10;Received: 1&#10;&#10;      at test/x_test.ts:5:45&#10;</failure>
    </testcase>
  </testsuite>
</testsuites>`;

const DENO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="2" failures="1" errors="0" time="0.014">
    <testsuite name="test/y_test.ts" tests="2" disabled="0" errors="0" failures="1">
        <testcase name="ok" classname="test/y_test.ts" time="0.001" line="1" col="6">
        </testcase>
        <testcase name="fails" classname="test/y_test.ts" time="0.002" line="2" col="6">
            <failure message="Uncaught Error: boom &amp; bust">Error: boom &amp; bust
    at file:///work/test/y_test.ts:2:38</failure>
        </testcase>
    </testsuite>
</testsuites>`;

describe("failures()", () => {
  test("bun's report: each failed case with its file and line, its name and its error", () => {
    expect(failures(BUN)).toEqual([
      {
        where: "test/x_test.ts:3",
        name: 'outer > fails with <angle> & "quotes"',
        text: "TypeError: ECONNREFUSED: Unable to connect.\n      at test/x_test.ts:3:61",
      },
      {
        where: "test/x_test.ts:5",
        name: "expect fails",
        text:
          "AssertionError: expect(received).toBe(expected)\n\nExpected: 2\nReceived: 1\n\n      at test/x_test.ts:5:45",
      },
    ]);
  });

  test("bun's report: a test in nested describe blocks is named with them, outermost first", () => {
    const xml = `<testsuites name="bun test">
  <testsuite name="a_test.ts" file="a_test.ts">
    <testsuite name="outer &lt;x&gt;" file="a_test.ts" line="2">
      <testsuite name="inner" file="a_test.ts" line="2">
        <testcase name="fails" classname="inner &gt; outer &lt;x&gt;" file="a_test.ts" line="2">
          <failure type="AssertionError" message="m">AssertionError: m</failure>
        </testcase>
      </testsuite>
      <testsuite name="empty" file="a_test.ts" line="3" />
      <testcase name="ok" classname="outer &lt;x&gt;" file="a_test.ts" line="4" />
      <testcase name="after" classname="outer &lt;x&gt;" file="a_test.ts" line="5">
        <error message="e" />
      </testcase>
    </testsuite>
    <testcase name="top" classname="" file="a_test.ts" line="6">
      <failure message="boom">Error: boom</failure>
    </testcase>
  </testsuite>
</testsuites>`;
    expect(failures(xml).map((f) => [f.where, f.name])).toEqual([
      ["a_test.ts:2", "outer <x> > inner > fails"],
      ["a_test.ts:5", "outer <x> > after"],
      ["a_test.ts:6", "top"],
    ]);
  });

  test("deno's report: the file from classname", () => {
    expect(failures(DENO)).toEqual([{
      where: "test/y_test.ts:2",
      name: "fails",
      text: "Error: boom & bust\n    at file:///work/test/y_test.ts:2:38",
    }]);
  });

  test("deno's report of a Bun test (the shim's place for all): the test's place from its stack", () => {
    const root = `file://${join(import.meta.dirname, "..")}`;
    const shim = `${root}/test/_deno/bun_test.ts`;
    const xml = `<testsuites name="deno test">
    <testsuite name="./test/_deno/bun_test.ts" tests="2">
        <testcase name="outer &gt; fails" classname="./test/_deno/bun_test.ts" line="47" col="8">
            <failure message="Uncaught Error: expect(1).toBe(2)">Error: expect(1).toBe(2)
    at check (${shim}:186:13)
    at Object.toBe (${shim}:190:18)
    at helper (${root}/test/e2e/_browser.ts:12:3)
    at ${root}/test/e2e/x_test.ts:4:41
    at fn (${shim}:60:15)</failure>
        </testcase>
        <testcase name="times out" classname="./test/_deno/bun_test.ts" line="47" col="8">
            <failure message="Test timed out">Test timed out</failure>
        </testcase>
    </testsuite>
</testsuites>`;
    expect(failures(xml).map((f) => [f.where, f.name])).toEqual([
      ["test/e2e/x_test.ts:4", "outer > fails"],
      ["./test/_deno/bun_test.ts:47", "times out"],
    ]);
  });

  test("a failure with no text gives its message; a report with none gives nothing", () => {
    const xml = `<testsuites><testsuite><testcase name="t" file="a_test.ts">` +
      `<error message="the runner gave up &#x2014; killed"/></testcase></testsuite></testsuites>`;
    expect(failures(xml)).toEqual([{
      where: "a_test.ts",
      name: "t",
      text: "the runner gave up — killed",
    }]);
    expect(failures(BUN.replace(/<failure[\s\S]*?<\/failure>/g, ""))).toEqual([]);
  });
});

describe("describeFailures()", () => {
  test("each test's place and name, then its text indented, cut to the lines asked for", () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
    const lines = describeFailures([{ where: "a_test.ts:4", name: "t", text }], 20, 3);
    expect(lines).toEqual([
      "a_test.ts:4  t",
      "    line 1",
      "    line 2",
      "    line 3",
      "    … 17 more lines",
    ]);
  });

  test("at most `count` tests, and how many more", () => {
    const list = Array.from(
      { length: 5 },
      (_, i) => ({ where: `t${i}.ts`, name: `n${i}`, text: "x" }),
    );
    const lines = describeFailures(list, 2);
    expect(lines).toEqual([
      "t0.ts  n0",
      "    x",
      "t1.ts  n1",
      "    x",
      "… and 3 more failed tests",
    ]);
  });
});
