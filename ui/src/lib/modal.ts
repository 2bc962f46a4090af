// The release page shows at most one modal at a time. One value says which,
// so the keyboard and focus guards cannot drift apart as modals are added.

import type { ItemView } from "../bindings/ItemView";

/** What a one-line prompt asks about the selected item. */
export type Ask = "na" | "blocked" | "owner" | "evidence" | "note";

export type Modal =
  | { kind: "ask"; ask: Ask; address: string; item: ItemView }
  | { kind: "help" }
  | { kind: "meeting" }
  | { kind: "signoff" }
  | { kind: "export" }
  | { kind: "reopen" }
  | { kind: "upgrade"; slug: string; title: string };

/**
 * Whether the page's own shortcuts (j/k, x, …) are off. The shortcut sheet
 * is the one modal that lets keys through (Escape and ? close it); the sync
 * password prompt, outside the page, owns the keyboard too.
 */
export function keysOff(modal: Modal | null, syncAsking: boolean): boolean {
  return syncAsking || (modal !== null && modal.kind !== "help");
}

/**
 * Whether the page may re-read the database when the window gets focus (the
 * CLI may have changed it). Not under a modal that holds unsaved input or a
 * snapshot of the view, nor while a sync is writing.
 */
export function mayReload(modal: Modal | null, syncRunning: boolean): boolean {
  return !syncRunning && (modal === null || modal.kind === "help");
}

export const ASK_TITLES: Record<Ask, string> = {
  na: "Why is this not applicable?",
  blocked: "What is it blocked on?",
  owner: "Owner",
  evidence: "Evidence: a link, or a note",
  note: "Note",
};
