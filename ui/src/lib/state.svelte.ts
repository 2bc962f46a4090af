// App-wide state shared by the views (Svelte 5 runes).

import type { AppInfo } from "../bindings/AppInfo";
import type { FileImport } from "../bindings/FileImport";
import type { ReleaseSummary } from "../bindings/ReleaseSummary";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import { api, errorText } from "./api";

export type Page = { name: "releases" } | { name: "library" } | { name: "release"; release: string };

export const app = $state({
  page: { name: "releases" } as Page,
  templates: [] as TemplateInfo[],
  releases: [] as ReleaseSummary[],
  info: null as AppInfo | null,
  imports: null as FileImport[] | null,
  toast: null as { kind: "ok" | "error"; text: string } | null,
  dropping: false,
  /** "Who are you?" was put off with "Not now" (for this session). */
  whoLater: false,
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
    app.releases = await api.releases();
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
