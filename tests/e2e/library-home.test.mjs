// Home and library in a real window: home lists releases in work by due
// date (overdue marked), what is blocked and "my items" across releases
// under any spelling of me, filterable by owner; the library opens a
// template to read (metadata, outline, fields), lists its versions with
// what changed, starts a release from it, archives it, and repairs
// mojibake found on import. Light, then dark at 125% with right-to-left text.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { Keys } from "./webdriver.mjs";
import { App, PORT, chooseFile, fixtures } from "./harness.mjs";

const BASE = PORT + 60;
const lib = join(fixtures, "library");
const app = new App("home");
let d;

/** The local date `offset` days from today, YYYY-MM-DD (the app counts overdue from the local day). */
function day(offset) {
  const t = new Date();
  t.setDate(t.getDate() + offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

const attr = (css, name) => d.script(`return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))`, [css, name]);
const texts = (css) => d.script("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim())", [css]);
function direction(css) {
  return d.script("const e = document.querySelector(arguments[0]); return e ? getComputedStyle(e).direction : null;", [css]);
}

before(async () => {
  // Our own fixtures: two versions of one checklist, a Persian one, three releases.
  const deploy = join(app.dir, "deploy.md");
  copyFileSync(join(lib, "deploy-v1.md"), deploy);
  app.cli("person", "add", "Dana Noor", "--email", "dana@example.com");
  app.cli("person", "add", "Bo Li");
  app.cli("import", deploy);
  copyFileSync(join(lib, "deploy-v2.md"), deploy);
  app.cli("import", deploy);
  app.cli("import", join(fixtures, "rtl-persian.md"));
  app.cli("release", "new", "late-1", "--due", day(-3));
  app.cli("run", "add", "late-1", "deploy");
  app.cli("release", "new", "soon-2", "--due", day(6));
  app.cli("run", "add", "soon-2", "deploy");
  app.cli("release", "new", "انتشار ۳", "--due", day(20));
  app.cli("run", "add", "انتشار ۳", "rtl-persian");
  app.cli("tick", "late-1", "1.2", "--owner", "Dana Noor");
  app.cli("tick", "late-1", "2.1", "blocked", "--reason", "staging is down", "--owner", "bo");
  app.cli("tick", "soon-2", "1.3", "--owner", "dana");
  app.cli("tick", "soon-2", "1.4", "--owner", "DANA@example.com");
  app.cli("tick", "انتشار ۳", "2.1", "--owner", "dana");
  d = await app.start(BASE, { SIGNET_ACTOR: "dana" });
});
after(() => app.stop());

test("home is the first screen: releases by due date, overdue marked, blocked, and my items", async () => {
  await d.until(async () => (await d.findAll("[data-testid=home-release]")).length === 3, "three releases on home");
  assert.deepEqual(await attr("[data-testid=home-release]", "data-name"), ["late-1", "soon-2", "انتشار ۳"]);
  assert.deepEqual(await attr("[data-testid=home-release]", "data-overdue"), ["true", "false", "false"]);
  assert.match(await d.text('[data-testid=home-release][data-name="late-1"]'), /overdue by 3 days/);
  assert.match(await d.text('[data-testid=home-release][data-name="soon-2"]'), /due in 6 days/);
  assert.equal(await direction('[data-testid=home-release][data-name="انتشار ۳"] .hr-name bdi'), "rtl");
  assert.match(await d.text("[data-testid=stat-overdue]"), /1 overdue/);
  assert.match(await d.text("[data-testid=stat-blocked]"), /1 blocked item/);
  // The blocked item, with its reason and owner.
  const blocked = await texts("[data-testid=blocked-items] [data-testid=open-item]");
  assert.equal(blocked.length, 1);
  assert.match(blocked[0], /late-1 · 2\.1/);
  assert.match(blocked[0], /staging is down/);
  // Its owner "bo" shown as the person: initials and name.
  assert.equal(await d.text("[data-testid=blocked-items] .chip.person .mini-avatar"), "BL");
  assert.match(blocked[0], /Bo Li/);
  // Mine: every spelling of Dana, soonest due release first, the Persian title right to left.
  await d.until(async () => (await d.findAll("[data-testid=owned-items] [data-testid=open-item]")).length === 4, "Dana's four items");
  const mine = await d.script("return [...document.querySelectorAll('[data-testid=owned-items] [data-testid=open-item]')].map(e => e.dataset.release + ' ' + e.dataset.number)");
  assert.deepEqual(mine, ["late-1 1.2", "soon-2 1.3", "soon-2 1.4", "انتشار ۳ 2.1"]);
  assert.equal(await direction('[data-testid=owned-items] [data-release="انتشار ۳"] .oi-title'), "rtl");
  assert.equal(await d.text(".owner-head .avatar"), "DN");
  assert.match(await d.text("#home-mine-h"), /My items/);
  await app.shot("home-light");
  // 125%: every size is in rem, so a 20px root is what the zoom does.
  await d.script("document.documentElement.style.fontSize = '20px'");
  assert.ok(await d.script("const c = document.querySelector('.content'); return c.scrollWidth <= c.clientWidth + 1"), "no sideways scroll at 125%");
  await app.shot("home-light-125");
  await d.script("document.documentElement.style.fontSize = ''");
});

test("the owner menu lists people by name and shows their items", async () => {
  const options = await texts("[data-testid=home-owner] option");
  assert.deepEqual(options, ["Me (Dana Noor)", "Bo Li"]);
  await d.click('[data-testid=home-owner] option[value="bo"]');
  await d.until(async () => (await d.text(".owner-head .avatar")) === "BL", "Bo's avatar");
  const bo = await d.script("return [...document.querySelectorAll('[data-testid=owned-items] [data-testid=open-item]')].map(e => e.dataset.release + ' ' + e.dataset.number)");
  assert.deepEqual(bo, ["late-1 2.1"]);
  assert.match(await d.text("#home-mine-h"), /Open items/);
  await app.shot("home-owner-bo-light");
  await d.click('[data-testid=home-owner] option[value="dana"]');
  await d.until(async () => (await d.text(".owner-head .avatar")) === "DN", "back to Dana");
});

test("an item on home opens its release with that item selected", async () => {
  await d.click('[data-testid=owned-items] [data-testid=open-item][data-number="1.4"]');
  await d.until(async () => (await d.text("[data-testid=release-title]")) === "soon-2", "the release page");
  await d.until(async () => (await d.script("return document.querySelector('[data-testid=item-row].selected')?.dataset.number")) === "1.4", "item 1.4 selected");
  // The keyboard goes on from there.
  await d.keys("j");
  await d.until(async () => (await d.script("return document.querySelector('[data-testid=item-row].selected')?.dataset.number")) === "2.1", "j moves to 2.1");
  await d.click("[data-testid=nav-home]");
  await d.until(async () => (await d.findAll("[data-testid=home-release]")).length === 3, "home again");
});

test("a template opens to read: metadata, outline with fields, versions with what changed", async () => {
  await d.click("[data-testid=nav-library]");
  await d.click('[data-testid=template-card][data-slug="deploy"]');
  await d.until(async () => (await d.findAll("[data-testid=outline-item]")).length === 6, "the outline of v2");
  assert.match(await d.text("[data-testid=template-title]"), /Service deploy/);
  assert.match(await d.text("[data-testid=template-metadata]"), /platform team/);
  assert.deepEqual(await texts("[data-testid=outline-section]"), ["1 Build", "2 Rollout"]);
  assert.match(await d.text('[data-testid=outline-item][data-number="2.1"]'), /Why\s*catches slow leaks/);
  assert.deepEqual(await attr("[data-testid=version]", "data-version"), ["2", "1"]);
  assert.deepEqual(await texts("[data-testid=version-summary]"), ["1 added, 1 removed, 1 reworded", "first version"]);
  await d.click('[data-testid=version][data-version="2"] summary');
  await d.until(async () => (await texts("[data-testid=change-added]")).length === 1, "the changes shown");
  assert.match((await texts("[data-testid=change-added]"))[0], /SBOM attached to the release/);
  assert.match((await texts("[data-testid=change-removed]"))[0], /Error budget not burnt/);
  assert.match((await texts("[data-testid=change-reworded]"))[0], /Release notes drafted for the changelog → 1\.2 Release notes drafted and reviewed/);
  await app.shot("library-template-light");
  // The older version reads as it was.
  await d.click('[data-testid=version][data-version="1"] [data-testid=read-version]');
  await d.until(async () => (await d.findAll("[data-testid=outline-item]")).length === 6 && (await texts("[data-testid=outline-item]")).some((t) => /Error budget/.test(t)), "v1's outline");
  assert.match(await d.text("[data-testid=template-detail]"), /deploy@1/);
});

test("a release starts from the template, keyboard first", async () => {
  await d.click('[data-testid=template-card][data-slug="deploy"]');
  await d.click("[data-testid=start-release]");
  await d.until(async () => (await d.script("return document.activeElement?.dataset.testid")) === "start-name", "the name field focused");
  await d.keys(..."from-library", Keys.Enter);
  await d.until(async () => (await d.text("[data-testid=release-title]")) === "from-library", "the new release's page");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 6, "its items");
  assert.equal(JSON.parse(app.cli("show", "from-library", "--json")).runs[0].template.version, 2);
});

test("an archived template leaves the list and starts no release until unarchived", async () => {
  await d.click("[data-testid=nav-library]");
  await d.click('[data-testid=template-card][data-slug="deploy"]');
  await d.click("[data-testid=archive]");
  await d.until(async () => (await d.findAll('[data-testid=template-card][data-slug="deploy"]')).length === 0, "deploy hidden");
  assert.match(await d.text("[data-testid=toast]"), /Archived deploy/);
  // The detail stays open on it, marked, with no way to start a release.
  assert.equal(await d.script("return document.querySelector('[data-testid=start-release]').disabled"), true);
  assert.equal((await d.findAll("[data-testid=archived-badge]")).length, 1);
  await d.click("[data-testid=show-archived]");
  await d.until(async () => (await d.findAll('[data-testid=template-card][data-slug="deploy"]')).length === 1, "deploy shown on request");
  await app.shot("library-archived-light");
  await d.click("[data-testid=nav-releases]");
  const choices = await attr("[data-testid=release-template] option", "value");
  assert.ok(!choices.includes("deploy"), `no new release from an archived template: ${choices}`);
  assert.throws(() => app.cli("run", "add", "soon-2", "deploy"));
  // Back in the library, archived templates are hidden again until asked for.
  await d.click("[data-testid=nav-library]");
  await d.until(async () => (await d.findAll("[data-testid=show-archived]")).length === 1, "the archived toggle");
  assert.equal((await d.findAll('[data-testid=template-card][data-slug="deploy"]')).length, 0);
  await d.click("[data-testid=show-archived]");
  await d.click('[data-testid=template-card][data-slug="deploy"]');
  await d.click("[data-testid=unarchive]");
  await d.until(async () => (await d.script("return document.querySelector('[data-testid=start-release]')?.disabled")) === false, "startable again");
  assert.doesNotMatch(app.cli("templates"), /archived/);
});

test("mojibake found on import is repaired into the next version", async () => {
  const file = join(app.dir, "hotfix.md");
  copyFileSync(join(lib, "garbled.md"), file);
  await d.click("[data-testid=import-button]");
  await chooseFile(file);
  await d.until(async () => (await d.findAll("[data-testid=repair-text]")).length === 1, "Repair text offered", 20000);
  assert.match(await d.text("[data-testid=import-report]"), /'‚Üí' looks like mojibake of '→'/);
  const version = () => d.script("return document.querySelector('[data-testid=import-version]')?.textContent");
  assert.equal(await version(), "v1");
  await app.shot("import-mojibake-light");
  await d.click("[data-testid=repair-text]");
  await d.until(async () => (await version()) === "v2", "the repaired version");
  assert.equal((await d.findAll("[data-testid=repair-text]")).length, 0);
  assert.match(await d.text("[data-testid=import-report]"), /repaired mojibake '‚Üí' → '→'/);
  await d.until(async () => /Build → test on staging/.test(await d.text("[data-testid=template-outline]")), "the repaired text in the template");
  await app.shot("import-repaired-light");
  // The same content as the CLI's repair of the file: importing it so changes nothing.
  assert.match(app.cli("import", "--repair-mojibake", file), /unchanged since template hotfix v2/);
});

test("a right-to-left template reads right to left", async () => {
  await d.click('[data-testid=template-card][data-slug="rtl-persian"]');
  await d.until(async () => (await d.findAll("[data-testid=outline-item]")).length === 6, "the Persian outline");
  assert.equal(await direction("[data-testid=template-title] bdi"), "rtl");
  assert.equal(await direction('[data-testid=outline-item][data-number="2.1"] .td-item-line'), "rtl");
  // Its wrapped lines align right: the title's alignment follows its own direction.
  assert.equal(await d.script("return getComputedStyle(document.querySelector('[data-testid=outline-item][data-number=\"2.4\"] .td-item-title')).textAlign"), "start");
  // Inline code inside the Persian item keeps its own order.
  assert.equal(await direction('[data-testid=outline-item][data-number="2.1"] code'), "ltr");
  await d.script("document.querySelector('[data-testid=template-outline]').scrollIntoView()");
  await app.shot("library-rtl-outline-light");
});

test("dark at 125%: home and a right-to-left template", async () => {
  await app.stop();
  d = await app.start(BASE + 2, { SIGNET_ACTOR: "dana", GTK_THEME: "Adwaita:dark" });
  await d.until(async () => (await d.findAll("[data-testid=home-release]")).length === 4, "home with four releases");
  await d.script("document.documentElement.style.fontSize = '20px'");
  const bg = await d.script("return getComputedStyle(document.body).backgroundColor");
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background expected, got ${bg}`);
  const fits = await d.script("return document.querySelector('.content').scrollWidth <= document.querySelector('.content').clientWidth + 1");
  assert.ok(fits, "home wraps instead of overflowing at 125%");
  await app.shot("home-dark-125");
  await d.script("document.querySelector('#home-mine-h').scrollIntoView()");
  await app.shot("home-mine-dark-125");
  await d.click("[data-testid=nav-library]");
  await d.click('[data-testid=template-card][data-slug="rtl-persian"]');
  await d.until(async () => (await d.findAll("[data-testid=outline-item]")).length > 3, "the Persian outline");
  assert.equal(await direction("[data-testid=template-title] bdi"), "rtl");
  assert.equal(await direction('[data-testid=outline-item][data-number="2.1"] .td-item-line'), "rtl");
  assert.equal(await direction("[data-testid=outline-section]"), "rtl");
  const fitsLib = await d.script("return document.querySelector('.content').scrollWidth <= document.querySelector('.content').clientWidth + 1");
  assert.ok(fitsLib, "the library wraps instead of overflowing at 125%");
  await app.shot("library-rtl-dark-125");
  await d.script("document.querySelector('[data-testid=template-outline]').scrollIntoView()");
  await app.shot("library-rtl-outline-dark-125");
  await d.click('[data-testid=template-card][data-slug="deploy"]');
  await d.until(async () => (await d.findAll("[data-testid=version]")).length === 2, "deploy's versions");
  await d.click('[data-testid=version][data-version="2"] summary');
  await app.shot("library-template-dark-125");
});
