import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { EVENTS } from "../../src/play/responses.ts";
import { MISSIONS_TOML } from "../engine/_hunt.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { ADMIN_TOKEN, makeApp, ORIGIN, removeUploads } from "./_app.ts";
import { contains, GPS_LATITUDE, jpegWithGps, XMP_MARK } from "./_jpeg.ts";
import { heicWithGps, ISO6709, movieWithGps, pngWithGps, webpWithGps } from "../play/_media.ts";
import { boxes } from "../../src/play/strip_bmff.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => {
  removeUploads();
  dirs.removeAll();
});

const TOML = MISSIONS_TOML.replace("2026-11-21T16:00:00Z", "2026-11-21T16:00:00Z\ngallery = true");

async function setup() {
  const app = makeApp({ toml: TOML });
  app.clock.advance(60_000);
  const token = await app.register("Gulls");
  const teamId = app.game.accounts.teamFor(token)!;
  const filesDir = app.store.files.dir;
  const files = () => {
    try {
      return readdirSync(filesDir);
    } catch {
      return [];
    }
  };
  return { ...app, token, teamId, files };
}

function upload(
  app: Awaited<ReturnType<typeof setup>>,
  puzzle: string,
  body: RequestInit["body"],
  init: { token?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  return app.app.request(`${ORIGIN}/api/puzzles/${puzzle}/submissions`, {
    method: "POST",
    headers,
    body,
  });
}

function photoForm(bytes: Uint8Array, name = "me.jpg"): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes], { type: "image/jpeg" }), name);
  return form;
}

describe("POST /api/puzzles/:id/submissions", () => {
  test("the team's puzzle list marks a mission waiting for a judge, until the verdict", async () => {
    const app = await setup();
    const listed = async () => {
      const api = await app.call("GET", "/api/puzzles", { token: app.token });
      const page = await app.call("GET", "/puzzles", {
        headers: { cookie: `cairn_session=${app.token}` },
      });
      const statue = /<li[^>]*><a href="\/puzzles\/statue">[\s\S]*?<\/li>/.exec(page.text)![0];
      return {
        pending: api.body.puzzles.find((p: { id: string }) => p.id === "statue").pending,
        badge: />([^<]*)<\/span>\s*<\/a>/.exec(statue)![1],
      };
    };
    expect(await listed()).toEqual({ pending: undefined, badge: "30 pts" });
    const send = async () => {
      const res = await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token });
      expect(res.status).toBe(201);
      return ((await res.json()) as { submission: { id: number } }).submission.id;
    };
    // Sent: the list (cached until the team's next change) says so at once.
    const first = await send();
    expect(await listed()).toEqual({ pending: true, badge: "Being judged" });
    // Sent back: as before; sent again, then accepted: solved.
    const verdict = (id: number, accept: boolean) =>
      app.admin(
        "POST",
        `/api/admin/submissions/${id}/verdict`,
        accept ? { accept } : { accept, message: "Blurry" },
      );
    expect((await verdict(first, false)).status).toBe(200);
    expect(await listed()).toEqual({ pending: undefined, badge: "30 pts" });
    const second = await send();
    expect((await listed()).pending).toBe(true);
    expect((await verdict(second, true)).status).toBe(200);
    expect(await listed()).toEqual({ pending: undefined, badge: "Solved" });
  });

  test("photo → queue → accept → solve → unlock rule fires → live events to the team", async () => {
    const app = await setup();
    const events: string[] = [];
    const decoder = new TextDecoder();
    app.live.connect(app.teamId, {
      write: (chunk: Uint8Array) => void events.push(decoder.decode(chunk)),
      closed: false,
    });
    const res = await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token });
    expect(res.status).toBe(201);
    const { submission } = (await res.json()) as { submission: { id: number } };
    expect(submission).toMatchObject({ puzzle: "statue", status: "pending", type: "image/jpeg" });
    expect(events.join("")).toContain(
      'event: submission\ndata: {"id":1,"puzzle":"statue","status":"pending"',
    );

    const mine = await app.call("GET", "/api/puzzles/statue/submissions", { token: app.token });
    expect(mine.body.submissions.map((s: { status: string }) => s.status)).toEqual(["pending"]);

    const claim = await app.admin("POST", "/api/admin/judge/claim", { judge: "ann" });
    expect(claim.body.submission.id).toBe(submission.id);
    const verdict = await app.admin("POST", `/api/admin/submissions/${submission.id}/verdict`, {
      accept: true,
      points: 25,
    });
    expect(verdict.status).toBe(200);
    expect(verdict.body.submission).toMatchObject({ status: "accepted", points: 25 });
    expect(verdict.body.submission.unlocked).toEqual(["after-statue"]);
    const list = await app.call("GET", "/api/puzzles", { token: app.token });
    expect(list.body.puzzles.find((p: { id: string }) => p.id === "statue").solved).toBe(true);
    expect(list.body.puzzles.map((p: { id: string }) => p.id)).toContain("after-statue");
    const all = events.join("");
    expect(all).toContain('"status":"accepted","points":25');
    // Each submission event's data is as the OpenAPI document describes it.
    const sent = [...all.matchAll(/event: submission\ndata: (.*)\n/g)].map((m) =>
      JSON.parse(m[1]!)
    );
    expect(sent.map((data) => v.parse(EVENTS.submission, data).status)).toEqual([
      "pending",
      "accepted",
    ]);
    expect(all).toContain('event: solve\ndata: {"puzzle":"statue"}');
    expect(all).toContain(
      'event: unlock\ndata: {"puzzles":["after-statue"],"titles":["After the statue"]}',
    );
    const board = await app.call("GET", "/api/scoreboard");
    expect(board.body.teams[0]).toMatchObject({ name: "Gulls", score: 25, solves: 1 });
  });

  test("organizers' streams get each submission sent and judged: the dashboard's feed", async () => {
    const app = await setup();
    const events: string[] = [];
    const decoder = new TextDecoder();
    app.live.connect(
      undefined,
      { write: (chunk: Uint8Array) => void events.push(decoder.decode(chunk)), closed: false },
      undefined,
      { admin: true },
    );
    const res = await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token });
    expect(res.status).toBe(201);
    const { submission } = (await res.json()) as { submission: { id: number } };
    await app.admin("POST", `/api/admin/submissions/${submission.id}/verdict`, {
      accept: false,
      message: "We can't see the statue",
    });
    const sent = [...events.join("").matchAll(/event: submission\ndata: (.*)\n/g)].map((m) =>
      v.parse(EVENTS.submission, JSON.parse(m[1]!))
    );
    expect(sent.map((data) => [data.id, data.status])).toEqual([
      [submission.id, "pending"],
      [submission.id, "rejected"],
    ]);
  });

  test("the stored JPEG has no GPS directory or XMP, keeps its orientation, and is named by its hash", async () => {
    const app = await setup();
    const original = jpegWithGps();
    expect(contains(original, GPS_LATITUDE)).toBe(true);
    const res = await upload(app, "statue", photoForm(original), { token: app.token });
    expect(res.status).toBe(201);
    const [name] = app.files();
    expect(app.files()).toHaveLength(1);
    const stored = new Uint8Array(await app.store.upload(name!)!.arrayBuffer());
    expect(name).toBe(createHash("sha256").update(stored).digest("hex"));
    expect(contains(stored, GPS_LATITUDE)).toBe(false);
    expect(contains(stored, new TextEncoder().encode(XMP_MARK))).toBe(false);
    expect(contains(stored, [0x25, 0x88])).toBe(false); // the GPS pointer tag, little-endian
    expect(contains(stored, [0x12, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 0x06, 0])).toBe(true);
    // The image data is untouched.
    expect(contains(stored, new Uint8Array(1_000).fill(0x55))).toBe(true);
    expect(stored.at(-1)).toBe(0xd9);
  });

  test("nothing after the JPEG's end is stored: a second image with GPS (MPF, motion photo) goes", async () => {
    const app = await setup();
    const first = await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token });
    expect(first.status).toBe(201);
    const [clean] = app.files();
    const cleanBytes = new Uint8Array(await app.store.upload(clean!)!.arrayBuffer());
    expect(contains(cleanBytes, GPS_LATITUDE)).toBe(false);
    // A clean photo followed by one with GPS EXIF and XMP, as phones write MPF and motion photos.
    const motion = new Uint8Array([...cleanBytes, ...jpegWithGps(200)]);
    expect(contains(motion, GPS_LATITUDE)).toBe(true);
    const other = await app.register("Terns");
    const res = await upload(app, "statue", photoForm(motion), { token: other });
    expect(res.status).toBe(201);
    const { submission } = (await res.json()) as { submission: { size: number } };
    // Stored as the first image alone: the same bytes, so the same file.
    expect(submission.size).toBe(cleanBytes.length);
    expect(app.files()).toEqual([clean!]);
  });

  const cut: [string, (jpeg: Uint8Array) => Uint8Array][] = [
    ["inside its image data", (jpeg) => jpeg.subarray(0, jpeg.length - 100)],
    ["before its image data", (jpeg) => jpeg.subarray(0, 40)],
  ];
  for (const [where, make] of cut) {
    test(`a JPEG cut ${where} is refused with 400 as cut short, and nothing stays`, async () => {
      const app = await setup();
      const res = await upload(app, "statue", photoForm(make(jpegWithGps())), { token: app.token });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        "The photo is not a valid JPEG: it is cut short",
      );
      expect(app.files()).toEqual([]);
      expect(app.game.engine.submissions.size).toBe(0);
    });
  }

  const others: [string, string, () => Uint8Array, string][] = [
    ["PNG", "statue", pngWithGps, "me.png"],
    ["WebP", "statue", webpWithGps, "me.webp"],
    ["HEIC", "statue", heicWithGps, "me.heic"],
    ["MP4", "pirate", () => movieWithGps(false, 300_000), "me.mp4"],
    ["MOV", "pirate", () => movieWithGps(true, 300_000), "me.mov"],
  ];
  for (const [name, puzzle, make, filename] of others) {
    test(`a ${name} is stored without its location; cut short, it is refused and nothing stays`, async () => {
      const app = await setup();
      const original = make();
      const form = new FormData();
      form.append("file", new Blob([original]), filename);
      const res = await upload(app, puzzle, form, { token: app.token });
      expect(res.status).toBe(201);
      const [hash] = app.files();
      const stored = new Uint8Array(await app.store.upload(hash!)!.arrayBuffer());
      expect(contains(stored, GPS_LATITUDE)).toBe(false);
      expect(contains(stored, new TextEncoder().encode(XMP_MARK))).toBe(false);
      expect(contains(stored, new TextEncoder().encode(ISO6709))).toBe(false);
      if (puzzle === "pirate" || name === "HEIC") expect(stored.length).toBe(original.length);

      const cut = new FormData();
      cut.append("file", new Blob([original.subarray(0, original.length - 100)]), filename);
      const other = await app.register("Terns");
      const refused = await upload(app, puzzle, cut, { token: other });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
        /^The (photo|video) is not a valid/,
      );
      expect(app.files()).toEqual([hash!]);
    });
  }

  const bad: [
    string,
    () => { body: RequestInit["body"]; headers?: Record<string, string> },
    number,
  ][] = [
    ["a wrong type (a GIF)", () => {
      const form = new FormData();
      form.append("file", new Blob(["GIF89a" + "x".repeat(100)], { type: "image/jpeg" }), "a.jpg");
      return { body: form };
    }, 400],
    ["a video for a photo mission", () => {
      const mp4 = new Uint8Array(64);
      mp4.set([0, 0, 0, 24, ...new TextEncoder().encode("ftypisom")]);
      const form = new FormData();
      form.append("file", new Blob([mp4]), "a.mp4");
      return { body: form };
    }, 400],
    ["a truncated multipart body", () => {
      const head = `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n` +
        `Content-Type: image/jpeg\r\n\r\n`;
      const bytes = new Uint8Array([...new TextEncoder().encode(head), ...jpegWithGps()]);
      return {
        body: bytes,
        headers: { "content-type": "multipart/form-data; boundary=XyZ" },
      };
    }, 400],
    ["a file name that climbs out", () => ({ body: photoForm(jpegWithGps(), "../../x") }), 400],
    ["two files", () => {
      const form = photoForm(jpegWithGps());
      form.append("file", new Blob([jpegWithGps(10)]), "b.jpg");
      return { body: form };
    }, 400],
    ["an empty file", () => ({ body: photoForm(new Uint8Array()) }), 400],
    ["JSON instead of multipart", () => ({
      body: "{}",
      headers: { "content-type": "application/json" },
    }), 400],
    ["a photo over the cap (2 MB here)", () => ({ body: photoForm(jpegWithGps(3_000_000)) }), 413],
  ];
  for (const [what, make, status] of bad) {
    test(`${what} gets ${status}, and nothing stays on disk`, async () => {
      const app = await setup();
      const { body, headers } = make();
      const res = await upload(app, "statue", body, {
        token: app.token,
        ...(headers && { headers }),
      });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        status === 413 ? "payload_too_large" : "bad_request",
      );
      expect(app.files()).toEqual([]);
      expect(app.game.engine.submissions.size).toBe(0);
    });
  }

  test("a file of a type not taken is told what the mission takes: a photo, or a video", async () => {
    const app = await setup();
    const gif = () => {
      const form = new FormData();
      form.append("file", new Blob(["GIF89a" + "x".repeat(100)], { type: "image/gif" }), "a.gif");
      return form;
    };
    const message = async (res: Response) => [
      res.status,
      ((await res.json()) as { error: { message: string } }).error.message,
    ];
    // Not "Only JPEG, PNG, HEIC, WebP, MP4 and MOV": a photo mission takes no MP4.
    expect(await message(await upload(app, "statue", gif(), { token: app.token }))).toEqual([
      400,
      "This mission takes a JPEG, PNG, HEIC or WebP photo",
    ]);
    expect(await message(await upload(app, "pirate", gif(), { token: app.token }))).toEqual([
      400,
      "This mission takes an MP4 or MOV video",
    ]);
  });

  test("a file over the cap is told the cap; over what is left of the quota, the quota left", async () => {
    // photo_max = "2MB", team_quota = "3MB": a 2.5 MB photo is over the cap.
    const app = await setup();
    const message = async (
      res: Response,
    ) => [res.status, ((await res.json()) as { error: { message: string } }).error.message];
    const big = photoForm(jpegWithGps(2_500_000));
    expect(await message(await upload(app, "statue", big, { token: app.token }))).toEqual([
      413,
      "The file is larger than 2 MB",
    ]);
    // A 1.8 MB video leaves 1.28 MB of the quota: a 1.5 MB photo is under the cap but over that.
    const video = new FormData();
    video.append("file", new Blob([movieWithGps(false, 1_800_000)]), "v.mp4");
    expect((await upload(app, "pirate", video, { token: app.token })).status).toBe(201);
    const photo = photoForm(jpegWithGps(1_500_000));
    expect(await message(await upload(app, "statue", photo, { token: app.token }))).toEqual([
      413,
      "Your team has 1.2 MB of its upload quota left",
    ]);
    // Under 1 MB left, it is told in KB.
    const other = await app.register("Terns");
    const large = new FormData();
    large.append("file", new Blob([movieWithGps(false, 2_500_000)]), "v.mp4");
    expect((await upload(app, "pirate", large, { token: other })).status).toBe(201);
    expect(await message(await upload(app, "statue", photo, { token: other }))).toEqual([
      413,
      "Your team has 629 KB of its upload quota left",
    ]);
    expect(app.game.engine.submissions.size).toBe(2);
  });

  const misfits: [string, string, () => FormData, string][] = [
    ["a file part with no file name", "statue", () => {
      const form = new FormData();
      form.append("file", "not a file");
      return form;
    }, 'The "file" part is not a file: it has no file name'],
    ["a text part sent as a file", "story", () => {
      const form = new FormData();
      form.append("text", new Blob(["We are the Gulls."]), "story.txt");
      return form;
    }, 'The "text" part must be a text, not a file'],
    ["a HEIC whose box type is raw bytes", "statue", () => {
      const damaged = heicWithGps();
      // The last box (mdat) gets a size past the end and a type that is not text.
      const mdat = boxes(damaged, 0, damaged.length, "test")[2]!;
      damaged.set([0x7f, 0xff, 0xff, 0xff, 0x00, 0x01, 0x1b, 0x7f], mdat.start);
      const form = new FormData();
      form.append("file", new Blob([damaged]), "me.heic");
      return form;
    }, "The photo is not a valid HEIC: a box is cut short"],
  ];
  for (const [what, puzzle, make, message] of misfits) {
    test(`${what} is refused with 400: ${message}`, async () => {
      const app = await setup();
      const res = await upload(app, puzzle, make(), { token: app.token });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(message);
      expect(app.files()).toEqual([]);
    });
  }

  test("a submission for a puzzle the team does not have (gone by a reload) says it is not open", async () => {
    const app = await setup();
    const form = new FormData();
    form.append("text", "Sent from a page left open.");
    const res = await upload(app, "gone", form, { token: app.token });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "This puzzle is not open to your team" },
    });
    expect(app.files()).toEqual([]);
  });

  test("a text mission takes a text field, and is accepted at once with judge = auto", async () => {
    const app = await setup();
    const form = new FormData();
    form.append("text", "We are the Gulls because we steal chips.");
    const res = await upload(app, "story", form, { token: app.token });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { submission: unknown }).submission).toMatchObject({
      status: "accepted",
      text: "We are the Gulls because we steal chips.",
    });
    expect(app.files()).toEqual([]);
  });

  for (
    const [what, text] of [["empty", ""], ["only spaces", "   "], ["only line breaks", "\r\n\t"]]
  ) {
    test(`a text mission refuses a text that is ${what} with 400, and stores nothing`, async () => {
      const app = await setup();
      const form = new FormData();
      form.append("text", text!);
      const res = await upload(app, "story", form, { token: app.token });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        "The text is empty",
      );
      expect(app.game.engine.submissions.size).toBe(0);
      // Nothing waits for a judge: a real text is taken next.
      const next = new FormData();
      next.append("text", " We are the Gulls. ");
      expect((await upload(app, "story", next, { token: app.token })).status).toBe(201);
    });
  }

  test("an anonymous upload gets 401 before the body is read", async () => {
    const app = await setup();
    const res = await upload(app, "statue", photoForm(jpegWithGps()));
    expect(res.status).toBe(401);
    expect(app.files()).toEqual([]);
  });

  test("a file goes only to its team and organizers; others and anonymous get 404", async () => {
    const app = await setup();
    const other = await app.register("Terns");
    const res = await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token });
    const { submission } = (await res.json()) as { submission: { id: number } };
    const path = `/api/submissions/${submission.id}/file`;
    const mine = await app.app.request(`${ORIGIN}${path}`, {
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get("content-type")).toBe("image/jpeg");
    expect(mine.headers.get("x-content-type-options")).toBe("nosniff");
    expect(mine.headers.get("content-disposition")).toBe(
      `inline; filename="submission-${submission.id}.jpg"`,
    );
    // The bytes stored (its location removed), to the phone that sent it and to a teammate's.
    const [name] = app.files();
    const kept = readFileSync(join(app.store.files.dir, name!));
    expect(Buffer.from(await mine.arrayBuffer()).equals(kept)).toBe(true);
    const teammate = await app.login("Gulls");
    const theirs = await app.app.request(`${ORIGIN}${path}`, {
      headers: { authorization: `Bearer ${teammate}` },
    });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await theirs.arrayBuffer()).equals(kept)).toBe(true);
    const organizer = await app.app.request(`${ORIGIN}${path}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(organizer.status).toBe(200);
    for (const token of [other, undefined]) {
      const res = await app.call("GET", path, token === undefined ? {} : { token });
      expect(res.status).toBe(404);
    }
    expect((await app.call("GET", "/api/submissions/99/file", { token: app.token })).status).toBe(
      404,
    );
  });

  const refusedVerdicts: [string, Record<string, unknown>, string][] = [
    ["points on a rejection", { accept: false, points: 3 }, 'Unknown field "points"'],
    ["a message on an acceptance", { accept: true, message: "Nice" }, 'Unknown field "message"'],
    ["an unknown field", { accept: true, pints: 3 }, 'Unknown field "pints"'],
    [
      "no accept",
      { points: 3 },
      'Field "accept": Invalid type: Expected (true | false) but received undefined',
    ],
    [
      "an accept that is not a boolean",
      { accept: "yes" },
      'Field "accept": Invalid type: Expected (true | false) but received "yes"',
    ],
  ];
  for (const [what, body, message] of refusedVerdicts) {
    test(`a verdict with ${what} is refused with 400, and the submission is not judged`, async () => {
      const app = await setup();
      expect((await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token })).status)
        .toBe(201);
      expect(await app.admin("POST", "/api/admin/submissions/1/verdict", body)).toMatchObject({
        status: 400,
        body: { error: { code: "bad_request", message } },
      });
      const mine = await app.call("GET", "/api/puzzles/statue/submissions", { token: app.token });
      expect(mine.body.submissions.map((s: { status: string }) => s.status)).toEqual(["pending"]);
    });
  }

  test("a submission id that is not decimal digits is no submission: 404, to judge it and for its file", async () => {
    const app = await setup();
    expect((await upload(app, "statue", photoForm(jpegWithGps()), { token: app.token })).status)
      .toBe(201);
    for (const id of ["0x1", "1e0", "01", "1.0"]) {
      expect(
        await app.admin("POST", `/api/admin/submissions/${id}/verdict`, { accept: true }),
      ).toMatchObject({
        status: 404,
        body: { error: { code: "not_found", message: "There is no such submission" } },
      });
      const file = await app.app.request(`${ORIGIN}/api/submissions/${id}/file`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(file.status).toBe(404);
    }
    const file = await app.app.request(`${ORIGIN}/api/submissions/1/file`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(file.status).toBe(200);
  });

  test("two judges at once get different submissions", async () => {
    const app = await setup();
    const other = await app.register("Terns");
    for (const token of [app.token, other]) {
      expect((await upload(app, "statue", photoForm(jpegWithGps()), { token })).status).toBe(201);
    }
    const [a, b, c] = await Promise.all(
      ["ann", "bob", "cy"].map((judge) => app.admin("POST", "/api/admin/judge/claim", { judge })),
    );
    expect(a!.body.submission.id).not.toBe(b!.body.submission.id);
    expect(c!.body.submission).toBeNull();
    const rejected = await app.admin(
      "POST",
      `/api/admin/submissions/${a!.body.submission.id}/verdict`,
      {
        accept: false,
        message: "Where is the statue?",
      },
    );
    expect(rejected.body.submission).toMatchObject({
      status: "rejected",
      message: "Where is the statue?",
    });
  });
});

const filesDir = (path: string) => `${path}.files`;

describe("uploads queued offline and the hunt's offline grace", () => {
  const END = Date.parse("2026-11-21T16:00:00Z");
  const GRACE = MISSIONS_TOML.replace(
    "ends_at = 2026-11-21T16:00:00Z\n",
    'ends_at = 2026-11-21T16:00:00Z\noffline_grace = "15m"\n',
  );

  /** A team two minutes before the end, with the last-contact token it got then. */
  async function beforeEnd(toml: string) {
    const app = makeApp({ toml });
    app.clock.time = END - 2 * MINUTE;
    const token = await app.register("Gulls");
    const reply = await app.call("GET", "/api/puzzles", { token });
    return { app, token, contact: reply.headers.get("cairn-contact")! };
  }

  const send = (
    app: ReturnType<typeof makeApp>,
    puzzle: string,
    body: RequestInit["body"],
    token: string,
    headers: Record<string, string> = {},
  ) =>
    app.app.request(`${ORIGIN}/api/puzzles/${puzzle}/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, ...headers },
      body,
    });
  const text = (words: string) => {
    const form = new FormData();
    form.append("text", words);
    return form;
  };
  const pressed = (at: number, contact: string) => ({
    "cairn-pressed-at": String(at),
    "cairn-contact": contact,
  });
  const codeOf = async (
    res: Response,
  ) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];

  test("one sent before the end is taken during the grace, and counts when it was sent", async () => {
    const { app, token, contact } = await beforeEnd(GRACE);
    app.clock.time = END + 5 * MINUTE;
    const photo = await send(app, "statue", photoForm(jpegWithGps()), token, {
      ...pressed(END - MINUTE, contact),
    });
    expect(photo.status).toBe(201);
    const { submission } = (await photo.json()) as { submission: { at: string; status: string } };
    expect(submission).toMatchObject({
      status: "pending",
      at: new Date(END - MINUTE).toISOString(),
    });
    // An auto-judged text is solved at the time it was sent.
    const story = await send(app, "story", text("We are the Gulls."), token, {
      ...pressed(END - MINUTE + 1_000, contact),
    });
    expect(story.status).toBe(201);
    expect(
      app.db.query("SELECT at, accepted_at FROM submissions WHERE puzzle = 'story'").get(),
    ).toEqual({ at: END - MINUTE + 1_000, accepted_at: END - MINUTE + 1_000 });
    const team = app.game.engine.teams.get(app.game.accounts.teamFor(token)!)!;
    expect(team.lastSolveAt).toBe(END - MINUTE + 1_000);
  });

  test("one sent after the end, sent at once, or arriving after the grace is refused", async () => {
    const { app, token, contact } = await beforeEnd(GRACE);
    app.clock.time = END + 5 * MINUTE;
    for (const headers of [pressed(END + MINUTE, contact), {}]) {
      expect(await codeOf(await send(app, "story", text("Late"), token, headers))).toEqual([
        409,
        "hunt_not_running",
      ]);
    }
    app.clock.time = END + 16 * MINUTE;
    const after = await send(app, "story", text("Late"), token, pressed(END - MINUTE, contact));
    expect(await codeOf(after)).toEqual([409, "hunt_not_running"]);
    expect(app.game.engine.submissions.size).toBe(0);
  });

  test("with offline_times = false, one counts when it arrives, whatever time it says", async () => {
    const strict = GRACE.replace("[hunt]\n", "[hunt]\noffline_times = false\n");
    const { app, token, contact } = await beforeEnd(strict);
    app.clock.time = END - MINUTE;
    const story = await send(app, "story", text("We are the Gulls."), token, {
      ...pressed(END - 2 * MINUTE, contact),
    });
    expect(story.status).toBe(201);
    expect(
      app.db.query("SELECT at, accepted_at, flag FROM submissions WHERE puzzle = 'story'").get(),
    ).toEqual({ at: END - MINUTE, accepted_at: END - MINUTE, flag: null });
    // Made before the end, arriving within the grace: refused, as it arrives after the end.
    app.clock.time = END + MINUTE;
    const photo = await send(app, "statue", photoForm(jpegWithGps()), token, {
      ...pressed(END - MINUTE, contact),
    });
    expect(await codeOf(photo)).toEqual([409, "hunt_not_running"]);
  });

  test("without offline_grace, nothing is taken after the end", async () => {
    const { app, token, contact } = await beforeEnd(MISSIONS_TOML);
    app.clock.time = END + MINUTE;
    const res = await send(app, "story", text("Late"), token, pressed(END - MINUTE, contact));
    expect(await codeOf(res)).toEqual([409, "hunt_not_running"]);
  });

  /**
   * A photo's multipart body that starts to arrive at END - 500 ms and ends at END + 2 min: it comes
   * in two halves, and the second is asked for (the clock moved past the end) once the first has
   * been read. Gives the body and its content type.
   */
  async function acrossTheEnd(app: { clock: { time: number } }) {
    app.clock.time = END - 500;
    const form = new Response(photoForm(jpegWithGps(50_000)));
    const type = form.headers.get("content-type")!;
    const bytes = new Uint8Array(await form.arrayBuffer());
    const halves = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = halves.shift();
        if (next === undefined) return controller.close();
        if (halves.length === 0) app.clock.time = END + 2 * MINUTE;
        controller.enqueue(next);
      },
    });
    return { type, body };
  }

  test("a slow upload sent just before the end counts when it was sent, though it ends after", async () => {
    const { app, token, contact } = await beforeEnd(GRACE);
    const { type, body } = await acrossTheEnd(app);
    const res = await send(app, "statue", body, token, {
      "content-type": type,
      ...pressed(END - 500, contact),
    });
    expect(app.clock.time).toBe(END + 2 * MINUTE);
    expect(res.status).toBe(201);
    const { submission } = (await res.json()) as { submission: { at: string } };
    expect(submission.at).toBe(new Date(END - 500).toISOString());
  });

  test("a slow upload sent at once counts from when it began to arrive, within the grace; with offline_times = false, when it ends", async () => {
    /** Sends a photo with no time claimed, as the page does at once, arriving from END - 500 ms to END + 2 min. */
    const slow = async (toml: string) => {
      const { app, token } = await beforeEnd(toml);
      const { type, body } = await acrossTheEnd(app);
      const res = await send(app, "statue", body, token, { "content-type": type });
      return { app, res };
    };
    const { app, res } = await slow(GRACE);
    expect(res.status).toBe(201);
    const { submission } = (await res.json()) as { submission: { at: string } };
    expect(submission.at).toBe(new Date(END - 500).toISOString());
    expect(app.db.query("SELECT flag FROM submissions").get()).toEqual({ flag: null });
    // Without offline_grace, or with offline_times = false, it arrived after the end.
    expect(await codeOf((await slow(MISSIONS_TOML)).res)).toEqual([409, "hunt_not_running"]);
    const strict = GRACE.replace("[hunt]\n", "[hunt]\noffline_times = false\n");
    expect(await codeOf((await slow(strict)).res)).toEqual([409, "hunt_not_running"]);
  });

  test("one made offline is flagged for the judges (clamped, late), after a restart too; its team does not see the flag", async () => {
    const { app, token, contact } = await beforeEnd(GRACE);
    // Claimed half an hour back, before the token could vouch for: clamped to the token's time.
    app.clock.time = END - MINUTE;
    const photo = await send(app, "statue", photoForm(jpegWithGps()), token, {
      ...pressed(END - 30 * MINUTE, contact),
    });
    expect(photo.status).toBe(201);
    // Sent at once: no flag.
    const other = await app.register("Terns");
    expect((await send(app, "statue", photoForm(jpegWithGps()), other)).status).toBe(201);
    // Made just after the token, and arriving 14 minutes later (within the grace): late.
    app.clock.time = END + 12 * MINUTE;
    const story = await send(app, "story", text("We are the Gulls."), token, {
      ...pressed(END - 2 * MINUTE + 1_000, contact),
    });
    expect(story.status).toBe(201);

    const claim = await app.admin("POST", "/api/admin/judge/claim", { judge: "ann" });
    expect(claim.body.submission).toMatchObject({
      puzzle: "statue",
      flag: "clamped",
      at: new Date(END - 2 * MINUTE).toISOString(),
    });
    const verdict = await app.admin(
      "POST",
      `/api/admin/submissions/${claim.body.submission.id}/verdict`,
      { accept: true },
    );
    expect(verdict.body.submission.flag).toBe("clamped");
    const unflagged = await app.admin("POST", "/api/admin/judge/claim", { judge: "ann" });
    expect(unflagged.body.submission.puzzle).toBe("statue");
    expect("flag" in unflagged.body.submission).toBe(false);
    expect(
      app.db.query("SELECT puzzle, flag FROM submissions ORDER BY id").all(),
    ).toEqual([
      { puzzle: "statue", flag: "clamped" },
      { puzzle: "statue", flag: null },
      { puzzle: "story", flag: "late" },
    ]);
    // The team's own view says when it counts, and nothing of the flag.
    const mine = await app.call("GET", "/api/puzzles/statue/submissions", { token });
    expect("flag" in mine.body.submissions[0]).toBe(false);
    // A restart reads the flags back.
    const again = app.restart();
    expect([...again.game.engine.submissions.values()].map((s) => s.flag)).toEqual([
      "clamped",
      null,
      "late",
    ]);
  });

  test("a malformed Cairn-Pressed-At is a 400", async () => {
    const { app, token } = await beforeEnd(GRACE);
    const res = await send(app, "story", text("Hi"), token, { "cairn-pressed-at": "soon" });
    expect(await codeOf(res)).toEqual([400, "bad_request"]);
  });
});

describe("uploads under load and after a crash", () => {
  test("a 200 MB video is refused as it streams (60 MB cap): RSS grows by a few MB at most", async () => {
    const app = await setup();
    const chunk = new Uint8Array(256 * 1024);
    chunk.set([0, 0, 0, 24, ...new TextEncoder().encode("ftypisom")]);
    const rest = new Uint8Array(256 * 1024);
    let sent = 0;
    const total = 200 * 1_048_576;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= total) return controller.close();
        controller.enqueue(sent === 0 ? chunk : rest);
        sent += chunk.byteLength;
      },
    });
    const boundary = "BoUnDaRy";
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n\r\n`,
    );
    let first = true;
    const multipart = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(part, controller) {
          if (first) controller.enqueue(head);
          first = false;
          controller.enqueue(part);
        },
      }),
    );
    // RSS is compared after a full collection, which only Bun can force here (Deno: the
    // refusal while streaming, `sent < total`, is what is checked).
    const gc = () => ("Bun" in globalThis ? Bun.gc(true) : undefined);
    gc();
    const before = process.memoryUsage().rss;
    const res = await upload(app, "pirate", multipart, {
      token: app.token,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.status).toBe(413);
    gc();
    const grown = process.memoryUsage().rss - before;
    expect(sent).toBeLessThan(total);
    if ("Bun" in globalThis) expect(grown).toBeLessThan(16 * 1_048_576);
    expect(app.files()).toEqual([]);
  });

  test("a file stored but never committed (a crash) is removed at the next start", async () => {
    const { join } = await import("node:path");
    const { SqliteStore } = await import("../../src/store/mod.ts");
    const { startGame } = await import("../../src/server/mod.ts");
    const { loadHunt } = await import("../../src/hunt/mod.ts");
    const { createLogger } = await import("../../src/log/mod.ts");
    const path = join(dirs.make("cairn-orphan-"), "cairn.db");
    const open = () => {
      const opened = SqliteStore.open(path);
      if (opened.kind !== "ok") throw new Error("locked");
      return opened.store;
    };
    const store = open();
    expect(store.files.dir).toBe(`${path}.files`);
    // Stored and fsynced, then the process dies before the submission commits; another is half-written.
    const sink = await store.beginUpload();
    await sink.write(jpegWithGps());
    const { hash } = await sink.finish();
    const half = await store.beginUpload();
    await half.write(new Uint8Array(10));
    expect(readdirSync(store.files.dir)).toHaveLength(2);
    store.close();
    // What a killed process leaves: the half-written file, its handle gone with the process.
    const { copyFileSync } = await import("node:fs");
    const halfName = readdirSync(filesDir(path)).find((n) => n.startsWith(".upload-"))!;
    copyFileSync(join(filesDir(path), halfName), join(filesDir(path), ".upload-crashed"));
    await half.abort();
    expect(readdirSync(filesDir(path))).toHaveLength(2);

    const again = open();
    const { hunt } = loadHunt(TOML, { file: "m.toml" });
    const server = startGame({
      store: again,
      hunt: hunt!,
      reread: () => loadHunt(TOML, { file: "m.toml" }),
      clock: { now: () => Date.parse("2026-11-21T10:01:00Z") },
      logger: createLogger({ write: () => {} }),
      adminTokenHash: () => "x",
    });
    expect(readdirSync(again.files.dir)).toEqual([]);
    expect(again.upload(hash)).toBeUndefined(); // removed with the orphans
    server.close();
  });
});
