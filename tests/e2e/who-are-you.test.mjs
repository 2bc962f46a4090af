// First run in a real window: started with no $USER and no SIGNET_ACTOR,
// the app acts as "unknown" and asks who you are; the answer becomes a
// person (and their key), the footer names them, the audit trail records
// them, and the next start remembers.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, PORT } from "./harness.mjs";
import { Keys } from "./webdriver.mjs";

const app = new App("who");
const nobody = { SIGNET_ACTOR: undefined, USER: undefined };
let d;

/** What the sidebar footer shows of the person (read from the DOM: WebDriver's text of it comes back empty). */
function footer() {
  return d.script(`const w = document.querySelector('[data-testid=who]');
    return { name: w.querySelector('.who-name').textContent, avatar: w.querySelector('.avatar').textContent, handle: w.querySelector('.who-text .muted').textContent };`);
}

before(async () => {
  d = await app.start(PORT + 10, nobody);
});
after(() => app.stop());

test("with no name to go by, the footer says so and the app asks who you are", async () => {
  await d.until(async () => (await d.text("[data-testid=who]")) === "Acting as unknown", "the footer");
  await d.until(async () => (await d.findAll("[data-testid=who-card]")).length === 1, "the first-run card");
  await app.shot("who-are-you-light");
});

test("adding yourself names you in the footer and in the audit trail", async () => {
  await d.type("[data-testid=who-name]", "Dana Noor");
  await d.type("[data-testid=who-email]", "dana@example.com");
  await d.click("[data-testid=who-key]");
  await d.click("[data-testid=who-submit]");
  // The key is encrypted with a password typed twice.
  await d.until(async () => (await d.findAll("[data-testid=key-dialog]")).length === 1, "the new key's password dialog");
  await d.type("[data-testid=key-password]", "dana's long password");
  await d.type("[data-testid=key-password-again]", "dana's long password" + Keys.Enter);
  await d.until(async () => (await d.findAll("[data-testid=who-name-shown]")).length === 1, "the footer naming a person");
  assert.deepEqual(await footer(), { name: "Dana Noor", avatar: "DN", handle: "@dana" });
  assert.equal((await d.findAll("[data-testid=who-card]")).length, 0, "the card is gone");
  await d.until(async () => existsSync(join(app.config, "keys", "dana.key")), "Dana's signing key on this machine", 20000);
  assert.match(readFileSync(join(app.config, "keys", "dana.key"), "utf8"), /encrypted/);
  await app.shot("who-named-light");
  await d.click("[data-testid=nav-library]");
  await app.shot("who-named-library-light");

  // A change made now is Dana's.
  await d.click("[data-testid=nav-releases]");
  await d.type("[data-testid=release-name]", "who-1");
  await d.click('[data-testid=release-template] option[value="release-signoff"]');
  await d.click("[data-testid=release-create]");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length > 3, "item rows");
  await d.keys("x");
  await d.until(async () => (await d.script("return document.querySelector('[data-testid=item-row]').dataset.status")) === "done", "the first item done");
  const view = JSON.parse(app.cli("show", "who-1", "--json"));
  assert.equal(view.runs[0].sections[0].items[0].updated_by, "dana");
  const people = app.cli("person", "list");
  assert.match(people, /dana/);
  assert.match(people, /Dana Noor/);
});

test("the next start remembers who you are", async () => {
  await app.stop();
  d = await app.start(PORT + 12, nobody);
  await d.until(async () => (await d.findAll("[data-testid=who-name-shown]")).length === 1, "the footer naming Dana");
  assert.deepEqual(await footer(), { name: "Dana Noor", avatar: "DN", handle: "@dana" });
  assert.equal((await d.findAll("[data-testid=who-card]")).length, 0);
});
