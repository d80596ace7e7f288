/** Every `cairn` command, in the order `cairn --help` lists them. */
export const COMMANDS = [
  "serve",
  "check",
  "init",
  "backup",
  "restore",
  "export",
  "import",
  "migrate",
  "admin-token",
  "systemd",
  "tls",
  "docs",
  "version",
];
