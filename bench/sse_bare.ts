// The SSE load test's baseline on the same runtime: a bare Bun.serve with
// the transport Cairn uses (a "direct" ReadableStream per stream) and nothing
// else: no router, no accounts, no commit to disk. GET /api/events opens a
// stream with a scoreboard event; POST /api/admin/announcements writes its
// text as an announcement to every stream. bench/sse_load.ts measures Cairn
// against it in the same run. Loopback only.
// Usage: bun bench/sse_bare.ts --port P (other flags, as given to `cairn serve`, are ignored)
const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1]);
if (!Number.isInteger(port) || port <= 0) {
  console.error("usage: bun bench/sse_bare.ts --port P");
  process.exit(2);
}
const encoder = new TextEncoder();
const streams = new Set<ReadableStreamDirectController>();
let sequence = 0;
const event = (name: string, data: string) =>
  encoder.encode(`id: 1.${++sequence}\nevent: ${name}\ndata: ${data}\n\n`);

Bun.serve({
  hostname: "127.0.0.1",
  port,
  idleTimeout: 0,
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === "/api/events") {
      const body = new ReadableStream({
        type: "direct",
        pull(controller: ReadableStreamDirectController) {
          streams.add(controller);
          controller.write(event("scoreboard", `{"frozen":false,"teams":[]}`));
          return new Promise<void>((resolve) =>
            request.signal.addEventListener("abort", () => {
              streams.delete(controller);
              resolve();
            })
          );
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    }
    if (request.method === "POST" && pathname === "/api/admin/announcements") {
      const { text } = await request.json() as { text: string };
      const bytes = event("announcement", JSON.stringify({ id: 1, text, at: Date.now() }));
      for (const stream of streams) {
        try {
          stream.write(bytes);
        } catch {
          streams.delete(stream);
        }
      }
      return Response.json({ announcement: { id: 1, text } }, { status: 201 });
    }
    return new Response("ok");
  },
});
