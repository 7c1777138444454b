// Browser end-to-end test of the web app against the real server binary.
//
//   scripts/build-frontend && cargo build -p rapport-server --bin rapport \
//     && node --test tests/e2e/
//
// Needs Chromium (/usr/bin/chromium, or RAPPORT_CHROMIUM), the server binary
// (target/debug/rapport, or RAPPORT_BIN) and playwright-core from
// tools/node_modules (installed by scripts/build-frontend). When one is
// missing the test is skipped loudly, or fails when RAPPORT_CI=1.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const serverBin = process.env.RAPPORT_BIN || path.join(root, "target/debug/rapport");
const chromiumBin = process.env.RAPPORT_CHROMIUM || "/usr/bin/chromium";
const ci = process.env.RAPPORT_CI === "1";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function loadPlaywright() {
  try {
    return createRequire(path.join(root, "tools/package.json"))("playwright-core");
  } catch {
    return null;
  }
}

const playwright = loadPlaywright();
const missing = [
  !executable(serverBin) &&
    `the server binary ${serverBin} (cargo build -p rapport-server --bin rapport, or set RAPPORT_BIN)`,
  !executable(chromiumBin) &&
    `Chromium at ${chromiumBin} (apt-get install chromium, or set RAPPORT_CHROMIUM)`,
  !playwright && "playwright-core in tools/node_modules (run scripts/build-frontend)",
].filter(Boolean);

if (missing.length > 0) {
  const message = `browser tests cannot run; missing: ${missing.join("; ")}`;
  if (ci) {
    test("browser end-to-end prerequisites", () => assert.fail(message));
  } else {
    console.error(`\n!!!!! SKIPPED: ${message}\n!!!!! (set RAPPORT_CI=1 to make this a failure)\n`);
    test("the app signs people up, in, out and back in", { skip: message }, () => {});
  }
} else {
  defineTests();
}

/** Starts `rapport` on a free port with a fresh data directory. */
async function startServer() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rapport-e2e-"));
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("RAPPORT_")),
  );
  Object.assign(env, {
    RAPPORT_ADDR: "127.0.0.1:0",
    RAPPORT_DATA_DIR: dataDir,
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

function defineTests() {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await playwright.chromium.launch({
      executablePath: chromiumBin,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the app signs people up, in, out and back in", { timeout: 120_000 }, async () => {
    const base = server.url;
    // A phone-sized window: the app must work there.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const problems = [];
    const cspViolations = [];
    await context.exposeFunction("rapportReportCsp", (violation) => cspViolations.push(violation));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        window.rapportReportCsp(
          `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
            `(${event.sourceFile}:${event.lineNumber})`,
        );
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      // Chromium logs every 4xx answer. Two are expected: the silent
      // refresh without a session cookie, and the wrong password below.
      const text = message.text();
      const from = message.location().url ?? "";
      const expected =
        text.includes("status of 401") &&
        (from.endsWith("/api/v1/auth/refresh") || from.endsWith("/api/v1/auth/login"));
      if (!expected) problems.push(`console error: ${text} (${from})`);
    });
    const wasmResponses = [];
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.endsWith(".wasm")) {
        wasmResponses.push(
          Promise.all([response.allHeaders(), response.request().allHeaders()]).then(
            ([headers, requestHeaders]) => ({ url: response.url(), headers, requestHeaders }),
          ),
        );
      }
    });
    const pathname = () => new URL(page.url()).pathname;

    // Not signed in: the start page sends people to the sign-in form, which
    // (on an instance without accounts) points to the admin registration.
    const start = await page.goto(`${base}/`);
    assert.equal(
      start.status(),
      200,
      "the server has no web app: run scripts/build-frontend, then rebuild the server",
    );
    await page.waitForURL((url) => url.pathname === "/signin");
    await page.locator("#email").waitFor();
    await page.getByRole("link", { name: "Create the admin account" }).click();
    await page.waitForURL((url) => url.pathname === "/register");
    await page.getByRole("heading", { name: "Create the admin account" }).waitFor();
    assert.equal(await page.locator("#invite-code").count(), 0, "open registration needs no invite");

    // Register: the first account is the admin, signed in at once.
    const email = "ada@example.com";
    const password = "correct horse battery staple";
    await page.getByLabel("Your name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.locator("form button[type=submit]").click();
    await assertSignedIn(page, "Ada Lovelace", email);
    assert.equal(pathname(), "/");
    assert.equal(await page.locator("#user-role").innerText(), "Administrator");
    const noSideScroll = await page.evaluate(
      () => document.documentElement.scrollWidth <= window.innerWidth,
    );
    assert.ok(noSideScroll, "the page scrolls sideways at phone width");

    // Sign out: back to the sign-in form.
    await page.locator("#sign-out").click();
    await page.waitForURL((url) => url.pathname === "/signin");
    await page.locator("#email").waitFor();
    assert.equal(await page.locator("#greeting").count(), 0);

    // A wrong password is refused with the server's message.
    await page.locator("#email").fill(email);
    await page.locator("#password").fill("not my password at all");
    await page.locator("form button[type=submit]").click();
    await page.getByRole("alert").getByText("password is wrong").waitFor();
    assert.equal(pathname(), "/signin");

    // Sign in again, by keyboard alone.
    await page.locator("#password").fill("");
    await page.locator("#email").focus();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "password");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await assertSignedIn(page, "Ada Lovelace", email);

    // A reload keeps the session: the HttpOnly cookie restores it silently.
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/refresh"));
    await page.reload();
    assert.equal((await refreshed).status(), 200, "the silent refresh failed");
    await assertSignedIn(page, "Ada Lovelace", email);
    assert.equal(pathname(), "/");

    // The tokens never reach script-readable storage.
    const stored = await page.evaluate(() =>
      JSON.stringify({
        local: { ...localStorage },
        session: { ...sessionStorage },
        cookie: document.cookie,
      }),
    );
    assert.doesNotMatch(stored, /eyJ|rpt_/, `token-like data in web storage: ${stored}`);

    // The WASM is served as such, compressed when the browser allows it.
    const wasm = await Promise.all(wasmResponses);
    assert.ok(wasm.length > 0, "no .wasm was loaded");
    for (const { url, headers, requestHeaders } of wasm) {
      assert.equal(headers["content-type"], "application/wasm", url);
      const accepted = (requestHeaders["accept-encoding"] ?? "").split(",").map((e) => e.trim());
      if (accepted.includes("br")) {
        assert.equal(headers["content-encoding"], "br", `${url} is not served with brotli`);
      } else if (accepted.includes("gzip")) {
        assert.equal(headers["content-encoding"], "gzip", `${url} is not served with gzip`);
      }
    }

    assert.deepEqual(cspViolations, [], "Content-Security-Policy violations");
    assert.deepEqual(problems, [], "errors in the browser console");
    await context.close();
  });
}

async function assertSignedIn(page, name, email) {
  const greeting = page.locator("#greeting");
  await greeting.waitFor();
  assert.match(await greeting.innerText(), new RegExp(name));
  assert.equal(await page.locator("#user-email").innerText(), email);
}
