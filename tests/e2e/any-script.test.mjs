// Any script, in a real window: a Persian checklist (with inline code and
// English terms) imported through the file picker reads right to left,
// code spans stay left to right, and sections without items stay out of
// the outline until asked for. Light, then dark.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Keys } from "./webdriver.mjs";
import { App, PORT, chooseFile, fixtures, slugOf } from "./harness.mjs";

const fixture = join(fixtures, "rtl-persian.md");
const slug = slugOf(fixture);
const app = new App("rtl");
let d;

before(async () => {
  d = await app.start(PORT + 6, { SIGNET_ACTOR: "e2e-rtl" });
});
after(() => app.stop());

/** Computed `direction` of the first element matching `css`, or null. */
function direction(css) {
  return d.script("const e = document.querySelector(arguments[0]); return e ? getComputedStyle(e).direction : null;", [css]);
}
const title = (number) => `[data-testid=item-row][data-number="${number}"] [data-testid=item-title]`;
const sectionNumbers = () => d.script("return [...document.querySelectorAll('[data-testid=section-row]')].map(r => r.dataset.number)");

test("a Persian checklist imports through the picker and its release reads right to left", async () => {
  await d.click("[data-testid=nav-library]");
  await d.click("[data-testid=import-button]");
  await chooseFile(fixture);
  await d.until(async () => (await d.findAll("[data-testid=import-report]")).length === 1, "the import report", 20000);
  assert.match(await d.text("[data-testid=import-report]"), /بازبینی انتشار سرویس پرداخت/);
  // The library: the Persian title reads right to left, the English starters left to right.
  const dirs = await d.script("return [...document.querySelectorAll('[data-testid=template-card] .t-title')].map(t => [t.textContent, getComputedStyle(t).direction])");
  assert.deepEqual(dirs.filter(([, dir]) => dir === "rtl").map(([t]) => t), ["بازبینی انتشار سرویس پرداخت"]);
  assert.equal(dirs.filter(([, dir]) => dir === "ltr").length, 3);

  await d.click("[data-testid=nav-releases]");
  await d.type("[data-testid=release-name]", "نسخه-۲");
  await d.click(`[data-testid=release-template] option[value="${slug}"]`);
  await d.click("[data-testid=release-create]");
  await d.until(async () => (await d.text("[data-testid=release-title]")) === "نسخه-۲", "the release page");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 6, "six item rows");

  // A Persian title, one with English words, and one that starts with a
  // code span: all right to left (the row's guess skips the code).
  for (const n of ["2.1", "2.2", "2.3", "3.1.1"]) assert.equal(await direction(title(n)), "rtl", `item ${n}`);
  assert.equal(await direction(`${title("2.2")} code`), "ltr", "code inside stays left to right");
  assert.equal(await direction('[data-testid=section-row][data-number="2"]'), "rtl");
  assert.equal(await direction("[data-testid=release-title] bdi"), "rtl");
  // The row turns too: the number sits right of the title, and the long
  // title is cut at its logical end, which is on the left.
  const layout = await d.script(`
    const row = document.querySelector('[data-testid=item-row][data-number="2.4"]');
    const num = row.querySelector('.num').getBoundingClientRect();
    const t = row.querySelector('[data-testid=item-title]');
    return { numRight: num.left > t.getBoundingClientRect().left, cut: t.scrollWidth > t.clientWidth, overflow: getComputedStyle(t).textOverflow };
  `);
  assert.deepEqual(layout, { numRight: true, cut: true, overflow: "ellipsis" });
  await app.shot("rtl-release-light");

  // The item panel and meeting mode read right to left too.
  await d.keys("j", Keys.Enter);
  await d.until(async () => (await direction("[data-testid=panel-title]")) === "rtl", "the item panel, right to left");
  // A note in Persian with an English word reads right to left as well.
  await d.type("[data-testid=panel-note]", "خروجی build در CI ذخیره شد");
  await d.keys(Keys.Enter);
  await d.until(async () => (await direction("[data-testid=panel-notes] p")) === "rtl", "the note, right to left");
  await app.shot("rtl-item-panel-light");
  await d.keys(Keys.Escape);
  await d.keys("m");
  await d.until(async () => (await direction("[data-testid=meeting-title]")) === "rtl", "meeting mode, right to left");
  await app.shot("rtl-meeting-light");
  await d.keys(Keys.Escape);
  await d.until(async () => (await d.findAll("[data-testid=meeting]")).length === 0, "meeting closed");
});

test("sections without items stay out of the outline until asked for", async () => {
  // 2 and 3 hold items (3 only through 3.1); the introduction (1), 3.2 and
  // the appendix (4, whose only sub-section 4.1 is prose) hold none.
  assert.deepEqual(await sectionNumbers(), ["2", "3", "3.1"]);
  const label = await d.script("return document.querySelector('[data-testid=show-empty]').parentElement.textContent.trim()");
  assert.equal(label, "Show 4 empty sections");
  await d.click("[data-testid=show-empty]");
  await d.until(async () => (await sectionNumbers()).length === 7, "every section");
  const empty = await d.script(`return [...document.querySelectorAll('[data-testid=section-row]')]
    .filter(r => r.classList.contains('no-items'))
    .map(r => [r.dataset.number, r.textContent.replace(/\\s+/g, ' ').trim()])`);
  assert.deepEqual(empty.map(([n]) => n), ["1", "3.2", "4", "4.1"]);
  for (const [, text] of empty) {
    assert.match(text, /no items$/, text);
    assert.doesNotMatch(text, /%|0\/0/, text);
  }
  // Sections with items still count theirs.
  assert.match(await d.text('[data-testid=section-row][data-number="3"]'), /0%\s*0\/2/);
  await app.shot("empty-sections-light");
  await d.click("[data-testid=show-empty]");
  await d.until(async () => (await sectionNumbers()).length === 3, "the empty sections hidden again");
});

test("right to left in the dark theme", async () => {
  await app.stop();
  d = await app.start(PORT + 8, { SIGNET_ACTOR: "e2e-rtl", GTK_THEME: "Adwaita:dark" });
  await d.click("[data-testid=nav-releases]");
  await d.click('[data-testid=release-card][data-name="نسخه-۲"]');
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 6, "six item rows");
  assert.equal(await direction(title("2.1")), "rtl");
  await d.keys("x");
  await d.until(async () => (await d.script(`return document.querySelector('[data-testid=item-row][data-number="2.1"]').dataset.status`)) === "done", "2.1 done");
  await app.shot("rtl-release-dark");
  await d.keys("j", Keys.Enter);
  await d.until(async () => (await direction("[data-testid=panel-title]")) === "rtl", "the item panel");
  await app.shot("rtl-item-panel-dark");
  await d.keys(Keys.Escape);
  await d.keys("m");
  await d.until(async () => (await d.findAll("[data-testid=meeting]")).length === 1, "meeting mode");
  await app.shot("rtl-meeting-dark");
  await d.keys(Keys.Escape);
});
