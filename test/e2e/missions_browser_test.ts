// Photo missions in a real browser against the compiled binary: the judging
// page driven by its keys; a phone that takes a photo, sees it upload, waits
// for a judge and gets the verdict live; an upload made offline that waits
// in the outbox. Screenshots go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page, Route } from "playwright-core";
import { addGps, contains, GPS_LATITUDE } from "../http/_jpeg.ts";
import { heicWithGps } from "../play/_media.ts";
import {
  axe,
  chromiumAvailable,
  launchChromium,
  registerTeam,
  startBinary,
  until,
} from "./_browser.ts";

const ADMIN_TOKEN = "missions-admin-token";
const SHOTS = join(import.meta.dir, "..", "..", "test-results", "screenshots");

const HUNT = `
[hunt]
title = "Old Town Scavenger Hunt"
gallery = true

[[puzzle]]
id = "statue"
title = "Strike a pose"
round = "town"
points = 30
submit = "photo"
body = "A photo of your whole team copying a statue's pose."

[[puzzle]]
id = "fountain"
title = "Wish"
round = "town"
points = 20
submit = "photo"
body = "A photo of a team member throwing a coin into a fountain."

[[puzzle]]
id = "story"
title = "Our name"
points = 10
submit = "text"
judge = "auto"
body = "Tell us the story of your team name."

[[puzzle]]
id = "finale"
title = "The finale"
points = 50
submit = "photo"
unlock = 'solved("statue")'
body = "A photo of your team at the town hall steps, everyone jumping."
`;

const suite = chromiumAvailable || process.env.CI !== undefined ? describe : describe.skip;

let server: Awaited<ReturnType<typeof startBinary>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;

/** A new tab at `path`, watching for script errors. */
async function open(path: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${server.base}${path}`);
  return page;
}

/**
 * A real JPEG, drawn by the browser's canvas (a sky, a sun, the label), with
 * the EXIF GPS directory of test/http/_jpeg.ts spliced in: a photo as a phone
 * sends it, location and all.
 */
async function photo(label: string): Promise<Uint8Array> {
  const page = await context.newPage();
  const base64 = await page.evaluate(`(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 800;
    canvas.height = 600;
    const g = canvas.getContext("2d");
    const sky = g.createLinearGradient(0, 0, 0, 600);
    sky.addColorStop(0, "#3b82f6");
    sky.addColorStop(1, "#fde68a");
    g.fillStyle = sky;
    g.fillRect(0, 0, 800, 600);
    g.fillStyle = "#f59e0b";
    g.beginPath();
    g.arc(620, 150, 80, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = "#1f2937";
    g.fillRect(0, 470, 800, 130);
    g.fillStyle = "#ffffff";
    g.font = "bold 64px sans-serif";
    g.fillText(${JSON.stringify(label)}, 40, 560);
    return canvas.toDataURL("image/jpeg", 0.85).split(",")[1];
  })()`) as string;
  await page.close();
  return addGps(Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)));
}

/** Uploads a photo for `puzzle` through the API, as the team `token`. */
async function uploadPhoto(token: string, puzzle: string): Promise<number> {
  const form = new FormData();
  form.append("file", new Blob([await photo(puzzle)], { type: "image/jpeg" }), "team.jpg");
  const res = await fetch(`${server.base}/api/puzzles/${puzzle}/submissions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(await res.text());
  return ((await res.json()) as { submission: { id: number } }).submission.id;
}

const statusOf = (id: number) =>
  server.query<{ status: string; points: number; message: string | null }>(
    "SELECT status, points, message FROM submissions WHERE id = ?",
    id,
  )[0];

suite("photo missions in a browser", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startBinary(HUNT, { args: ["--admin-token", ADMIN_TOKEN] });
    browser = await launchChromium();
    context = browser.context;
    await context.addCookies([{ name: "cairn_admin", value: ADMIN_TOKEN, url: server.base }]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test(
    "a judge names themselves, then accepts, gives points and rejects with the keys",
    async () => {
      const errors: string[] = [];
      const gulls = await registerTeam(server.base, "Gulls");
      const terns = await registerTeam(server.base, "Terns");
      const first = await uploadPhoto(gulls, "fountain");
      const second = await uploadPhoto(terns, "fountain");
      const page = await open("/admin/judge", errors);
      await page.setViewportSize({ width: 1366, height: 900 });
      await page.getByPlaceholder("Your name").fill("ann");
      await page.getByRole("button", { name: "Start judging" }).click();
      await page.waitForSelector("#judge-item");
      expect(await page.locator("#judge-team").textContent()).toBe("Gulls");
      expect(await page.locator("#judge-keys").textContent()).toContain("A accept");
      // On a laptop the keys show, on their line and on the buttons; on a phone's touch screen,
      // with no keyboard to press them on, they do not.
      const keys = page.locator("#judge-keys, #judge-item kbd");
      const shown = async () => await Promise.all((await keys.all()).map((k) => k.isVisible()));
      expect(await shown()).toEqual([true, true, true, true, true]);
      const cdp = await context.newCDPSession(page);
      await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate('matchMedia("(hover: none)").matches')).toBe(true);
      expect(await shown()).toEqual([false, false, false, false, false]);
      // Of the viewport: a full page's screenshot sets the screen's size again, and its touch off.
      await page.locator("#judge-skip").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "judge-390-touch.png") });
      expect(await shown()).toEqual([false, false, false, false, false]);
      await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: false });
      await cdp.detach();
      await page.setViewportSize({ width: 1366, height: 900 });
      expect(await shown()).toEqual([true, true, true, true, true]);
      // The photo is loaded, and shown large.
      const width = await page.evaluate(`(async () => {
      const img = document.querySelector(".judge-photo");
      if (!img.complete) await new Promise((resolve) => (img.onload = resolve));
      return img.naturalWidth;
    })()`);
      expect(width).toBeGreaterThan(0);
      await page.screenshot({ path: join(SHOTS, "judge-1366.png") });

      // P, type the points, Enter: accepted with 12 of 20.
      await page.keyboard.press("p");
      await page.keyboard.press("Control+a");
      await page.keyboard.type("12");
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=Accepted: Gulls, Wish (+12)");
      expect(statusOf(first)).toMatchObject({ status: "accepted", points: 12 });

      // R, type a message, Enter: rejected, and the team is told why.
      expect(await page.locator("#judge-team").textContent()).toBe("Terns");
      await page.keyboard.press("r");
      await page.keyboard.type("We can't see the coin");
      await page.keyboard.press("Enter");
      await page.waitForSelector("text=Rejected: Terns, Wish");
      expect(statusOf(second)).toMatchObject({
        status: "rejected",
        message: "We can't see the coin",
      });
      await page.waitForSelector("#judge-empty");
      await page.screenshot({ path: join(SHOTS, "judge-empty-1366.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );

  test(
    "the phone uploads a photo with progress, waits for a judge, and sees the verdict live",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Pelicans");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/statue", errors);
      const input = phone.locator("#mission-form input[type=file]");
      expect(await input.getAttribute("accept")).toBe("image/*");
      expect(await input.getAttribute("capture")).toBe("environment");
      // The script offers the phone's gallery beside the camera.
      expect(await phone.locator("#mission-gallery").isVisible()).toBe(true);
      // The form fits a phone's width.
      expect(await phone.evaluate("document.documentElement.scrollWidth")).toBe(390);
      // The page must not reload on the way: the verdict arrives over the live stream.
      await phone.evaluate(`(() => {
        window.stayed = true;
        window.progress = [];
        document.addEventListener("cairn:upload-progress", (e) => window.progress.push(e.detail));
      })()`);
      await input.setInputFiles({
        name: "team.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(await photo("Pelicans")),
      });
      await phone.getByRole("button", { name: "Send" }).click();
      await phone.waitForSelector("#mission-status >> text=Waiting for a judge");
      expect(await phone.locator("#mission-form").isHidden()).toBe(true);
      // XMLHttpRequest reported the upload's progress, up to all of it.
      const progress = await phone.evaluate("window.progress") as {
        loaded: number;
        total: number;
      }[];
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.at(-1)!.loaded).toBe(progress.at(-1)!.total);
      await phone.screenshot({ path: join(SHOTS, "mission-waiting-phone.png"), fullPage: true });

      // Stored without its location.
      const [row] = server.query<{ id: number }>(
        "SELECT id FROM submissions WHERE puzzle = 'statue' ORDER BY id DESC LIMIT 1",
      );
      const stored = await fetch(`${server.base}/api/submissions/${row!.id}/file`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const bytes = new Uint8Array(await stored.arrayBuffer());
      expect(bytes[0]).toBe(0xff);
      expect(contains(bytes, GPS_LATITUDE)).toBe(false);

      // A judge accepts it on /admin/judge; the phone shows it without a reload.
      const judge = await open("/admin/judge", errors);
      await judge.setViewportSize({ width: 1366, height: 900 });
      expect(await judge.locator("#judge-team").textContent()).toBe("Pelicans");
      await judge.keyboard.press("a");
      await judge.waitForSelector("text=Accepted: Pelicans, Strike a pose (+30)");
      await phone.waitForSelector("#mission-status >> text=Accepted! +30 points");
      expect(await phone.locator("#solved-badge").isVisible()).toBe(true);
      expect(await phone.evaluate("window.stayed")).toBe(true);
      await phone.screenshot({ path: join(SHOTS, "mission-accepted-phone.png"), fullPage: true });
      expect(errors).toEqual([]);
      await judge.close();
      await phone.close();
    },
    60_000,
  );

  test(
    "the puzzle list says a mission is being judged while a teammate's photo waits, live, until the verdict",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Shearwaters");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const list = await context.newPage();
      list.on("pageerror", (error) => errors.push(error.message));
      await list.setViewportSize({ width: 390, height: 844 });
      await list.addInitScript(`document.addEventListener("cairn:reconnected", () => {
        document.documentElement.dataset.stream = "open";
      });`);
      await list.goto(`${server.base}/puzzles`);
      await list.locator("html[data-stream=open]").waitFor({ state: "attached" });
      const fountain = list.locator(".puzzle-list a[href='/puzzles/fountain']");
      expect(await fountain.locator(".badge").textContent()).toBe("20 pts");
      // A teammate's phone sends a photo: the list, left open, follows.
      const sent = await uploadPhoto(token, "fountain");
      await fountain.locator(".badge", { hasText: "Being judged" }).waitFor();
      await list.screenshot({ path: join(SHOTS, "list-being-judged-phone.png"), fullPage: true });
      const res = await fetch(`${server.base}/api/admin/submissions/${sent}/verdict`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ accept: false, message: "Too dark" }),
      });
      expect(res.status).toBe(200);
      await fountain.locator(".badge", { hasText: "20 pts" }).waitFor();
      expect(errors).toEqual([]);
      await list.close();
    },
    60_000,
  );

  test(
    "a photo accepted, then rejected by an organizer, gives the phone its form back, live",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Gannets");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const first = await uploadPhoto(token, "fountain");
      const verdict = async (body: unknown) => {
        const res = await fetch(`${server.base}/api/admin/submissions/${first}/verdict`, {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(200);
      };
      /** The mission's page, once its live stream is open. */
      const live = async () => {
        const page = await context.newPage();
        page.on("pageerror", (error) => errors.push(error.message));
        await page.addInitScript(`document.addEventListener("cairn:reconnected", () => {
          document.documentElement.dataset.stream = "open";
        });`);
        await page.goto(`${server.base}/puzzles/fountain`);
        await page.locator("html[data-stream=open]").waitFor({ state: "attached" });
        return page;
      };
      // One phone watches the verdict come; the other opens the page once it is solved.
      const watching = await live();
      await verdict({ accept: true });
      await watching.waitForSelector("#mission-status >> text=Accepted! +20 points");
      const opened = await live();
      expect(await opened.locator("#solved-note").isVisible()).toBe(true);
      await verdict({ accept: false, message: "That is the wrong fountain" });
      for (const phone of [watching, opened]) {
        await phone.waitForSelector("#mission-status >> text=That is the wrong fountain");
        expect(await phone.locator("#mission-form").isVisible()).toBe(true);
        expect(await phone.locator("#solved-note").count()).toBe(0);
        expect(await phone.locator("#solved-badge").count()).toBe(0);
      }
      await opened.screenshot({
        path: join(SHOTS, "mission-rejected-later-phone.png"),
        fullPage: true,
      });
      // And a new photo goes.
      await opened.locator("#mission-form input[type=file]").setInputFiles({
        name: "again.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(await photo("Again")),
      });
      await opened.getByRole("button", { name: "Send" }).click();
      await opened.waitForSelector("#mission-status >> text=Waiting for a judge");
      expect(errors).toEqual([]);
      await watching.close();
      await opened.close();
      // Out of the judging queue, which the next tests' judges read from its start.
      const [row] = server.query<{ id: number }>(
        "SELECT id FROM submissions WHERE status = 'pending' ORDER BY id DESC LIMIT 1",
      );
      const res = await fetch(`${server.base}/api/admin/submissions/${row!.id}/verdict`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ accept: false }),
      });
      expect(res.status).toBe(200);
    },
    60_000,
  );

  test(
    "a photo the server refuses (a GIF, one too large) says why, not 'Not accepted' as a judge would",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Kittiwakes");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/fountain", errors);
      const gif = Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1");
      // Handed to Chromium as a file on disk: 16 MB through the protocol takes too long. A photo
      // the phone cannot make smaller (a HEIC: Chromium does not draw it), so it stays that large.
      const big = join(server.dir, "big.heic");
      writeFileSync(big, Buffer.concat([heicWithGps(), Buffer.alloc(16_000_000)]));
      for (
        const [file, says] of [
          [{ name: "party.gif", mimeType: "image/gif", buffer: gif }, "This mission takes a JPEG"],
          [
            big,
            "The file is larger than 15 MB",
          ],
        ] as const
      ) {
        await phone.locator("#mission-form input[type=file]").setInputFiles(file);
        await phone.getByRole("button", { name: "Send" }).click();
        await phone.locator("#mission-status", { hasText: says }).waitFor();
        expect(await phone.locator("#mission-status strong").textContent()).toStartWith(says);
        expect(await phone.locator("#mission-form").isVisible()).toBe(true);
      }
      await phone.screenshot({ path: join(SHOTS, "mission-refused-phone.png"), fullPage: true });
      expect(errors).toEqual([]);
      await phone.close();
    },
    60_000,
  );

  test(
    "a file over the cap is refused on the phone before it is sent, the form kept as it was",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Fulmars");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/fountain", errors);
      const sent: string[] = [];
      phone.on("request", (request) => {
        if (request.method() === "POST") sent.push(request.url());
      });
      // A photo the phone cannot make smaller (a HEIC, which Chromium cannot draw) goes as it is:
      // at 16 MB, over the cap. (A JPEG that large is made smaller first: mission_photos_browser_test.)
      const big = join(server.dir, "huge.heic");
      writeFileSync(big, Buffer.concat([heicWithGps(), Buffer.alloc(16_000_000)]));
      const input = phone.locator("#mission-form input[type=file]");
      await input.setInputFiles(big);
      await phone.getByRole("button", { name: "Send" }).click();
      await phone.locator("#mission-status", { hasText: "The file is larger than 15 MB" })
        .waitFor();
      expect(await phone.locator("#mission-status strong").textContent()).toBe(
        "The file is larger than 15 MB",
      );
      expect(sent).toEqual([]);
      expect(await phone.locator("#mission-form").isVisible()).toBe(true);
      const chosen = (el: unknown) => (el as { files: { name: string }[] }).files[0]?.name;
      expect(await input.evaluate(chosen)).toBe("huge.heic");
      expect(await phone.getByRole("button", { name: "Send" }).isEnabled()).toBe(true);
      expect(await phone.locator("#upload-progress").isHidden()).toBe(true);
      expect(await phone.locator("#outbox").isHidden()).toBe(true);
      await phone.screenshot({ path: join(SHOTS, "mission-too-large-phone.png"), fullPage: true });
      expect(
        server.query<{ n: number }>(
          "SELECT count(*) AS n FROM submissions JOIN teams ON teams.id = submissions.team_id WHERE teams.name = 'Fulmars'",
        )[0]!.n,
      ).toBe(0);
      expect(errors).toEqual([]);
      await phone.close();
    },
    60_000,
  );

  test(
    "Send is off while a photo is on its way (not the gallery's button), and on again after",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Grebes");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/fountain", errors);
      // A slow way up (6 KB/s), so that the photo takes a few seconds to go.
      const cdp = await context.newCDPSession(phone);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 6_000,
      });
      // What the outbox's banner says, all along.
      await phone.evaluate(`{
        globalThis.banner = [];
        const status = document.getElementById("outbox-status");
        new MutationObserver(() => {
          if (status.textContent !== "") globalThis.banner.push(status.textContent);
        }).observe(status, { childList: true, characterData: true, subtree: true });
      }`);
      const taken = await photo("Grebes");
      expect(taken.length).toBeGreaterThan(12_000);
      await phone.locator("#mission-form input[type=file]").setInputFiles({
        name: "coin.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(taken),
      });
      const send = phone.getByRole("button", { name: "Send" });
      const gallery = phone.getByRole("button", { name: "or choose one already taken" });
      await send.click();
      await phone.locator("#upload-percent", { hasText: "Sending…" }).waitFor();
      expect(await send.isDisabled()).toBe(true);
      expect(await gallery.isEnabled()).toBe(true);
      await phone.screenshot({ path: join(SHOTS, "mission-sending-phone.png"), fullPage: true });
      await phone.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor();
      // Sent online, it never waited for the network: the banner said nothing.
      expect(await phone.evaluate(`globalThis.banner`)).toEqual([]);
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      // The form waits hidden for the verdict, its Send on again for the next photo.
      const sendOn = `!document.querySelector("#mission-form button[type=submit]").disabled`;
      expect(await phone.evaluate(sendOn)).toBe(true);
      expect(await phone.locator("#mission-gallery").isEnabled()).toBe(true);
      expect(errors).toEqual([]);
      const id = (await phone.locator("#mission-status").getAttribute("data-shown"))!.split(":")[0];
      await phone.close();
      // Out of the judging queue, which the next tests' judges read from its start.
      const verdict = await fetch(`${server.base}/api/admin/submissions/${id}/verdict`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ accept: false }),
      });
      expect(verdict.status).toBe(200);
    },
    60_000,
  );

  test(
    "a phone whose teammate's photo arrived first shows that one waiting, not a refusal and the form",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Shags");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      // This phone's live stream has stalled (bad Wi-Fi): it does not hear of the teammate's photo.
      const phone = await context.newPage();
      phone.on("pageerror", (error) => errors.push(error.message));
      await phone.addInitScript(`globalThis.EventSource = class {
        addEventListener() {}
        close() {}
      };`);
      await phone.goto(`${server.base}/puzzles/fountain`);
      await phone.locator("#mission-form input[type=file]").setInputFiles({
        name: "mine.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(await photo("Mine")),
      });
      // The teammate's photo arrives first; this one is refused with 409.
      const first = await uploadPhoto(token, "fountain");
      await phone.getByRole("button", { name: "Send" }).click();
      // The answer is shown: a submission's state, or (before) the refusal's words.
      await phone.locator("#mission-status[data-shown], #mission-status:has-text('Not accepted')")
        .waitFor();
      expect(await phone.locator("#mission-status").getAttribute("data-shown")).toBe(
        `${first}:pending`,
      );
      expect(await phone.locator("#mission-status").textContent()).toContain("Waiting for a judge");
      expect(await phone.locator("#mission-form").isHidden()).toBe(true);
      expect(await phone.locator("text=Not accepted").count()).toBe(0);
      await phone.screenshot({
        path: join(SHOTS, "mission-teammate-first-phone.png"),
        fullPage: true,
      });
      expect(errors).toEqual([]);
      await phone.close();
      // Out of the judging queue, which the next tests' judges read from its start.
      const verdict = await fetch(`${server.base}/api/admin/submissions/${first}/verdict`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ accept: false }),
      });
      expect(verdict.status).toBe(200);
    },
    60_000,
  );

  test("an upload's percent moves on the screen, and is said at each quarter", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Phalaropes");
    await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const phone = await open("/puzzles/fountain", errors);
    // Every percent of an upload, as outbox.js tells the page (Chromium's own come a few a photo),
    // with what the form's status regions say (a screen reader reads each change out) and what
    // its percent shows.
    const { said, shown } = await phone.evaluate(`(() => {
      const said = [];
      const shown = [];
      for (let loaded = 0; loaded <= 100; loaded++) {
        document.dispatchEvent(new CustomEvent("cairn:upload-progress", {
          detail: { puzzle: "fountain", loaded, total: 100 },
        }));
        for (const region of document.querySelectorAll("#mission-form [role=status]")) {
          if (region.textContent !== "" && said.at(-1) !== region.textContent) {
            said.push(region.textContent);
          }
        }
        shown.push(document.getElementById("upload-percent").textContent);
      }
      return { said, shown };
    })()`) as { said: string[]; shown: string[] };
    expect(shown.slice(0, 3)).toEqual(["Sending… 0%", "Sending… 1%", "Sending… 2%"]);
    expect(shown.at(-1)).toBe("Sent");
    expect(said).toEqual(["Sending… 0%", "Sending… 25%", "Sending… 50%", "Sending… 75%", "Sent"]);
    expect(errors).toEqual([]);
    await phone.close();
  });

  test(
    "offline, the upload waits on the phone, is sent when the network is back, and a rejection shows live",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Cormorants");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/fountain", errors);
      const count = () =>
        server.query<{ n: number }>(
          "SELECT count(*) AS n FROM submissions WHERE puzzle = 'fountain' AND status = 'pending'",
        )[0]!.n;
      const before = count();
      await context.setOffline(true);
      await phone.locator("#mission-form input[type=file]").setInputFiles({
        name: "coin.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(await photo("Cormorants")),
      });
      await phone.getByRole("button", { name: "Send" }).click();
      await phone.waitForSelector("#mission-status >> text=Saved on this phone");
      await phone.waitForSelector("#outbox-status >> text=1 upload waiting for the network");
      await phone.screenshot({ path: join(SHOTS, "mission-offline-phone.png"), fullPage: true });
      expect(count()).toBe(before);

      await context.setOffline(false);
      await phone.evaluate("cairnOutbox.flush()");
      await phone.waitForSelector("#mission-status >> text=Waiting for a judge");
      expect(count()).toBe(before + 1);
      expect(await phone.evaluate("cairnOutbox.pending()")).toBe(0);

      // The judge rejects it with a message; the phone says why and offers the form again.
      const judge = await open("/admin/judge", errors);
      expect(await judge.locator("#judge-team").textContent()).toBe("Cormorants");
      await judge.keyboard.press("r");
      await judge.keyboard.type("The coin is not in the photo");
      await judge.keyboard.press("Enter");
      await judge.waitForSelector("text=Rejected: Cormorants, Wish");
      await phone.waitForSelector("#mission-status >> text=The coin is not in the photo", {
        timeout: 20_000,
      });
      // The judge's words on a line of their own, not run into the page's.
      expect(await phone.locator("#mission-status p").allTextContents()).toEqual([
        "The coin is not in the photo",
        "Send a new one.",
      ]);
      expect(await phone.locator("#mission-form").isVisible()).toBe(true);
      await phone.screenshot({ path: join(SHOTS, "mission-rejected-phone.png"), fullPage: true });
      expect(errors).toEqual([]);
      await judge.close();
      await phone.close();
    },
    60_000,
  );

  test(
    "an upload answered 408 (it stalled), 429 (the team's other uploads) or 503 (uploads hold all their memory) waits on the phone, then goes",
    async () => {
      const refusals = [
        [408, "request_timeout", "Nothing of the upload arrived for 30 seconds"],
        [
          429,
          "rate_limited",
          "Your team is already sending large photos: send this one once they have arrived",
        ],
        [
          503,
          "unavailable",
          "The server is receiving too many photos at once: try again in a moment",
        ],
      ] as const;
      for (const [status, code, message] of refusals) {
        const errors: string[] = [];
        const token = await registerTeam(server.base, `Terns ${status}`);
        await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
        const phone = await open("/puzzles/fountain", errors);
        // The server's answer to the first send, as it would give it.
        const route = "**/api/puzzles/fountain/submissions";
        await phone.route(route, (request) =>
          request.fulfill({
            status,
            contentType: "application/json",
            headers: status === 408 ? {} : { "retry-after": status === 503 ? "30" : "10" },
            body: JSON.stringify({ error: { code, message } }),
          }));
        await phone.locator("#mission-form input[type=file]").setInputFiles({
          name: "coin.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.from(await photo(`Terns ${status}`)),
        });
        await phone.getByRole("button", { name: "Send" }).click();
        await phone.waitForSelector("#mission-status >> text=Saved on this phone");
        // A stall is the network's; a 429 or a 503 is the server's word that it cannot take it now.
        const why = status === 408 ? " for the network" : ": the server cannot take it now";
        await phone.locator("#outbox-status", { hasText: `1 upload waiting${why}` }).waitFor();
        expect(await phone.locator("#outbox li", { hasText: "Not accepted" }).count()).toBe(0);
        // The next send reaches the server, and is taken.
        await phone.unroute(route);
        await phone.evaluate("cairnOutbox.flush()");
        await phone.waitForSelector("#mission-status >> text=Waiting for a judge");
        expect(await phone.evaluate("cairnOutbox.pending()")).toBe(0);
        expect(errors).toEqual([]);
        await phone.close();
      }
    },
    60_000,
  );

  test("a text mission judged automatically is accepted at once", async () => {
    const errors: string[] = [];
    const token = await registerTeam(server.base, "Herons");
    await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
    const phone = await open("/puzzles/story", errors);
    await phone.getByLabel("Your text").fill("We are tall and patient.");
    await phone.getByRole("button", { name: "Send" }).click();
    await phone.waitForSelector("#mission-status >> text=Accepted! +10 points");
    expect(errors).toEqual([]);
    await phone.close();
  }, 60_000);

  test(
    "a team's text with a long link wraps on the judging page, on a laptop and a phone",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Auks");
      const form = new FormData();
      form.append(
        "text",
        "Our name comes from https://en.wikipedia.org/wiki/Great_auk_extinction_and_the_last_pair_" +
          "killed_on_Eldey_island_in_1844 and a story.",
      );
      const sent = await fetch(`${server.base}/api/puzzles/story/submissions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      expect(sent.status).toBe(201);
      const judge = await open("/admin/judge", errors);
      for (const width of [1366, 390]) {
        await judge.setViewportSize({ width, height: 900 });
        const quote = judge.locator("#judge-recent li", { hasText: "Auks" }).locator(".judge-text");
        // The quote keeps its text inside its box, and the page its width.
        expect(await quote.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        expect(await judge.evaluate("document.documentElement.scrollWidth")).toBe(width);
        // The points it earned stand apart from the "auto" badge after them.
        const row = judge.locator("#judge-recent li", { hasText: "Auks" });
        const gap = await row.locator(".badge", { hasText: "auto" }).evaluate((badge) => {
          const text = [...badge.parentElement!.childNodes]
            .find((node) => node.nodeType === 3 && node.textContent!.includes("+10"))!;
          const range = badge.ownerDocument.createRange();
          const at = text.textContent!.indexOf("+10");
          range.setStart(text, at);
          range.setEnd(text, at + 3);
          return badge.getBoundingClientRect().left - range.getBoundingClientRect().right;
        });
        expect(gap).toBeGreaterThanOrEqual(3);
        // On a phone it takes the row's width rather than a narrow column beside it.
        if (width === 390) {
          const [quoteWidth, rowWidth] = [
            await quote.evaluate((el) => el.getBoundingClientRect().width),
            await row.evaluate((el) => el.getBoundingClientRect().width),
          ];
          expect(quoteWidth).toBeGreaterThan(rowWidth * 0.9);
        }
        await judge.locator("#judge-recent").screenshot({
          path: join(SHOTS, `judge-recent-text-${width}.png`),
        });
      }
      expect(errors).toEqual([]);
      await judge.close();
    },
    60_000,
  );

  test(
    "an upload whose answer was lost shows what became of it when sent again: waiting, or solved",
    async () => {
      for (
        const [puzzle, shown] of [
          ["fountain", "Waiting for a judge"],
          ["story", "Accepted! +10 points"],
        ] as const
      ) {
        const errors: string[] = [];
        const token = await registerTeam(server.base, `Shearwaters ${puzzle}`);
        await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
        const phone = await open(`/puzzles/${puzzle}`, errors);
        // The upload reaches the server, which keeps it; its answer never comes back.
        await phone.route(`**/api/puzzles/${puzzle}/submissions`, async (route) => {
          await route.fetch();
          await route.abort("internetdisconnected");
        }, { times: 1 });
        if (puzzle === "fountain") {
          await phone.locator("#mission-form input[type=file]").setInputFiles({
            name: "coin.jpg",
            mimeType: "image/jpeg",
            buffer: Buffer.from(await photo("Shearwaters")),
          });
        } else await phone.getByLabel("Your text").fill("We glide low over the waves.");
        await phone.getByRole("button", { name: "Send" }).click();
        await phone.waitForSelector("#mission-status >> text=Saved on this phone");
        // Sent again: the server says the team's upload arrived (it waits, or solved the mission).
        await phone.evaluate("cairnOutbox.flush()");
        await phone.waitForSelector(`#mission-status >> text=${shown}`);
        expect(await phone.locator("#mission-status").textContent()).not.toContain("Not accepted");
        expect(await phone.locator("#mission-form").isVisible()).toBe(false);
        expect(await phone.evaluate("cairnOutbox.pending()")).toBe(0);
        await phone.screenshot({
          path: join(SHOTS, `missions-phone-resent-${puzzle}-390.png`),
          fullPage: true,
        });
        expect(errors).toEqual([]);
        await phone.close();
      }
    },
    60_000,
  );

  test(
    "an upload never answered is sent again after 30 s with nothing sent, and stored once",
    async () => {
      const errors: string[] = [];
      const token = await registerTeam(server.base, "Petrels");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      const phone = await open("/puzzles/fountain", errors);
      // Wi-Fi up, the way to the server cut: the upload gets neither an answer nor an error.
      const held: Route[] = [];
      await phone.route("**/api/puzzles/fountain/submissions", (route) => {
        held.push(route);
      }, { times: 1 });
      try {
        await phone.locator("#mission-form input[type=file]").setInputFiles({
          name: "coin.jpg",
          mimeType: "image/jpeg",
          buffer: Buffer.from(await photo("Petrels")),
        });
        await phone.getByRole("button", { name: "Send" }).click();
        // After 30 s with nothing sent it counts as a network failure, and is sent again (at once
        // here: the outbox's 20 s timer asked for a send meanwhile).
        await phone.locator("#mission-status", { hasText: "Waiting for a judge" }).waitFor({
          timeout: 60_000,
        });
        // The live `submission` event may show it waiting a moment before the upload's own answer
        // comes back to the outbox (sent by its timer here, not by a flush this test awaits).
        await until(phone, "cairnOutbox.pending().then((n) => n === 0)");
        const stored = server.query<{ n: number }>(
          "SELECT count(*) AS n FROM submissions JOIN teams ON teams.id = team_id WHERE teams.name = 'Petrels'",
        );
        expect(stored).toEqual([{ n: 1 }]);
        expect(errors).toEqual([]);
      } finally {
        for (const route of held) await route.abort().catch(() => {});
        await phone.close();
      }
    },
    90_000,
  );

  test("the projector's gallery shows the accepted photos", async () => {
    const errors: string[] = [];
    const page = await open("/scoreboard/gallery", errors);
    await page.setViewportSize({ width: 1920, height: 1080 });
    const widths = await page.evaluate(`Promise.all([...document.querySelectorAll("#gallery img")]
      .map((img) => img.complete ? img.naturalWidth
        : new Promise((resolve) => (img.onload = () => resolve(img.naturalWidth))))
    )`) as number[];
    // Gulls' fountain and Pelicans' statue; the rejected ones are not there.
    expect(widths.length).toBe(2);
    for (const width of widths) expect(width).toBeGreaterThan(0);
    expect(await page.locator("#gallery figcaption").first().textContent()).toContain("Pelicans");
    await page.screenshot({ path: join(SHOTS, "gallery-1080p.png") });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  test("the gallery shows a portrait photo whole, its top and bottom not cut", async () => {
    const errors: string[] = [];
    // A phone's portrait photo: a red band along its top, a green one along its bottom.
    const draw = await context.newPage();
    const base64 = await draw.evaluate(`(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 600;
      canvas.height = 800;
      const g = canvas.getContext("2d");
      g.fillStyle = "#2563eb";
      g.fillRect(0, 0, 600, 800);
      g.fillStyle = "#ff0000";
      g.fillRect(0, 0, 600, 60);
      g.fillStyle = "#00ff00";
      g.fillRect(0, 740, 600, 60);
      return canvas.toDataURL("image/jpeg", 0.95).split(",")[1];
    })()`) as string;
    const token = await registerTeam(server.base, "Puffins");
    const form = new FormData();
    form.append("file", new Blob([Buffer.from(base64, "base64")], { type: "image/jpeg" }), "p.jpg");
    const sent = await fetch(`${server.base}/api/puzzles/statue/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const { id } = ((await sent.json()) as { submission: { id: number } }).submission;
    const verdict = await fetch(`${server.base}/api/admin/submissions/${id}/verdict`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ accept: true }),
    });
    expect(verdict.status).toBe(200);
    const page = await open("/scoreboard/gallery", errors);
    await page.setViewportSize({ width: 1920, height: 1080 });
    const img = page.getByAltText("Puffins: Strike a pose");
    await img.evaluate("(img) => img.decode()");
    const shot = (await img.screenshot()).toString("base64");
    // The tile as drawn on the screen, read back on a blank page: the colours down its middle.
    const [top, bottom] = await draw.evaluate(`(async () => {
      const image = new Image();
      image.src = "data:image/png;base64,${shot}";
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const g = canvas.getContext("2d");
      g.drawImage(image, 0, 0);
      const at = (y) => [...g.getImageData(image.width / 2, y, 1, 1).data.slice(0, 3)];
      return [at(3), at(image.height - 4)];
    })()`) as number[][];
    expect(top![0]).toBeGreaterThan(200);
    expect(top![1]).toBeLessThan(60);
    expect(bottom![1]).toBeGreaterThan(200);
    expect(bottom![0]).toBeLessThan(60);
    await page.screenshot({ path: join(SHOTS, "gallery-portrait-1080p.png") });
    expect(errors).toEqual([]);
    await draw.close();
    await page.close();
  }, 60_000);

  test(
    "axe finds no serious or critical problem on the mission pages, light and dark",
    async () => {
      const token = await registerTeam(server.base, "Ibises");
      await context.addCookies([{ name: "cairn_session", value: token, url: server.base }]);
      // One submission waits, so the judging page shows it.
      await uploadPhoto(token, "fountain");
      const found: string[] = [];
      let checked = 0;
      for (const scheme of ["light", "dark"] as const) {
        const page = await context.newPage();
        await page.emulateMedia({ colorScheme: scheme });
        for (
          const path of ["/puzzles/statue", "/puzzles/story", "/admin/judge", "/scoreboard/gallery"]
        ) {
          await page.goto(`${server.base}${path}`);
          const { passes, serious } = await axe(page);
          if (passes < 10) found.push(`${scheme} ${path}: axe passed only ${passes} checks`);
          checked++;
          for (const finding of serious) found.push(`${scheme} ${path}: ${finding}`);
        }
        if (scheme === "dark") {
          await page.goto(`${server.base}/admin/judge`);
          await page.setViewportSize({ width: 1366, height: 900 });
          await page.screenshot({ path: join(SHOTS, "judge-1366-dark.png") });
        }
        await page.close();
      }
      expect(checked).toBe(8);
      expect(found).toEqual([]);
    },
    120_000,
  );

  test(
    "the dashboard lists submissions as they arrive and are judged, and has no guess feed",
    async () => {
      const errors: string[] = [];
      const page = await open("/admin", errors);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.locator("#submission-feed-state", { hasText: "live" }).waitFor();
      // A hunt of missions only: nothing to guess, so no feed or count of guesses.
      expect(await page.locator("#feed-title").count()).toBe(0);
      expect(await page.locator("#guess-count").count()).toBe(0);
      const count = Number(await page.locator("#submission-count").textContent());
      const token = await registerTeam(server.base, "Dunlins");
      const id = await uploadPhoto(token, "statue");
      // Drawn from the live stream, with no reload: the team, the mission, its kind and status.
      const row = page.locator(`#submission-feed tr[data-id="${id}"]`);
      await row.waitFor();
      expect(await row.locator("td").allTextContents()).toEqual([
        expect.any(String),
        "Dunlins",
        "Strike a pose",
        "photo",
        "waiting for a judge",
      ]);
      expect(await row.getByRole("link", { name: "waiting for a judge" }).getAttribute("href"))
        .toBe("/admin/judge");
      expect(await page.locator("#submission-count").textContent()).toBe(String(count + 1));
      // The newest first.
      expect(await page.locator("#submission-feed tr").first().getAttribute("data-id")).toBe(
        String(id),
      );
      await page.screenshot({ path: join(SHOTS, "admin-submissions-1280.png") });
      // A judge's verdict changes the row's status.
      const verdict = await fetch(`${server.base}/api/admin/submissions/${id}/verdict`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ accept: true }),
      });
      expect(verdict.status).toBe(200);
      await row.locator("td.submission-accepted", { hasText: "accepted" }).waitFor();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator("#submission-feed").screenshot({
        path: join(SHOTS, "admin-submissions-390.png"),
      });
      const { serious } = await axe(page);
      expect(serious).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    },
    60_000,
  );
});
