/**
 * `GET /api/admin/export`: the results, as JSON or one table as CSV. The
 * guesses (a million late in a big event, 180 MB of JSON) go out a chunk at a
 * time, the event loop free between chunks, so that players are served while
 * an organizer downloads them; every other table is read at once, and only
 * the table a CSV asks for.
 */
import type { Context } from "hono";
import type { Engine, Team } from "../engine/mod.ts";
import { ApiError } from "../play/mod.ts";
import {
  csvHeader,
  csvLines,
  MISSING_LIST,
  RESULT_COLUMNS,
  RESULT_TABLES,
  type ResultTable,
  type Store,
  teamFilePaths,
  type TeamFileRow,
  toCsv,
} from "../store/mod.ts";
import { JSON_HEADERS } from "./_json.ts";
import { streamed } from "./_head.ts";
import { zipArchive, type ZipSource } from "./_zip.ts";

/** Guesses read and encoded at a time: a few milliseconds of the main thread each. */
export const GUESS_CHUNK = 2_000;

/** The export's answer, for `?format=json|csv` and `&table=` (the scoreboard by default). */
export async function exportResults(c: Context, store: Store): Promise<Response> {
  const format = c.req.queries("format")?.[0] ?? "json";
  if (format !== "json" && format !== "csv") {
    throw new ApiError("bad_request", '"format" must be json or csv');
  }
  const table = (c.req.queries("table")?.[0] ?? "scoreboard") as ResultTable;
  if (format === "csv" && !RESULT_TABLES.includes(table)) {
    throw new ApiError("bad_request", `"table" must be one of ${RESULT_TABLES.join(", ")}`);
  }
  if (format === "json") {
    const tables = RESULT_TABLES.filter((name) => name !== "guesses");
    const { results, lastGuessId } = await store.results(tables);
    // The tables in their order, the guesses in theirs: the same bytes as one JSON.stringify.
    const parts = async function* () {
      for (const [i, name] of RESULT_TABLES.entries()) {
        yield `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`;
        if (name !== "guesses") yield JSON.stringify(results[name]);
        else {yield* guessChunks(
            store,
            lastGuessId,
            "[",
            (rows) => rows.map((row) => JSON.stringify(row)).join(","),
            ",",
            "]",
          );}
      }
      yield "}";
    };
    return streamed(
      new Response(streamOf(parts()), {
        headers: {
          ...JSON_HEADERS,
          "content-disposition": 'attachment; filename="cairn-results.json"',
        },
      }),
    );
  }
  const columns = RESULT_COLUMNS[table];
  const headers = {
    "content-type": "text/csv; charset=utf-8",
    "x-content-type-options": "nosniff",
    "content-disposition": `attachment; filename="cairn-${table}.csv"`,
  };
  if (table !== "guesses") {
    const { results } = await store.results([table]);
    return new Response(toCsv(results[table], columns), { headers });
  }
  const { lastGuessId } = await store.results([]);
  const csv = async function* () {
    yield csvHeader(columns);
    yield* guessChunks(store, lastGuessId, "", (rows) => csvLines(rows, columns), "", "");
  };
  return streamed(new Response(streamOf(csv()), { headers }));
}

/**
 * `GET /api/admin/export/files[?team=ID]`: the files the submissions name, as
 * one zip with a folder per team and a file per submission, named as `cairn
 * export --files-by team` names them (`Gulls/statue-12.jpg`); with `team`,
 * only that team's folder. Each file is read as the download reaches it; a
 * file the uploads folder lacks is left out, and named in `MISSING.txt`.
 */
export function exportFiles(
  { engine, store }: { engine: Engine; store: Store },
  team: Team | undefined,
): Response {
  const rows: (TeamFileRow & { at: number })[] = [];
  for (const submission of engine.submissions.values()) {
    if (submission.file === null) continue;
    rows.push({
      id: submission.id,
      puzzle: submission.puzzle,
      hash: submission.file.hash,
      type: submission.file.type,
      team: submission.teamId,
      name: engine.teams.get(submission.teamId)?.name ?? "",
      at: submission.at,
    });
  }
  rows.sort((a, b) => a.id - b.id);
  // Named among every team's folders, so that a team's own zip names its folder the same way.
  const paths = teamFilePaths(rows);
  const sources: ZipSource[] = [];
  const missing: string[] = [];
  for (const [i, row] of rows.entries()) {
    if (team !== undefined && row.team !== team.id) continue;
    const path = paths[i]!.path;
    const blob = store.upload(row.hash);
    if (blob === undefined) missing.push(path);
    else sources.push({ name: path, blob, modified: row.at });
  }
  if (missing.length > 0) {
    const text = [
      `${missing.length === 1 ? "This file is" : "These files are"} not in the uploads folder:`,
      ...missing,
      "",
    ].join("\r\n");
    sources.push({ name: MISSING_LIST, blob: new Blob([text]), modified: engine.now() });
  }
  const { length, stream } = zipArchive(sources);
  const name = team === undefined ? "cairn-files.zip" : `cairn-files-team-${team.id}.zip`;
  return streamed(
    new Response(stream, {
      headers: {
        "content-type": "application/zip",
        "content-length": String(length),
        "x-content-type-options": "nosniff",
        "content-disposition": `attachment; filename="${name}"`,
      },
    }),
  );
}

/**
 * The guesses up to `through`, a chunk at a time, each encoded by `encode`,
 * between `open` and `close` and separated by `between`; the event loop runs
 * (a timer's turn) before each chunk is read.
 */
async function* guessChunks(
  store: Store,
  through: number,
  open: string,
  encode: (rows: Record<string, unknown>[]) => string,
  between: string,
  close: string,
): AsyncGenerator<string> {
  yield open;
  let after = 0;
  for (let first = true; after < through; first = false) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const rows = await store.resultGuesses({ after, through, limit: GUESS_CHUNK });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id as number;
    yield (first ? "" : between) + encode(rows);
  }
  yield close;
}

/** A byte stream of the strings `parts` yields, read as the client takes them. */
function streamOf(parts: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const next = await parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await parts.return(undefined);
    },
  });
}
