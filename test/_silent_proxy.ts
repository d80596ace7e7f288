// A TCP proxy on loopback whose open connections can be silenced: their bytes
// are dropped both ways, and the client's socket stays open even when the
// server closes its side, as over a network that loses every packet. New
// connections pass as usual.
import { createConnection, createServer, type Socket } from "node:net";

export interface SilentProxy {
  port: number;
  /** Silences every connection open now; returns how many. */
  silence(): number;
  close(): Promise<void>;
}

export function startSilentProxy(target: { host: string; port: number }): Promise<SilentProxy> {
  const pairs = new Set<{ client: Socket; server: Socket; silent: boolean }>();
  const proxy = createServer((client) => {
    const server = createConnection(target);
    const pair = { client, server, silent: false };
    pairs.add(pair);
    client.on("data", (bytes) => pair.silent || server.write(bytes));
    server.on("data", (bytes) => pair.silent || client.write(bytes));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end);
    client.on("close", end);
    // A silenced connection does not hear its server close it either (that FIN is lost too).
    const serverGone = () => (pair.silent ? server.destroy() : end());
    server.on("error", serverGone);
    server.on("close", serverGone);
  });
  return new Promise((resolve) => {
    proxy.listen(0, "127.0.0.1", () => {
      const address = proxy.address();
      resolve({
        port: typeof address === "object" && address !== null ? address.port : 0,
        silence() {
          for (const pair of pairs) pair.silent = true;
          return pairs.size;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const pair of pairs) {
              pair.client.destroy();
              pair.server.destroy();
            }
            proxy.close(() => done());
          }),
      });
    });
  });
}
