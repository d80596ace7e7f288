/**
 * The API's reference as a page (`/docs/api`), rendered on the server from
 * the same OpenAPI document `/api/openapi.json` serves: each operation with
 * its access, parameters, body, answers and error codes, and the live event
 * types. Served from the binary, with no script and no CDN.
 */
import { Hono } from "hono";
import type { Child, FC } from "hono/jsx";
import { isAdmin, openApiDocument, type Play } from "../play/mod.ts";
import { html } from "./_page.ts";
import { asking, carding, judging } from "./_nav.ts";
import { Shell } from "./layout.tsx";

type Json = Record<string, unknown>;

const METHODS = ["get", "post", "delete", "put", "patch"] as const;
const ACCESS: Record<string, string> = {
  public: "anyone",
  team: "a team (Bearer token or cookie)",
  admin: "organizers (admin token or cookie)",
};

/** The API reference page, to mount at the root. */
export function apiDocsPages({ game }: Play): Hono {
  const pages = new Hono();
  pages.get("/docs/api", (c) => {
    const engine = game.engine;
    // An organizer (linked here from the admin pages) keeps the admin navigation.
    const admin = isAdmin(c, game)
      ? { judging: judging(engine), asking: asking(engine), checkpoints: carding(engine) }
      : undefined;
    return html(
      c,
      ApiDocsPage({ huntTitle: engine.hunt.title, doc: openApiDocument(), admin }),
    );
  });
  return pages;
}

/** A JSON Schema in one line (`{title: string, ends_at: time | null, …}`); `refs` resolves `$ref`s. */
export function shape(schema: unknown, refs: Record<string, Json> = {}, depth = 0): string {
  const s = (schema ?? {}) as Json;
  if (typeof s.$ref === "string") {
    const name = s.$ref.split("/").at(-1)!;
    return refs[name] !== undefined && depth <= 3 ? shape(refs[name], refs, depth) : name;
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((value) => JSON.stringify(value)).join(" | ");
  if (Array.isArray(s.anyOf)) return s.anyOf.map((part) => shape(part, refs, depth)).join(" | ");
  if (s.type === "array") return `[${shape(s.items, refs, depth)}]`;
  if (s.type === "object" && s.properties !== undefined) {
    if (depth > 3) return "{…}";
    const required = new Set((s.required as string[] | undefined) ?? []);
    const fields = Object.entries(s.properties as Record<string, unknown>).map(
      ([name, field]) =>
        `${name}${required.has(name) ? "" : "?"}: ${shape(field, refs, depth + 1)}`,
    );
    return `{${fields.join(", ")}}`;
  }
  if (s.type === "string" && s.format === "date-time") return "time";
  return typeof s.type === "string" ? s.type : "any";
}

/** A schema's limits, for a parameter or a body field: `1–64 chars`. */
function limits(schema: Json): string {
  const parts: string[] = [];
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    parts.push(`${schema.minLength ?? 0}–${schema.maxLength ?? "∞"} characters`);
  }
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    parts.push(`${schema.minimum ?? "−∞"} to ${schema.maximum ?? "∞"}`);
  }
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  return parts.join(", ");
}

/** Text whose `backticked` words are code. */
const Prose: FC<{ text: unknown }> = ({ text }) => (
  <>
    {String(text).split("`").map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}
  </>
);

/** A table that may scroll sideways (a phone, large text): focusable and named, so a keyboard can. */
const ScrollTable: FC<{ label: string; children: Child }> = ({ label, children }) => (
  <div class="table-wrap" tabindex={0} role="region" aria-label={label}>{children}</div>
);

const Operation: FC<{ method: string; path: string; op: Json; refs: Record<string, Json> }> = (
  { method, path, op, refs },
) => {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.[
    "application/json"
  ] as Json | undefined;
  const bodySchema = body?.schema as Json | undefined;
  const required = new Set((bodySchema?.required as string[] | undefined) ?? []);
  const responses = Object.entries(op.responses as Record<string, Json>);
  const events = op["x-events"] as Json | undefined;
  const id = String(op.operationId);
  return (
    <section class="card" id={id} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} class="mono">
        <span class="badge">{method.toUpperCase()}</span> {path}
      </h3>
      <p>
        {String(op.summary)}. <span class="muted">For {ACCESS[(op.tags as string[])[0]!]}.</span>
      </p>
      {typeof op.description === "string" && (
        <p class="muted">
          <Prose text={op.description} />
        </p>
      )}
      {params.length > 0 && (
        <ScrollTable label={`${method.toUpperCase()} ${path}: parameters`}>
          <table>
            <caption class="visually-hidden">Parameters</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">In</th>
                <th scope="col">Type</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {params.map((p) => (
                <tr>
                  <td class="mono">{String(p.name)}</td>
                  <td>{String(p.in)}</td>
                  <td class="mono">{shape(p.schema)} {limits(p.schema as Json)}</td>
                  <td>
                    <Prose text={p.description} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
      {bodySchema !== undefined && (
        <ScrollTable label={`${method.toUpperCase()} ${path}: request body`}>
          <table>
            <caption class="visually-hidden">Request body</caption>
            <thead>
              <tr>
                <th scope="col">Body field</th>
                <th scope="col">Type</th>
                <th scope="col">Limits</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries((bodySchema.properties ?? {}) as Record<string, Json>).map((
                [name, field],
              ) => (
                <tr>
                  <td class="mono">{name}{required.has(name) ? "" : " (optional)"}</td>
                  <td class="mono">{shape(field)}</td>
                  <td>{limits(field)}</td>
                </tr>
              ))}
              {Object.keys(bodySchema.properties ?? {}).length === 0 && (
                <tr>
                  <td colspan={3} class="muted">No fields: send an empty body or {"{}"}</td>
                </tr>
              )}
            </tbody>
          </table>
        </ScrollTable>
      )}
      <dl>
        {responses.map(([status, answer]) => {
          const content = (answer.content ?? {}) as Record<string, Json>;
          const [media, entry] = Object.entries(content)[0] ?? [];
          return (
            <>
              <dt>
                <strong>{status}</strong>{" "}
                <span class="muted">
                  <Prose text={answer.description} />
                </span>
              </dt>
              <dd class="mono small">
                {media === "application/json" ? shape(entry?.schema, refs) : media ?? "no body"}
              </dd>
            </>
          );
        })}
      </dl>
      {events !== undefined && (
        <p>
          Events: {Object.keys(events).map((name, i) => (
            <>
              {i > 0 && ", "}
              <a class="mono" href={`#event-${name}`}>{name}</a>
            </>
          ))}
        </p>
      )}
    </section>
  );
};

/** The reference page. */
export const ApiDocsPage: FC<{
  huntTitle: string;
  doc: Json;
  /** For an organizer: the admin navigation's counts. */
  admin?:
    | { judging: number | undefined; asking: number | undefined; checkpoints: boolean }
    | undefined;
}> = ({ huntTitle, doc, admin }) => {
  const paths = doc.paths as Record<string, Json>;
  const schemas = (doc.components as Json).schemas as Record<string, Json>;
  const errors = schemas.ErrorCode!["x-errors"] as Record<
    string,
    { status: number; message: string }
  >;
  const tags = doc.tags as { name: string; description: string }[];
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({
      path,
      method,
      op: item[method] as Json,
    }))
  );
  const info = doc.info as Json;
  return (
    <Shell
      title="API reference"
      huntTitle={huntTitle}
      nav={admin === undefined ? "guest" : "admin"}
      current="/docs/api"
      judging={admin?.judging}
      asking={admin?.asking}
      checkpoints={admin?.checkpoints}
      bodyClass="wide"
    >
      <main id="main" class="stack">
        <h1>API reference</h1>
        <p>
          <Prose text={info.description} /> The machine-readable document (OpenAPI{" "}
          {String(doc.openapi)}) is <a href="/api/openapi.json">/api/openapi.json</a>.
        </p>
        <section class="card" aria-labelledby="errors-title">
          <h2 id="errors-title">Errors</h2>
          <p class="mono small">{'{"error": {"code": "…", "message": "…"}}'}</p>
          <ScrollTable label="Error codes">
            <table>
              <thead>
                <tr>
                  <th scope="col">Code</th>
                  <th scope="col" class="num">Status</th>
                  <th scope="col">Default message</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(errors).map(([code, e]) => (
                  <tr>
                    <td class="mono">{code}</td>
                    <td class="num">{e.status}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollTable>
        </section>
        {tags.map((tag) => (
          <>
            <h2>{tag.name[0]!.toUpperCase() + tag.name.slice(1)}: {tag.description}</h2>
            {operations.filter(({ op }) => (op.tags as string[])[0] === tag.name).map((o) => (
              <Operation {...o} refs={schemas} />
            ))}
          </>
        ))}
        <section class="card" aria-labelledby="events-title">
          <h2 id="events-title">Live events</h2>
          <dl>
            {Object.entries(schemas).filter(([name]) => name.startsWith("Event_")).map((
              [name, schema],
            ) => (
              <>
                <dt id={`event-${name.slice(6)}`} class="mono">{name.slice(6)}</dt>
                <dd>
                  <span class="muted">{String(schema.description ?? "")}</span>{" "}
                  <span class="mono small">{shape(schema, schemas)}</span>
                </dd>
              </>
            ))}
          </dl>
        </section>
      </main>
    </Shell>
  );
};
