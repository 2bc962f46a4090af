// Team sync in a real window: two databases (A in the app, B driven by the
// CLI) and a bare git repository between them. A's first sync asks for the
// remote; B's ticks arrive on the next sync and show in A's rows; edits
// both sides made to one item before syncing are marked as a conflict; an
// unreachable remote says so, and the app stays usable. Light, then dark.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { App, PORT, fixtures, openRelease, slugOf } from "./harness.mjs";
import { Keys } from "./webdriver.mjs";

const a = new App("sync-a");
const b = new App("sync-b");
const remote = join(a.dir, "team.git");
const fixture = join(fixtures, "launch-review.md");
const slug = slugOf(fixture);
const release = "launch-1";
// The app's port offset: app.test.mjs takes +0..+3, any-script +6..+9, who-are-you +10..+13.
const BASE = PORT + 30;
let d;

/** Sidebar text, read from the DOM (WebDriver's text of the sidebar can come back empty). */
function domText(css) {
  return d.script(`const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;`, [css]);
}

function rowStatus(number) {
  return d.script(`const r = document.querySelector('[data-testid=item-row][data-number="' + arguments[0] + '"]'); return r ? r.dataset.status : null;`, [number]);
}

function hasConflictBadge(number) {
  return d.script(`return !!document.querySelector('[data-testid=item-row][data-number="' + arguments[0] + '"] [data-testid=conflict-badge]');`, [number]);
}

/** Presses Sync and waits for it to end (the button says "Syncing…" meanwhile). */
async function syncInApp() {
  const before = await domText("[data-testid=sync-status]");
  await d.click("[data-testid=sync-button]");
  await d.until(async () => (await domText("[data-testid=sync-button]")) === "⟳ Sync" || (await domText("[data-testid=sync-button]"))?.endsWith("Sync"), "the sync to end", 30000);
  return before;
}

before(async () => {
  execFileSync("git", ["init", "--bare", "--quiet", remote]);
  // B: a person with a key, a release of the fixture, published first.
  b.cli("person", "add", "Bo Lind", "--email", "bo@example.com");
  b.cli("--actor", "bo", "key", "init", "--as", "bo", "--unencrypted");
  b.cli("--actor", "bo", "import", fixture, "--release", release, "--fresh");
  b.cli("--actor", "bo", "sync", remote, "--as", "bo");
  // A: Ana, with her key, before the app starts (who-are-you is its own test).
  a.cli("person", "add", "Ana Ruiz", "--email", "ana@example.com");
  a.cli("--actor", "ana", "key", "init", "--as", "ana", "--unencrypted");
  d = await a.start(BASE, { SIGNET_ACTOR: "ana", SIGNET_KEY_PASSWORD: undefined });
});
after(() => a.stop());

test("before the first sync: never synced, and Sync asks for the remote", async () => {
  await d.until(async () => (await domText("[data-testid=sync-status]")) === "Never synced", "the status line");
  await d.click("[data-testid=sync-button]");
  await d.find("[data-testid=sync-dialog]");
  assert.match(await domText("[data-testid=sync-dialog]"), /signed as @ana/);
  await d.type("[data-testid=sync-remote]", remote);
  await a.shot("sync-remote-dialog-light");
  await d.click("[data-testid=sync-remote-submit]");
  await d.until(async () => (await domText("[data-testid=sync-status]"))?.startsWith("Synced just now ·"), "the first sync", 30000);
  assert.equal((await d.findAll("[data-testid=sync-dialog]")).length, 0);
  assert.equal((await d.findAll("[data-testid=sync-error]")).length, 0);
  // B's release came in, and A's device acts for Ana.
  await openRelease(d, release);
  const status = JSON.parse(a.cli("sync", "--status", "--json"));
  assert.equal(status.remote, remote, "the remote is remembered");
  assert.equal(status.owner, "ana");
  await a.shot("sync-status-light");
});

test("a tick made on B shows in A's row after Sync", async () => {
  assert.equal(await rowStatus("1.1"), "open");
  b.cli("--actor", "bo", "tick", release, "1.1", "done");
  b.cli("--actor", "bo", "sync");
  await syncInApp();
  await d.until(async () => (await rowStatus("1.1")) === "done", "B's tick in A's row", 15000);
  await d.until(async () => (await domText("[data-testid=sync-status]")) === "Synced just now · 1 in, 0 out, 0 conflicts", "the status line counting B's tick");
  assert.equal(JSON.parse(a.cli("show", release, "--json")).runs[0].sections[0].items[0].updated_by, "bo");
});

test("A's own tick waits as a pending change, then goes out with the s key", async () => {
  await d.click('[data-testid=item-row][data-number="1.3"] [data-testid=item-box]');
  await d.until(async () => (await rowStatus("1.3")) === "done", "A's tick");
  await d.until(async () => /^\d+ changes? not yet synced$/.test((await domText("[data-testid=sync-pending]")) ?? ""), "the pending line");
  await d.script("document.activeElement?.blur?.()");
  await d.keys("s");
  await d.until(async () => (await d.findAll("[data-testid=sync-pending]")).length === 0, "nothing pending", 30000);
  b.cli("--actor", "bo", "sync");
  assert.equal(JSON.parse(b.cli("show", release, "--json")).runs[0].sections[0].items[2].status, "done");
});

test("concurrent edits to one item are marked as a conflict", async () => {
  // Both sides change 1.2 before either syncs.
  b.cli("--actor", "bo", "tick", release, "1.2", "blocked", "--reason", "waiting for the new dashboards");
  await d.click('[data-testid=item-row][data-number="1.2"] [data-testid=item-box]');
  await d.until(async () => (await rowStatus("1.2")) === "done", "A's tick on 1.2");
  b.cli("--actor", "bo", "sync");
  await syncInApp();
  await d.until(() => hasConflictBadge("1.2"), "the conflict badge on 1.2", 15000);
  const title = await d.script(`return document.querySelector('[data-testid=item-row][data-number="1.2"] [data-testid=conflict-badge]').title`);
  assert.match(title, /^status: kept (done|blocked) by (ana|bo) at .+; also set (done|blocked) by (ana|bo) at .+ — tick again to settle$/);
  assert.match(title, /by ana/);
  assert.match(title, /by bo/);
  assert.match(await domText("[data-testid=conflict-count]"), /1 item with a sync conflict/);
  assert.equal(await hasConflictBadge("1.1"), false);
  await a.shot("sync-conflict-light");
  // The item panel says the same, with how to settle it.
  await d.script(`document.querySelector('[data-testid=item-row][data-number="1.2"]').dispatchEvent(new MouseEvent('dblclick', { bubbles: true }))`);
  await d.until(async () => /Conflicting edits from sync/.test((await domText("[data-testid=panel-conflict]")) ?? ""), "the conflict in the item panel");
  await a.shot("sync-conflict-panel-light");
});

test("an unreachable remote says so, loses nothing, and the app stays usable", async () => {
  const missing = join(a.dir, "no-such-repo.git");
  await d.click("[data-testid=sync-settings]");
  await d.find("[data-testid=sync-dialog]");
  await d.script(`const i = document.querySelector('[data-testid=sync-remote]'); i.select();`);
  await d.type("[data-testid=sync-remote]", missing);
  await d.until(async () => (await d.script(`return document.querySelector('[data-testid=sync-remote]').value`)) === missing, "the new remote typed");
  await d.click("[data-testid=sync-remote-submit]");
  await d.find("[data-testid=sync-error]");
  const err = await domText("[data-testid=sync-error]");
  assert.match(err, new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  assert.match(err, /Nothing was lost/);
  await a.shot("sync-error-light");
  // Still usable: a tick lands and waits to be synced.
  await d.keys(Keys.Escape);
  await d.click('[data-testid=item-row][data-number="2.1"] [data-testid=item-box]');
  await d.until(async () => (await rowStatus("2.1")) === "done", "a tick after the failed sync");
  await d.until(async () => (await domText("[data-testid=sync-pending]")) !== null, "the pending line");
  // The remembered remote is still the team's: set it back and sync.
  assert.equal(JSON.parse(a.cli("sync", "--status", "--json")).remote, remote);
  await d.click("[data-testid=sync-change-remote]");
  await d.find("[data-testid=sync-dialog]");
  await d.script(`const i = document.querySelector('[data-testid=sync-remote]'); i.select();`);
  await d.type("[data-testid=sync-remote]", remote);
  await d.click("[data-testid=sync-remote-submit]");
  await d.until(async () => (await d.findAll("[data-testid=sync-error]")).length === 0 && (await d.findAll("[data-testid=sync-pending]")).length === 0, "a clean sync", 30000);
});

test("a change the remote refused stays pending until it is out", async () => {
  // Someone with push access points A's ref on the remote at B's chain.
  const git = (...args) => execFileSync("git", ["--git-dir", remote, ...args], { encoding: "utf8" }).trim();
  const ref = (app) => `refs/signet/v1/devices/${JSON.parse(app.cli("sync", "--status", "--json")).device}`;
  const mine = ref(a);
  const real = git("rev-parse", mine);
  git("update-ref", mine, git("rev-parse", ref(b)));
  await d.click('[data-testid=item-row][data-number="2.2"] [data-testid=item-box]');
  await d.until(async () => (await rowStatus("2.2")) === "done", "A's tick on 2.2");
  await syncInApp();
  await d.until(async () => /0 out, 1 not pushed/.test((await domText("[data-testid=toast]")) ?? ""), "the toast saying it was not pushed", 15000);
  assert.equal(await domText("[data-testid=sync-pending]"), "1 change not yet synced");
  const problems = await domText("[data-testid=sync-problems]");
  assert.match(problems, /Not pushed: this device.s changes/);
  // Nothing of anyone else's was refused: the box says what happened to A's.
  assert.match(problems, /^Your changes were not pushed: they stay here and go out with a later sync\./);
  await a.shot("sync-not-pushed-light");
  // The ref is A's again: the next sync delivers it.
  git("update-ref", mine, real);
  await syncInApp();
  await d.until(async () => (await d.findAll("[data-testid=sync-pending]")).length === 0, "nothing pending", 30000);
  b.cli("--actor", "bo", "sync");
  assert.equal(JSON.parse(b.cli("show", release, "--json")).runs[0].sections[1].items[1].status, "done");
});

test("the conflict in the dark theme", async () => {
  await a.stop();
  d = await a.start(BASE + 2, { SIGNET_ACTOR: "ana", GTK_THEME: "Adwaita:dark" });
  await openRelease(d, release);
  await d.until(() => hasConflictBadge("1.2"), "the conflict badge after a restart");
  await d.until(async () => (await domText("[data-testid=sync-status]"))?.startsWith("Synced"), "the status line");
  await a.shot("sync-conflict-dark");
  await d.script(`document.querySelector('[data-testid=item-row][data-number="1.2"]').dispatchEvent(new MouseEvent('dblclick', { bubbles: true }))`);
  await d.find("[data-testid=panel-conflict]");
  await a.shot("sync-conflict-panel-dark");
  // Ticking it again settles it.
  await d.script(`document.querySelector('[data-testid=item-row][data-number="1.2"]').click()`);
  await d.keys("u");
  await d.until(async () => !(await hasConflictBadge("1.2")), "the conflict settled by a new tick");
});
