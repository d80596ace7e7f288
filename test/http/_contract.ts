// The contract check every HTTP test's call goes through: the response must be
// one the OpenAPI document describes for its route (method, path, status), and
// a JSON body must match that answer's schema, so a field added or renamed
// without the document fails the suite.
import * as v from "valibot";
import { answerSchema, findRoute } from "../../src/play/mod.ts";
import { errorEnvelope } from "../../src/play/responses.ts";

const WHERE = "src/play/openapi.ts (ROUTES) and src/play/responses.ts";

/** Throws, saying what is wrong, when a response breaks the document. */
export function checkContract(
  method: string,
  url: string,
  res: { status: number; headers: Headers; body: unknown },
): void {
  const { body } = res;
  const path = new URL(url).pathname;
  const route = findRoute(method, path);
  if (route === undefined) {
    if (!path.startsWith("/api/")) return; // a page, not the API
    // A path or method no route has: the plain 404 envelope.
    if (res.status !== 404) {
      fail(`${method} ${path} answered ${res.status}, but no route of the OpenAPI document has it`);
    }
    return expectBody(`${method} ${path}`, errorEnvelope(["not_found"]), body);
  }
  const name = `${method} ${route.path} (${res.status})`;
  const answer = route.answers.find((a) => a.status === res.status);
  const schema = answerSchema(route, res.status);
  if (answer === undefined && schema === undefined) {
    fail(`${name}: the OpenAPI document lists no ${res.status} answer for this route`);
  }
  if (answer?.media === null) return;
  if (answer?.media !== undefined) {
    const type = res.headers.get("content-type") ?? "";
    if (answer.media !== "application/octet-stream" && !type.startsWith(answer.media)) {
      fail(`${name}: the document says ${answer.media}, the answer is ${type}`);
    }
    return;
  }
  // A JSON answer (a CSV export is the one other body a JSON route may send).
  if (res.headers.get("content-type")?.startsWith("text/csv")) return;
  expectBody(name, schema!, body);
}

function expectBody(name: string, schema: v.GenericSchema, body: unknown): void {
  const result = v.safeParse(schema, body);
  if (!result.success) {
    fail(
      `${name}: the body does not match the OpenAPI document\n${v.summarize(result.issues)}\n` +
        `body: ${JSON.stringify(body)?.slice(0, 500)}`,
    );
  }
}

function fail(message: string): never {
  throw new Error(`API contract: ${message}\n(the document is built from ${WHERE})`);
}
