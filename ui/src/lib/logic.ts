// View logic with no DOM and no IPC: rows of the release list, filters,
// progress maths, the keyboard map and the meeting queue. Unit-tested.

import type { ItemView } from "../bindings/ItemView";
import type { Progress } from "../bindings/Progress";
import type { ReleaseView } from "../bindings/ReleaseView";
import type { SectionView } from "../bindings/SectionView";
import type { Status } from "../bindings/Status";

export type StatusFilter = Status | "all";

export interface Filter {
  status: StatusFilter;
  /** Owner handle, "" for anyone, "-" for items without an owner. */
  owner: string;
  text: string;
}

export const NO_FILTER: Filter = { status: "all", owner: "", text: "" };

export type Row =
  | { kind: "run"; key: string; title: string; progress: Progress }
  | { kind: "section"; key: string; section: SectionView; depth: number }
  | { kind: "item"; key: string; item: ItemView; depth: number; address: string; section: string };

export function isFiltered(f: Filter): boolean {
  return f.status !== "all" || f.owner !== "" || f.text.trim() !== "";
}

export function matches(item: ItemView, f: Filter): boolean {
  if (f.status !== "all" && item.status !== f.status) return false;
  if (f.owner === "-" && item.owner) return false;
  if (f.owner !== "" && f.owner !== "-" && (item.owner ?? "").toLowerCase() !== f.owner.toLowerCase()) return false;
  const text = f.text.trim().toLowerCase();
  if (text !== "") {
    const hay = `${item.number} ${item.plain} ${item.owner ?? ""} ${item.notes} ${item.fields.map((x) => x.value).join(" ")}`;
    if (!hay.toLowerCase().includes(text)) return false;
  }
  return true;
}

/** Whether a section holds an item, itself or in a sub-section (its progress counts them all). */
export function hasItems(s: SectionView): boolean {
  return s.progress.total > 0;
}

/** Sections (at any depth) that hold no item: hidden from the outline unless asked for. */
export function emptySections(view: ReleaseView): number {
  let n = 0;
  for (const run of view.runs) {
    const stack: SectionView[] = [...run.sections];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (!hasItems(s)) n += 1;
      stack.push(...s.sections);
    }
  }
  return n;
}

export interface RowOptions {
  /** Show sections that hold no item (a heading with only prose, say). */
  emptySections: boolean;
}

/**
 * Depth-first rows for the virtualised list. Sections without items are
 * hidden unless `emptySections`; while filtering, so is every section
 * without a matching item.
 */
export function flatten(view: ReleaseView, f: Filter, opts: RowOptions = { emptySections: false }): Row[] {
  const rows: Row[] = [];
  const filtering = isFiltered(f);
  const multi = view.runs.length > 1;
  for (const run of view.runs) {
    const slug = run.template.slug;
    const runRows: Row[] = [];
    const stack: { s: SectionView; depth: number }[] = run.sections.map((s) => ({ s, depth: 0 })).reverse();
    while (stack.length > 0) {
      const { s, depth } = stack.pop()!;
      const body: Row[] = [];
      const items: { item: ItemView; depth: number }[] = s.items.map((item) => ({ item, depth: 0 })).reverse();
      while (items.length > 0) {
        const { item, depth: d } = items.pop()!;
        if (matches(item, f)) {
          body.push({ kind: "item", key: `${slug}:${item.key}`, item, depth: d, address: `${slug}:${item.number}`, section: s.number });
        }
        for (let i = item.items.length - 1; i >= 0; i--) items.push({ item: item.items[i], depth: d + 1 });
      }
      const shown = filtering ? body.length > 0 : opts.emptySections || hasItems(s);
      if (shown) {
        runRows.push({ kind: "section", key: `${slug}/${s.key}`, section: s, depth });
        runRows.push(...body);
      }
      for (let i = s.sections.length - 1; i >= 0; i--) stack.push({ s: s.sections[i], depth: depth + 1 });
    }
    if (multi && (!filtering || runRows.length > 0)) {
      rows.push({ kind: "run", key: `run:${slug}`, title: run.template.title, progress: run.progress });
    }
    rows.push(...runRows);
  }
  return rows;
}

/** Whole percent closed (done + n/a), rounded down so 99.9% never reads 100%. */
export function percent(p: Progress): number {
  if (p.total === 0) return 100;
  return Math.floor(((p.done + p.not_applicable) * 100) / p.total);
}

/** What a progress bar says: "40%" and "2/5", or for no items only "no items" (never "100% 0/0"). */
export function progressLabel(p: Progress): { percent: string | null; count: string } {
  if (p.total === 0) return { percent: null, count: "no items" };
  return { percent: `${percent(p)}%`, count: `${p.done + p.not_applicable}/${p.total}` };
}

/** Widths (in %) of the stacked progress bar segments. */
export function segments(p: Progress): { done: number; na: number; blocked: number } {
  if (p.total === 0) return { done: 0, na: 0, blocked: 0 };
  const w = (n: number) => (n * 100) / p.total;
  return { done: w(p.done), na: w(p.not_applicable), blocked: w(p.blocked) };
}

export function owners(view: ReleaseView): string[] {
  const seen = new Set<string>();
  for (const item of allItems(view)) if (item.owner) seen.add(item.owner);
  return [...seen].sort((a, b) => a.localeCompare(b));
}

export function allItems(view: ReleaseView): ItemView[] {
  const out: ItemView[] = [];
  for (const run of view.runs) {
    const stack: SectionView[] = [...run.sections].reverse();
    while (stack.length > 0) {
      const s = stack.pop()!;
      const items = [...s.items].reverse();
      while (items.length > 0) {
        const it = items.pop()!;
        out.push(it);
        for (let i = it.items.length - 1; i >= 0; i--) items.push(it.items[i]);
      }
      for (let i = s.sections.length - 1; i >= 0; i--) stack.push(s.sections[i]);
    }
  }
  return out;
}

export interface QueueEntry {
  item: ItemView;
  address: string;
  run: string;
}

/** Items still to settle in a meeting (open or blocked), in outline order. */
export function meetingQueue(view: ReleaseView): QueueEntry[] {
  return flatten(view, NO_FILTER)
    .filter((r): r is Extract<Row, { kind: "item" }> => r.kind === "item" && !isClosed(r.item.status))
    .map((r) => ({ item: r.item, address: r.address, run: r.address.split(":")[0] }));
}

export function isClosed(s: Status): boolean {
  return s === "done" || s === "not_applicable";
}

export type Action =
  | "down"
  | "up"
  | "done"
  | "na"
  | "blocked"
  | "reopen"
  | "owner"
  | "evidence"
  | "note"
  | "search"
  | "help"
  | "open"
  | "meeting"
  | "sync"
  | "escape";

export const SHORTCUTS: { keys: string; action: Action; label: string }[] = [
  { keys: "j / ↓", action: "down", label: "Next item" },
  { keys: "k / ↑", action: "up", label: "Previous item" },
  { keys: "x", action: "done", label: "Mark done (again: reopen)" },
  { keys: "n", action: "na", label: "Not applicable, with a reason" },
  { keys: "b", action: "blocked", label: "Blocked, with a reason" },
  { keys: "u", action: "reopen", label: "Back to open" },
  { keys: "o", action: "owner", label: "Set the owner" },
  { keys: "e", action: "evidence", label: "Add an evidence link" },
  { keys: "c", action: "note", label: "Add a note" },
  { keys: "Enter", action: "open", label: "Show details and history" },
  { keys: "/", action: "search", label: "Search" },
  { keys: "m", action: "meeting", label: "Meeting mode" },
  { keys: "s", action: "sync", label: "Sync with the team" },
  { keys: "?", action: "help", label: "These shortcuts" },
  { keys: "Esc", action: "escape", label: "Close / leave" },
];

export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The event comes from a text field: only Escape counts. */
  inField?: boolean;
}

export function keyAction(e: KeyInput): Action | null {
  if (e.key === "Escape") return "escape";
  if (e.inField || e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return "down";
    case "k":
    case "ArrowUp":
      return "up";
    case "x":
      return "done";
    case "n":
      return "na";
    case "b":
      return "blocked";
    case "u":
      return "reopen";
    case "o":
      return "owner";
    case "e":
      return "evidence";
    case "c":
      return "note";
    case "/":
      return "search";
    case "?":
      return "help";
    case "Enter":
      return "open";
    case "m":
      return "meeting";
    case "s":
      return "sync";
    default:
      return null;
  }
}

/** Index of the next item row from `from` in direction `dir`, or `from` at the ends. */
export function step(rows: Row[], from: number, dir: 1 | -1): number {
  for (let i = from + dir; i >= 0 && i < rows.length; i += dir) {
    if (rows[i].kind === "item") return i;
  }
  return from;
}

/** Replaces one item (by id) in the view with its new state; returns a new view. */
export function replaceItem(view: ReleaseView, updated: ItemView): ReleaseView {
  const swap = (items: ItemView[]): ItemView[] =>
    items.map((it) => (it.item_id === updated.item_id ? { ...updated, items: it.items } : { ...it, items: swap(it.items) }));
  const sections = (ss: SectionView[]): SectionView[] => ss.map((s) => ({ ...s, items: swap(s.items), sections: sections(s.sections) }));
  return { ...view, runs: view.runs.map((r) => ({ ...r, sections: sections(r.sections) })) };
}

/** Visible slice of a fixed-row-height list, with overscan. */
export function windowOf(scrollTop: number, height: number, rowHeight: number, count: number, overscan = 8) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last, offset: first * rowHeight, total: count * rowHeight };
}

/** Whitespace as signet-core's `str::trim` and `char::is_whitespace` see it. */
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;
/**
 * What a link may not hold anywhere (signet-core's `text::invisible` plus
 * the space): whitespace, control characters, bidirectional controls that
 * reorder what follows them, and characters that render as nothing.
 */
const UNSEEN =
  /[\p{White_Space}\p{Cc}\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0000}-\u{E007F}]/u;

/** A host name of letters (any script), digits, `-` and `.`, or an IP literal; no `%` escapes. */
function isHost(h: string): boolean {
  if (h.startsWith("[")) return /^\[[0-9a-f:.]*:[0-9a-f:.]*\]$/i.test(h);
  return /^[\p{Alphabetic}\p{N}.-]+$/u.test(h) && /[\p{Alphabetic}\p{N}]/u.test(h);
}

/**
 * Only these become clickable links; everything else is shown as text. The
 * same rule as signet-core's `is_safe_link`: an http(s) URL whose host is a
 * plain host name or IP address (no `user@`, no escapes), or a mailto: link
 * with an address — with no space, backslash (browsers read it as `/`),
 * control, bidirectional or invisible character anywhere.
 */
export function isSafeLink(target: string): boolean {
  const t = target.replace(EDGE_SPACE, "");
  const m = /^(https?|mailto):(.*)$/isu.exec(t);
  if (!m || UNSEEN.test(t) || t.includes("\\")) return false;
  const rest = m[2];
  if (m[1].toLowerCase() === "mailto") {
    return rest.split("?")[0].split(",").every((addr) => {
      const at = addr.indexOf("@");
      return at > 0 && isHost(addr.slice(at + 1)) && !/%(?:[01][0-9a-f]|20|7f)/i.test(addr.slice(0, at));
    });
  }
  if (!rest.startsWith("//")) return false;
  const authority = rest.slice(2).split(/[/?#]/)[0];
  if (authority.includes("@")) return false;
  const split = authority.startsWith("[") ? authority.indexOf("]") + 1 : authority.lastIndexOf(":");
  const [host, port] = split > 0 ? [authority.slice(0, split), authority.slice(split)] : [authority, ""];
  if (!isHost(host)) return false;
  return port === "" || (/^:\d*$/.test(port) && (port.length === 1 || Number(port.slice(1)) <= 65535));
}

function emptyProgress(): Progress {
  return { total: 0, done: 0, not_applicable: 0, blocked: 0, open: 0 };
}

function add(p: Progress, s: Status): void {
  p.total += 1;
  if (s === "done") p.done += 1;
  else if (s === "not_applicable") p.not_applicable += 1;
  else if (s === "blocked") p.blocked += 1;
  else p.open += 1;
}

function merge(into: Progress, p: Progress): void {
  into.total += p.total;
  into.done += p.done;
  into.not_applicable += p.not_applicable;
  into.blocked += p.blocked;
  into.open += p.open;
}

/** Recomputes every progress count from the item statuses (after a tick). */
export function recount(view: ReleaseView): ReleaseView {
  const section = (s: SectionView): SectionView => {
    const p = emptyProgress();
    const stack = [...s.items];
    while (stack.length > 0) {
      const it = stack.pop()!;
      add(p, it.status);
      stack.push(...it.items);
    }
    const subs = s.sections.map(section);
    for (const sub of subs) merge(p, sub.progress);
    return { ...s, progress: p, sections: subs };
  };
  const total = emptyProgress();
  const runs = view.runs.map((r) => {
    const sections = r.sections.map(section);
    const p = emptyProgress();
    for (const s of sections) merge(p, s.progress);
    merge(total, p);
    return { ...r, sections, progress: p };
  });
  return { ...view, runs, progress: total };
}

/** The item at `template:number` with its section, or null. */
export function findItem(view: ReleaseView, address: string): { item: ItemView; section: SectionView } | null {
  const slug = address.split(":")[0];
  const number = address.slice(slug.length + 1);
  const run = view.runs.find((r) => r.template.slug === slug);
  if (!run) return null;
  const stack: SectionView[] = [...run.sections];
  while (stack.length > 0) {
    const s = stack.pop()!;
    const items = [...s.items];
    while (items.length > 0) {
      const it = items.pop()!;
      if (it.number === number) return { item: it, section: s };
      items.push(...it.items);
    }
    stack.push(...s.sections);
  }
  return null;
}

/** A keydown handler that closes a dialog on Escape (and keeps the key from the page). */
export function escapeCloses(close: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };
}

/** Runs whose template has a newer version in the library: [slug, title, from, to]. */
export function outdatedRuns(view: ReleaseView, templates: { slug: string; version: number }[]): { slug: string; title: string; from: number; to: number }[] {
  const latest = new Map<string, number>();
  for (const t of templates) latest.set(t.slug, Math.max(latest.get(t.slug) ?? 0, t.version));
  return view.runs
    .filter((r) => (latest.get(r.template.slug) ?? 0) > r.template.version)
    .map((r) => ({ slug: r.template.slug, title: r.template.title, from: r.template.version, to: latest.get(r.template.slug)! }));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Up to two initials for an avatar: the first letters of the first and last
 * words ("Dana Noor" → "DN"). Arabic-script letters are kept from joining
 * (a zero-width non-joiner), so they read as two initials, not a word.
 */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter((w) => w !== "");
  if (words.length === 0) return "?";
  const first = (w: string) => (graphemes.segment(w)[Symbol.iterator]().next().value?.segment ?? "").toLocaleUpperCase();
  if (words.length === 1) return first(words[0]);
  const [a, b] = [first(words[0]), first(words[words.length - 1])];
  return /\p{Script=Arabic}/u.test(a + b) ? `${a}\u200C${b}` : a + b;
}

const STATUS_LABELS: Record<Status, string> = { open: "open", done: "done", not_applicable: "n/a", blocked: "blocked" };

/** A status as the UI's chips and badges say it. */
export function statusLabel(s: Status): string {
  return STATUS_LABELS[s];
}

/**
 * The counts of an upgrade (or its preview), worded as the CLI's
 * `run upgrade` line: "2 unchanged, 1 reworded (kept state), …".
 */
export function upgradeSummary(u: { kept: number; reworded: number; moved: number; removed: number; added: number }): string {
  return `${u.kept} unchanged, ${u.reworded} reworded (kept state), ${u.moved} moved (kept state), ${u.removed} removed, ${u.added} added`;
}

/**
 * Whether an item has work on it that an upgrade removing it would end: a
 * status other than open, an owner, notes or evidence (`now` is the item as
 * the release view has it, when known).
 */
export function hasWork(status: Status, now?: { owner: string | null; notes: string; evidence: unknown[] }): boolean {
  return status !== "open" || !!now?.owner || !!now?.notes || (now?.evidence.length ?? 0) > 0;
}
