// Takes the README's screenshots of the main pages into docs/screenshots/,
// from a demo account (`rapport demo`) in headless Chromium.
//
//   scripts/screenshots
//
// Needs what the browser tests need (see tests/e2e/harness.mjs).

import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { CHROMIUM_ARGS, chromiumBin, loadPlaywright, root, seedDemo, startServer } from "./harness.mjs";

const out = path.join(root, "docs/screenshots");
const email = "demo@example.com";
const password = "a demo account for the screenshots";

const playwright = loadPlaywright();
if (!playwright) throw new Error("playwright-core is missing: run scripts/build-frontend");
mkdirSync(out, { recursive: true });
const dataDir = mkdtempSync(path.join(tmpdir(), "rapport-shots-"));
await seedDemo(dataDir, email, password, 250);
const server = await startServer(dataDir);
const browser = await playwright.chromium.launch({
  executablePath: chromiumBin,
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const shoot = async (name, url, ready, viewport = { width: 1280, height: 860 }) => {
    await page.setViewportSize(viewport);
    await page.goto(`${server.url}${url}`);
    await page.locator(ready).first().waitFor();
    // Let fonts and the last frame settle.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(out, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };
  const context = await browser.newContext({ colorScheme: "light", deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/signin`);
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  await page.locator("form button[type=submit]").click();
  await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();

  await shoot("home", "/", ".queue-item, #nurture-empty");
  await shoot("network-list", "/network", "#network-search");
  await shoot("trust-rings", "/network?view=rings", "#trust-rings a");
  await shoot("know-trust-map", "/network?view=map", "#know-trust-map a");
  const first = await page.evaluate(async () => {
    const link = document.querySelector("#know-trust-map a");
    return link?.getAttribute("href");
  });
  // The contact with the longest history makes the richest page.
  const richest = await page.evaluate(async () => {
    const refreshed = await fetch("/api/v1/auth/refresh", { method: "POST" });
    const { access_token } = await refreshed.json();
    const headers = { Authorization: `Bearer ${access_token}` };
    const list = await fetch("/api/v1/contacts?sort=familiarity&limit=1", { headers });
    const body = await list.json();
    return body.items[0] ? `/contacts/${body.items[0].id}` : null;
  });
  await shoot("contact", richest ?? first, "h1");
  await shoot("events", "/events", "h1");
  await shoot("introductions", "/introductions", "h1");
  await shoot("settings", "/settings", "#save-network-settings");
  await shoot("home-phone", "/", ".queue-item, #nurture-empty", { width: 390, height: 844 });
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
