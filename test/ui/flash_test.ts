import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { type Flash, setFlash, takeFlash } from "../../src/ui/flash.ts";

/** An app that leaves a message for `/take`, and shows what `/take` finds. */
function flashApp() {
  const app = new Hono();
  app.post("/set", async (c) => {
    setFlash(c, (await c.req.json()) as Flash);
    return c.body(null, 204);
  });
  app.get("/take", (c) => c.json(takeFlash(c) ?? null));
  const set = async (flash: Flash) => {
    const res = await app.request("/set", { method: "POST", body: JSON.stringify(flash) });
    const cookie = res.headers.get("set-cookie")!;
    return /^cairn_flash=([^;]*)/.exec(cookie)![1]!;
  };
  const take = async (value: string) =>
    (await app.request("/take", { headers: { cookie: `cairn_flash=${value}` } })).json();
  /** What a background fetch of the pages' scripts gets, and whether it cleared the cookie. */
  const takeBehind = async (value: string) => {
    const res = await app.request("/take", {
      headers: { cookie: `cairn_flash=${value}`, "cairn-background": "1" },
    });
    return { flash: await res.json(), cleared: res.headers.get("set-cookie") !== null };
  };
  return { set, take, takeBehind };
}

/** A refusal with a typed text too big for a cookie (three bytes a character). */
const big = (n: number): Flash => ({
  tone: "bad",
  title: `Refused ${n}`,
  fields: { form: "announce", text: `${n} ${"正午にスープがあります。".repeat(180)}` },
});

describe("flash messages", () => {
  test("a small message travels in its cookie", async () => {
    const { set, take } = flashApp();
    const flash: Flash = { tone: "ok", title: "Sent", fields: { form: "x", text: "hi" } };
    const value = await set(flash);
    expect(decodeURIComponent(value).length).toBeLessThan(200);
    expect(await take(value)).toEqual(flash);
  });

  test("one too big for a cookie comes back whole, once; the cookie stays small", async () => {
    const { set, take } = flashApp();
    const value = await set(big(1));
    expect(decodeURIComponent(value).length).toBeLessThan(200);
    expect(await take(value)).toEqual(big(1));
    // Taken: a second read of the same cookie has the title only.
    expect(await take(value)).toEqual({ tone: "bad", title: "Refused 1" });
  });

  test("memory holds a bounded number: past it, the oldest page gets its title only", async () => {
    const { set, take } = flashApp();
    const first = await set(big(0));
    const later: string[] = [];
    for (let n = 1; n <= 256; n++) later.push(await set(big(n)));
    expect(await take(first)).toEqual({ tone: "bad", title: "Refused 0" });
    expect(await take(later[0]!)).toEqual(big(1));
    expect(await take(later[255]!)).toEqual(big(256));
  });

  test("a page fetched in the background (a list redrawn, pages kept offline) leaves it", async () => {
    const { set, take, takeBehind } = flashApp();
    for (const flash of [{ tone: "ok", title: "Correct!" } as Flash, big(3)]) {
      const value = await set(flash);
      expect(await takeBehind(value)).toEqual({ flash: null, cleared: false });
      expect(await take(value)).toEqual(flash);
    }
  });

  test("a cookie naming a message this process does not hold gives its title", async () => {
    const { set, take } = flashApp();
    const value = await set(big(7));
    const carried = JSON.parse(atob(decodeURIComponent(value))) as { held: string };
    const other = btoa(JSON.stringify({ tone: "bad", title: "Refused 7", held: "0".repeat(32) }));
    expect(await take(other)).toEqual({ tone: "bad", title: "Refused 7" });
    expect(carried.held).toMatch(/^[0-9a-f]{32}$/);
    expect(await take(value)).toEqual(big(7));
  });
});
