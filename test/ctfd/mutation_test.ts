// convertExport() on exports with odd values in their fields (nulls, text for numbers, numbers out
// of range, broken JSON columns, cycles): it must never throw, and never write a hunt file that
// does not load. Each case mutates a few fields of the test export, from a fixed seed.
import { expect, test } from "bun:test";
import { convertExport } from "../../src/ctfd/mod.ts";
import { harborCtf, random } from "./_export.ts";

const ODD: unknown[] = [
  null,
  undefined,
  "",
  "x",
  "0",
  0,
  -1,
  1,
  2,
  3,
  1e12,
  -1e12,
  1.5,
  NaN,
  true,
  false,
  [],
  {},
  [1],
  [3],
  { prerequisites: [1, 2] },
  { prerequisites: [3] },
  { prerequisites: "x" },
  "🔥",
  "a\nb",
  "2026-03-07T09:00:00",
  "not a date",
  '{"prerequisites":[2]}',
  "dynamic",
  "standard",
  "hidden",
  "visible",
  "regex",
  "static",
  "case_insensitive",
  "linear",
  "logarithmic",
  "hints",
  "Hint 1",
  "(a+)+$",
  "users",
  "teams",
];

test("convertExport() converts, or refuses in one message, whatever odd values it holds", () => {
  const rnd = random(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const failures: string[] = [];
  for (let i = 0; i < 4_000; i++) {
    const tables = harborCtf("x") as Record<string, Record<string, unknown>[]>;
    const names = Object.keys(tables).filter((n) => n !== "alembic_version");
    const changes: string[] = [];
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
      const name = pick(names);
      const row = pick(tables[name]!);
      const column = pick(Object.keys(row));
      row[column] = pick(ODD);
      changes.push(`${name}.${column} = ${JSON.stringify(row[column])}`);
    }
    try {
      const result = convertExport({
        tables: new Map(Object.entries(tables)),
        uploads: new Set(["uploads/abc123/index.php"]),
      });
      if (result.kind === "error") failures.push(`${changes.join(", ")}: ${result.message}`);
    } catch (error) {
      failures.push(`${changes.join(", ")}: threw ${(error as Error).stack}`);
    }
  }
  expect(failures.slice(0, 5)).toEqual([]);
}, 60_000);
