// Browser test of moving a network in and out: importing LinkedIn's
// Connections.csv and a vCard through the Import page (preview, commit,
// report, undo), merging duplicates, and the exports and calendar feed in
// Settings — against the real server binary.
//
//   scripts/build-frontend && cargo build -p rapport-server --bin rapport \
//     && node --test tests/e2e/
//
// Prerequisites as for app.test.mjs: when one is missing the tests are
// skipped loudly, or fail when RAPPORT_CI=1.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import {
  CHROMIUM_ARGS,
  chromiumBin,
  executable,
  loadPlaywright,
  root,
  serverBin,
  startServer,
} from "./harness.mjs";

const ci = process.env.RAPPORT_CI === "1";
const playwright = loadPlaywright();
const missing = [
  !executable(serverBin) && `the server binary ${serverBin}`,
  !executable(chromiumBin) && `Chromium at ${chromiumBin}`,
  !playwright && "playwright-core in tools/node_modules (run scripts/build-frontend)",
].filter(Boolean);

// LinkedIn's export as it comes: a "Notes:" preamble, then the header.
const CONNECTIONS =
  "Notes:\r\n" +
  '"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\r\n' +
  "\r\n" +
  "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n" +
  "Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Founder,08 Feb 2026\r\n" +
  'Grace,Hopper,https://www.linkedin.com/in/grace-hopper,grace@navy.example,US Navy,"Rear Admiral, retired",15 Jan 2024\r\n' +
  "Alan,Turing,https://www.linkedin.com/in/alan-turing,,Bletchley Park,Cryptanalyst,01 Mar 2025\r\n";

// Apple Contacts style: Grace again (same profile address: an update), and
// a card whose email cannot be read (an error at its first line, 11).
const VCARD =
  "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\nORG:US Navy;\r\n" +
  "item1.EMAIL;type=INTERNET;type=pref:grace@navy.example\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n" +
  "X-SOCIALPROFILE;type=linkedin:https://www.linkedin.com/in/grace-hopper\r\n" +
  "TEL;type=CELL:+1 555 0100\r\nEND:VCARD\r\n" +
  "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n";

const PASSWORD = "imports are a big day for a network";

if (missing.length > 0) {
  const message = `import browser tests cannot run; missing: ${missing.join("; ")}`;
  if (ci) {
    test("import browser test prerequisites", () => assert.fail(message));
  } else {
    console.error(`\n!!!!! SKIPPED: ${message}\n`);
    test("imports, duplicates and exports in the browser", { skip: message }, () => {});
  }
} else {
  defineTests();
}

function defineTests() {
  let server;
  let browser;
  let session;

  before(async () => {
    server = await startServer();
    browser = await playwright.chromium.launch({
      executablePath: chromiumBin,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    session = await watchedPage(browser, { viewport: { width: 1280, height: 900 } });
    const { page } = session;
    await page.goto(`${server.url}/register`);
    await page.getByLabel("Your name").fill("Ida Import");
    await page.getByLabel("Email").fill("ida@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.locator("form button[type=submit]").click();
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
  });

  after(async () => {
    await session?.context.close();
    await browser?.close();
    await server?.stop();
  });

  test("a LinkedIn Connections.csv and a vCard are previewed, imported, reported and undone", { timeout: 180_000 }, async () => {
    const { page, problems, accessibility } = session;
    problems.length = 0;
    accessibility.length = 0;
    const base = server.url;

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" }).click();
    await page.waitForURL((url) => url.pathname === "/import");
    await page.getByRole("heading", { level: 1, name: "Import" }).waitFor();
    await page.locator("#past-imports-none").waitFor();
    await audit(page, accessibility, "import page (empty)");

    // The file input uploads the file as it is; the preview follows.
    await page.locator("#import-file").setInputFiles({
      name: "Connections.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(CONNECTIONS),
    });
    await page.waitForURL((url) => /^\/import\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.locator(".imp-status-previewed").waitFor();
    const connectionsPage = new URL(page.url()).pathname;
    await page.locator("#import-detected").getByText("LinkedIn connections").waitFor();
    assert.equal(await text(page, "#total-rows"), "3");
    assert.equal(await text(page, "#total-new"), "3");
    assert.equal(await text(page, "#total-error"), "0");
    await page.locator("#rows-new").click();
    await page.locator("#rows-new[aria-pressed=true]").waitFor();
    const rows = page.locator("#import-rows > li");
    await rows.filter({ hasText: "Alan Turing" }).waitFor();
    assert.equal(await rows.count(), 3);
    await page.locator("#rows-error").click();
    await page.locator("#import-rows-none").waitFor();
    await audit(page, accessibility, "import preview");

    // Commit: the app asks the server to write in the background
    // (`Prefer: respond-async`, 202) and reads the import again until it is
    // written, its progress filling the bar. Three rows are written in a
    // blink, so the first reading is answered as 2 of 5 rows, and the next
    // is held back until the bar has been seen.
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    const commitPath = /\/api\/v1\/imports\/[0-9a-f-]{36}\/commit$/;
    const importPath = /\/api\/v1\/imports\/[0-9a-f-]{36}$/;
    let readings = 0;
    await page.route(importPath, async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      readings += 1;
      if (readings === 1) {
        const response = await route.fetch();
        const json = { ...(await response.json()), status: "committing", progress: { processed: 2, total: 5, unit: "rows" } };
        return route.fulfill({ response, json });
      }
      await held;
      return route.continue();
    });
    const committed = page.waitForResponse((r) => commitPath.test(new URL(r.url()).pathname));
    await page.locator("#commit-import").click();
    const answer = await committed;
    assert.equal(answer.status(), 202, "committed in the background");
    assert.equal(answer.request().headers()["prefer"], "respond-async");
    const bar = page.locator("progress#import-progress[value='2']");
    await bar.waitFor();
    assert.equal(await bar.getAttribute("max"), "5");
    assert.equal(await text(page, "#import-progress-text"), "40% (2 of 5 rows written)");
    release();

    // The report links the new contacts.
    const report = page.locator("#import-report");
    await report.waitFor();
    await page.unroute(importPath);
    await page.locator("progress#import-progress").waitFor({ state: "detached" });
    const created = page.locator("#created-contacts a");
    await created.filter({ hasText: "Grace Hopper" }).waitFor();
    assert.equal(await created.count(), 3);
    await audit(page, accessibility, "import report");
    await created.filter({ hasText: "Ada Lovelace" }).click();
    await page.waitForURL((url) => /^\/contacts\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor();

    // The network has them.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Network" }).click();
    for (const name of ["Ada Lovelace", "Grace Hopper", "Alan Turing"]) {
      await page.getByRole("link", { name }).first().waitFor();
    }

    // A vCard: Grace is matched (an update), the unreadable email is an
    // error with its line and field.
    await page.goto(`${base}/import`);
    const past = page.locator("#past-imports > li");
    await past.filter({ hasText: "Connections.csv" }).filter({ hasText: "Imported" }).waitFor();
    await page.locator("#import-file").setInputFiles({
      name: "contacts.vcf",
      mimeType: "text/vcard",
      buffer: Buffer.from(VCARD),
    });
    await page.waitForURL((url) => /^\/import\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.locator(".imp-status-previewed").waitFor();
    await page.locator("#import-detected").getByText("vCard").waitFor();
    assert.equal(await text(page, "#total-update"), "1");
    assert.equal(await text(page, "#total-error"), "1");
    await page.locator("#rows-error").click();
    const error = page.locator("#import-rows > li.imp-row-error");
    await error.waitFor();
    assert.match(await error.innerText(), /Line 11\b/);
    assert.match(await error.innerText(), /emails/);
    await page.locator("#rows-update").click();
    await page.locator("#import-rows > li").filter({ hasText: "Grace Hopper" }).waitFor();
    await page.locator("#commit-import").click();
    await page.locator("#updated-contacts a").filter({ hasText: "Grace Hopper" }).waitFor();

    // Undo puts Grace back as she was.
    page.once("dialog", (dialog) => dialog.accept());
    await page.locator("#undo-import").click();
    await page.locator("#import-undone").waitFor();

    // Any other spreadsheet: a column the server cannot place is mapped by
    // hand, and the preview follows.
    await page.goto(`${base}/import`);
    await page.locator("#import-file").setInputFiles({
      name: "people.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("Wer;Mail\r\nJane Roe;jane@example.org\r\nJohn Doe;john@example.org\r\n"),
    });
    await page.waitForURL((url) => /^\/import\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.locator(".imp-status-previewed").waitFor();
    await page.locator("#mapping-form").waitFor();
    assert.equal(await text(page, "#total-skipped"), "2");
    await page.getByLabel("Wer").selectOption("name");
    const mapped = page.waitForResponse((r) => r.url().endsWith("/mapping") && r.request().method() === "PUT");
    await page.locator("#save-mapping").click();
    assert.equal((await mapped).status(), 200);
    await page.locator("#total-new").getByText("2", { exact: true }).waitFor();
    assert.equal(await text(page, "#total-skipped"), "0");
    assert.equal(await page.getByLabel("Wer").inputValue(), "name");
    await audit(page, accessibility, "column mapping");

    // The first import cannot be undone once one of its contacts changed:
    // the server's reason is shown.
    const token = await accessToken(page);
    const ada = await api(page, token, "GET", "/api/v1/contacts?q=Ada&limit=5");
    const adaId = ada.body.items[0].id;
    const rated = await api(page, token, "PUT", `/api/v1/contacts/${adaId}/comfort`, { rating: 4 });
    assert.equal(rated.status, 200);
    const importId = connectionsPage.split("/").pop();
    const refused = await api(page, token, "POST", `/api/v1/imports/${importId}/undo`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, "changed_since_import");
    await page.goto(`${base}${connectionsPage}`);
    page.once("dialog", (dialog) => dialog.accept());
    await page.locator("#undo-import").click();
    await page.locator("#import-report .alert").getByText(refused.body.detail).waitFor();
    assert.equal(await page.locator(".imp-status").first().innerText(), "Imported");

    assert.deepEqual(accessibility, [], "serious or critical accessibility violations");
    assert.deepEqual(problems, [], "errors in the browser console or CSP violations");
  });

  test("the Duplicates page merges two contacts side by side", { timeout: 120_000 }, async (t) => {
    const { page, problems, accessibility } = session;
    problems.length = 0;
    accessibility.length = 0;
    const base = server.url;
    const token = await accessToken(page);
    const one = await api(page, token, "POST", "/api/v1/contacts", {
      name: "Dora Double",
      emails: ["dora@example.com"],
      company: "Twins Ltd",
    });
    const two = await api(page, token, "POST", "/api/v1/contacts", {
      name: "Dora Dubble",
      emails: ["dora@example.com"],
      title: "Engineer",
    });
    assert.equal(one.status, 201);
    assert.equal(two.status, 201);

    // Reached from the Network page.
    await page.goto(`${base}/network`);
    await page.locator("#find-duplicates").click();
    await page.waitForURL((url) => url.pathname === "/duplicates");
    await page.getByRole("heading", { level: 1, name: "Duplicates" }).waitFor();

    const finder = await api(page, token, "GET", "/api/v1/contacts/duplicates");
    if (finder.status === 404) {
      // The duplicates API is built on another branch; until it is merged
      // the page says so plainly.
      await page.locator("#duplicates-unavailable").waitFor();
      assert.deepEqual(problems.filter((p) => !/status of 404/.test(p)), []);
      problems.length = 0;
      t.skip("GET /api/v1/contacts/duplicates answers 404 on this branch: the merge part waits for the duplicates API");
      return;
    }
    assert.equal(finder.status, 200);
    const group = page.locator("#duplicate-groups > li").filter({ hasText: "Dora Dubble" });
    await group.waitFor();
    await audit(page, accessibility, "duplicates");
    // Keep the other's name; the company and title each come from the
    // contact that has one.
    await group.locator('input[id$="-name-other"]').check();
    const merged = page.waitForResponse((r) => /\/merge$/.test(new URL(r.url()).pathname));
    await group.getByRole("button", { name: "Merge into one contact" }).click();
    assert.equal((await merged).status(), 200);
    await group.waitFor({ state: "hidden" });
    await page.locator("#merge-status").getByText("Merged into Dora Dubble").waitFor();
    const left = await api(page, token, "GET", "/api/v1/contacts?q=Dora&limit=5");
    assert.equal(left.body.items.length, 1);
    assert.equal(left.body.items[0].company, "Twins Ltd");
    assert.equal(left.body.items[0].title, "Engineer");
    assert.deepEqual(accessibility, [], "serious or critical accessibility violations");
    assert.deepEqual(problems, [], "errors in the browser console or CSP violations");
  });

  test("the Duplicates page sends a merge as the API documents it (the API's answers stood in for in the browser)", { timeout: 60_000 }, async () => {
    // Runs whether or not this server has the duplicates API: the page's
    // side of the contract — the request it sends — is checked here.
    const { page, problems, accessibility } = session;
    problems.length = 0;
    accessibility.length = 0;
    const token = await accessToken(page);
    const created = await Promise.all([
      api(page, token, "POST", "/api/v1/contacts", { name: "Ezra Echo", emails: ["ezra@example.com"], company: "Echo Labs" }),
      api(page, token, "POST", "/api/v1/contacts", { name: "Ezra Ecko", emails: ["ezra@example.com"], title: "Engineer" }),
    ]);
    assert.deepEqual(created.map((r) => r.status), [201, 201]);
    // One has the company, the other the title.
    const [withCompany, withTitle] = created.map((r) => r.body);
    const groups = `${server.url}/api/v1/contacts/duplicates`;
    await page.route(groups, (route) =>
      route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ groups: [{ reason: "same_email", contacts: [withCompany, withTitle] }] }) }),
    );
    let sent;
    const mergePath = `/api/v1/contacts/${withCompany.id}/merge`;
    const isMerge = (url) => url.pathname === mergePath;
    await page.route(isMerge, (route) => {
      sent = { method: route.request().method(), ifMatch: route.request().headers()["if-match"], body: route.request().postDataJSON() };
      route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ ...withCompany, name: withTitle.name, title: withTitle.title }) });
    });
    try {
      await page.goto(`${server.url}/duplicates`);
      const group = page.locator("#duplicate-groups > li").first();
      await group.getByRole("heading", { name: "Same email address" }).waitFor();
      await audit(page, accessibility, "duplicates side by side");
      // Where one side is empty the filled one is chosen; the name is mine to pick.
      assert.ok(await page.locator("#keep-0-company-this").isChecked());
      assert.ok(await page.locator("#keep-0-title-other").isChecked());
      assert.equal(await page.locator("#keep-0-notes-this").count(), 0, "a field that does not differ offers no choice");
      await page.locator("#keep-0-name-other").check();
      await page.locator("#merge-0").click();
      await group.waitFor({ state: "hidden" });
      await page.locator("#merge-status").getByText(`Merged into ${withTitle.name}`).waitFor();
      assert.equal(sent.method, "POST");
      assert.equal(sent.ifMatch, `"${withCompany.version}", "${withTitle.version}"`);
      assert.deepEqual(sent.body, { other_id: withTitle.id, keep: { company: "this", name: "other", title: "other" } });
    } finally {
      await page.unroute(groups);
      await page.unroute(isMerge);
    }
    assert.deepEqual(accessibility, [], "serious or critical accessibility violations");
    assert.deepEqual(problems, [], "errors in the browser console or CSP violations");
  });

  test("Settings downloads the exports and makes, shows once and stops the calendar feed", { timeout: 120_000 }, async () => {
    const { page, problems, accessibility } = session;
    problems.length = 0;
    accessibility.length = 0;
    const base = server.url;
    await page.goto(`${base}/settings`);
    await page.locator("#export-json").waitFor();
    await audit(page, accessibility, "settings with exports");

    const saved = async (button) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.locator(button).click()]);
      const file = await download.path();
      return { name: download.suggestedFilename(), body: readFileSync(file, "utf8") };
    };
    const json = await saved("#export-json");
    assert.equal(json.name, "rapport-export.json");
    const document = JSON.parse(json.body);
    assert.equal(document.format, "rapport-account-export");
    const names = document.contacts.map((c) => c.name);
    for (const name of ["Ada Lovelace", "Grace Hopper", "Alan Turing"]) {
      assert.ok(names.includes(name), `${name} is not in the export: ${names.join(", ")}`);
    }
    const csv = await saved("#export-csv");
    assert.equal(csv.name, "rapport-contacts.csv");
    assert.match(csv.body, /Alan Turing/);
    const vcf = await saved("#export-vcard");
    assert.equal(vcf.name, "rapport-contacts.vcf");
    assert.match(vcf.body, /BEGIN:VCARD/);
    assert.match(vcf.body, /FN:Grace Hopper/);

    // The calendar feed: its address shown once, readable without a
    // session, and gone once stopped.
    await page.locator("#calendar-feed-create").click();
    const address = page.locator("#calendar-feed-url");
    await address.waitFor();
    const url = await address.inputValue();
    assert.equal(new URL(url).origin, new URL(base).origin);
    const feed = await fetch(url);
    assert.equal(feed.status, 200);
    assert.match(await feed.text(), /BEGIN:VCALENDAR/);
    page.once("dialog", (dialog) => dialog.accept());
    await page.locator("#calendar-feed-revoke").click();
    await page.getByText("Calendar feed stopped.").waitFor();
    assert.equal(await address.count(), 0, "the address stays on screen after the feed stopped");
    assert.equal((await fetch(url)).status, 404);

    assert.deepEqual(accessibility, [], "serious or critical accessibility violations");
    assert.deepEqual(problems, [], "errors in the browser console or CSP violations");
  });

  test("on a phone, the Import page and a preview fit the screen", { timeout: 60_000 }, async () => {
    const phone = await watchedPage(browser, { viewport: { width: 360, height: 740 } });
    try {
      const { page, problems } = phone;
      await page.goto(`${server.url}/signin`);
      await page.locator("#email").fill("ida@example.com");
      await page.locator("#password").fill(PASSWORD);
      await page.locator("form button[type=submit]").click();
      await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
      const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" });
      const box = await link.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360.5, "the Import link is cut off");
      await link.click();
      await page.locator("#past-imports > li").first().waitFor();
      await noSideScroll(page, "the Import page");
      await page.locator("#past-imports > li a").first().click();
      await page.locator("#import-rows > li").first().waitFor();
      await noSideScroll(page, "an import");
      assert.deepEqual(problems, [], "errors in the browser console or CSP violations");
    } finally {
      await phone.context.close();
    }
  });
}

async function noSideScroll(page, what) {
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(fits, `${what} scrolls sideways at phone width`);
}

async function text(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

/** A fresh access token of the page's session (from its refresh cookie). */
async function accessToken(page) {
  return page.evaluate(async () => {
    const refreshed = await fetch("/api/v1/auth/refresh", { method: "POST" });
    return (await refreshed.json()).access_token;
  });
}

/** An API call from the page, with the token: status and JSON body. */
async function api(page, token, method, path, body) {
  return page.evaluate(
    async ([method, path, body, token]) => {
      const response = await fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, body: json };
    },
    [method, path, body, token],
  );
}

/** A page that records console errors, page errors and CSP violations. */
async function watchedPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const problems = [];
  await context.exposeFunction("rapportReportCsp", (violation) => problems.push(`CSP: ${violation}`));
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
    const text = message.text();
    const from = message.location().url ?? "";
    // Chromium logs 4xx answers. Expected here: the silent refresh without
    // a cookie, the refused undo, and the duplicates finder where the
    // server has none yet (the duplicates test accounts for that one).
    const expected =
      (text.includes("status of 401") && from.endsWith("/api/v1/auth/refresh")) ||
      (text.includes("status of 409") && /\/api\/v1\/imports\/[0-9a-f-]{36}\/undo$/.test(from));
    if (!expected) problems.push(`console error: ${text} (${from})`);
  });
  return { context, page, problems, accessibility: [] };
}

const axeSource = (() => {
  try {
    return readFileSync(
      createRequire(path.join(root, "tools/package.json")).resolve("axe-core/axe.min.js"),
      "utf8",
    );
  } catch {
    return null;
  }
})();

/** Records axe-core's serious and critical violations on the page. */
async function audit(page, found, label) {
  assert.ok(axeSource, "axe-core is missing from tools/node_modules (run scripts/build-frontend)");
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  for (const v of result.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      found.push(
        `${label}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
      );
    }
  }
}
