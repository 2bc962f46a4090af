// The only module that talks to the Rust side. Every call returns what the
// core stored; errors arrive as AppError ({ kind, message, where }).

import { invoke } from "@tauri-apps/api/core";
import type { AppError } from "../bindings/AppError";
import type { LockedKey } from "../bindings/LockedKey";
import type { AppInfo } from "../bindings/AppInfo";
import type { Event } from "../bindings/Event";
import type { FileImport } from "../bindings/FileImport";
import type { ItemView } from "../bindings/ItemView";
import type { Release } from "../bindings/Release";
import type { ReleaseSummary } from "../bindings/ReleaseSummary";
import type { ReleaseView } from "../bindings/ReleaseView";
import type { SectionSummary } from "../bindings/SectionSummary";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { Tick } from "../bindings/Tick";
import type { Exported } from "../bindings/Exported";
import type { RunUpgrade } from "../bindings/RunUpgrade";
import type { Format } from "../bindings/Format";
import type { Paper } from "../bindings/Paper";
import type { PersonKey } from "../bindings/PersonKey";
import type { PickedKey } from "../bindings/PickedKey";
import type { SignoffOutcome } from "../bindings/SignoffOutcome";
import type { SignoffStatus } from "../bindings/SignoffStatus";
import type { Verification } from "../bindings/Verification";
import type { Home } from "../bindings/Home";
import type { OpenItems } from "../bindings/OpenItems";
import type { TemplateOutline } from "../bindings/TemplateOutline";
import type { TemplateVersion } from "../bindings/TemplateVersion";
import type { Compare } from "../bindings/Compare";
import type { CompareChoices } from "../bindings/CompareChoices";
import type { BrandingView } from "../bindings/BrandingView";
import type { LogoView } from "../bindings/LogoView";
import type { LogoChoice } from "../bindings/LogoChoice";

// Sync results. Written by hand, not generated: they come from core types
// without ts-rs derives (signet_core::store::Conflict, signet_core::sync::Outcome)
// and src-tauri/src/sync.rs's SyncStatus. Keep them in step with those.

/** One field two people changed concurrently: sync kept one value until someone ticks again. */
export type Conflict = {
  release: string;
  /** Template slug of the run. */
  template: string;
  /** The item's stable key (`${template}:${key}` is the release page's row key). */
  key: string;
  number: string | null;
  /** "status" or "owner". */
  field: string;
  /** "done by ana at 2026-11-27T10:00:00Z" */
  kept: string;
  lost: string;
};

/** What one sync did (signet_core::sync::Outcome). */
export type SyncOutcome = {
  remote: string;
  /** This device's changes this sync delivered to the remote. */
  published: number;
  /** This device's changes the remote still lacks (it refused this device's ref). */
  not_pushed: number;
  received: number;
  /** One line per change that came in ("bo ticked …"). */
  changes: string[];
  /** Changes waiting for ones they depend on. */
  held: string[];
  /** History refused (bad signature, rewritten chain…): nothing of it was merged. */
  refused: string[];
  pushed: string[];
  /** Refs the remote did not take, and why. */
  rejected: string[];
  conflicts: Conflict[];
};

/** What the sync control shows (src-tauri/src/sync.rs). */
export type SyncStatus = {
  remote: string | null;
  /** RFC 3339. */
  last_sync_at: string | null;
  /** "2 in, 1 out, 0 conflicts" */
  last_summary: string | null;
  /** Whom this database's device acts for; null before its first sync. */
  device_owner: string | null;
  /** The handle the app acts as, and whether their signing key is on this machine. */
  person: string | null;
  has_key: boolean;
  /** This device's changes not pushed yet. */
  unpublished: number;
  /** Open conflicts in the release asked about. */
  conflicts: Conflict[];
};

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  /** Acts as this registered person from now on (kept in the database). */
  actAs: (person: string) => invoke<AppInfo>("act_as", { person }),
  templates: () => invoke<TemplateInfo[]>("list_templates"),
  templateSections: (name: string) => invoke<SectionSummary[]>("template_sections", { name }),
  /** The import file dialog (opened on the Rust side); null when cancelled. */
  pickMarkdownFiles: () => invoke<string[] | null>("pick_markdown_files"),
  importFiles: (paths: string[]) => invoke<FileImport[]>("import_files", { paths }),
  /** A template version (`slug@version`) to read: description, sections, items, fields. */
  templateOutline: (name: string) => invoke<TemplateOutline>("template_outline", { name }),
  /** Every version of a template, newest first, each with what it changed. */
  templateVersions: (name: string) => invoke<TemplateVersion[]>("template_versions", { name }),
  setTemplateArchived: (name: string, archived: boolean) => invoke<TemplateInfo>("set_template_archived", { name, archived }),
  /** The stored version's text imported again with its mojibake repaired (the next version). */
  repairMojibake: (name: string) => invoke<FileImport>("repair_mojibake", { name }),
  /** `today`: the local date, YYYY-MM-DD (overdue counts from it). */
  home: (today: string) => invoke<Home>("home", { today }),
  ownedItems: (owner: string, today: string) => invoke<OpenItems>("owned_items", { owner, today }),
  releases: () => invoke<ReleaseSummary[]>("list_releases"),
  createRelease: (name: string, due: string | null) => invoke<Release>("create_release", { name, due }),
  /** `pairs`: the moved and reworded pairings kept, as [old key, new key]; null: as matched. */
  upgradePreview: (release: string, template: string, pairs: [string, string][] | null = null) =>
    invoke<RunUpgrade>("upgrade_preview", { release, template, pairs }),
  upgradeRun: (release: string, template: string, pairs: [string, string][] | null = null) =>
    invoke<RunUpgrade>("upgrade_run", { release, template, pairs }),
  addRun: (release: string, template: string, fresh: boolean) => invoke<ReleaseView>("add_run", { release, template, fresh }),
  /** The release; with `limit`, only its first items (a large release's first screen). */
  releaseView: (name: string, limit: number | null = null) => invoke<ReleaseView>("release_view", { name, limit }),
  tick: (release: string, item: string, change: Tick) => invoke<ItemView>("tick", { release, item, change }),
  history: (release: string, item: string) => invoke<Event[]>("item_history", { release, item }),
  people: () => invoke<PersonKey[]>("list_people"),
  addPerson: (name: string, email: string | null) => invoke<PersonKey>("add_person", { name, email }),
  /** Makes the person's key, encrypted with `password`; null only with `unencrypted` (the explicit "no password" choice). */
  createKey: (person: string, password: string | null, unencrypted: boolean) =>
    invoke<PersonKey>("create_key", { person, password, unencrypted }),
  /** Opens a file dialog for a minisign secret key made elsewhere; null when the user cancels. */
  pickKeyFile: () => invoke<PickedKey | null>("pick_key_file"),
  /** Registers the picked key file as the person's key; NeedsPassword until its password is given. */
  importKey: (person: string, password: string | null) => invoke<PersonKey>("import_key", { person, password }),
  signoffStatus: (release: string) => invoke<SignoffStatus>("signoff_status", { release }),
  /** NeedsPassword when the approver's key is encrypted and neither `password` nor this session unlocked it. */
  signOff: (release: string, person: string, role: string, overrideReason: string | null, password: string | null) =>
    invoke<SignoffOutcome>("sign_off", { release, person, role, overrideReason, password }),
  reopen: (release: string, reason: string) => invoke<Release>("reopen_release", { release, reason }),
  /** The frozen comparison of a signed release, else the earlier releases a draft may compare with. */
  compareChoices: (release: string) => invoke<CompareChoices>("compare_choices", { release }),
  /** Opens a save dialog; null when the user cancels. */
  exportReport: (release: string, format: Format, paper: Paper, compare: Compare) =>
    invoke<Exported | null>("export_report", { release, format, paper, compare }),
  /** The organisation, client and logo reports carry (`signet config`). */
  reportBranding: () => invoke<BrandingView>("report_branding"),
  /** Opens a file dialog for a PNG or SVG logo and checks it; null when the user cancels. Stored by setBranding(…, "chosen"). */
  pickLogo: () => invoke<LogoView | null>("pick_logo"),
  /** Empty or null names are cleared. */
  setBranding: (orgName: string | null, clientName: string | null, logo: LogoChoice) =>
    invoke<BrandingView>("set_branding", { orgName, clientName, logo }),
  /** Opens a file dialog; null when the user cancels. */
  verifyReport: () => invoke<Verification | null>("verify_report"),
  /** Remote, last sync, pending changes; conflicts of `release` when given. */
  syncStatus: (release: string | null) => invoke<SyncStatus>("sync_status", { release }),
  /** Syncs with `remote` (else the remembered one); the first sync joins as the acting person. */
  syncNow: (remote: string | null, password: string | null) => invoke<SyncOutcome>("sync_now", { remote, password }),
  /** Opens the log file's folder in the file manager; returns its path. */
  openLogFolder: () => invoke<string>("open_log_folder"),
  openLink: (url: string) => invoke<void>("open_link", { url }),
};

/** The key whose password a command asked for (a NeedsPassword error), else null. */
export function lockedKey(e: unknown): LockedKey | null {
  if (e && typeof e === "object" && "kind" in e && (e as AppError).kind === "NeedsPassword") return (e as AppError).locked ?? null;
  return null;
}

/** A readable message for anything a command rejected with. */
export function errorText(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    const err = e as AppError;
    // Core's messages often name their file already: say where only once.
    return err.where && !err.message.includes(err.where) ? `${err.where}: ${err.message}` : err.message;
  }
  return String(e);
}
