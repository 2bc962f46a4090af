// Real-window tests: the built app under Xvfb, driven through tauri-driver
// and WebKitWebDriver. Run by tests/e2e/run.sh (which starts the display).
// Afterwards the CLI reads the same database and must see what the UI did.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Driver, Keys, sleep } from "./webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const APP = process.env.SIGNET_APP ?? join(target, "debug", "signet-app");
const CLI = process.env.SIGNET_CLI ?? join(target, "debug", "signet");
const SHOTS = join(target, "e2e-screens");
// Our own fixtures only: the suite asserts the same on a fresh clone as in
// CI (the shared corpus is exercised by crates/signet-core/tests/corpus.rs).
const fixture = join(import.meta.dirname, "fixtures", "launch-review.md");

const dir = mkdtempSync(join(tmpdir(), "signet-e2e-"));
// Each session's tauri-driver port and the next one (WebKitWebDriver); another
// base keeps a run clear of someone else's on a shared machine.
const PORT = Number(process.env.SIGNET_E2E_PORT ?? 4444);
const db = join(dir, "signet.db");
const ERIN_PASSWORD = "erin's long password";
let driverProc;
let driver;

function startDriver(port, extraEnv = {}) {
  // tauri-driver runs WebKitWebDriver on a second port; keep both apart per session.
  const proc = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    env: { ...process.env, SIGNET_DB: db, SIGNET_ACTOR: "e2e", SIGNET_CONFIG_DIR: join(dir, "config"), NO_AT_BRIDGE: "1", ...extraEnv },
    stdio: ["ignore", "inherit", "inherit"],
    // Its own process group: stopping it stops the app it started too.
    detached: true,
  });
  return proc;
}

async function shot(name) {
  // WebKit hands out the last painted frame: let the current one land first.
  await sleep(500);
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(join(SHOTS, `${name}.png`), await driver.screenshot());
}

function attr(number, name) {
  return driver.script(
    `const r = document.querySelector('[data-testid=item-row][data-number="' + arguments[0] + '"]'); return r ? r.dataset[arguments[1]] : null;`,
    [number, name],
  );
}

async function waitStatus(number, status) {
  await driver.until(async () => (await attr(number, "status")) === status, `item ${number} to be ${status}`);
}

function cli(...args) {
  return execFileSync(CLI, ["--db", db, ...args], { encoding: "utf8" });
}

before(async () => {
  assert.ok(existsSync(APP), `build the app first: ${APP}`);
  driverProc = startDriver(PORT);
  driver = await Driver.start(`http://127.0.0.1:${PORT}`, APP);
});

// An app the driver leaves behind keeps the runner's output pipe open and
// the run never ends: stop the driver's whole process group (the app is in
// it), and only ours — another run's apps on this machine live on.
async function stopApp() {
  await driver?.quit();
  const proc = driverProc;
  driverProc = null;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    const gone = new Promise((r) => proc.once("exit", r));
    try {
      process.kill(-proc.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    await gone;
  }
  await sleep(300);
}

after(stopApp);

test("library shows the starter templates on first start", async () => {
  await driver.click("[data-testid=nav-library]");
  await driver.until(async () => (await driver.findAll("[data-testid=template-card]")).length === 3, "3 starter templates");
  await shot("library-light");
});

// The GTK file chooser is a native window: paste the path into it as a
// person would (typing races its inline completion). `open` choosers take
// the path in their location bar (ctrl+l); save choosers in the name field.
// xclip stays behind to serve the clipboard: give it no pipes to hold open.
async function chooseFile(path, mode = "open") {
  spawnSync("xclip", ["-selection", "clipboard"], { input: path, stdio: ["pipe", "ignore", "ignore"], timeout: 5000 });
  await sleep(1500);
  const xdo = (...a) => spawnSync("xdotool", a, { stdio: "inherit" });
  xdo("key", "--clearmodifiers", mode === "open" ? "ctrl+l" : "ctrl+a");
  await sleep(300);
  xdo("key", "--clearmodifiers", "ctrl+v");
  await sleep(500);
  xdo("key", "Return");
}

test("import a checklist through the file picker", async () => {
  await driver.click("[data-testid=import-button]");
  await chooseFile(fixture);
  await driver.until(async () => (await driver.findAll("[data-testid=import-report]")).length === 1, "the import report", 20000);
  const report = await driver.text("[data-testid=import-report]");
  assert.match(report, /3 sections, 10 items/);
  await driver.until(async () => (await driver.findAll("[data-testid=template-card]")).length === 4, "4 templates");
  await shot("library-import-report");
});

test("import a checklist by dropping it on the window", async () => {
  // A second checklist of ours dragged from a GTK window, as from a file
  // manager: a real XDND drag made with the pointer.
  const dropped = join(root, "crates/signet-core/tests/fixtures/tables.md");
  const before = (await driver.findAll("[data-testid=template-card]")).length;
  const source = spawn("/usr/bin/python3", [join(import.meta.dirname, "drag-source.py"), dropped, "1050", "680"], { stdio: "ignore" });
  try {
    await sleep(2000);
    const xdo = (...a) => spawnSync("xdotool", a, { stdio: "inherit" });
    xdo("mousemove", "1110", "715");
    await sleep(200);
    xdo("mousedown", "1");
    for (const [x, y] of [[1090, 700], [1000, 650], [800, 500], [600, 400], [500, 380]]) {
      xdo("mousemove", String(x), String(y));
      await sleep(150);
    }
    await sleep(300);
    xdo("mouseup", "1");
    await driver.until(async () => (await driver.findAll("[data-testid=template-card]")).length === before + 1, "the dropped checklist in the library", 20000);
    const report = await driver.text("[data-testid=import-report]");
    assert.match(report, /Review table/);
    assert.match(report, /2 sections, 6 items/);
    await shot("library-after-drop");
  } finally {
    source.kill();
  }
  assert.match(cli("templates"), /tables\.md/);
});

const slug = fixture.split("/").pop().replace(/\.md$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-");

test("create a release with the imported checklist", async () => {
  await driver.click("[data-testid=nav-releases]");
  await driver.type("[data-testid=release-name]", "e2e-1");
  await driver.click(`[data-testid=release-template] option[value="${slug}"]`);
  await driver.click("[data-testid=release-create]");
  await driver.until(async () => (await driver.text("[data-testid=release-title]")) === "e2e-1", "the release page");
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length > 5, "item rows");
  await shot("release-light");
});

test("tick by keyboard: x done, j next, n n/a with a reason", async () => {
  await driver.keys("x");
  await waitStatus("1.1", "done");
  await driver.keys("j", "n");
  await driver.type("[data-testid=prompt-input]", "no such policy here");
  await driver.keys(Keys.Enter);
  await waitStatus("1.2", "not_applicable");
});

test("tick by mouse and add evidence", async () => {
  await driver.click('[data-testid=item-row][data-number="1.3"] [data-testid=item-box]');
  await waitStatus("1.3", "done");
  await driver.keys("e");
  await driver.type("[data-testid=prompt-input]", "https://ci.example/run/81");
  await driver.keys(Keys.Enter);
  await driver.until(async () => (await driver.text('[data-testid=item-row][data-number="1.3"]')).includes("1"), "an evidence chip");
  await driver.keys(Keys.Enter);
  await driver.until(async () => (await driver.text("[data-testid=evidence-list]")).includes("https://ci.example/run/81"), "evidence in the panel");
  await driver.until(async () => (await driver.text("[data-testid=history]")).includes("evidence"), "history in the panel");
  await shot("item-panel-light");
  await driver.keys(Keys.Escape);
});

test("filter by status and text", async () => {
  await driver.click("[data-testid=filter-done]");
  await driver.until(async () => {
    const statuses = await driver.script("return [...document.querySelectorAll('[data-testid=item-row]')].map(r => r.dataset.status)");
    return statuses.length === 2 && statuses.every((s) => s === "done");
  }, "only the two done items");
  await driver.click("[data-testid=filter-all]");
  await driver.keys("/");
  await driver.type("[data-testid=filter-text]", "zzz-no-such-item");
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length === 0, "no rows");
  await driver.script("const i = document.querySelector('[data-testid=filter-text]'); i.value = ''; i.dispatchEvent(new Event('input'));");
  await driver.keys(Keys.Escape);
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length > 5, "rows back");
});

test("meeting mode walks the open items", async () => {
  await driver.keys("m");
  const first = await driver.text("[data-testid=meeting-title]");
  assert.ok(first.length > 0);
  await shot("meeting-light");
  await driver.keys("x");
  await driver.until(async () => (await driver.text("[data-testid=meeting-title]")) !== first, "the next open item");
  await driver.keys(Keys.Escape);
  await driver.until(async () => (await driver.findAll("[data-testid=meeting]")).length === 0, "meeting closed");
});

test("the CLI sees what the app did", async () => {
  const view = JSON.parse(cli("show", "e2e-1", "--json"));
  const items = [];
  const walk = (list) => list.forEach((i) => { items.push(i); walk(i.items); });
  const sections = (list) => list.forEach((s) => { walk(s.items); sections(s.sections); });
  view.runs.forEach((r) => sections(r.sections));
  const by = Object.fromEntries(items.map((i) => [i.number, i]));
  assert.equal(by["1.1"].status, "done");
  assert.equal(by["1.1"].updated_by, "e2e");
  assert.equal(by["1.2"].status, "not_applicable");
  assert.equal(by["1.2"].reason, "no such policy here");
  assert.equal(by["1.3"].status, "done");
  assert.equal(by["1.3"].evidence[0].target, "https://ci.example/run/81");
  assert.equal(view.progress.done, 3, "two ticked in the list, one in the meeting");
  assert.match(cli("audit", "verify"), /audit trail intact/);
});

test("sign off with an override from the dialog; the release turns read-only", async () => {
  await driver.click("[data-testid=signoff-button]");
  await driver.until(async () => (await driver.findAll("[data-testid=signoff-open]")).length === 1, "the open items in the dialog");
  await driver.click("[data-testid=add-approver]");
  await driver.type("[data-testid=new-person-name]", "Erin Example");
  await driver.click("[data-testid=new-person-add]");
  // Her new key is encrypted with a password typed twice (keys.test.mjs tests the dialog).
  await driver.until(async () => (await driver.findAll("[data-testid=key-dialog]")).length === 1, "the new key's password dialog");
  await driver.type("[data-testid=key-password]", ERIN_PASSWORD);
  await driver.type("[data-testid=key-password-again]", ERIN_PASSWORD + Keys.Enter);
  await driver.until(async () => (await driver.findAll("[data-testid=signoff-person]")).length === 1, "an approver with a key", 20000);
  await driver.type("[data-testid=signoff-role]", "Release manager");
  await driver.type("[data-testid=signoff-override]", "pilot customers only; the rest is tracked in 2.4.1");
  await shot("signoff-dialog-light");
  await driver.click("[data-testid=signoff-submit]");
  await driver.until(async () => (await driver.findAll("[data-testid=key-password]")).length === 1, "the password prompt");
  await driver.type("[data-testid=key-password]", ERIN_PASSWORD + Keys.Enter);
  await driver.until(async () => (await driver.findAll("[data-testid=signed-banner]")).length === 1, "the signed-off banner", 20000);
  // The banner names the approver as a person, and the override by who made it and why.
  assert.match(await driver.text("[data-testid=signed-banner]"), /By Erin Example \(Release manager\)\./);
  assert.match(await driver.text("[data-testid=verdict-warning]"), /override by Erin Example \(Release manager\): “pilot customers only; the rest is tracked in 2\.4\.1” — \d+ items? (was|were) open/);
  await shot("signed-off-light");
  // Ticking is refused in the UI, and nothing changed in the database.
  await driver.keys("x");
  await driver.until(async () => (await driver.text("[data-testid=toast]")).includes("read-only"), "the read-only message");
  const gate = cli("gate", "e2e-1");
  assert.match(gate, /ready — signed off \(revision 1\) by erin \(Release manager\)/);
  assert.match(gate, /override .*pilot customers only/);
});

test("export the signed report through the save dialog, then verify it in the app", async () => {
  const file = join(dir, "e2e-report.html");
  await driver.click("[data-testid=export-button]");
  await driver.click("[data-testid=format-html]");
  await shot("export-dialog-light");
  await driver.click("[data-testid=export-submit]");
  await chooseFile(file, "save");
  await driver.until(async () => existsSync(file), "the exported file", 20000);
  assert.match(cli("verify", file), /VALID — e2e-1 revision 1/);
  assert.doesNotMatch(readFileSync(file, "utf8"), /<script/i);

  await driver.click("[data-testid=nav-verify]");
  await chooseFile(file);
  await driver.until(async () => (await driver.findAll("[data-testid=verify-dialog]")).length === 1, "the verification result", 20000);
  assert.match(await driver.text("[data-testid=verify-verdict]"), /Valid signed report/);
  await shot("verify-valid-light");
  await driver.keys(Keys.Escape);

  // One changed character: the app says it is not valid and where.
  const forged = join(dir, "forged.html");
  writeFileSync(forged, readFileSync(file, "utf8").replace("Release manager", "Release managex"));
  await driver.click("[data-testid=nav-verify]");
  await chooseFile(forged);
  await driver.until(async () => (await driver.findAll("[data-testid=verify-dialog]")).length === 1, "the verification result", 20000);
  assert.match(await driver.text("[data-testid=verify-verdict]"), /Not valid/);
  assert.match(await driver.text("[data-testid=verify-problems]"), /line \d+ differs from the signed content/);
  await shot("verify-invalid-light");
  await driver.keys(Keys.Escape);
});

test("dark theme follows the system", async () => {
  await stopApp();
  // A second, unsigned release for meeting mode (e2e-1 is signed off now).
  cli("release", "new", "e2e-2");
  cli("run", "add", "e2e-2", slug);
  // And a release of hostile markdown for the next test.
  cli("import", join(import.meta.dirname, "fixtures", "xss.md"), "--release", "xss");
  cli("tick", "xss", "1.1", "--note", "<script>window.__pwned='note'</script><img src=x onerror=\"window.__pwned='note img'\">");
  driverProc = startDriver(PORT + 2, { GTK_THEME: "Adwaita:dark" });
  driver = await Driver.start(`http://127.0.0.1:${PORT + 2}`, APP);
  await driver.click("[data-testid=nav-releases]");
  await driver.click('[data-testid=release-card][data-name="e2e-1"]');
  await driver.until(async () => (await driver.findAll("[data-testid=signed-banner]")).length === 1, "the signed-off banner");
  const bg = await driver.script("return getComputedStyle(document.body).backgroundColor");
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `dark background expected, got ${bg}`);
  await shot("signed-off-dark");
  await driver.click("[data-testid=signoff-button]");
  await driver.until(async () => (await driver.findAll("[data-testid=signoff-dialog]")).length === 1, "the sign-off dialog");
  await shot("signoff-dialog-dark");
  await driver.keys(Keys.Escape);
  await driver.click("[data-testid=export-button]");
  await shot("export-dialog-dark");
  await driver.keys(Keys.Escape);
  await driver.click("[data-testid=nav-releases]");
  await driver.click('[data-testid=release-card][data-name="e2e-2"]');
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length > 5, "item rows");
  await shot("release-dark");
  await driver.keys("m");
  await shot("meeting-dark");
  await driver.keys(Keys.Escape);
  await driver.click("[data-testid=nav-library]");
  await shot("library-dark");
});

test("hostile markdown cannot run code in the app", async () => {
  await driver.script("window.__pwned = undefined; window.__alerts = 0; window.alert = () => { window.__alerts++; };");
  await driver.click("[data-testid=nav-releases]");
  await driver.click('[data-testid=release-card][data-name="xss"]');
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length >= 10, "the hostile items");
  await sleep(500);
  // Open the item panel (notes, details) and meeting mode: more rendering paths.
  await driver.keys(Keys.Enter);
  await sleep(500);
  await shot("xss-release-dark");
  await driver.keys(Keys.Escape);
  await driver.keys("m");
  await sleep(500);
  await driver.keys(Keys.Escape);
  // Click every link the items render: none may navigate or run anything.
  const before = await driver.script("return location.href");
  const links = await driver.script("return [...document.querySelectorAll('.list a')].map(a => a.getAttribute('href'))");
  for (const href of links) assert.match(href, /^(https?:|mailto:)/, `only http(s)/mailto links are rendered: ${href}`);
  await driver.script("document.querySelectorAll('.list a').forEach(a => a.click())");
  await sleep(500);
  const dom = await driver.script(`return {
    pwned: window.__pwned ?? null,
    alerts: window.__alerts,
    href: location.href,
    scripts: document.querySelectorAll('main script, main iframe, main object, main embed, main svg script').length,
    handlers: [...document.querySelectorAll('main *')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    images: document.querySelectorAll('.list img, .panel img').length,
  }`);
  assert.deepEqual(dom, { pwned: null, alerts: 0, href: before, scripts: 0, handlers: 0, images: 0 });
  // The text is still there, shown as text.
  const text = await driver.script("return document.querySelector('[data-testid=item-list]').textContent");
  assert.match(text, /Script tag window.__pwned = "inline script" in a title/);
  assert.match(text, /Nested with <script>code<\/script> in code/);
});

test("upgrade a release's checklist to a newer version", async () => {
  // The same file, changed: one more item at the end.
  mkdirSync(join(dir, "v2"), { recursive: true });
  const changed = join(dir, "v2", fixture.split("/").pop());
  writeFileSync(changed, readFileSync(fixture, "utf8") + "\n- [ ] A check added in the second version\n");
  assert.match(cli("import", changed), /v2/);
  await driver.click("[data-testid=nav-library]");
  await driver.click("[data-testid=nav-releases]");
  await driver.click('[data-testid=release-card][data-name="e2e-2"]');
  await driver.until(async () => (await driver.findAll("[data-testid=upgrade-note]")).length === 1, "the upgrade notice");
  await shot("upgrade-note-dark");
  await driver.click("[data-testid=upgrade-button]");
  // A preview first: one item added, nothing removed; Upgrade applies it.
  await driver.until(async () => (await driver.findAll("[data-testid=upgrade-added-item]")).length === 1, "the upgrade preview");
  assert.equal((await driver.findAll("[data-testid=upgrade-removed-item]")).length, 0);
  await driver.click("[data-testid=upgrade-apply]");
  await driver.until(async () => (await driver.findAll("[data-testid=upgrade-note]")).length === 0, "the notice gone");
  assert.match(await driver.text("[data-testid=toast]"), /kept their state, 1 new, 0 removed/);
  const view = JSON.parse(cli("show", "e2e-2", "--json"));
  assert.equal(view.runs[0].template.version, 2);
});

test("readable at 125% zoom", async () => {
  // Every size is in rem: a 20px root is what 125% zoom does to the layout.
  await driver.script("document.documentElement.style.fontSize = '20px'");
  await driver.click("[data-testid=nav-releases]");
  await driver.click('[data-testid=release-card][data-name="e2e-1"]');
  await driver.until(async () => (await driver.findAll("[data-testid=item-row]")).length > 3, "item rows");
  const overflow = await driver.script("return document.querySelector('.toolbar').scrollWidth <= document.querySelector('.toolbar').clientWidth + 1");
  assert.ok(overflow, "the toolbar wraps instead of overflowing");
  const rowH = await driver.script("return document.querySelector('[data-testid=item-row]').getBoundingClientRect().height");
  assert.equal(rowH, 50, "rows grow with the text");
  await shot("release-dark-125");
});
