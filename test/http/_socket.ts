// A request over a real socket, read with node:http, which decodes no coding and shows the
// headers as the runtime sent them (content-length, transfer-encoding).
import { request as httpRequest } from "node:http";

/** GET (or `method`) over a socket, the bytes as they came (node:http decodes no coding). */
export function raw(port: number, path: string, headers: Record<string, string>, method = "GET") {
  type Raw = { status: number; headers: Record<string, unknown>; bytes: Uint8Array };
  return new Promise<Raw>((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers, method }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      res.on(
        "end",
        () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            bytes: new Uint8Array(Buffer.concat(chunks)),
          }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
