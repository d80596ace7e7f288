import { createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { dirname, resolve } from "node:path";
import { loadHuntOrExample } from "../hunt/mod.ts";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../log/mod.ts";
import {
  hashToken,
  listensEverywhere,
  newToken,
  NO_PROXIES,
  outOfReach,
  parseTrustedProxies,
  type TrustedProxies,
} from "../play/mod.ts";
import {
  forwarding,
  listen,
  type Listener,
  lostState,
  type Server,
  type Serving,
  startGame,
  unavailable,
  warn,
} from "../server/mod.ts";
import { damaged, filesDirOf, SqliteStore, type Store } from "../store/mod.ts";
import { type Hunt, longestGuessWindow } from "../engine/mod.ts";
import { isPostgresUrl, isUnreachable, PgStore, redactUrl } from "../store/pg.ts";
import {
  COMMIT_THREAD_CHOICES,
  type CommitThread,
  wantsCommitThread,
} from "../store/commit_thread.ts";
import { type CommandSpec, sourceOf, type Sources, type Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import {
  accessProblem,
  databaseFailure,
  dbOption,
  firstStartFiles,
  folderProblem,
  isFolder,
  writeProblem,
} from "./_paths.ts";

import { formatReport } from "./_hunt.ts";
import { unfinishedRestore } from "./restore.ts";

/** The fewest characters an organizer's own admin token may have. */
export const MIN_ADMIN_TOKEN = 16;
/** An admin token a Bearer header can carry (no spaces), and long enough not to be guessed. */
const ADMIN_TOKEN_SHAPE = new RegExp(`^\\S{${MIN_ADMIN_TOKEN},}$`, "u");
/** Where a node on PostgreSQL keeps mission uploads unless told (`--files`). */
export const DEFAULT_PG_FILES = "./cairn-data/files";

export const serveSpec: CommandSpec = {
  name: "serve",
  summary: "Start the Cairn server.",
  usage:
    "cairn serve [--hunt FILE] [--db FILE|postgres://…] [--files DIR] [--host H] [--port P] [--admin-token T] [--trust-proxy LIST] [--tls-cert FILE --tls-key FILE] [--commit-thread W] [--log-level L]",
  options: {
    hunt: {
      type: "string",
      value: "FILE",
      env: "CAIRN_HUNT",
      help: "Hunt file to run (default: the embedded example hunt)",
    },
    db: dbOption("Database: an SQLite file, or postgres://… to share one event between nodes"),
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help:
        "Mission uploads (default: beside the SQLite file; with PostgreSQL, ./cairn-data/files)",
    },
    host: {
      type: "string",
      value: "H",
      env: "CAIRN_HOST",
      default: "0.0.0.0",
      help: "Address to listen on",
    },
    port: {
      type: "string",
      value: "P",
      env: "CAIRN_PORT",
      default: "8080",
      valid: {
        test: (value) => /^\d{1,5}$/.test(value) && Number(value) <= 65535,
        must: "must be a whole number from 0 to 65535, in digits",
      },
      help: "Port (0: any free port, printed in the log)",
    },
    "admin-token": {
      type: "string",
      value: "T",
      env: "CAIRN_ADMIN_TOKEN",
      // A short token could be guessed, even at 10 tries a minute: refused before anything opens.
      valid: {
        test: (value) => ADMIN_TOKEN_SHAPE.test(value),
        must: `must be at least ${MIN_ADMIN_TOKEN} characters, with no spaces ` +
          "(leave it out, and one is generated)",
        secret: true,
      },
      help:
        `Admin token, at least ${MIN_ADMIN_TOKEN} characters (default: generated on first start)`,
    },
    "trust-proxy": {
      type: "string",
      value: "LIST",
      env: "CAIRN_TRUST_PROXY",
      // Parsed once more when the server starts (trustedProxies): a bad entry never gets that far.
      valid: {
        test: (value) => parseTrustedProxies(value).kind === "ok",
        must: "must be IP addresses or CIDR blocks, separated by commas (127.0.0.1,::1 or " +
          "10.0.0.0/8)",
        shown: (value) => {
          const parsed = parseTrustedProxies(value);
          return parsed.kind === "invalid" ? parsed.entry : value;
        },
      },
      help: "Reverse proxies (addresses and CIDR blocks, comma-separated) whose " +
        "X-Forwarded-For names the client (default: none)",
    },
    "tls-cert": {
      type: "string",
      value: "FILE",
      env: "CAIRN_TLS_CERT",
      help: "Serve HTTPS with this certificate (PEM; see cairn tls)",
    },
    "tls-key": {
      type: "string",
      value: "FILE",
      env: "CAIRN_TLS_KEY",
      help: "The certificate's private key (PEM)",
    },
    "commit-thread": {
      type: "string",
      value: "W",
      env: "CAIRN_COMMIT_THREAD",
      default: "auto",
      choices: COMMIT_THREAD_CHOICES,
      help:
        "Commit on a thread of its own: on; auto and off commit on the main thread (SQLite only)",
    },
    "log-level": {
      type: "string",
      value: "L",
      env: "CAIRN_LOG_LEVEL",
      default: "info",
      choices: LOG_LEVELS,
      help: "Least severe log level printed",
    },
  },
  positionals: { min: 0, max: 0, names: "" },
  notes: [
    "It logs the address phones open (event=reachable url=…), and on its first start on a new",
    "database without --admin-token the organizers' link, once: event=admin_link",
    "url=…/admin#token=…; keep it (lost: cairn admin-token makes a new one).",
    "A hunt file with errors is refused, each error printed as cairn check prints it.",
    "SIGTERM or SIGINT stops accepting, lets in-flight requests finish, and exits 0.",
    "SIGHUP re-reads the hunt file; one with errors is refused and the running hunt kept.",
    "With --tls-cert and --tls-key it serves HTTPS only, and the session cookie is Secure;",
    "`cairn tls` makes both for a local network.",
    "With --db postgres://… several nodes serve one event behind any load balancer;",
    "give them one --files folder (a shared mount) and one --admin-token (docs/scale-out.md).",
    "A binary older than the database or the log (a newer Cairn has started on it) exits 3:",
    "replace it.",
    "Logins, wrong admin tokens and registration codes, and live streams without a team are",
    "limited per client address. Behind a reverse proxy, give its address with --trust-proxy,",
    "or every client counts as the proxy (cairn docs api).",
    "On Bun it first restarts itself once, in the same process, with MIMALLOC_PURGE_HOLES=0 and",
    "MIMALLOC_PURGE_DELAY=10000 (Bun's allocator, set for a busy server); set either to keep yours.",
  ].join("\n"),
};

/** Starts the server and runs until the process is asked to stop. */
export async function serve(
  values: Values,
  _positionals: string[],
  io: Io,
  sources: Sources = {},
): Promise<number> {
  // Digits only, 0 to 65535: checked with the flags (serveSpec).
  const port = Number(values.port);
  const tls = readTls(values, io, sources);
  if (typeof tls === "number") return tls;
  const logger = createLogger({
    level: values["log-level"] as LogLevel,
    write: (line) => io.stdout(line + "\n"),
  });

  // The server refuses to start on an invalid hunt, and says everything that is wrong.
  const huntPath = values.hunt as string | undefined;
  const loaded = loadHuntOrExample(huntPath);
  if (loaded.hunt === undefined) {
    // Its report reads as check's: the last line says that nothing serves, and what to do.
    io.stderr(
      formatReport(loaded.problems) +
        `cairn serve: not started: fix the errors in ${
          huntPath ?? "the hunt file"
        } and start it again\n`,
    );
    return EXIT.failure;
  }
  warn(logger, loaded.problems);

  const pg = isPostgresUrl(values.db as string);
  // The single-instance lock and the database file, or the shared log in PostgreSQL.
  const dbPath = pg ? redactUrl(values.db as string) : resolve(values.db as string);
  const refused = pathProblem(values, pg, dbPath);
  if (refused !== undefined) {
    io.stderr(`cairn serve: ${refused}\n`);
    return EXIT.failure;
  }
  // A first start on a new file that then cannot listen leaves no database nor folder behind.
  const undoFirstStart = pg ? () => {} : firstStartFiles(dbPath, uploadsOf(values, pg, dbPath));
  const boot = (hunt: Hunt, again?: Again) =>
    bootGame({ values, pg, dbPath, file: loaded.file, huntPath, logger }, { hunt, again }, io);
  const booted = await boot(loaded.hunt);
  if (typeof booted === "number") return booted;
  const { started, admin, checkMs, loadMs } = booted;
  // What the listener serves: this game's app, and after a restart in place the next one's.
  const serving: Serving = { app: started.app.fetch };

  let server: Listener;
  try {
    server = listen({
      hostname: values.host as string,
      port,
      fetch: forwarding(serving),
      ...(tls !== undefined && { tls }),
    });
  } catch (error) {
    started.close();
    undoFirstStart();
    io.stderr(`cairn serve: ${listenProblem(error, values.host as string, port)}\n`);
    return EXIT.failure;
  }

  const scheme = tls === undefined ? "http" : "https";
  const base = `${scheme}://${displayHost(server.hostname)}:${server.port}`;
  logger.info("listening", {
    url: `${base}/`,
    hunt: loaded.file,
    puzzles: loaded.hunt.puzzles.length,
    teams: started.game.engine.teams.size,
    db: dbPath,
    load_ms: Math.round(loadMs),
    check_ms: Math.round(checkMs ?? 0),
    commits: started.game.store instanceof SqliteStore
      ? `${started.game.store.commitsOn} thread`
      : "shared log",
    trust_proxy: started.game.proxies.list.join(",") || undefined,
  });
  for (const url of lanUrls(server.hostname, server.port, scheme)) {
    logger.info("reachable", { url });
  }
  if (outOfReach(values.host as string, started.game.proxies)) {
    logger.warn("loopback_only", {
      host: values.host as string,
      note:
        "phones on the network cannot reach this server; --host 0.0.0.0 (the default) lets them",
    });
  }
  endedWarning(logger, started.game.engine.hunt.endsAt, started.game.engine.now());
  let token: string | undefined;
  try {
    token = await admin.persist();
  } catch (error) {
    io.stderr(`cairn serve: cannot store the admin token: ${describe(error)}\n`);
    await server.stop(true);
    started.close();
    return EXIT.failure;
  }
  // Printed once, on the first start: only the token's hash is stored.
  if (token !== undefined) {
    logger.info("admin_link", { url: `${base}/admin#token=${token}`, note: "shown once; keep it" });
  }
  return await runUntilStopped({
    started,
    server,
    serving,
    io,
    logger,
    boot: pg ? boot : undefined,
  });
}

/** What a start needs to open the database and build the game on it, and again to restart in place. */
interface BootContext {
  values: Values;
  pg: boolean;
  dbPath: string;
  /** The hunt file's name, for messages. */
  file: string;
  huntPath: string | undefined;
  logger: Logger;
}

/**
 * Warns, at start, of a hunt already over: teams can no longer register or guess, which an organizer
 * who copied last year's file would otherwise learn from the players.
 */
function endedWarning(logger: Logger, endsAt: number | undefined, now: number): void {
  if (endsAt === undefined || now < endsAt) return;
  logger.warn("hunt_ended", {
    ends_at: new Date(endsAt).toISOString(),
    note: "teams can no longer register or guess; change ends_at in the hunt file and reload",
  });
}

/**
 * How a node on PostgreSQL opens the log when it starts again in place: why
 * the last store could not write, and what to do while PostgreSQL cannot be
 * reached (resolves true to try again, false to give up: a stop was asked).
 */
interface Again {
  unwritable: string;
  whileUnreachable: (message: string) => Promise<boolean>;
}

/**
 * Opens the database and builds the game on it with `hunt`, or says why not
 * and returns the exit code.
 */
async function bootGame(
  { values, pg, dbPath, file, huntPath, logger }: BootContext,
  { hunt, again }: { hunt: Hunt; again?: Again | undefined },
  io: Io,
): Promise<{ started: Server; admin: AdminToken; checkMs?: number; loadMs: number } | number> {
  const opened = await openEither(values, { pg, dbPath, hunt, again }, io);
  if (typeof opened === "number") return opened;
  const { store, admin, checkMs } = opened;
  // As a reload does: a hunt that lacks what teams hold (solves, hints taken) would change scores.
  const lost = lostState(store, hunt);
  if (lost.length > 0) {
    store.close();
    io.stderr(
      `cairn serve: ${file} cannot run on ${dbPath}:\n${lost.map((m) => `  ${m}\n`).join("")}`,
    );
    return EXIT.failure;
  }
  const loadStarted = performance.now();
  try {
    const started = startGame({
      store,
      hunt,
      reread: () => loadHuntOrExample(huntPath),
      clock: { now: () => Date.now() },
      logger,
      adminTokenHash: admin.current,
      proxies: trustedProxies(values),
      host: values.host as string,
    });
    return {
      started,
      admin,
      ...(checkMs !== undefined && { checkMs }),
      loadMs: performance.now() - loadStarted,
    };
  } catch (error) {
    store.close();
    io.stderr(`cairn serve: cannot open the database ${dbPath}: ${describe(error)}\n`);
    return EXIT.failure;
  }
}

/**
 * Why the database or uploads path cannot serve, checked before anything is
 * opened: a folder given as the database, or a file where the uploads folder
 * goes, or under it (it would fail every upload, silently). Undefined when both are fine.
 */
function pathProblem(values: Values, pg: boolean, dbPath: string): string | undefined {
  if (!pg && isFolder(dbPath)) return `${dbPath} is a folder, not a database file`;
  const uploads = uploadsOf(values, pg, dbPath);
  if (existsSync(uploads) && !isFolder(uploads)) {
    return `the uploads folder ${uploads} is a file, not a folder`;
  }
  const under = folderProblem(uploads);
  if (under !== undefined) return `the uploads folder ${uploads} cannot be made: ${under}`;
  return pg ? undefined : unfinishedRestore(dbPath);
}

/** The uploads folder: --files, else beside the SQLite file, or ./cairn-data/files with PostgreSQL. */
function uploadsOf(values: Values, pg: boolean, dbPath: string): string {
  if (values.files !== undefined) return resolve(values.files as string);
  return pg ? resolve(DEFAULT_PG_FILES) : filesDirOf(dbPath);
}

/**
 * Why the server cannot listen on `host:port`, in one line that says what to do: the runtime's
 * own words (Bun's "EINVAL: invalid argument, listen" for a name it cannot look up) say neither.
 */
function listenProblem(error: unknown, host: string, port: number): string {
  const { code, message } = error as { code?: string; message?: string };
  const elsewhere = "give one of this machine's addresses, or leave --host out to listen on all";
  if (code === "EADDRINUSE") {
    return `port ${port} is already in use on ${host}: stop what listens there, or give another --port`;
  }
  if (code === "EADDRNOTAVAIL") return `${host} is not an address of this machine: ${elsewhere}`;
  if (code === "EINVAL" || /lookup address/i.test(message ?? "")) {
    return `cannot listen on ${host}: it is neither an address of this machine nor a name it can ` +
      `look up; ${elsewhere}`;
  }
  if (code === "EACCES" || code === "EPERM") {
    return `port ${port} needs privileges this user does not have: give a --port from 1024 up`;
  }
  return `cannot listen on ${host}:${port}: ${describe(error)}`;
}

/** The reverse proxies of --trust-proxy, or none; a bad entry was refused with the flags (serveSpec). */
function trustedProxies(values: Values): TrustedProxies {
  const list = values["trust-proxy"] as string | undefined;
  if (list === undefined) return NO_PROXIES;
  const parsed = parseTrustedProxies(list);
  if (parsed.kind === "invalid") throw new Error(`--trust-proxy was not checked: ${parsed.entry}`);
  return parsed.proxies;
}

/**
 * The certificate and key for HTTPS, read once at start: undefined without
 * them, or the exit code after saying what is wrong.
 */
function readTls(
  values: Values,
  io: Io,
  sources: Sources,
): { cert: string; key: string } | undefined | number {
  const certPath = values["tls-cert"] as string | undefined;
  const keyPath = values["tls-key"] as string | undefined;
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    // Each named as it was set: CAIRN_TLS_CERT, when the variable gave the one there is.
    const cert = sourceOf(sources, "tls-cert");
    const key = sourceOf(sources, "tls-key");
    io.stderr(`cairn serve: ${cert} and ${key} go together; give both, or neither\n`);
    return EXIT.usage;
  }
  const read = (path: string, what: string, marker: RegExp): string | undefined => {
    let text: string;
    try {
      text = readFileSync(resolve(path), "utf8");
    } catch (error) {
      io.stderr(`cairn serve: cannot read the TLS ${what} ${path}: ${readProblem(error)}\n`);
      return undefined;
    }
    if (!marker.test(text)) {
      io.stderr(`cairn serve: ${path} holds no PEM ${what}\n`);
      return undefined;
    }
    return text;
  };
  const cert = read(certPath, "certificate", /-----BEGIN CERTIFICATE-----/);
  const key = read(keyPath, "key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  if (cert === undefined || key === undefined) return EXIT.failure;
  const problem = tlsPairProblem(cert, key, { certPath, keyPath });
  if (problem !== undefined) {
    io.stderr(`cairn serve: ${problem}\n`);
    return EXIT.failure;
  }
  return { cert, key };
}

/** A PEM certificate, and a PEM private key (PKCS #8, RSA's or EC's own). */
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/;
const KEY_BLOCK = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[^]*?-----END \1PRIVATE KEY-----/;

/**
 * Why a PEM certificate and key cannot serve HTTPS together, checked before
 * the listener sees them: Bun and Deno refuse such a pair in their TLS
 * library's words (OpenSSL's "KEY_VALUES_MISMATCH", rustls' "KeyMismatch"),
 * which differ and name neither file.
 */
function tlsPairProblem(
  cert: string,
  key: string,
  { certPath, keyPath }: { certPath: string; keyPath: string },
): string | undefined {
  let certificate: X509Certificate;
  try {
    // The first of each block, as the listeners take them: one file may hold both (the
    // certificate and its key, in either order), which Deno's parsers refuse whole.
    certificate = new X509Certificate(CERT_BLOCK.exec(cert)?.[0] ?? cert);
  } catch {
    return `${certPath} holds a PEM certificate that cannot be read; make a new one (cairn tls)`;
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(KEY_BLOCK.exec(key)?.[0] ?? key);
  } catch {
    return `${keyPath} holds a PEM key that cannot be read (one with a passphrase is not ` +
      `taken); give the key made with ${certPath}`;
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    return `${keyPath} is not the key of the certificate ${certPath}: give the key made with ` +
      `it (cairn tls writes server.key beside server.crt)`;
  }
  return undefined;
}

/**
 * The admin token's hash as the server reads it, and `persist`, called once
 * the server listens: it stores a new token's hash and returns the token to
 * print, or undefined when there is none to print.
 */
interface AdminToken {
  current: () => string;
  persist: () => Promise<string | undefined>;
}

/**
 * Opens the database, PostgreSQL's shared log or the SQLite file, with the
 * admin token's hash; or says why not and returns the exit code.
 */
async function openEither(
  values: Values,
  { pg, dbPath, hunt, again }: {
    pg: boolean;
    dbPath: string;
    hunt: Hunt;
    /** A start again in place (PostgreSQL only). */
    again?: Again | undefined;
  },
  io: Io,
): Promise<{ store: Store; admin: AdminToken; checkMs?: number } | number> {
  const flag = values["admin-token"] as string | undefined;
  if (pg) return await openPgStore(values, { flag, again }, io);
  const filesDir = values.files === undefined ? undefined : resolve(values.files as string);
  const opened = await openStore(
    dbPath,
    filesDir,
    longestGuessWindow(hunt),
    io,
    values["commit-thread"] as CommitThread,
  );
  if (typeof opened === "number") return opened;
  return { ...opened, admin: adminToken(opened.store, flag) };
}

/**
 * Connects to the shared log, or says why not and returns the exit code. Nodes
 * that start together agree on the hunt's start and the contact key: the first
 * to take the log's lock records them. The admin token is recorded only once
 * the node listens, as on SQLite, in a turn under the log's lock: the first
 * node to get there records its token and prints it. Starting again in place
 * (`again`), it waits for a PostgreSQL that cannot be reached rather than exit.
 */
async function openPgStore(
  values: Values,
  { flag, again }: { flag: string | undefined; again: Again | undefined },
  io: Io,
): Promise<{ store: Store; admin: AdminToken } | number> {
  const url = values.db as string;
  const filesDir = resolve((values.files as string | undefined) ?? DEFAULT_PG_FILES);
  try {
    mkdirSync(filesDir, { recursive: true });
  } catch (error) {
    io.stderr(`cairn serve: cannot create the uploads folder ${filesDir}: ${describe(error)}\n`);
    return EXIT.failure;
  }
  let store: PgStore | undefined;
  while (store === undefined) {
    try {
      store = await PgStore.open(url, {
        filesDir,
        ...(again !== undefined && { unwritable: again.unwritable }),
        firstStart: () => ({
          hunt_started_at: String(Date.now()),
          contact_key: randomBytes(32).toString("base64url"),
        }),
      });
    } catch (error) {
      if (again === undefined || !isUnreachable(error)) {
        io.stderr(`cairn serve: ${databaseFailure("cannot open the database", url, error)}\n`);
        return failureCode(error);
      }
      // A start at boot exits, for its service manager to try again; a node that starts again
      // in place keeps its socket, answering 503, until PostgreSQL is back.
      if (!(await again.whileUnreachable(describe(error)))) return EXIT.ok;
    }
  }
  if (flag !== undefined) {
    const hash = hashToken(flag);
    return { store, admin: { current: () => hash, persist: () => Promise.resolve(undefined) } };
  }
  const token = newToken();
  const tokenHash = hashToken(token);
  const stored = () => store.meta("admin_token_hash");
  return {
    store,
    admin: {
      current: () => stored() ?? tokenHash,
      async persist() {
        if (stored() !== undefined) return undefined;
        // Decided under the log's lock, with no await before the commit: one node's token wins.
        await store.decideTurn();
        if (stored() === undefined) await store.setMeta({ admin_token_hash: tokenHash });
        return stored() === tokenHash ? token : undefined;
      },
    },
  };
}

/**
 * Opens the database with its lock, or says why not and returns the exit code.
 * The integrity check runs beside the read of the snapshot (the boot's longest
 * parts), and is awaited before anything writes: a damaged file is refused
 * before it is touched.
 */
async function openStore(
  dbPath: string,
  filesDir: string | undefined,
  longestWindowMs: number,
  io: Io,
  commitThread: CommitThread,
): Promise<{ store: Store; checkMs?: number } | number> {
  try {
    // Folders made for it are the server's user's only, whatever the umask: the database holds
    // the teams' password hashes, as each backup does (0600).
    mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
  } catch (error) {
    const why = writeProblem(error, dirname(dbPath)) ?? describe(error);
    io.stderr(
      `cairn serve: cannot create the data folder for ${dbPath}: ${why}; ` +
        "give a --db in a folder this user may write\n",
    );
    return EXIT.failure;
  }
  let opened: ReturnType<typeof SqliteStore.open>;
  try {
    opened = SqliteStore.open(dbPath, {}, filesDir, "beside");
  } catch (error) {
    const why = accessProblem(dbPath, true) ?? describe(error);
    io.stderr(`cairn serve: cannot open the database ${dbPath}: ${why}\n`);
    return failureCode(error);
  }
  if (opened.kind === "locked") {
    io.stderr(`cairn serve: another Cairn server is already running on ${dbPath}\n`);
    return EXIT.failure;
  }
  const { store, checked } = opened;
  // The commit thread starts beside the boot's reads: it writes nothing before the first commit.
  const thread = wantsCommitThread(commitThread)
    ? store.commitOnThread().catch((error) => describe(error))
    : undefined;
  const started = performance.now();
  const failure = checked === undefined
    ? undefined
    : await checkBoot(store, checked, longestWindowMs);
  const refused = await thread;
  if (failure !== undefined) {
    store.close();
    io.stderr(`cairn serve: cannot open the database ${dbPath}: ${failure}\n`);
    return EXIT.failure;
  }
  // Only `on` asks for the thread, so one that cannot start is refused, not replaced.
  if (refused !== undefined) {
    store.close();
    io.stderr(`cairn serve: cannot start the commit thread: ${refused}\n`);
    return EXIT.failure;
  }
  if (checked === undefined) {
    return { store, ...(opened.checkMs !== undefined && { checkMs: opened.checkMs }) };
  }
  return { store, checkMs: performance.now() - started };
}

/**
 * Reads the boot's snapshot while the integrity check runs beside it, and
 * awaits the check: why the file is refused, or undefined when it is sound.
 */
async function checkBoot(
  store: SqliteStore,
  checked: Promise<string | undefined>,
  longestWindowMs: number,
): Promise<string | undefined> {
  let failure: string | undefined;
  try {
    store.preload({ now: Date.now(), longestWindowMs });
  } catch (error) {
    const message = describe(error);
    failure = /malformed|not a database/.test(message) ? damaged(message) : message;
  }
  try {
    const problem = await checked;
    if (problem !== undefined) failure = damaged(problem);
  } catch (error) {
    failure ??= describe(error);
  }
  return failure;
}

/** How long a node that starts again in place answers 503 first: as `RestartSec=` in deploy/. */
export const RESTART_IN_PLACE_MS = 2_000;
/** How often a node that starts again in place tries PostgreSQL again while it cannot reach it. */
const REACH_AGAIN_MS = 1_000;

/** A running server, and how to start the game again on the database (PostgreSQL only). */
interface Running {
  started: Server;
  server: Listener;
  serving: Serving;
  io: Io;
  logger: Logger;
  /** Opens the database anew and builds the game on it; where given, a batch that failed before its commit restarts the game in place. */
  boot?: (hunt: Hunt, again?: Again) => Promise<{ started: Server } | number>;
}

/**
 * Serves until SIGTERM or SIGINT (a graceful stop: exit 0) or a failed commit
 * (exit 1, for the service manager to restart the server, which rebuilds its
 * state from the database). On PostgreSQL, a batch that failed before its
 * commit was sent (its append refused: a full disk) left nothing in the log:
 * the game starts again in place, from the log, as a restart would, while the
 * listener answers 503 (`restartInPlace`). SIGHUP reloads the hunt, once the
 * game serves again when it comes during such a start.
 */
async function runUntilStopped(running: Running): Promise<number> {
  const { server, io, logger } = running;
  let started = running.started;
  for (;;) {
    const stopReloads = io.onReload(() => started.reload("sighup"));
    const stop = await Promise.race([io.shutdown, started.failed]);
    stopReloads();
    if (!(stop instanceof Error)) return await stopGracefully(started, server, logger, stop);
    // The state in memory ran ahead of the disk. Logged once: a request it refused may have.
    const failure = stop as { logged?: boolean };
    if (failure.logged !== true) logger.error("commit_failed", { message: stop.message });
    failure.logged = true;
    if (running.boot !== undefined && (stop as { uncommitted?: boolean }).uncommitted === true) {
      const next = await restartInPlace({ ...running, started }, stop, running.boot);
      if (typeof next === "number") return next;
      started = next;
      continue;
    }
    // The requests of the failed batch (and any after it) are being answered 503: let
    // them go out, for at most a second, before closing every connection.
    started.live.closeAll();
    await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    await server.stop(true);
    started.close();
    return EXIT.failure;
  }
}

/**
 * Starts the game again in place after a batch that failed before its
 * commit: nothing of it is in the log, and its requests had 503. The old game
 * (whose memory may hold that batch's decisions) serves no more: for
 * `RESTART_IN_PLACE_MS` every request is answered 503 with `Retry-After`,
 * `/healthz` too, while the requests under way finish (its store refuses
 * every write); then it is closed, and a new one is built from the log, as
 * a new process would be. While PostgreSQL cannot be reached, it answers 503
 * and tries again every second. Returns it, or the exit code when the
 * database cannot be opened for another reason, or 0 when SIGTERM comes meanwhile.
 *
 * The new game runs the hunt the old one ran (reloads included), not the
 * hunt file as it is now: a recovery must not change the hunt unasked. A
 * SIGHUP heard meanwhile reloads the new game once it serves.
 */
async function restartInPlace(
  running: Running,
  failure: Error,
  boot: NonNullable<Running["boot"]>,
): Promise<Server | number> {
  let reloadAsked = false;
  const stopReloads = running.io.onReload(() => void (reloadAsked = true));
  let next: Server | number;
  try {
    next = await startAgain(running, failure, boot);
  } finally {
    stopReloads();
  }
  if (typeof next !== "number" && reloadAsked) next.reload("sighup");
  return next;
}

/** The pause and the new game of `restartInPlace`. */
async function startAgain(
  { started, server, serving, io, logger }: Running,
  failure: Error,
  boot: NonNullable<Running["boot"]>,
): Promise<Server | number> {
  serving.app = unavailable(
    `The server is starting again after a failed commit: ${failure.message}`,
    started.game.engine,
  );
  logger.warn("restarting_in_place", {
    reason: "the failed batch left nothing in the log",
    pause_ms: RESTART_IN_PLACE_MS,
  });
  started.live.closeAll();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const paused = new Promise<"paused">((resolve) =>
    timer = setTimeout(resolve, RESTART_IN_PLACE_MS, "paused")
  );
  const stop = await Promise.race([io.shutdown, paused]);
  clearTimeout(timer);
  started.close();
  if (stop !== "paused") {
    logger.info("stopping", { signal: stop });
    await server.stop();
    logger.info("stopped");
    return EXIT.ok;
  }
  const loadStarted = performance.now();
  // PostgreSQL down (the failed batch may have been cut by its shutdown): the listener answers
  // 503 and the log is tried again every second, as a running node's writes are, until it is
  // read or a stop is asked. Exiting instead closed the socket for the whole outage.
  let away: { since: number; stopped?: string } | undefined;
  const whileUnreachable = async (message: string) => {
    if (away === undefined) {
      away = { since: performance.now() };
      logger.warn("database_unreachable", { message });
    }
    serving.app = unavailable(`Cannot reach the database: ${message}`, started.game.engine);
    let wait: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<"waited">((resolve) =>
      wait = setTimeout(resolve, REACH_AGAIN_MS, "waited")
    );
    const stop = await Promise.race([io.shutdown, waited]);
    clearTimeout(wait);
    if (stop === "waited") return true;
    away.stopped = stop;
    return false;
  };
  // The new store says why it could not write (for /healthz) until it can.
  const next = await boot(started.game.engine.hunt, {
    unwritable: failure.message,
    whileUnreachable,
  });
  if (away?.stopped !== undefined) {
    logger.info("stopping", { signal: away.stopped });
    await server.stop();
    logger.info("stopped");
    return EXIT.ok;
  }
  if (typeof next === "number") {
    await server.stop(true);
    return next;
  }
  if (away !== undefined) {
    logger.warn("database_reachable", { away_ms: Math.round(performance.now() - away.since) });
  }
  serving.app = next.started.app.fetch;
  logger.warn("restarted_in_place", {
    teams: next.started.game.engine.teams.size,
    load_ms: Math.round(performance.now() - loadStarted),
  });
  return next.started;
}

/** A graceful stop on a signal: live streams end, requests in flight finish, queued writes go. */
async function stopGracefully(
  started: Server,
  server: Listener,
  logger: Logger,
  signal: string,
): Promise<number> {
  logger.info("stopping", { signal });
  // Live streams never finish by themselves: end them, then let in-flight requests finish.
  started.live.closeAll();
  // Without `true`, stop() refuses new connections and waits for in-flight requests.
  await server.stop();
  await started.game.store.drain?.();
  started.close();
  if (started.game.store.failed) {
    logger.error("commit_failed", { message: "a commit failed while stopping" });
    return EXIT.failure;
  }
  logger.info("stopped");
  return EXIT.ok;
}

/**
 * The admin token's hash: from --admin-token, else the one stored, else a new
 * token generated now, stored only as its hash, and returned to print once.
 * Without the flag, `current` reads the stored hash afresh.
 */
function adminToken(store: Store, flag: string | undefined): AdminToken {
  if (flag !== undefined) {
    const hash = hashToken(flag);
    return { current: () => hash, persist: () => Promise.resolve(undefined) };
  }
  // The stored hash is read again at each reload: `cairn admin-token` can replace it.
  const stored = () => store.meta("admin_token_hash");
  if (stored() !== undefined) {
    return { current: () => stored()!, persist: () => Promise.resolve(undefined) };
  }
  const token = newToken();
  const hash = hashToken(token);
  // Stored only once the server listens and its link is printed: a failed first start
  // must not keep a hash whose token nobody ever saw.
  return {
    current: () => stored() ?? hash,
    async persist() {
      await store.setMeta({ admin_token_hash: hash });
      return token;
    },
  };
}

/** The addresses players on the local network can use when listening on all interfaces. */
function lanUrls(hostname: string, port: number, scheme: string): string[] {
  if (!listensEverywhere(hostname)) return [];
  const urls: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.family !== "IPv4") continue;
      urls.push(`${scheme}://${address.address}:${port}/`);
    }
  }
  return urls;
}

function displayHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "::") return "localhost";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/** Why a file could not be read, in words for the common causes, else the system's. */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "there is no such file";
  if (code === "EACCES" || code === "EPERM") return "no permission to read it";
  if (code === "EISDIR") return "it is a folder, not a file";
  return describe(error);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
