// A file dialog that lists the database's own folder must not cost a tick.
// GTK's chooser runs inside the app and opens and closes the files it lists;
// closing a descriptor of signet.db drops the app's POSIX locks on it, so a
// CLI command closing meanwhile takes itself for the last user and deletes
// the write-ahead log. The app holds its store during a dialog and opens it
// afresh after (AppState::with_dialog): a tick made after the dialog is in
// the database once the app has quit.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { App, PORT, fixtures, openRelease } from "./harness.mjs";
import { sleep } from "./webdriver.mjs";

const app = new App("locks");
let d;

before(async () => {
  // The checklist to import sits beside the database, so the chooser lists both.
  copyFileSync(join(fixtures, "launch-review.md"), join(app.dir, "beside-the-db.md"));
  app.cli("import", join(fixtures, "launch-review.md"), "--release", "locks-1");
  d = await app.start(PORT + 84, { SIGNET_ACTOR: "e2e-locks" });
});
after(() => app.stop());

/** Pastes `text` into the chooser's location bar and presses Return. */
async function typeIntoChooser(text) {
  spawnSync("xclip", ["-selection", "clipboard"], { input: text, stdio: ["pipe", "ignore", "ignore"], timeout: 5000 });
  const xdo = (...a) => spawnSync("xdotool", a, { stdio: "inherit" });
  xdo("key", "--clearmodifiers", "ctrl+l");
  await sleep(300);
  xdo("key", "--clearmodifiers", "ctrl+a");
  xdo("key", "--clearmodifiers", "ctrl+v");
  await sleep(500);
  xdo("key", "Return");
}

test("a tick after a file dialog that listed the database's folder survives the app quitting", async () => {
  await d.click("[data-testid=nav-library]");
  await d.click("[data-testid=import-button]");
  await sleep(1500);
  // Into the database's folder: the chooser lists (and opens) signet.db.
  await typeIntoChooser(`${app.dir}/`);
  await sleep(2000);
  // A CLI command closes while the dialog is open: with the app's locks
  // gone it would delete the log the app writes to.
  assert.match(app.cli("show", "locks-1"), /locks-1/);
  await typeIntoChooser(join(app.dir, "beside-the-db.md"));
  await d.until(async () => (await d.findAll("[data-testid=import-report]")).length === 1, "the import report", 20000);

  await openRelease(d, "locks-1");
  const first = await d.script("return document.querySelector('[data-testid=item-row]:not([data-status=done])').dataset.number");
  await d.click(`[data-testid=item-row][data-number="${first}"] [data-testid=item-box]`);
  await d.until(
    () => d.script("return document.querySelector(`[data-testid=item-row][data-number='${arguments[0]}']`).dataset.status", [first]).then((s) => s === "done"),
    `${first} done in the app`,
  );
  await app.stop();
  assert.ok(existsSync(app.db));
  const shown = app.cli("show", "locks-1");
  assert.match(shown, new RegExp(`\\[x\\] ${first.replace(/\./g, "\\.")} `), `the tick of ${first} was lost:\n${shown}`);
});
