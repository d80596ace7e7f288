import { expect, test } from "bun:test";
import { createLogger } from "../../src/log/mod.ts";

test("createLogger() writes logfmt lines and drops those below its level", () => {
  const lines: string[] = [];
  const logger = createLogger({
    level: "info",
    write: (line) => lines.push(line),
    now: () => new Date("2026-11-21T10:00:00Z"),
  });
  logger.debug("hidden");
  logger.info("listening", { url: "http://localhost:8080/", port: 8080, skipped: undefined });
  logger.error("failed", { message: 'disk "full" = bad' });
  expect(lines).toEqual([
    "ts=2026-11-21T10:00:00.000Z level=info event=listening url=http://localhost:8080/ port=8080",
    'ts=2026-11-21T10:00:00.000Z level=error event=failed message="disk \\"full\\" = bad"',
  ]);
});
