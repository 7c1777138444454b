// Shared by the browser tests and scripts/screenshots: the server binary,
// Chromium and playwright-core, and a server on a fresh data directory.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const serverBin = process.env.RAPPORT_BIN || path.join(root, "target/debug/rapport");
export const chromiumBin = process.env.RAPPORT_CHROMIUM || "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function loadPlaywright() {
  try {
    return createRequire(path.join(root, "tools/package.json"))("playwright-core");
  } catch {
    return null;
  }
}


/** The environment for `rapport` with a data directory, and no other RAPPORT_*. */
export function serverEnv(dataDir) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("RAPPORT_")),
  );
  return Object.assign(env, { RAPPORT_DATA_DIR: dataDir });
}

/** Runs `rapport demo` into a data directory: an account with `contacts` contacts. */
export async function seedDemo(dataDir, email, password, contacts) {
  const child = spawn(serverBin, ["demo", "--email", email, "--contacts", String(contacts), "--password-stdin"], {
    env: serverEnv(dataDir),
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(`${password}\n`);
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, `rapport demo failed:\n${stderr}`);
}

/** Starts `rapport` on a free port with a fresh (or the given) data directory. */
export async function startServer(givenDir) {
  const dataDir = givenDir ?? mkdtempSync(path.join(tmpdir(), "rapport-e2e-"));
  const env = serverEnv(dataDir);
  Object.assign(env, {
    RAPPORT_ADDR: "127.0.0.1:0",
    RAPPORT_REGISTRATION: "open",
    RAPPORT_LOG: "warn",
  });
  const child = spawn(serverBin, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const match = line.match(/^Rapport listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) resolve(match[1]);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) =>
      reject(new Error(`the server exited (${code ?? signal}) before listening:\n${stderr}`)),
    );
  });
  return {
    url,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

