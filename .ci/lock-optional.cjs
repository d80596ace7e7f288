// Restores deno's per-platform optional packages in package-lock.json.
// The registry this project installs from serves only the Linux x64 build
// of @deno/*, so `npm install` leaves the others out of the lock, and then
// `npm ci` refuses the lock as out of sync. Entries marked optional with their
// os/cpu make `npm ci` skip them.
//
// package.json runs it after every install (the `dependencies` and
// `postinstall` scripts), so nobody has to remember it. It writes the lock only
// when an entry is missing, so after `npm ci` the lock is left as it was.
const fs = require("node:fs");
const path = require("node:path");

const file = path.join(__dirname, "..", "package-lock.json");
const before = fs.readFileSync(file, "utf8");
const lock = JSON.parse(before);
const deno = lock.packages["node_modules/deno"];
const platforms = {
  "darwin-arm64": ["darwin", "arm64"],
  "darwin-x64": ["darwin", "x64"],
  "linux-arm64-glibc": ["linux", "arm64"],
  "linux-x64-glibc": ["linux", "x64"],
  "win32-arm64": ["win32", "arm64"],
  "win32-x64": ["win32", "x64"],
};
let added = 0;
for (const name of Object.keys(deno?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name.split("/")[1]];
  if (lock.packages[key] || !platform) continue;
  const [os, cpu] = platform;
  lock.packages[key] = { version: deno.version, dev: true, optional: true, os: [os], cpu: [cpu] };
  added++;
}
if (added > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)
    ),
  );
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
  console.log(`package-lock.json: ${added} optional deno platform entries added`);
}
