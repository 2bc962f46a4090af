// View logic of the home screen and the library: due dates in words, what a
// template version changed, which templates the list shows. No DOM, no IPC.

import type { FileImport } from "../bindings/FileImport";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { VersionChanges } from "../bindings/VersionChanges";

/** The local calendar date as YYYY-MM-DD (what "overdue" counts from). */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

/** "overdue by 3 days", "due today", "due in 5 days", "no due date". */
export function dueText(daysLeft: number | null): string {
  if (daysLeft === null) return "no due date";
  if (daysLeft < 0) return `overdue by ${days(-daysLeft)}`;
  if (daysLeft === 0) return "due today";
  if (daysLeft === 1) return "due tomorrow";
  return `due in ${days(daysLeft)}`;
}

/** One line for a version: "first version", "2 added, 1 removed, 1 reworded", "no item changed". */
export function changeSummary(c: VersionChanges | null): string {
  if (!c) return "first version";
  const reworded = c.changed.filter((m) => m.kind === "reworded").length;
  const moved = c.changed.length - reworded;
  const parts = [
    [c.added.length, "added"],
    [c.removed.length, "removed"],
    [reworded, "reworded"],
    [moved, "moved"],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return parts.length > 0 ? parts.join(", ") : "no item changed";
}

/** Whether the importer found mojibake in this file (and a stored version to repair). */
export function canRepair(r: FileImport): boolean {
  return !!r.outcome && !!r.report && r.report.warnings.some((w) => w.kind === "mojibake" && !w.message.startsWith("repaired "));
}

/** The library list: newest version of each template, archived ones only when asked for. */
export function libraryList(templates: TemplateInfo[], showArchived: boolean): TemplateInfo[] {
  const seen = new Set<string>();
  return templates.filter((t) => {
    if (seen.has(t.slug)) return false;
    seen.add(t.slug);
    return showArchived || !t.archived;
  });
}

/** How many templates (not versions) are archived. */
export function archivedCount(templates: TemplateInfo[]): number {
  return new Set(templates.filter((t) => t.archived).map((t) => t.slug)).size;
}
