// The listener's graceful stop, on the runtime the tests run on (Bun.serve, Deno.serve): it lets
// in-flight requests finish, but not forever: a client that stopped sending its request body
// loses its connection once the grace period is over.
import { describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { listen } from "../../src/server/listen.ts";
import { sleep } from "../_runtime.ts";

/** A raw connection to the listener that sends `text`; resolves once it is connected. */
async function rawClient(port: number, text: string) {
  const socket: Socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => received += chunk.toString());
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(text);
  return { socket, closed, received: () => received };
}

/** A listener whose app reads the request body, and says when a request has come in. */
function bodyReader(stopGraceMs: number) {
  let arrived: () => void = () => {};
  const arrival = new Promise<void>((resolve) => arrived = resolve);
  const server = listen({
    hostname: "127.0.0.1",
    port: 0,
    stopGraceMs,
    fetch: async (request: Request) => {
      arrived();
      return new Response(`read ${(await request.text()).length} bytes`);
    },
  });
  return { server, arrival };
}

const stalled = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n123456789";

describe("listen().stop()", () => {
  test("closes a connection whose request body stalled once the grace period is over", async () => {
    const { server, arrival } = bodyReader(500);
    const client = await rawClient(server.port, stalled);
    await arrival;
    const started = Date.now();
    await Promise.race([server.stop(), sleep(5000)]);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(3000);
    expect(await Promise.race([client.closed.then(() => "closed"), sleep(2000)])).toBe("closed");
    // Answered, if at all, with the envelope's 503: never with what the app would have said.
    expect(client.received()).not.toContain("read");
    client.socket.destroy();
  }, 15_000);

  test("lets a request in flight finish within the grace period", async () => {
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => arrived = resolve);
    const server = listen({
      hostname: "127.0.0.1",
      port: 0,
      stopGraceMs: 5000,
      fetch: async (request: Request) => {
        const body = await request.text();
        arrived();
        await sleep(300);
        return new Response(`read ${body.length} bytes`);
      },
    });
    const client = await rawClient(
      server.port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789",
    );
    await arrival;
    await Promise.race([server.stop(), sleep(4000)]);
    await Promise.race([client.closed, sleep(1000)]);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 [^]*read 9 bytes$/);
    client.socket.destroy();
  }, 15_000);
});
