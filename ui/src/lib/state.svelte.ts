// App-wide state shared by the views (Svelte 5 runes).

import type { AppInfo } from "../bindings/AppInfo";
import type { FileImport } from "../bindings/FileImport";
import type { ReleaseSummary } from "../bindings/ReleaseSummary";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import { api, errorText, type SyncOutcome, type SyncStatus } from "./api";
import type { AppError } from "../bindings/AppError";
import { autoSyncKey, broughtChanges } from "./sync";
import { withPassword } from "./passwords.svelte";

/** `item` on a release: the row (template:key) to select when it opens. */
export type Page = { name: "home" } | { name: "releases" } | { name: "library" } | { name: "release"; release: string; item?: string };

export const app = $state({
  page: { name: "releases" } as Page,
  templates: [] as TemplateInfo[],
  releases: [] as ReleaseSummary[],
  /** The first list of releases arrived (it decides the first screen). */
  releasesLoaded: false,
  info: null as AppInfo | null,
  imports: null as FileImport[] | null,
  toast: null as { kind: "ok" | "error"; text: string } | null,
  dropping: false,
  /** "Who are you?" was put off with "Not now" (for this session). */
  whoLater: false,
  sync: {
    status: null as SyncStatus | null,
    running: false,
    /** The last sync's error, kept until the next sync: nothing typed is lost. */
    error: null as AppError | null,
    /** The last outcome of this session (what the status line cannot hold). */
    outcome: null as SyncOutcome | null,
    /** A remote typed in the dialog that has not synced yet (core remembers it only after a sync). */
    pending: "",
    /** The remote dialog is open. */
    asking: false,
    auto: false,
  },
  /** Bumped when data changed behind the open page's back (a sync brought changes): it reloads. */
  dataVersion: 0,
});

let toastTimer: ReturnType<typeof setTimeout> | undefined;

export function toast(kind: "ok" | "error", text: string): void {
  app.toast = { kind, text };
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (app.toast = null), kind === "error" ? 8000 : 3500);
}

/** Who the app acts as (a person added by the CLI may name the start name now). */
export async function refreshInfo(): Promise<void> {
  try {
    app.info = await api.appInfo();
  } catch (e) {
    toast("error", errorText(e));
  }
}

export async function refreshLibrary(): Promise<void> {
  try {
    app.templates = await api.templates();
  } catch (e) {
    toast("error", errorText(e));
  }
}

export async function refreshReleases(): Promise<void> {
  try {
    const first = !app.releasesLoaded;
    app.releases = await api.releases();
    app.releasesLoaded = true;
    // Home is the first screen once there are releases to look at.
    if (first && app.releases.length > 0 && app.page.name === "releases") app.page = { name: "home" };
  } catch (e) {
    toast("error", errorText(e));
  }
}

export async function importPaths(paths: string[]): Promise<void> {
  const md = paths.filter((p) => p.length > 0);
  if (md.length === 0) return;
  try {
    app.imports = await api.importFiles(md);
    await refreshLibrary();
    const failed = app.imports.filter((r) => r.error).length;
    toast(failed ? "error" : "ok", failed ? `${failed} of ${md.length} files could not be imported` : `Imported ${md.length} file${md.length > 1 ? "s" : ""}`);
  } catch (e) {
    toast("error", errorText(e));
  }
}

export function go(page: Page): void {
  app.page = page;
}

function openRelease(): string | null {
  return app.page.name === "release" ? app.page.release : null;
}

/** Remote, last sync, pending changes, and the open release's conflicts. */
export async function refreshSync(): Promise<void> {
  try {
    app.sync.status = await api.syncStatus(openRelease());
  } catch (e) {
    toast("error", errorText(e));
  }
}

/**
 * Syncs with `remote`, else the remembered one; with neither, asks for
 * one. Never throws: an error stays in `app.sync.error` for the control to
 * show, with the typed remote kept for "Try again".
 */
export async function syncNow(remote: string | null = null, { quiet = false } = {}): Promise<void> {
  if (app.sync.running) return;
  const target = remote ?? (app.sync.pending || null);
  if (!target && !app.sync.status?.remote) {
    app.sync.asking = true;
    return;
  }
  app.sync.running = true;
  if (target) app.sync.pending = target;
  try {
    // A first sync joins with the person's signing key: an encrypted one
    // asks for its password, but never from the timer (that waits for a
    // sync someone starts).
    const out = quiet ? await api.syncNow(target, null) : await withPassword((password) => api.syncNow(target, password));
    if (!out) {
      app.sync.error = { kind: "NeedsPassword", message: "Not synced: your signing key stayed locked. Sync again to enter its password.", where: null, locked: null };
      return;
    }
    app.sync.outcome = out;
    app.sync.error = null;
    app.sync.pending = "";
    const waiting = out.not_pushed > 0 ? `, ${out.not_pushed} not pushed` : "";
    if (!quiet) toast(out.not_pushed > 0 ? "error" : "ok", `Synced: ${out.received} in, ${out.published} out${waiting}, ${out.conflicts.length} ${out.conflicts.length === 1 ? "conflict" : "conflicts"}`);
    if (broughtChanges(out)) {
      app.dataVersion += 1;
      refreshReleases();
      refreshInfo();
    }
  } catch (e) {
    app.sync.error = e && typeof e === "object" && "kind" in e ? (e as AppError) : { kind: "Internal", message: String(e), where: null, locked: null };
  } finally {
    app.sync.running = false;
    await refreshSync();
  }
}

/** The auto-sync switch, kept per database in this webview's storage. */
export function loadAutoSync(database: string): void {
  try {
    app.sync.auto = localStorage.getItem(autoSyncKey(database)) === "1";
  } catch {
    app.sync.auto = false;
  }
}

export function setAutoSync(database: string, on: boolean): void {
  app.sync.auto = on;
  try {
    if (on) localStorage.setItem(autoSyncKey(database), "1");
    else localStorage.removeItem(autoSyncKey(database));
  } catch {
    // Storage off: the switch lasts this session.
  }
}
