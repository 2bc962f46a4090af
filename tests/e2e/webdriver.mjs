// A small W3C WebDriver client over fetch, enough to drive the app through
// tauri-driver: sessions, elements, clicks, keys, script, screenshots.

const W3C_ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Driver {
  constructor(base, session) {
    this.base = base;
    this.session = session;
  }

  static async start(base, application, { timeoutMs = 30000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let lastError;
    while (Date.now() < deadline) {
      try {
        // tauri-driver takes only tauri:options; browserName would be refused.
        const res = await fetch(`${base}/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ capabilities: { alwaysMatch: { "tauri:options": { application } } } }),
          signal: AbortSignal.timeout(20000),
        });
        const body = await res.json();
        if (res.ok && body.value?.sessionId) return new Driver(base, body.value.sessionId);
        lastError = new Error(JSON.stringify(body));
      } catch (e) {
        lastError = e;
      }
      await sleep(300);
    }
    throw lastError;
  }

  async cmd(method, path, body) {
    const res = await fetch(`${this.base}/session/${this.session}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }

  /** Retries until `fn` returns a truthy value: the page may still be loading or updating. */
  async until(fn, what, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
  }

  async find(css) {
    return this.until(async () => {
      const v = await this.cmd("POST", "/element", { using: "css selector", value: css });
      return v[W3C_ELEMENT];
    }, css);
  }

  async findAll(css) {
    const v = await this.cmd("POST", "/elements", { using: "css selector", value: css });
    return v.map((e) => e[W3C_ELEMENT]);
  }

  async click(css) {
    const id = await this.find(css);
    await this.cmd("POST", `/element/${id}/click`, {});
  }

  async type(css, text) {
    const id = await this.find(css);
    await this.cmd("POST", `/element/${id}/value`, { text });
  }

  async text(css) {
    const id = await this.find(css);
    return this.cmd("GET", `/element/${id}/text`);
  }

  /** Presses keys on whatever has focus (the app listens on the window). */
  async keys(...keys) {
    const actions = [];
    for (const k of keys) actions.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  async script(source, args = []) {
    return this.cmd("POST", "/execute/sync", { script: source, args });
  }

  async screenshot() {
    return Buffer.from(await this.cmd("GET", "/screenshot"), "base64");
  }

  async quit() {
    try {
      await fetch(`${this.base}/session/${this.session}`, { method: "DELETE" });
    } catch {
      // The app may already be gone.
    }
  }
}

export const Keys = { Enter: "\uE007", Escape: "\uE00C", Down: "\uE015", Up: "\uE014" };

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
