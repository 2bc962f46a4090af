// Report branding and release comparison in a real window: the branding
// set in the app's dialog (names, a logo picked through the file chooser
// and checked by core) heads the exported report; the export dialog
// compares a draft with the release chosen (or none) and shows a signed
// release's frozen base without offering another.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, PORT, chooseFile, fixtures, openRelease, slugOf } from "./harness.mjs";
import { Keys } from "./webdriver.mjs";

const app = new App("branding");
const fixture = join(fixtures, "launch-review.md");
const ORG = "Acme Consulting";
const CLIENT = "Globex Łódź";
let d;
// Files the dialogs choose live apart from the database. The GTK chooser
// runs inside the app and opens and closes the files of the folder it
// shows; closing any descriptor of the database drops the app's POSIX
// locks on it (SQLite's documented hazard), after which the CLI, closing
// as it thinks the last connection, checkpoints and deletes the WAL the
// app still writes to: the app's later writes are lost.
const files = join(app.dir, "files");
mkdirSync(files);

/** The report's header names the organisation and the client. */
function branded(html) {
  return html.includes(`<span class="org" dir="auto">${ORG}</span>`) && html.includes(`for ${CLIENT}`);
}

async function openExport() {
  await d.click("[data-testid=export-button]");
  await d.until(async () => (await d.findAll("[data-testid=export-compare]")).length === 1, "the export dialog's comparison");
}

/** Exports the open dialog's report as HTML to `file` and returns its text. */
async function exportHtml(file) {
  await d.click("[data-testid=format-html]");
  await d.click("[data-testid=export-submit]");
  await chooseFile(file, "save");
  await d.until(async () => existsSync(file), `the exported ${file}`, 20000);
  await d.until(async () => (await d.findAll("[data-testid=export-dialog]")).length === 0, "the export dialog to close");
  return readFileSync(file, "utf8");
}

before(async () => {
  // rb-1 and rb-2 share a checklist; rb-2 has one more item done.
  app.cli("--actor", "e2e", "import", fixture, "--release", "rb-1", "--fresh");
  app.cli("release", "new", "rb-2");
  app.cli("run", "add", "rb-2", slugOf(fixture), "--fresh");
  app.cli("tick", "rb-1", "1.1", "done");
  app.cli("tick", "rb-2", "1.1", "done");
  app.cli("tick", "rb-2", "1.2", "done");
  app.cli("person", "add", "Ana Ruiz");
  app.cli("--actor", "ana", "key", "init", "--as", "ana", "--unencrypted", "--key-store", "file");
  d = await app.start(PORT + 80, { SIGNET_ACTOR: "e2e" });
});
after(() => app.stop());

test("branding set in the app's dialog is kept, and a logo with script is refused naming the file", async () => {
  const evil = join(files, "evil-logo.svg");
  writeFileSync(evil, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  const logo = join(files, "acme-logo.svg");
  writeFileSync(
    logo,
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40" rx="8" fill="#1f6feb"/><circle cx="20" cy="20" r="10" fill="#fff"/><rect x="38" y="14" width="70" height="12" rx="3" fill="#fff"/></svg>',
  );
  await d.click("[data-testid=nav-branding]");
  await d.until(async () => (await d.findAll("[data-testid=branding-dialog]")).length === 1, "the branding dialog");
  await d.type("[data-testid=branding-org]", ORG);
  await d.type("[data-testid=branding-client]", CLIENT);

  await d.click("[data-testid=branding-logo-choose]");
  await chooseFile(evil);
  await d.until(async () => (await d.findAll("[data-testid=branding-error]")).length === 1, "the refusal", 20000);
  const refusal = await d.text("[data-testid=branding-error]");
  assert.match(refusal, /evil-logo\.svg/);
  assert.match(refusal, /active content/);

  await d.click("[data-testid=branding-logo-choose]");
  await chooseFile(logo);
  await d.until(async () => (await d.findAll("[data-testid=branding-logo-preview]")).length === 1, "the logo preview", 20000);
  // The preview is a data: image the CSP lets in: it decoded and has a size.
  await d.until(
    () => d.script("const i = document.querySelector('[data-testid=branding-logo-preview]'); return i.complete && i.naturalWidth > 0;"),
    "the preview to load",
  );
  assert.match(await d.text("[data-testid=branding-logo-facts]"), /acme-logo\.svg · SVG, 1 KiB/);
  assert.equal((await d.findAll("[data-testid=branding-error]")).length, 0, "the refusal is gone");
  await app.shot("branding-dialog-light");
  // Nothing is stored before Save.
  assert.match(app.cli("config", "show"), /org-name\s+\(not set\)/);
  await d.click("[data-testid=branding-save]");
  await d.until(async () => (await d.findAll("[data-testid=branding-dialog]")).length === 0, "the dialog to close");
  const kept = JSON.parse(app.cli("config", "show", "--json"));
  assert.equal(kept.org_name, ORG);
  assert.equal(kept.client_name, CLIENT);
  assert.equal(kept.logo.media_type, "image/svg+xml");

  // Opened again, it shows what is stored.
  await d.click("[data-testid=nav-branding]");
  await d.until(async () => (await d.script("return document.querySelector('[data-testid=branding-org]')?.value")) === ORG, "the stored name");
  await d.until(async () => (await d.findAll("[data-testid=branding-logo-preview]")).length === 1, "the stored logo");
  await d.keys(Keys.Escape);
  await d.until(async () => (await d.findAll("[data-testid=branding-dialog]")).length === 0, "Escape to close it");
});

test("a draft is exported compared with the previous release by default, with another or none on request", async () => {
  await openRelease(d, "rb-2");
  await openExport();
  assert.equal(await d.script("return document.querySelector('[data-testid=compare-base]').value"), "rb-1");
  assert.match(await d.text("[data-testid=compare-base]"), /rb-1 \(the previous release\)/);
  await app.shot("export-compare-light");
  const html = await exportHtml(join(files, "rb-2-compared.html"));
  assert.ok(branded(html), "the organisation and client");
  assert.ok(html.includes('<section class="changes"><h2>Since rb-1</h2>'), "the comparison section");
  assert.match(html, /Since rb-1 \(as it stood, not signed off\): 1 newly done, 0 regressed, 0 added, 0 removed\./);
  assert.ok(html.includes("data:image/svg+xml;base64,"), "the logo");

  await openExport();
  await d.click('[data-testid=compare-base] option[value=""]');
  const plain = await exportHtml(join(files, "rb-2-plain.html"));
  assert.ok(branded(plain));
  assert.ok(!plain.includes('class="changes"'), "no comparison section");

  // The first release has nothing before it.
  await openRelease(d, "rb-1");
  await openExport();
  assert.match(await d.text("[data-testid=compare-none]"), /No earlier release shares a checklist with rb-1/);
  await d.keys(Keys.Escape);
});

test("a signed release shows the comparison it was signed with and offers no other", async () => {
  app.cli("--actor", "ana", "signoff", "rb-2", "--as", "ana", "--role", "Lead", "--override", "pilot only");
  // The page reads the release again when it is opened.
  await openRelease(d, "rb-1");
  await openRelease(d, "rb-2");
  await d.until(async () => (await d.findAll("[data-testid=signed-banner]")).length === 1, "the signed-off banner", 15000);
  await openExport();
  assert.match(await d.text("[data-testid=compare-frozen]"), /Since rb-1 \(as it stood\), frozen when revision 1 was signed/);
  assert.equal((await d.findAll("[data-testid=compare-base]")).length, 0, "no other base offered");
  await app.shot("export-frozen-light");
  const file = join(files, "rb-2-signed.html");
  const html = await exportHtml(file);
  assert.ok(html.includes("<h2>Since rb-1</h2>"));
  assert.ok(branded(html));
  assert.match(app.cli("verify", file), /VALID — rb-2 revision 1/);
});

test("the dialogs in the dark theme", async () => {
  await app.stop();
  // A third release, for a draft's choice among two earlier ones.
  app.cli("release", "new", "rb-3");
  app.cli("run", "add", "rb-3", slugOf(fixture), "--fresh");
  d = await app.start(PORT + 82, { SIGNET_ACTOR: "e2e", GTK_THEME: "Adwaita:dark" });
  await d.click("[data-testid=nav-branding]");
  await d.until(async () => (await d.findAll("[data-testid=branding-logo-preview]")).length === 1, "the stored logo");
  const bg = await d.script("return getComputedStyle(document.body).backgroundColor");
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background expected, got ${bg}`);
  await app.shot("branding-dialog-dark");
  await d.keys(Keys.Escape);
  await openRelease(d, "rb-2");
  await openExport();
  await app.shot("export-frozen-dark");
  await d.keys(Keys.Escape);
  await openRelease(d, "rb-3");
  await openExport();
  await app.shot("export-compare-dark");
  await d.keys(Keys.Escape);
});
