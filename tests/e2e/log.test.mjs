// The log file a user attaches to a bug report: written from the first
// start, in the folder the help overlay opens, naming what went wrong in
// the words the user saw.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, PORT } from "./harness.mjs";

const app = new App("log");
let d;

/** Everything the app has logged so far (one file a day). */
function logText() {
  if (!existsSync(app.logs)) return "";
  return readdirSync(app.logs)
    .filter((f) => f.startsWith("signet") && f.endsWith(".log"))
    .map((f) => readFileSync(join(app.logs, f), "utf8"))
    .join("");
}

before(async () => {
  d = await app.start(PORT + 70);
});
after(() => app.stop());

test("the app logs its start to a daily file in its log folder", async () => {
  await d.until(async () => (await d.findAll("[data-testid=nav-library]")).length === 1, "the app");
  await d.until(async () => /Signet started/.test(logText()) && /database open/.test(logText()), "the start in the log");
  const files = readdirSync(app.logs);
  assert.ok(files.every((f) => /^signet\.\d{4}-\d{2}-\d{2}\.log$/.test(f)), `daily file names: ${files}`);
  assert.ok(logText().includes(app.db), "the database it opened");
});

test("a refused action is in the log with the message the user saw", async () => {
  await d.click("[data-testid=nav-releases]");
  await d.type("[data-testid=release-name]", "log-1");
  await d.click('[data-testid=release-template] option[value="release-signoff"]');
  await d.click("[data-testid=release-create]");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length > 3, "item rows");
  // The same name again is refused.
  await d.click("[data-testid=nav-releases]");
  await d.type("[data-testid=release-name]", "log-1");
  await d.click('[data-testid=release-template] option[value="release-signoff"]');
  await d.click("[data-testid=release-create]");
  await d.until(async () => /already exists: log-1/.test(logText()), "the refusal in the log");
  assert.match(logText(), /WARN .*already exists: log-1/);
});

test("the help overlay opens the log folder and says where it is", async () => {
  await d.click("[data-testid=nav-help]");
  await d.until(async () => (await d.findAll("[data-testid=open-log-folder]")).length === 1, "the help overlay");
  await app.shot("help-log-folder-light");
  await d.click("[data-testid=open-log-folder]");
  // With no file manager in the test display, opening may be refused; either way the folder is named.
  await d.until(
    async () => (await d.findAll("[data-testid=log-folder]")).length === 1 || (await d.findAll(".shortcuts .error-line")).length === 1,
    "the folder named or the refusal said",
  );
  const shown = await d.script("return (document.querySelector('[data-testid=log-folder] code') || document.querySelector('.shortcuts .error-line')).textContent");
  assert.ok(shown.includes(app.logs), `names ${app.logs}: ${shown}`);
  await app.shot("help-log-folder-opened-light");
});
