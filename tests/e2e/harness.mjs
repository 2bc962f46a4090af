// What each real-window test file needs: its own database and config dir,
// an app started through tauri-driver (and stopped by process group, so no
// app outlives its file), screenshots, the file chooser, and the CLI.

import { spawn, spawnSync, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Driver, sleep } from "./webdriver.mjs";

export const root = resolve(import.meta.dirname, "../..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
export const APP = process.env.SIGNET_APP ?? join(target, "debug", "signet-app");
export const CLI = process.env.SIGNET_CLI ?? join(target, "debug", "signet");
const SHOTS = join(target, "e2e-screens");
export const fixtures = join(import.meta.dirname, "fixtures");
/** app.test.mjs takes the base port and base + 2 (each with the next one); test files here take their own offsets from it. */
export const PORT = Number(process.env.SIGNET_E2E_PORT ?? 4444);

/** A fresh database and config dir, and the app on them (started by `start`). */
export class App {
  constructor(name) {
    this.dir = mkdtempSync(join(tmpdir(), `signet-e2e-${name}-`));
    this.db = join(this.dir, "signet.db");
    this.config = join(this.dir, "config");
    this.logs = join(this.dir, "logs");
    this.proc = null;
    this.driver = null;
  }

  /**
   * Starts tauri-driver (which starts the app) on `port` and `port + 1`.
   * `env` adds to or, with `undefined` values, removes from the environment.
   */
  async start(port, env = {}) {
    if (!existsSync(APP)) throw new Error(`build the app first: ${APP}`);
    const full = { ...process.env, SIGNET_DB: this.db, SIGNET_CONFIG_DIR: this.config, SIGNET_LOG_DIR: this.logs, NO_AT_BRIDGE: "1" };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete full[k];
      else full[k] = v;
    }
    // Its own process group: stopping it stops the app it started too.
    this.proc = spawn(process.env.TAURI_DRIVER ?? "tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
      env: full,
      stdio: ["ignore", "inherit", "inherit"],
      detached: true,
    });
    this.driver = await Driver.start(`http://127.0.0.1:${port}`, APP);
    return this.driver;
  }

  async stop() {
    await this.driver?.quit();
    this.driver = null;
    if (this.proc && this.proc.exitCode === null) {
      try {
        process.kill(-this.proc.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await new Promise((r) => {
        if (this.proc.exitCode !== null || this.proc.signalCode !== null) r();
        else this.proc.once("exit", r);
      });
    }
    this.proc = null;
  }

  cli(...args) {
    return execFileSync(CLI, ["--db", this.db, "--config-dir", this.config, ...args], { encoding: "utf8" });
  }

  async shot(name) {
    // WebKit hands out the last painted frame: let the current one land first.
    await sleep(500);
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, `${name}.png`), await this.driver.screenshot());
  }
}

/**
 * The GTK file chooser is a native window: paste the path into it as a
 * person would (typing races its inline completion). `open` choosers take
 * the path in their location bar (ctrl+l), `save` choosers in the name
 * field. xclip stays behind to serve the clipboard: give it no pipes to
 * hold open.
 */
export async function chooseFile(path, mode = "open") {
  spawnSync("xclip", ["-selection", "clipboard"], { input: path, stdio: ["pipe", "ignore", "ignore"], timeout: 5000 });
  await sleep(1500);
  const xdo = (...a) => spawnSync("xdotool", a, { stdio: "inherit" });
  xdo("key", "--clearmodifiers", mode === "open" ? "ctrl+l" : "ctrl+a");
  await sleep(300);
  xdo("key", "--clearmodifiers", "ctrl+v");
  await sleep(500);
  xdo("key", "Return");
}

/** Opens release `name` from the sidebar (once it is listed there) and waits for its item rows. */
export async function openRelease(d, name) {
  await d.until(
    () => d.script(`const b = [...document.querySelectorAll('.release-link')].find((x) => x.querySelector('.name')?.textContent === arguments[0]); if (b) b.click(); return !!b;`, [name]),
    `${name} in the sidebar`,
    15000,
  );
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length > 5, "item rows");
}

/** A template's slug as the importer makes it from the file name. */
export function slugOf(file) {
  return file.split("/").pop().replace(/\.md$/, "").toLowerCase().replace(/[^a-z0-9]+/g, "-");
}
