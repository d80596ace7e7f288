// Mission uploads in flight, over a real listener (Bun.serve or Deno.serve) and raw connections
// that send their bodies as slowly as a test needs: a team's uploads in flight are limited (429),
// the memory they hold has a server-wide budget (503) of which one team holds at most a share
// (429), each comes back when its upload ends,
// however it ends (answered, refused, stalled, or the client gone); what would be refused anyway
// is refused before the body is read; and a slow but steady upload is not cut.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";
import type { UploadLimits } from "../../src/play/mod.ts";
import { listen, type Listener } from "../../src/server/mod.ts";
import { sleep } from "../_runtime.ts";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { bigPng, cat } from "../play/_media.ts";
import { ADMIN_TOKEN, makeApp, removeUploads } from "./_app.ts";
import { jpegWithGps } from "./_jpeg.ts";

// Removes the mission uploads the apps kept (see _app.ts).
afterAll(removeUploads);

const BOUNDARY = "XBOUNDARYX";

/** What a raw upload got back: the server's answer, or a connection closed without one. */
type Answer =
  | { kind: "answer"; status: number; headers: Record<string, string>; body: unknown }
  | { kind: "closed" };

/**
 * A mission upload on a raw connection: the request's head and the multipart part's head go at
 * once, with a Content-Length for the whole body; the file's bytes go when the test sends them.
 */
class RawUpload {
  readonly answer: Promise<Answer>;
  private readonly socket: Socket;
  private readonly body: Uint8Array;
  private readonly chunked: boolean;
  private sent: number;

  private constructor(socket: Socket, body: Uint8Array, sent: number, chunked: boolean) {
    this.socket = socket;
    this.body = body;
    this.sent = sent;
    this.chunked = chunked;
    let received = Buffer.alloc(0);
    this.answer = new Promise((resolve) => {
      socket.on("data", (data: Buffer) => {
        received = Buffer.concat([received, data]);
        const answer = parseAnswer(received);
        if (answer !== undefined) resolve(answer);
      });
      socket.on("close", () => resolve({ kind: "closed" }));
    });
  }

  /**
   * Opens the connection and sends the heads (and the file's first `first` bytes); `chunked`
   * sends the body in chunks, with no declared length.
   */
  static async open(
    port: number,
    to: {
      token: string;
      puzzle: string;
      file: Uint8Array;
      type: string;
      first?: number;
      chunked?: boolean;
    },
  ): Promise<RawUpload> {
    const name = to.type === "image/png" ? "photo.png" : "photo.jpg";
    const part = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; ` +
      `filename="${name}"\r\nContent-Type: ${to.type}\r\n\r\n`;
    const body = cat(Buffer.from(part), to.file, Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    const head = `POST /api/puzzles/${to.puzzle}/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Authorization: Bearer ${to.token}\r\n` +
      `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      (to.chunked
        ? "Transfer-Encoding: chunked\r\n\r\n"
        : `Content-Length: ${body.length}\r\n\r\n`);
    const upload = new RawUpload(socket, body, 0, to.chunked ?? false);
    socket.write(head);
    upload.send(part.length + (to.first ?? 0));
    return upload;
  }

  /** Sends the next `bytes` bytes of the body (all that is left by default). */
  send(bytes = this.body.length - this.sent): void {
    const next = this.body.subarray(this.sent, this.sent + bytes);
    this.sent += next.length;
    if (this.socket.destroyed) return;
    if (!this.chunked) return void this.socket.write(next);
    this.socket.write(
      cat(Buffer.from(`${next.length.toString(16)}\r\n`), next, Buffer.from("\r\n")),
    );
    if (this.left === 0) this.socket.write("0\r\n\r\n");
  }

  /** Bytes of the body not sent yet. */
  get left(): number {
    return this.body.length - this.sent;
  }

  /** The client goes away mid-upload. */
  abort(): void {
    this.socket.destroy();
  }
}

/** The whole HTTP answer in `bytes`, once it has all arrived. */
function parseAnswer(bytes: Buffer): Answer | undefined {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  if (bytes.length < end + 4 + length) return undefined;
  const text = bytes.subarray(end + 4, end + 4 + length).toString("utf8");
  return {
    kind: "answer",
    status: Number(statusLine!.split(" ")[1]),
    headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

const listeners: Listener[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener.stop(true);
});

/** The missions hunt over a listener, with these upload limits; teams register as asked. */
async function serve(
  uploads: Partial<UploadLimits> = {},
  options: { idleTimeout?: number; teams?: string[] } = {},
) {
  const made = makeApp({ toml: MISSIONS_TOML, uploads });
  made.clock.advance(60_000);
  const tokens: Record<string, string> = {};
  for (const name of options.teams ?? ["Gulls"]) tokens[name] = await made.register(name);
  const listener = listen({
    hostname: "127.0.0.1",
    port: 0,
    fetch: made.app.fetch,
    ...(options.idleTimeout !== undefined && { idleTimeout: options.idleTimeout }),
  });
  listeners.push(listener);
  const base = `http://127.0.0.1:${listener.port}`;
  /** A gauge's value from /metrics. */
  const gauge = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  };
  /** Waits until the uploads in flight and the memory they hold are these. */
  const settled = async (uploads: number, bytes?: number) => {
    for (let i = 0; i < 500; i++) {
      const now = [
        await gauge("cairn_uploads_in_flight"),
        await gauge("cairn_upload_memory_bytes"),
      ];
      if (now[0] === uploads && (bytes === undefined || now[1] === bytes)) return;
      await sleep(20);
    }
    throw new Error(`uploads in flight never became ${uploads} (${bytes ?? "any"} bytes held)`);
  };
  const open = (
    team: string,
    file: Uint8Array,
    type: string,
    first?: number,
    chunked?: boolean,
  ) =>
    RawUpload.open(listener.port, {
      token: tokens[team]!,
      puzzle: "statue",
      file,
      type,
      ...(first !== undefined && { first }),
      ...(chunked !== undefined && { chunked }),
    });
  /** Sends a whole upload of the team at once, and expects it taken: 201, waiting for a judge. */
  const taken = async (team: string, file: Uint8Array, type: string) => {
    const upload = await open(team, file, type);
    upload.send();
    expect(said(await upload.answer)).toMatchObject({ status: 201, said: "pending" });
  };
  /** Opens a PNG of the team and sends only its first bytes: it holds its declared length. */
  const trickling = async (team: string, png: Uint8Array) => {
    const upload = await open(team, png, "image/png", 64);
    await settled(1);
    expect(await gauge("cairn_upload_memory_bytes")).toBeGreaterThanOrEqual(png.length);
    return upload;
  };
  return { made, tokens, port: listener.port, gauge, settled, open, taken, trickling };
}

/** What an answer says: its status, code and message, and its Retry-After. */
function said(answer: Answer) {
  if (answer.kind === "closed") return "closed without an answer";
  const { error, submission } = answer.body as {
    error?: { code: string; message: string };
    submission?: { status: string };
  };
  return {
    status: answer.status,
    said: error === undefined ? submission?.status : `${error.code}: ${error.message}`,
    retryAfter: answer.headers["retry-after"],
  };
}

describe("uploads in flight", () => {
  test(
    "a team's 4th upload at once is 429; its slots come back as uploads end or are abandoned",
    async () => {
      const { settled, open, taken } = await serve({}, { teams: ["Gulls", "Terns"] });
      const photo = jpegWithGps(40_000);
      // Three uploads of one team, each with a few bytes sent: all being read.
      const three = [
        await open("Gulls", photo, "image/jpeg", 1_000),
        await open("Gulls", photo, "image/jpeg", 1_000),
        await open("Gulls", photo, "image/jpeg", 1_000),
      ];
      await settled(3);
      const fourth = await open("Gulls", photo, "image/jpeg");
      fourth.send();
      expect(said(await fourth.answer)).toEqual({
        status: 429,
        said: "rate_limited: Your team is already sending 3 submissions: " +
          "send this one once one of them has arrived",
        retryAfter: "10",
      });
      // Another team is not held up by it.
      await taken("Terns", photo, "image/jpeg");

      // One client goes away: its slot comes back, and the team's next upload is taken.
      three[0]!.abort();
      await settled(2);
      await taken("Gulls", photo, "image/jpeg");
      // One arrives whole, refused now that another waits for a judge; the last is abandoned.
      three[1]!.send();
      expect(said(await three[1]!.answer)).toMatchObject({
        status: 409,
        said: "conflict: Your last submission for this mission is waiting for a judge",
      });
      three[2]!.abort();
      await settled(0, 0);
    },
    30_000,
  );

  test(
    "the memory budget: a photo it cannot hold is 503 with Retry-After; it comes back once the holder is gone",
    async () => {
      // 1.5 MB between all uploads; a PNG held whole holds its declared length (1 MB) at once.
      const { settled, open, taken, trickling } = await serve({ memoryBytes: 1_500_000 }, {
        teams: ["Gulls", "Terns", "Auks"],
      });
      const png = bigPng(1_000_000);
      const held = await trickling("Gulls", png);
      const refused = await open("Terns", png, "image/png", 64);
      expect(said(await refused.answer)).toEqual({
        status: 503,
        said: "unavailable: The server is receiving too many photos at once: try again in a moment",
        retryAfter: "30",
      });
      refused.abort();
      // A JPEG streams to disk, holding only its head: it still goes through.
      await taken("Auks", jpegWithGps(200_000), "image/jpeg");

      held.abort();
      await settled(0, 0);
      await taken("Terns", png, "image/png");
      await settled(0, 0);
    },
    30_000,
  );

  test(
    "one team's photos hold at most its share of the budget: past it 429, while another team's go through",
    async () => {
      // 4 MB between all uploads; a team's share is 2 MB here (one photo at the hunt's 2 MB cap).
      const { settled, open, taken, trickling } = await serve({ memoryBytes: 4_000_000 }, {
        teams: ["Gulls", "Terns"],
      });
      const png = bigPng(1_500_000);
      // A team trickling a large photo holds its declared length from its first bytes.
      const held = await trickling("Gulls", png);
      const second = await open("Gulls", png, "image/png", 64);
      expect(said(await second.answer)).toEqual({
        status: 429,
        said: "rate_limited: Your team is already sending large photos: send this one once they " +
          "have arrived",
        retryAfter: "10",
      });
      second.abort();
      await taken("Terns", png, "image/png");
      // Once the trickle ends, the team may send a large photo again.
      held.abort();
      await settled(0, 0);
      await taken("Gulls", png, "image/png");
      await settled(0, 0);
    },
    30_000,
  );

  test(
    "a photo sent with no declared length is held as it grows: refused once past the budget",
    async () => {
      const { settled, open } = await serve({ memoryBytes: 300_000 });
      const upload = await open("Gulls", bigPng(1_000_000), "image/png", 64, true);
      await settled(1);
      // Sent in pieces: refused once more than the budget has arrived.
      let answer: Answer | undefined;
      while (answer === undefined && upload.left > 0) {
        upload.send(64 * 1024);
        answer = await Promise.race([upload.answer, sleep(20).then(() => undefined)]);
      }
      expect(said(answer ?? await upload.answer)).toMatchObject({ status: 503 });
      upload.abort();
      await settled(0, 0);
    },
    30_000,
  );

  test("an upload that sends nothing for the idle time is answered 408, and lets go", async () => {
    const { settled, open } = await serve({ idleMs: 1_000 });
    const stalled = await open("Gulls", bigPng(500_000), "image/png", 1_000);
    expect(said(await stalled.answer)).toEqual({
      status: 408,
      said: "request_timeout: Nothing of the upload arrived for 1 second",
      retryAfter: undefined,
    });
    stalled.abort();
    await settled(0, 0);
  }, 30_000);

  test("what would be refused anyway is refused before a byte of the body is read", async () => {
    const { made, open, settled } = await serve();
    const photo = jpegWithGps(2_000);
    const first = await open("Gulls", photo, "image/jpeg");
    first.send();
    expect(said(await first.answer)).toMatchObject({ status: 201 });
    // Pending: the body is announced, never sent, and the answer comes all the same.
    const waiting = await open("Gulls", photo, "image/jpeg");
    expect(said(await waiting.answer)).toMatchObject({
      status: 409,
      said: "conflict: Your last submission for this mission is waiting for a judge",
    });
    waiting.abort();
    const claimed = await made.call("POST", "/api/admin/judge/claim", {
      token: ADMIN_TOKEN,
      body: { judge: "ann" },
    });
    await made.call("POST", `/api/admin/submissions/${claimed.body.submission.id}/verdict`, {
      token: ADMIN_TOKEN,
      body: { accept: true },
    });
    const solved = await open("Gulls", photo, "image/jpeg");
    expect(said(await solved.answer)).toMatchObject({
      status: 409,
      said: "conflict: This mission is already solved",
    });
    solved.abort();
    await settled(0, 0);
  }, 30_000);
});

describe("a slow upload", () => {
  // Bun's idle timeout (2 s here) also cuts a request body that arrives slower than 16 KiB/s on
  // average over it, with no answer; 16 KiB every 1.5 s is slower, but steady.
  test("16 KiB every 1.5 s, over several idle timeouts, is taken", async () => {
    const { open } = await serve({}, { idleTimeout: 2 });
    const upload = await open("Gulls", jpegWithGps(120_000), "image/jpeg");
    for (upload.send(16 * 1024); upload.left > 0; upload.send(16 * 1024)) {
      const early = await Promise.race([upload.answer, sleep(1_500).then(() => undefined)]);
      if (early !== undefined) expect(said(early)).toBe("still sending");
    }
    expect(said(await upload.answer)).toMatchObject({ status: 201, said: "pending" });
  }, 60_000);
});
