// `cairn tls` makes a local certificate authority and a server certificate
// for this machine's names and addresses; `cairn serve --tls-cert --tls-key`
// serves HTTPS with them, and the session cookie is Secure.
import { afterAll, describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";
import { RUNTIME_NAME, sleep } from "../_runtime.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const read = (dir: string, name: string) => readFileSync(join(dir, name), "utf8");

describe("cairn tls", () => {
  test("writes an authority and a server certificate it signed, for local names", async () => {
    const dir = join(dirs.make("cairn-tls-"), "cairn-data", "tls");
    const io = fakeIo();
    expect(await run(["tls", "--out", dir, "--names", "cairn.lan, 10.9.8.7"], io)).toBe(0);
    expect(io.err()).toBe("");
    expect(io.out()).toContain(
      `cairn serve --tls-cert ${dir}/server.crt --tls-key ${dir}/server.key`,
    );
    const ca = new X509Certificate(read(dir, "ca.crt"));
    const server = new X509Certificate(read(dir, "server.crt"));
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    for (
      const name of [
        "DNS:localhost",
        "IP Address:127.0.0.1",
        "DNS:cairn.lan",
        "IP Address:10.9.8.7",
      ]
    ) {
      expect(server.subjectAltName).toContain(name);
    }
    // Valid from before now, for at most 397 days (what Apple's platforms accept).
    const days = (Date.parse(server.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(396);
    expect(days).toBeLessThanOrEqual(397);
    expect(io.out()).toContain(ca.fingerprint256);
    // The private keys are readable by their owner only.
    expect(statSync(join(dir, "ca.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "server.key")).mode & 0o777).toBe(0o600);
    // And the folders it made for them (./cairn-data too, by default) are their owner's only.
    expect([statSync(dir).mode & 0o777, statSync(dirname(dir)).mode & 0o777]).toEqual([
      0o700,
      0o700,
    ]);
  }, 30_000);

  test("run again, it keeps the authority and makes a new server certificate", async () => {
    const dir = dirs.make("cairn-tls-");
    expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
    const [ca, server] = [read(dir, "ca.crt"), read(dir, "server.crt")];
    const io = fakeIo();
    expect(await run(["tls", "--out", dir], io)).toBe(0);
    expect(io.out()).toContain(`cairn tls: kept the authority in ${dir}/ca.crt`);
    expect(read(dir, "ca.crt")).toBe(ca);
    expect(read(dir, "server.crt")).not.toBe(server);
    expect(new X509Certificate(read(dir, "server.crt")).checkIssued(new X509Certificate(ca)))
      .toBe(true);
  }, 30_000);

  test(
    "a run that fails part way replaces neither the server's key nor its certificate",
    async () => {
      const dir = dirs.make("cairn-tls-");
      expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
      const key = read(dir, "server.key");
      // The certificate cannot be written: a folder stands where it goes.
      rmSync(join(dir, "server.crt"));
      mkdirSync(join(dir, "server.crt"));
      const io = fakeIo();
      expect(await run(["tls", "--out", dir], io)).toBe(1);
      expect(io.err()).toMatch(/^cairn tls: .*server\.crt/);
      expect(io.err().split("\n")).toHaveLength(2);
      expect(read(dir, "server.key")).toBe(key);
      expect(readdirSync(dir).sort()).toEqual(["ca.crt", "ca.key", "server.crt", "server.key"]);
    },
    30_000,
  );

  test("the keys it writes are for its owner alone, even over a key that was not", async () => {
    const dir = dirs.make("cairn-tls-");
    expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
    chmodSync(join(dir, "server.key"), 0o644);
    expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
    for (const [name, mode] of [["ca.key", 0o600], ["server.key", 0o600], ["server.crt", 0o644]]) {
      expect([name, statSync(join(dir, name as string)).mode & 0o777]).toEqual([name, mode]);
    }
  }, 30_000);

  test("refuses a bad name, and a ca.crt that is not an authority", async () => {
    const io = fakeIo();
    expect(await run(["tls", "--names", "not a name"], io)).toBe(2);
    expect(io.err()).toBe('cairn tls: "not a name" is neither a host name nor an IP address\n');
    const dir = dirs.make("cairn-tls-");
    writeFileSync(join(dir, "ca.crt"), "junk");
    writeFileSync(join(dir, "ca.key"), "junk");
    const bad = fakeIo();
    expect(await run(["tls", "--out", dir], bad)).toBe(1);
    expect(bad.err()).toContain("are not a certificate authority with its key");
  });

  for (const under of ["", "tls"]) {
    test(`says in one line that --out is ${under ? "under " : ""}a file, and leaves it`, async () => {
      const file = join(dirs.make("cairn-tls-"), "tls.txt");
      writeFileSync(file, "mine");
      const io = fakeIo();
      expect(await run(["tls", "--out", join(file, under)], io)).toBe(1);
      expect(io.err()).toBe(`cairn tls: ${file} is a file, not a folder\n`);
      expect(io.out()).toBe("");
      expect(read(file, "")).toBe("mine");
    });
  }

  test("says in one line that --out cannot be written, and what to do", async () => {
    const long = join(dirs.make("cairn-tls-"), "x".repeat(300));
    const cases: [string, string][] = [
      [long, `a name in ${long} is longer than the file system takes`],
    ];
    // /proc takes no new folder, even for root (Deno's test permissions refuse it before).
    if (RUNTIME_NAME === "bun") cases.push(["/proc/x", "/proc does not take new files or folders"]);
    for (const [out, why] of cases) {
      const io = fakeIo();
      expect(await run(["tls", "--out", out], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn tls: cannot write the certificates to ${out}: ${why}; give --out a folder you can write to\n`,
      );
      expect(io.out()).toBe("");
    }
  });

  const halves: [string, string][] = [["ca.key", "ca.crt"], ["ca.crt", "ca.key"]];
  for (const [kept, lost] of halves) {
    test(`refuses, and replaces nothing, when ${lost} is gone and ${kept} is there`, async () => {
      const dir = join(dirs.make("cairn-tls-"), "tls");
      expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
      rmSync(join(dir, lost));
      const before = read(dir, kept);
      const io = fakeIo();
      expect(await run(["tls", "--out", dir], io)).toBe(1);
      expect(io.err()).toBe(
        `cairn tls: ${join(dir, kept)} is there but ${lost} is not: put ${lost} back to keep the ` +
          `authority the phones trust, or move ${
            join(dir, kept)
          } away to make a new one (each phone must then install the new ca.crt)\n`,
      );
      expect(read(dir, kept)).toBe(before);
      expect(existsSync(join(dir, lost))).toBe(false);
    }, 30_000);
  }
});

/**
 * What `fetch` needs to trust one authority: `tls.ca` on Bun, an HTTP client with it on Deno
 * (closed by `close`).
 */
function trusting(ca: string): { init: RequestInit; close: () => void } {
  if ("Bun" in globalThis) return { init: { tls: { ca } } as RequestInit, close: () => {} };
  const deno = (globalThis as unknown as {
    Deno: { createHttpClient(options: { caCerts: string[] }): { close(): void } };
  }).Deno;
  const client = deno.createHttpClient({ caCerts: [ca] });
  return { init: { client } as RequestInit, close: () => client.close() };
}

describe("cairn serve --tls-cert --tls-key", () => {
  test(
    "serves HTTPS that a client trusting the authority accepts, with a Secure cookie",
    async () => {
      const dir = dirs.make("cairn-tls-serve-");
      expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
      const io = fakeIo();
      const serving = run([
        "serve",
        "--db",
        join(dir, "cairn.db"),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--tls-cert",
        join(dir, "server.crt"),
        "--tls-key",
        join(dir, "server.key"),
      ], io);
      let url = "";
      for (let i = 0; i < 200 && url === ""; i++) {
        url = /url=(https:\/\/127\.0\.0\.1:\d+)\//.exec(io.out())?.[1] ?? "";
        await sleep(20);
      }
      expect(url).toStartWith("https://127.0.0.1:");
      const trust = trusting(read(dir, "ca.crt"));
      const health = await fetch(`${url}/healthz`, trust.init);
      expect(await health.json()).toEqual({ ok: true, db: "writable" });
      const joined = await fetch(`${url}/api/teams`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Gulls", password: "correct horse" }),
        ...trust.init,
      });
      expect(joined.status).toBe(201);
      expect(joined.headers.get("set-cookie")).toContain("; Secure");
      // A client that does not trust the authority is refused.
      expect(fetch(`${url}/healthz`)).rejects.toThrow();
      trust.close();
      io.stop();
      expect(await serving).toBe(0);
    },
    30_000,
  );

  test(
    "serves HTTPS with the certificate and its key in one file, in either order",
    async () => {
      const dir = dirs.make("cairn-tls-one-");
      expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
      const [cert, key] = [read(dir, "server.crt"), read(dir, "server.key")];
      for (const [name, pem] of [["cert-key.pem", cert + key], ["key-cert.pem", key + cert]]) {
        const both = join(dir, name!);
        writeFileSync(both, pem!);
        const io = fakeIo();
        const db = join(dir, `${name}.db`);
        const flags = ["--db", db, "--tls-cert", both, "--tls-key", both];
        const serving = run(["serve", "--host", "127.0.0.1", "--port", "0", ...flags], io);
        let url = "";
        for (let i = 0; i < 200 && url === "" && io.err() === ""; i++) {
          url = /url=(https:\/\/127\.0\.0\.1:\d+)\//.exec(io.out())?.[1] ?? "";
          await sleep(20);
        }
        expect({ name, err: io.err() }).toEqual({ name, err: "" });
        const trust = trusting(read(dir, "ca.crt"));
        const health = await fetch(`${url}/healthz`, trust.init);
        expect(await health.json()).toEqual({ ok: true, db: "writable" });
        trust.close();
        io.stop();
        expect(await serving).toBe(0);
      }
    },
    30_000,
  );

  test.each([
    [
      ["--tls-cert", "a.pem"],
      2,
      "cairn serve: --tls-cert and --tls-key go together; give both, or neither\n",
    ],
    [
      ["--tls-cert", "/nonexistent/a.pem", "--tls-key", "/nonexistent/b.pem"],
      1,
      "cairn serve: cannot read the TLS certificate /nonexistent/a.pem: there is no such file\n" +
      "cairn serve: cannot read the TLS key /nonexistent/b.pem: there is no such file\n",
    ],
    [
      ["--tls-cert", "/", "--tls-key", "/"],
      1,
      "cairn serve: cannot read the TLS certificate /: it is a folder, not a file\n" +
      "cairn serve: cannot read the TLS key /: it is a folder, not a file\n",
    ],
  ])("refuses %j with a clear error", async (flags, code, message) => {
    const io = fakeIo();
    expect(await run(["serve", "--port", "0", ...flags], io)).toBe(code);
    expect(io.err()).toBe(message);
  });

  test("says CAIRN_TLS_KEY, not --tls-key, when the variable gave the key alone", async () => {
    const io = fakeIo({ CAIRN_TLS_KEY: "b.pem" });
    expect(await run(["serve", "--port", "0"], io)).toBe(2);
    expect(io.err()).toBe(
      "cairn serve: --tls-cert and CAIRN_TLS_KEY go together; give both, or neither\n",
    );
  });

  test(
    "refuses a key that is not the certificate's, or PEM it cannot read, in one line",
    async () => {
      const dir = dirs.make("cairn-tls-pair-");
      expect(await run(["tls", "--out", dir], fakeIo())).toBe(0);
      const junk = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;
      writeFileSync(join(dir, "junk.crt"), junk("CERTIFICATE"));
      writeFileSync(join(dir, "junk.key"), junk("PRIVATE KEY"));
      const at = (name: string) => join(dir, name);
      for (
        const [cert, key, message] of [
          [
            "server.crt",
            "ca.key",
            `cairn serve: ${at("ca.key")} is not the key of the certificate ${
              at("server.crt")
            }: give ` +
            "the key made with it (cairn tls writes server.key beside server.crt)\n",
          ],
          [
            "junk.crt",
            "server.key",
            `cairn serve: ${
              at("junk.crt")
            } holds a PEM certificate that cannot be read; make a new one ` +
            "(cairn tls)\n",
          ],
          [
            "server.crt",
            "junk.key",
            `cairn serve: ${
              at("junk.key")
            } holds a PEM key that cannot be read (one with a passphrase ` +
            `is not taken); give the key made with ${at("server.crt")}\n`,
          ],
        ]
      ) {
        const io = fakeIo();
        const db = join(dir, "cairn.db");
        const flags = ["--db", db, "--tls-cert", at(cert!), "--tls-key", at(key!)];
        expect(await run(["serve", "--host", "127.0.0.1", "--port", "0", ...flags], io)).toBe(1);
        expect(io.err()).toBe(message!);
        expect(io.out()).toBe("");
        expect(existsSync(db)).toBe(false);
      }
    },
    30_000,
  );
});

describe("cairn docs offline", () => {
  test("prints docs/offline.md, which gives the HTTPS steps", async () => {
    const io = fakeIo();
    expect(await run(["docs", "offline"], io)).toBe(0);
    const text = readFileSync(join(import.meta.dirname, "..", "..", "docs", "offline.md"), "utf8");
    expect(io.out()).toBe(text);
    expect(text).toContain("cairn serve --hunt hunt.toml --tls-cert cairn-data/tls/server.crt");
  });
});
