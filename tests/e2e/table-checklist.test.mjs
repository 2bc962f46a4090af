// A checklist kept as tables, in a real window: imported through the picker,
// each row is an item titled by its Check/Item column with its reference in
// front, the Result/Status cells start it done, blocked or n/a, Owner and
// Evidence columns become the owner and links, bold group rows become
// sections, and the other columns are shown as the item's fields. Light,
// then dark.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Keys } from "./webdriver.mjs";
import { App, PORT, chooseFile, fixtures, slugOf } from "./harness.mjs";

const fixture = join(fixtures, "go-live-table.md");
const slug = slugOf(fixture);
const app = new App("table");
let d;

before(async () => {
  d = await app.start(PORT + 80, { SIGNET_ACTOR: "e2e-table" });
});
after(() => app.stop());

const row = (number) => `[data-testid=item-row][data-number="${number}"]`;
const textOf = (css) => d.script("const e = document.querySelector(arguments[0]); return e ? e.textContent.replace(/\\s+/g, ' ').trim() : null;", [css]);
const statuses = () => d.script("return Object.fromEntries([...document.querySelectorAll('[data-testid=item-row]')].map(r => [r.dataset.number, r.dataset.status]))");

test("a table checklist imports by its headers and its release starts from the filled cells", async () => {
  await d.click("[data-testid=nav-library]");
  await d.click("[data-testid=import-button]");
  await chooseFile(fixture);
  await d.until(async () => (await d.findAll("[data-testid=import-report]")).length === 1, "the import report", 20000);
  assert.match(await d.text("[data-testid=import-report]"), /Storefront go-live review/);

  await d.click("[data-testid=nav-releases]");
  await d.type("[data-testid=release-name]", "store-1");
  await d.click(`[data-testid=release-template] option[value="${slug}"]`);
  await d.click("[data-testid=release-create]");
  await d.until(async () => (await d.text("[data-testid=release-title]")) === "store-1", "the release page");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 9, "nine item rows");

  // Group rows are sections, not items; the reference leads the title.
  const sections = await d.script("return [...document.querySelectorAll('[data-testid=section-row]')].map(r => r.textContent.replace(/\\s+/g, ' ').trim())");
  assert.ok(sections.some((s) => /^1\.1 AUTH Sign-in and sessions/.test(s)), sections.join(" | "));
  assert.ok(sections.some((s) => /^1\.2 DATA Stored data/.test(s)), sections.join(" | "));
  assert.equal(await textOf(`${row("1.1.1")} [data-testid=item-title]`), "AUTH-1 Passwords are hashed with a slow hash");
  assert.deepEqual(await statuses(), {
    "1.1.1": "done", "1.1.2": "done", "1.1.3": "blocked",
    "1.2.1": "done", "1.2.2": "open", "1.2.3": "not_applicable",
    "2.1": "done", "2.2": "blocked", "2.3": "open",
  });
  // Owner and Evidence columns: the owner chip and a link.
  assert.match(await textOf(`${row("2.1")} .chip.owner`), /Dana Kim/);
  assert.match(await textOf(`${row("2.1")} .chip.evidence`), /1 link/);
  assert.match(await textOf(`${row("2.2")} .chip.reason`), /^blocked: At risk$/);
  assert.match(await textOf(`${row("1.1.3")} .chip.reason`), /^blocked: waiting on the vendor$/);
  await app.shot("table-release-light");

  // The other columns are the item's fields, in the panel.
  await d.click(row("1.2.2"));
  await d.keys(Keys.Enter);
  await d.until(async () => (await d.findAll("[data-testid=item-panel]")).length === 1, "the item panel");
  assert.match(await textOf("[data-testid=item-panel] .fields"), /Notes\s*seen in a debug log/);
  await app.shot("table-item-panel-light");
  await d.keys(Keys.Escape);

  // The CLI sees the same states the app shows.
  const shown = app.cli("show", "store-1");
  assert.match(shown, /\[x\] 1\.1\.1 +AUTH-1 Passwords are hashed/);
  assert.match(shown, /\[!\] 2\.2 +Rollback rehearsed on staging +\(@Omar Haddad, blocked: At risk\)/);
});

test("a table checklist in the dark theme", async () => {
  await app.stop();
  d = await app.start(PORT + 82, { SIGNET_ACTOR: "e2e-table", GTK_THEME: "Adwaita:dark" });
  await d.click("[data-testid=nav-releases]");
  await d.click('[data-testid=release-card][data-name="store-1"]');
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 9, "nine item rows");
  await app.shot("table-release-dark");
  await d.click(row("2.1"));
  await d.keys(Keys.Enter);
  await d.until(async () => (await d.findAll("[data-testid=item-panel]")).length === 1, "the item panel");
  assert.match(await d.text("[data-testid=item-panel]"), /ci\.example\/run\/112|run 112/);
  await app.shot("table-item-panel-dark");
});
