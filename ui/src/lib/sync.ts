// Sync view logic with no DOM and no IPC: the status line, relative times,
// conflicts by release row, and the auto-sync setting. Unit-tested.

import type { Conflict, SyncOutcome, SyncStatus } from "./api";

/** Auto-sync runs this often when switched on. */
export const AUTO_SYNC_MS = 5 * 60 * 1000;

/** "just now", "2 min ago", "3 h ago", "4 days ago" (`at` is RFC 3339). */
export function ago(at: string, now: number): string {
  const then = Date.parse(at);
  if (Number.isNaN(then)) return at;
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 45) return "just now";
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  const days = Math.round(h / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/**
 * The two lines under the Sync button: when it last synced and what that
 * did ("Synced 2 min ago · 3 in, 1 out, 0 conflicts", or "Never synced"),
 * then what waits ("2 changes not yet synced"), or null.
 */
export function syncLines(st: SyncStatus, now: number): { last: string; pending: string | null } {
  const last = st.last_sync_at
    ? `Synced ${ago(st.last_sync_at, now)}${st.last_summary ? ` · ${st.last_summary}` : ""}`
    : st.last_summary
      ? `Synced · ${st.last_summary}`
      : "Never synced";
  const n = st.unpublished;
  return { last, pending: n > 0 ? `${n} ${n === 1 ? "change" : "changes"} not yet synced` : null };
}

/** Conflicts by the release page's row key (`template:item key`). */
export function conflictsByRow(conflicts: Conflict[], release: string): Map<string, Conflict[]> {
  const m = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    if (c.release !== release) continue;
    const k = `${c.template}:${c.key}`;
    m.set(k, [...(m.get(k) ?? []), c]);
  }
  return m;
}

/** Times in core's conflict lines as the item panel shows times: "2026-11-27 10:00:00 UTC". */
export function readableTimes(text: string): string {
  return text.replace(/\b(\d{4}-\d\d-\d\d)T(\d\d:\d\d(?::\d\d)?)Z\b/g, "$1 $2 UTC");
}

/** "status: kept done by ana at …; also set blocked by bo at … — tick again to settle" */
export function conflictText(c: Conflict): string {
  return `${c.field}: kept ${readableTimes(c.kept)}; also set ${readableTimes(c.lost)} — tick again to settle`;
}

/** Whether the sync brought anything the open release may show. */
export function broughtChanges(o: SyncOutcome): boolean {
  return o.received > 0 || o.changes.length > 0 || o.conflicts.length > 0;
}

/**
 * What the sync left undone that the user should hear about: history the
 * app refused to merge, and this device's changes the remote would not
 * take. Other devices' refs the remote refused come in next time: not news.
 */
export function syncProblems(o: SyncOutcome): string[] {
  return [...o.refused.map((r) => `Refused: ${r}`), ...o.rejected.filter((r) => r.startsWith("this device")).map((r) => `Not pushed: ${r}`)];
}

/**
 * The line heading [`syncProblems`]: history refused from others, or only
 * this device's own changes kept off the remote (its copy there is not
 * what this device published), which nothing here lost.
 */
export function syncProblemsHeading(o: SyncOutcome): string {
  const merged = o.refused.some((r) => !r.startsWith("the remote's copy of this device's changes"));
  return merged
    ? "Some history was refused: none of it was merged, and nothing here was overwritten."
    : "Your changes were not pushed: they stay here and go out with a later sync.";
}

/** localStorage key of the auto-sync switch, per database (one webview serves any database). */
export function autoSyncKey(database: string): string {
  return `signet.autoSync:${database}`;
}
