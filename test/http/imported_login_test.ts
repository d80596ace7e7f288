// Teams imported from CTFd keep their bcrypt hashes until their first login, and log in with
// them on either runtime: Bun reads bcrypt natively, Deno through hash-wasm's bcrypt.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { bcrypt } from "hash-wasm";
import { teamNameKey } from "../../src/engine/engine.ts";
import type { Write } from "../../src/engine/mod.ts";
import { START } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";

// passlib's bcrypt_sha256 (version 2) of "password", from passlib's documentation.
const BCRYPT_SHA256 =
  "$bcrypt-sha256$v=2,t=2b,r=12$n79VH.0Q2TMWmt3Oqt9uku$Kq4Noyk3094Y2QlB8NdRT8SvGiI4ft2";
const LONG = `${"long password ".repeat(6)}é`;

/** Plain bcrypt of `password` at cost 4, written as `$2<ident>$`. */
async function plainBcrypt(password: Uint8Array | string, ident: "a" | "b" | "y") {
  const hash = await bcrypt({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    costFactor: 4,
    outputType: "encoded",
  });
  return `$2${ident}$${hash.slice(4)}`;
}

async function importedApp() {
  const teams: [string, string][] = [
    ["Gulls", BCRYPT_SHA256],
    ["Terns", await plainBcrypt("terns-pass", "a")],
    ["Puffins", await plainBcrypt("puffins-pass", "b")],
    ["Skuas", await plainBcrypt("skuas-pass", "y")],
    // Longer than bcrypt's 72 bytes: reduced to its SHA-512 digest first, as Bun.password does.
    ["Gannets", await plainBcrypt(createHash("sha512").update(LONG).digest(), "b")],
    ["Shags", "!no-password"],
  ];
  return makeApp({
    seed: (db) => {
      const insert = db.prepare(
        "INSERT INTO teams (id, name, name_key, password_hash, division, members, created_at) VALUES (?, ?, ?, ?, NULL, '[]', ?)",
      );
      teams.forEach(([name, hash], i) => insert.run(i + 1, name, teamNameKey(name), hash, START));
    },
  });
}

describe("logging in with a password imported from CTFd", () => {
  const cases: [string, string, string, number][] = [
    ["bcrypt_sha256, the right password", "Gulls", "password", 200],
    ["bcrypt_sha256, a wrong password", "Gulls", "Password", 401],
    ["$2a$ bcrypt, the right password", "Terns", "terns-pass", 200],
    ["$2a$ bcrypt, a wrong password", "Terns", "terns-pas", 401],
    ["$2b$ bcrypt, the right password", "Puffins", "puffins-pass", 200],
    ["$2y$ bcrypt, the right password", "Skuas", "skuas-pass", 200],
    ["bcrypt of a password over 72 bytes, the right password", "Gannets", LONG, 200],
    ["bcrypt of a password over 72 bytes, its first 72 bytes", "Gannets", LONG.slice(0, 72), 401],
    ["no password in CTFd", "Shags", "!no-password", 401],
  ];
  for (const [what, name, password, status] of cases) {
    test(`${what}: ${status}`, async () => {
      const { call } = await importedApp();
      const login = await call("POST", "/api/session", { body: { name, password } });
      expect(login.status).toBe(status);
    });
  }

  test("the imported hash is replaced with argon2id, and the password still logs in", async () => {
    const { call, db, store } = await importedApp();
    expect(
      (await call("POST", "/api/session", { body: { name: "Terns", password: "terns-pass" } }))
        .status,
    ).toBe(200);
    await store.drain();
    const row = db.prepare("SELECT password_hash AS hash FROM teams WHERE name = 'Terns'")
      .get() as {
        hash: string;
      };
    expect(row.hash.startsWith("$argon2id$")).toBe(true);
    expect(
      (await call("POST", "/api/session", { body: { name: "Terns", password: "terns-pass" } }))
        .status,
    ).toBe(200);
  });
});

describe("an imported hash's upgrade and an organizer's reset", () => {
  test("a login that upgrades the old hash after a reset is stored does not undo the reset", async () => {
    const { call, admin, db, store, game } = await importedApp();
    // The login has checked the old hash and made its upgrade; the reset is stored; then the
    // login's session and upgrade are.
    const inner = store as unknown as { commit(writes: readonly Write[]): Promise<void> };
    const commit = inner.commit.bind(inner);
    let loginReady!: () => void;
    const ready = new Promise<void>((resolve) => loginReady = resolve);
    let resetStored!: () => void;
    const stored = new Promise<void>((resolve) => resetStored = resolve);
    const isReset = (writes: readonly Write[]) =>
      writes.some((write) => write.kind === "password" && write.reset);
    inner.commit = async (writes) => {
      if (writes.some((write) => write.kind === "session")) {
        expect(writes.map((write) => write.kind)).toEqual(["session", "password"]);
        loginReady();
        await stored;
      }
      if (isReset(writes)) await ready;
      await commit(writes);
      if (isReset(writes)) resetStored();
    };
    const login = call("POST", "/api/session", { body: { name: "Terns", password: "terns-pass" } });
    const reset = await admin("PUT", "/api/admin/teams/2/password", { password: "battery staple" });
    expect(reset.status).toBe(200);
    expect((await login).status).toBe(401);
    await store.drain();
    inner.commit = commit;
    // The new password holds, in memory and in the database; the old one is gone.
    const row = db.prepare("SELECT password_hash AS hash FROM teams WHERE id = 2").get() as {
      hash: string;
    };
    expect(row.hash).toBe(game.accounts.passwordOf(2)!);
    const status = async (password: string) =>
      (await call("POST", "/api/session", { body: { name: "Terns", password } })).status;
    expect([await status("battery staple"), await status("terns-pass")]).toEqual([200, 401]);
  });
});
