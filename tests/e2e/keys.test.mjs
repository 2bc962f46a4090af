// Signing keys in a real window: an approver added in the app gets a key
// encrypted with a password typed twice; signing asks for it once per
// session, naming whose key and which (a wrong one is refused on the
// prompt, cancelling signs nothing); "Use an existing key…" takes a key
// the CLI made elsewhere, after its password. The CLI checks what was
// signed. Light, then dark after a restart (which asks again).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, CLI, PORT, chooseFile, fixtures, openRelease, slugOf } from "./harness.mjs";
import { Keys } from "./webdriver.mjs";

const app = new App("keys");
const fixture = join(fixtures, "launch-review.md");
// The app's port offset: app.test.mjs takes +0..+3, any-script +6..+9,
// who-are-you +10..+13, sync +30..+33.
const BASE = PORT + 40;
const ANA_PASSWORD = "correct horse battery";
const BO_PASSWORD = "bo-cli-password";
const OVERRIDE = "pilot only; the rest is tracked";
// Bo's key, made by the CLI in a database and config dir of its own.
const elsewhere = join(app.dir, "elsewhere");
const boKey = join(elsewhere, "config", "keys", "bo.key");
let boKeyId;
let d;

/** Text read from the DOM (WebDriver's text of some parts comes back empty). */
function domText(css) {
  return d.script(`const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;`, [css]);
}

function present(css) {
  return d.script(`return !!document.querySelector(arguments[0]);`, [css]);
}

/** Empties a field the way typing would (Svelte's bindings listen for input). */
function clear(css) {
  return d.script(`const e = document.querySelector(arguments[0]); e.value = ""; e.dispatchEvent(new Event("input", { bubbles: true }));`, [css]);
}

/** The release's status as the CLI sees it ("open", "signed_off"…). */
function releaseStatus(name) {
  return JSON.parse(app.cli("show", name, "--json")).release.status;
}

/** Opens the sign-off dialog of the open release and fills in the role and override. */
async function startSignoff() {
  await d.click("[data-testid=signoff-button]");
  await d.until(() => present("[data-testid=signoff-open]"), "the open items in the dialog");
  await d.type("[data-testid=signoff-role]", "Release manager");
  await d.type("[data-testid=signoff-override]", OVERRIDE);
}

async function chooseApprover(handle) {
  await d.until(() => d.script(`return [...document.querySelectorAll('[data-testid=signoff-person] option')].some((o) => o.value === arguments[0]);`, [handle]), `${handle} among the approvers`);
  await d.click(`[data-testid=signoff-person] option[value="${handle}"]`);
}

async function waitPrompt(mode) {
  await d.until(() => d.script(`return document.querySelector('[data-testid=key-dialog]')?.dataset.mode === arguments[0];`, [mode]), `the ${mode} key dialog`);
}

before(async () => {
  app.cli("--actor", "e2e", "import", fixture, "--release", "k-1", "--fresh");
  for (const r of ["k-2", "k-3"]) {
    app.cli("release", "new", r);
    app.cli("run", "add", r, slugOf(fixture));
  }
  mkdirSync(elsewhere, { recursive: true });
  const pw = join(elsewhere, "password");
  writeFileSync(pw, `${BO_PASSWORD}\n`);
  const cli = (...a) => execFileSync(CLI, ["--db", join(elsewhere, "bo.db"), "--config-dir", join(elsewhere, "config"), ...a], { encoding: "utf8" });
  cli("person", "add", "Bo Lind");
  cli("--actor", "bo", "key", "init", "--as", "bo", "--password-file", pw);
  boKeyId = JSON.parse(cli("person", "list", "--json"))[0].key_id;
  assert.match(readFileSync(boKey, "utf8"), /encrypted/);
  d = await app.start(BASE, { SIGNET_ACTOR: "e2e" });
});
after(() => app.stop());

test("an approver added in the app gets a key encrypted with a password typed twice", async () => {
  await openRelease(d, "k-1");
  await startSignoff();
  await d.click("[data-testid=add-approver]");
  await d.type("[data-testid=new-person-name]", "Ana Ruiz");
  await d.click("[data-testid=new-person-add]");
  await waitPrompt("new");
  assert.equal(await domText("[data-testid=key-title]"), "Protect Ana Ruiz’s new signing key");
  await d.type("[data-testid=key-password]", ANA_PASSWORD);
  await d.type("[data-testid=key-password-again]", "correct horse batery");
  await d.click("[data-testid=key-submit]");
  await d.until(async () => (await domText("[data-testid=key-error]")) === "The two passwords are not the same.", "the mismatch said");
  await app.shot("key-new-light");
  await clear("[data-testid=key-password-again]");
  await d.type("[data-testid=key-password-again]", `${ANA_PASSWORD}${Keys.Enter}`);
  await d.until(async () => !(await present("[data-testid=key-dialog]")), "the key dialog to close", 20000);
  await chooseApprover("ana");
  const key = readFileSync(join(app.config, "keys", "ana.key"), "utf8");
  assert.match(key, /^untrusted comment: signet encrypted secret key of ana/);
  assert.ok(!key.includes(ANA_PASSWORD));
});

test("signing asks for Ana's password, naming her and her key; a wrong one signs nothing", async () => {
  const keyId = JSON.parse(app.cli("person", "list", "--json")).find((p) => p.handle === "ana").key_id;
  await d.click("[data-testid=signoff-submit]");
  await waitPrompt("unlock");
  assert.equal(await domText("[data-testid=key-title]"), "Unlock Ana Ruiz’s signing key");
  assert.equal(await domText("[data-testid=key-detail]"), `Key ${keyId} · @ana`);
  await app.shot("key-unlock-light");

  await d.type("[data-testid=key-password]", `not her password${Keys.Enter}`);
  await d.until(async () => (await domText("[data-testid=key-error]"))?.startsWith("Wrong password"), "the wrong password said", 20000);
  assert.equal(await d.script(`return document.querySelector('[data-testid=key-password]').value;`), "", "the field is emptied for the next try");
  assert.equal(releaseStatus("k-1"), "open", "nothing signed");
  await app.shot("key-unlock-wrong-light");

  await d.type("[data-testid=key-password]", `${ANA_PASSWORD}${Keys.Enter}`);
  await d.until(() => present("[data-testid=signed-banner]"), "the signed-off banner", 20000);
  assert.equal(await present("[data-testid=key-dialog]"), false);
  assert.match(await domText("[data-testid=signed-banner]"), /Ana Ruiz \(Release manager\)/);
  assert.equal(releaseStatus("k-1"), "signed_off");
});

test("a second sign-off in the same session does not ask again", async () => {
  await openRelease(d, "k-2");
  await startSignoff();
  await chooseApprover("ana");
  await d.click("[data-testid=signoff-submit]");
  let asked = false;
  await d.until(async () => {
    if (await present("[data-testid=key-dialog]")) asked = true;
    return present("[data-testid=signed-banner]");
  }, "the signed-off banner", 20000);
  assert.equal(asked, false, "no password asked");
  assert.equal(releaseStatus("k-2"), "signed_off");
});

test("Use an existing key… registers a key the CLI made elsewhere, after its password", async () => {
  await openRelease(d, "k-3");
  await startSignoff();
  await d.click("[data-testid=add-approver]");
  await d.type("[data-testid=new-person-name]", "Bo Lind");
  await d.click("[data-testid=new-person-existing]");
  await chooseFile(boKey);
  await waitPrompt("unlock");
  assert.equal(await domText("[data-testid=key-title]"), "Unlock bo.key");
  assert.equal(await domText("[data-testid=key-detail]"), "to use it as Bo Lind’s signing key (@bo)");
  await app.shot("key-import-light");
  await d.type("[data-testid=key-password]", `wrong${Keys.Enter}`);
  await d.until(async () => (await domText("[data-testid=key-error]"))?.startsWith("Wrong password"), "the wrong password said", 20000);
  assert.equal(existsSync(join(app.config, "keys", "bo.key")), false, "nothing kept");
  await d.type("[data-testid=key-password]", `${BO_PASSWORD}${Keys.Enter}`);
  await d.until(async () => !(await present("[data-testid=key-dialog]")), "the key dialog to close", 20000);
  await chooseApprover("bo");
  const bo = JSON.parse(app.cli("person", "list", "--json")).find((p) => p.handle === "bo");
  assert.equal(bo.key_id, boKeyId, "the CLI's key is registered for Bo");
  assert.equal(readFileSync(join(app.config, "keys", "bo.key"), "utf8"), readFileSync(boKey, "utf8"), "kept as it came, still encrypted");
});

test("cancelling the password prompt signs nothing", async () => {
  // Importing unlocked nothing: signing as Bo asks for his password.
  await d.click("[data-testid=signoff-submit]");
  await waitPrompt("unlock");
  assert.equal(await domText("[data-testid=key-title]"), "Unlock Bo Lind’s signing key");
  assert.equal(await domText("[data-testid=key-detail]"), `Key ${boKeyId} · @bo`);
  await d.keys(Keys.Escape);
  await d.until(async () => !(await present("[data-testid=key-dialog]")), "the key dialog to close");
  assert.equal(await present("[data-testid=signoff-dialog]"), true, "Esc closed only the prompt");
  assert.equal(await domText("[data-testid=signoff-error]"), "Not signed: the signing key stayed locked.");
  assert.equal(releaseStatus("k-3"), "open", "nothing signed");
  // The Cancel button too.
  await d.click("[data-testid=signoff-submit]");
  await waitPrompt("unlock");
  await d.click("[data-testid=key-cancel]");
  await d.until(async () => !(await present("[data-testid=key-dialog]")), "the key dialog to close");
  assert.equal(releaseStatus("k-3"), "open", "nothing signed");
  await d.keys(Keys.Escape);
});

test("dark: a new session asks again", async () => {
  await app.stop();
  d = await app.start(BASE + 2, { SIGNET_ACTOR: "e2e", GTK_THEME: "Adwaita:dark" });
  await openRelease(d, "k-3");
  await startSignoff();
  await chooseApprover("ana");
  await d.click("[data-testid=signoff-submit]");
  await waitPrompt("unlock");
  assert.equal(await domText("[data-testid=key-title]"), "Unlock Ana Ruiz’s signing key");
  await app.shot("key-unlock-dark");
  await d.type("[data-testid=key-password]", `nope${Keys.Enter}`);
  await d.until(async () => (await domText("[data-testid=key-error]"))?.startsWith("Wrong password"), "the wrong password said", 20000);
  await app.shot("key-unlock-wrong-dark");
  await d.type("[data-testid=key-password]", `${ANA_PASSWORD}${Keys.Enter}`);
  await d.until(() => present("[data-testid=signed-banner]"), "the signed-off banner", 20000);
  assert.equal(releaseStatus("k-3"), "signed_off");

  // The new-key dialog, dark, with the no-password warning.
  await openRelease(d, "k-1");
  await d.click("[data-testid=signoff-button]");
  await d.until(() => present("[data-testid=signoff-dialog]"), "the sign-off dialog");
  await d.click("[data-testid=add-approver]");
  await d.type("[data-testid=new-person-name]", "Cy Moss");
  await d.click("[data-testid=new-person-add]");
  await waitPrompt("new");
  await app.shot("key-new-dark");
  await d.click("[data-testid=key-no-password]");
  await d.until(() => present("[data-testid=key-none-warning]"), "the no-password warning");
  await app.shot("key-new-none-dark");
  await d.click("[data-testid=key-cancel]");
  await d.until(async () => !(await present("[data-testid=key-dialog]")), "the key dialog to close");
  assert.equal(existsSync(join(app.config, "keys", "cy.key")), false, "cancelled: no key");
});

test("a first sync joins with the acting person's key, after its password", async () => {
  await app.stop();
  const remote = join(app.dir, "team.git");
  execFileSync("git", ["init", "--bare", "--quiet", remote]);
  d = await app.start(BASE, { SIGNET_ACTOR: "e2e" });
  // Act as Ana (the first-run card's "Already registered?").
  await d.until(() => present("[data-testid=who-existing]"), "the first-run card");
  await d.click('[data-testid=who-existing] option[value="ana"]');
  await d.until(() => present("[data-testid=who-name-shown]"), "the footer naming Ana");
  await d.click("[data-testid=sync-button]");
  await d.until(() => present("[data-testid=sync-dialog]"), "the remote dialog");
  await d.type("[data-testid=sync-remote]", remote);
  await d.click("[data-testid=sync-remote-submit]");
  await d.until(async () => (await present("[data-testid=key-dialog]")) || (await present("[data-testid=sync-error]")), "the password prompt");
  assert.equal(await domText("[data-testid=sync-error]"), null);
  await waitPrompt("unlock");
  await app.shot("key-unlock-sync-light");
  assert.equal(await domText("[data-testid=key-title]"), "Unlock Ana Ruiz’s signing key");
  await d.type("[data-testid=key-password]", `${ANA_PASSWORD}${Keys.Enter}`);
  await d.until(async () => (await domText("[data-testid=sync-status]"))?.startsWith("Synced"), "the sync to end", 30000);
  assert.equal(await present("[data-testid=sync-error]"), false);
  assert.match(app.cli("sync", "--status"), /device: .*ana/);
});
