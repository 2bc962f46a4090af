// Desktop speed figures, measured on this machine against a hello-world Tauri
// app in the same run: cold start to interactive, idle PSS, tick round trip,
// first render of a 10k-item release. Not a test: it prints numbers.
//   node tests/perf/desktop.mjs <target-profile-dir>     (under Xvfb, see run.sh)

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Driver, sleep } from "../e2e/webdriver.mjs";

const root = resolve(import.meta.dirname, "../..");
const bin = resolve(process.argv[2] ?? join(root, "target/release"));
const dir = mkdtempSync(join(tmpdir(), "signet-perf-"));
const db = join(dir, "signet.db");
const cli = (...a) => execFileSync(join(bin, "signet"), ["--db", db, ...a], { encoding: "utf8" });

function pss(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = execFileSync("pgrep", ["-P", String(pids[i])], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
      pids.push(...kids.map(Number));
    } catch {}
  }
  let kb = 0;
  for (const p of pids) {
    try {
      const m = readFileSync(`/proc/${p}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+)/m);
      if (m) kb += Number(m[1]);
    } catch {}
  }
  return Math.round(kb / 1024);
}

async function measure(app, selector, port, extra = async () => ({})) {
  const td = spawn("tauri-driver", ["--port", String(port), "--native-port", String(port + 1)], {
    env: { ...process.env, SIGNET_DB: db, SIGNET_ACTOR: "perf" },
    stdio: "ignore",
  });
  await sleep(500);
  const t0 = performance.now();
  const d = await Driver.start(`http://127.0.0.1:${port}`, app);
  await d.find(selector);
  const start = Math.round(performance.now() - t0);
  await sleep(6000);
  const appPid = Number(execFileSync("pgrep", ["-n", "-f", app], { encoding: "utf8" }).trim());
  const mem = pss(appPid);
  const more = await extra(d);
  await d.quit();
  td.kill();
  await sleep(500);
  return { start_ms: start, pss_mb: mem, ...more };
}

const sample = execFileSync(join(bin, "examples", "sample_checklist"), ["10000"], { encoding: "utf8", maxBuffer: 1 << 26 });
writeFileSync(join(dir, "bench.md"), sample);
cli("import", join(dir, "bench.md"), "--release", "perf");

const hello = await measure(join(bin, "examples", "hello"), "#hello", 4460);
const signet = await measure(join(bin, "signet-app"), "[data-testid=nav-library]", 4470, async (d) => {
  // Home is the first screen once releases exist: open the release from the list.
  await d.click("[data-testid=nav-releases]");
  await d.click("[data-testid=release-card]");
  await d.until(async () => (await d.findAll("[data-testid=item-row]")).length > 5, "10k rows", 20000);
  const render = await d.text("[data-testid=render-ms]");
  const dataMs = await d.script("return document.querySelector('[data-testid=render-ms]').title");
  // Ticks are measured once the whole release has arrived (steady state).
  await d.until(async () => (await d.findAll("[data-testid=full-ms]")).length === 1, "all 10k items", 20000);
  const full = await d.text("[data-testid=full-ms]");
  const ticks = await d.cmd("POST", "/execute/async", {
    script: `const done = arguments[arguments.length - 1];
      (async () => {
        const t = [];
        for (let i = 0; i < 30; i++) {
          const s = performance.now();
          await window.__TAURI_INTERNALS__.invoke("tick", { release: "perf", item: "bench:1.2", change: { status: i % 2 ? "open" : "done" } });
          t.push(performance.now() - s);
        }
        t.sort((a, b) => a - b);
        done({ median: t[15], p95: t[28], max: t[29] });
      })();`,
    args: [],
  });
  return {
    first_screen_10k: render.replace(/[^0-9]/g, "") + " ms (" + dataMs + ")",
    all_items_10k: full.replace(/[^0-9]/g, "") + " ms",
    tick_ms: ticks,
  };
});

const size = (p) => (statSync(p).size / 1048576).toFixed(1) + " MB";
console.log(JSON.stringify({
  hello_world: { ...hello, binary: size(join(bin, "examples", "hello")) },
  signet: { ...signet, binary: size(join(bin, "signet-app")) },
}, null, 2));
