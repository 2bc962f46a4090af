// Upgrading a run to a newer template version, in a real window: "Upgrade
// to vN" first shows what the upgrade will do (core's own preview): the
// counts, the reworded and moved pairs side by side with the state they
// carry, the removed items (warned when they had work on them) and the
// added ones. Cancel changes nothing; Upgrade applies, and the CLI sees the
// states carried; an unticked pairing carries nothing. Light, then dark
// after a restart.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { App, PORT, fixtures } from "./harness.mjs";
import { Keys } from "./webdriver.mjs";

const app = new App("upgrade");
// One file name for both versions: the slug comes from it.
const file = join(app.dir, "service-checks.md");
const SLUG = "service-checks";
// The app's port offset: app.test.mjs takes +0..+3, any-script +6..+9,
// who-are-you +10..+13, sync +30..+33, keys +40..+43.
const BASE = PORT + 50;
const SUMMARY = "v1 → v2: 2 unchanged, 1 reworded (kept state), 1 moved (kept state), 1 removed, 1 added";
let d;

function domText(css) {
  return d.script(`const e = document.querySelector(arguments[0]); return e ? e.textContent.replace(/\\s+/g, " ").trim() : null;`, [css]);
}

function present(css) {
  return d.script(`return !!document.querySelector(arguments[0]);`, [css]);
}

/** The run as the CLI sees it: its version and each item's state by text. */
function run(release = "r-1") {
  const r = JSON.parse(app.cli("show", release, "--json")).runs[0];
  const items = {};
  const walk = (s) => {
    for (const i of s.items) {
      items[i.plain] = { number: i.number, status: i.status, owner: i.owner, evidence: i.evidence.length, reason: i.reason };
      walk(i);
    }
    for (const c of s.sections ?? []) walk(c);
  };
  for (const s of r.sections) walk(s);
  return { version: r.template.version, items };
}

async function openRelease(name) {
  await d.until(
    () => d.script(`const b = [...document.querySelectorAll('.release-link')].find((x) => x.querySelector('.name')?.textContent === arguments[0]); if (b) b.click(); return !!b;`, [name]),
    `${name} in the sidebar`,
    15000,
  );
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 5, "five item rows");
}

async function openPreview() {
  await d.click("[data-testid=upgrade-button]");
  await d.until(async () => (await domText("[data-testid=upgrade-summary]")) === SUMMARY, "the preview's summary", 15000);
}

let before1;
before(async () => {
  const cli = (...a) => app.cli("--actor", "e2e", ...a);
  copyFileSync(join(fixtures, "upgrade", "v1.md"), file);
  cli("import", file, "--release", "r-1");
  // r-2, the same on v1, is previewed in the dark theme.
  cli("release", "new", "r-2");
  cli("run", "add", "r-2", SLUG);
  for (const r of ["r-1", "r-2"]) {
    cli("tick", r, "1.1", "done", "--owner", "ana");
    cli("tick", r, "1.2", "done", "--owner", "bo", "--evidence", "https://ci.example/run/7");
    cli("tick", r, "1.3", "blocked", "--reason", "staging is down", "--owner", "cy");
    cli("tick", r, "2.1", "done", "--owner", "dana");
  }
  // v2, imported without a release: the run stays on v1 until upgraded.
  copyFileSync(join(fixtures, "upgrade", "v2.md"), file);
  cli("import", file);
  before1 = run();
  assert.equal(before1.version, 1);
  d = await app.start(BASE, { SIGNET_ACTOR: "e2e" });
});
after(() => app.stop());

test("Upgrade to v2 shows the preview first: counts, pairs side by side, removed and added", async () => {
  await openRelease("r-1");
  assert.equal(await domText("[data-testid=upgrade-button]"), "Upgrade to v2…");
  await openPreview();
  const pairs = await d.script(`return [...document.querySelectorAll('[data-testid=upgrade-pair]')].map((p) => ({
    kind: p.dataset.kind,
    old: p.querySelector('[data-testid=pair-old]').textContent,
    new: p.querySelector('[data-testid=pair-new]').textContent,
    text: p.textContent.replace(/\\s+/g, " ").trim(),
  }))`);
  assert.deepEqual(pairs.map((p) => [p.kind, p.old, p.new]), [
    ["reworded", "Dashboards show latency and errors", "Dashboards show latency, traffic and errors"],
    ["moved", "Secrets rotated after the beta", "Secrets rotated after the beta"],
  ]);
  // The state each pair carries: status, owner, evidence.
  assert.match(pairs[0].text, /1\.2 Dashboards show latency and errors → 1\.2 Dashboards show latency, traffic and errors carries done @bo 1 link/);
  assert.match(pairs[1].text, /2\.1 Secrets rotated after the beta → 3\.1 Secrets rotated after the beta carries done @dana/);
  // The removed item had work on it: said, with what ends.
  assert.match(await domText("[data-testid=upgrade-removed-warning]"), /1 removed item has work on it/);
  assert.equal(await domText("[data-testid=upgrade-removed-item]"), "1.3 Load test at twice the expected peak was blocked staging is down @cy");
  assert.equal(await domText("[data-testid=upgrade-added-item]"), "2.2 Penetration test findings triaged starts open");
  await app.shot("upgrade-preview-light");
});

test("Cancel changes nothing; Escape closes the preview too", async () => {
  await d.click("[data-testid=upgrade-cancel]");
  await d.until(async () => !(await present("[data-testid=upgrade-dialog]")), "the preview to close");
  assert.deepEqual(run(), before1);
  assert.ok(await present("[data-testid=upgrade-button]"), "still offered");
  await openPreview();
  await d.keys(Keys.Escape);
  await d.until(async () => !(await present("[data-testid=upgrade-dialog]")), "Escape to close the preview");
  assert.deepEqual(run(), before1);
});

test("Upgrade applies what the preview showed: states carried, the removed item gone, the new one open", async () => {
  await openPreview();
  await d.click("[data-testid=upgrade-apply]");
  await d.until(async () => !(await present("[data-testid=upgrade-dialog]")), "the preview to close", 15000);
  await d.until(async () => !(await present("[data-testid=upgrade-button]")), "the upgrade offer to go");
  const after = run();
  assert.equal(after.version, 2);
  assert.deepEqual(after.items, {
    "Runbook reviewed by on-call": { number: "1.1", status: "done", owner: "ana", evidence: 0, reason: null },
    "Dashboards show latency, traffic and errors": { number: "1.2", status: "done", owner: "bo", evidence: 1, reason: null },
    "Production access reviewed": { number: "2.1", status: "open", owner: null, evidence: 0, reason: null },
    "Penetration test findings triaged": { number: "2.2", status: "open", owner: null, evidence: 0, reason: null },
    "Secrets rotated after the beta": { number: "3.1", status: "done", owner: "dana", evidence: 0, reason: null },
  });
  // The app shows the new version's items.
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length === 5, "five item rows");
  const rows = await d.script(`return [...document.querySelectorAll('[data-testid=item-row]')].map((r) => [r.dataset.number, r.dataset.status])`);
  assert.deepEqual(rows, [["1.1", "done"], ["1.2", "done"], ["2.1", "open"], ["2.2", "open"], ["3.1", "done"]]);
});

test("the preview in the dark theme", async () => {
  await app.stop();
  d = await app.start(BASE + 2, { SIGNET_ACTOR: "e2e", GTK_THEME: "Adwaita:dark" });
  await openRelease("r-2");
  await openPreview();
  const bg = await d.script(`return getComputedStyle(document.querySelector('[data-testid=upgrade-dialog]')).backgroundColor`);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark dialog expected, got ${bg}`);
  await app.shot("upgrade-preview-dark");
  // Untick the reworded pairing (not the same item after all): the preview
  // says so, and the upgrade then carries nothing to it.
  // (A script click: WebKitGTK's driver calls the small box "not interactable".)
  await d.script(`document.querySelector('[data-testid=upgrade-pair-keep]').click()`);
  await d.until(async () => /2 removed, 2 added/.test(await domText("[data-testid=upgrade-summary]")), "the summary without that pairing");
  await app.shot("upgrade-preview-unpaired-dark");
  assert.equal(run("r-2").version, 1, "nothing changes before Upgrade");
  await d.click("[data-testid=upgrade-apply]");
  await d.until(async () => !(await present("[data-testid=upgrade-dialog]")), "the preview to close", 15000);
  const after = run("r-2");
  assert.equal(after.version, 2);
  assert.deepEqual(after.items["Dashboards show latency, traffic and errors"], { number: "1.2", status: "open", owner: null, evidence: 0, reason: null });
  assert.equal(after.items["Secrets rotated after the beta"].status, "done");
});
