// Photo missions in a real browser against the compiled binary: the judging
// page driven by its keys, with screenshots saved to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { addGps } from "../http/_jpeg.ts";
import { chromiumAvailable, launchChromium, registerTeam, startBinary } from "./_browser.ts";

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
});
