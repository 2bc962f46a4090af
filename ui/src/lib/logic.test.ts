import { describe, expect, it } from "vitest";
import type { ItemView } from "../bindings/ItemView";
import type { ReleaseView } from "../bindings/ReleaseView";
import type { SectionView } from "../bindings/SectionView";
import type { Status } from "../bindings/Status";
import {
  escapeCloses,
  outdatedRuns,
  flatten,
  keyAction,
  meetingQueue,
  NO_FILTER,
  owners,
  percent,
  recount,
  replaceItem,
  segments,
  step,
  windowOf,
  isSafeLink,
  findItem,
  emptySections,
  initials,
  progressLabel,
  upgradeSummary,
  hasWork,
  statusLabel,
} from "./logic";

let nextId = 1;
function item(number: string, plain: string, status: Status = "open", owner: string | null = null, items: ItemView[] = []): ItemView {
  return {
    item_id: nextId++, number, key: `k${number}`, title: plain, plain, detail: "", fields: [], initially_checked: false,
    line: 1, status, owner, notes: "", reason: null, evidence: [], updated_at: "", updated_by: "", items,
  };
}
const zero = { total: 0, done: 0, not_applicable: 0, blocked: 0, open: 0 };
function section(number: string, title: string, items: ItemView[], sections: SectionView[] = []): SectionView {
  return { number, key: `s${number}`, title, plain: title, description: "", progress: zero, items, sections };
}
function view(runs: SectionView[][]): ReleaseView {
  return recount({
    release: { id: 1, name: "v1", due_date: null, status: "open", created_at: "" },
    progress: zero,
    runs: runs.map((sections, i) => ({
      id: i + 1,
      template: { id: i + 1, slug: `t${i}`, version: 1, title: `Template ${i}`, source_name: "t.md", content_hash: "", imported_at: "", sections: 0, items: 0, metadata: [], approver_roles: [], archived: false },
      progress: zero,
      sections,
    })),
  });
}

function sample(): ReleaseView {
  return view([
    [
      section("1", "Legal", [item("1.1", "Licences", "done", "ana"), item("1.2", "Privacy policy", "open", null, [item("1.2.1", "EU text", "blocked", "ben")])]),
      section("2", "Ops", [item("2.1", "Backups restore", "not_applicable", "ben")], [section("2.2", "Alerts", [item("2.2.1", "Pager", "open", "Ana")])]),
    ],
  ]);
}

describe("progress maths", () => {
  it("counts every item, sub-sections roll up, and rounds down", () => {
    const v = sample();
    expect(v.progress).toEqual({ total: 5, done: 1, not_applicable: 1, blocked: 1, open: 2 });
    expect(v.runs[0].sections[1].progress.total).toBe(2);
    expect(percent(v.progress)).toBe(40);
    expect(percent({ total: 3, done: 2, not_applicable: 0, blocked: 0, open: 1 })).toBe(66);
    expect(percent({ total: 1000, done: 999, not_applicable: 0, blocked: 0, open: 1 })).toBe(99);
    expect(percent(zero)).toBe(100);
    expect(segments(v.progress)).toEqual({ done: 20, na: 20, blocked: 20 });
  });

  it("recounts after an item changes", () => {
    const v = sample();
    const target = v.runs[0].sections[0].items[1];
    const updated = recount(replaceItem(v, { ...target, status: "done", owner: "cy" }));
    expect(updated.progress.done).toBe(2);
    expect(updated.runs[0].sections[0].progress.done).toBe(2);
    // Children survive the swap.
    expect(updated.runs[0].sections[0].items[1].items[0].number).toBe("1.2.1");
    expect(updated.runs[0].sections[0].items[1].owner).toBe("cy");
  });
});

describe("rows and filters", () => {
  it("flattens sections and nested items in outline order", () => {
    const rows = flatten(sample(), NO_FILTER);
    expect(rows.map((r) => (r.kind === "item" ? r.item.number : r.kind === "section" ? `§${r.section.number}` : "run"))).toEqual([
      "§1", "1.1", "1.2", "1.2.1", "§2", "2.1", "§2.2", "2.2.1",
    ]);
    const nested = rows.find((r) => r.kind === "item" && r.item.number === "1.2.1");
    expect(nested && nested.kind === "item" && nested.depth).toBe(1);
    expect(nested && nested.kind === "item" && nested.address).toBe("t0:1.2.1");
  });

  it("filters by status, owner (case-insensitive, or none) and text, hiding empty sections", () => {
    const numbers = (f: typeof NO_FILTER) =>
      flatten(sample(), f).filter((r) => r.kind !== "run").map((r) => (r.kind === "item" ? r.item.number : `§${r.section.number}`));
    expect(numbers({ ...NO_FILTER, status: "open" })).toEqual(["§1", "1.2", "§2.2", "2.2.1"]);
    expect(numbers({ ...NO_FILTER, owner: "ana" })).toEqual(["§1", "1.1", "§2.2", "2.2.1"]);
    expect(numbers({ ...NO_FILTER, owner: "-" })).toEqual(["§1", "1.2"]);
    expect(numbers({ ...NO_FILTER, text: "BACKUP" })).toEqual(["§2", "2.1"]);
    expect(numbers({ ...NO_FILTER, text: "2.2.1" })).toEqual(["§2.2", "2.2.1"]);
    expect(numbers({ status: "done", owner: "ben", text: "" })).toEqual([]);
    expect(owners(sample())).toEqual(["ana", "Ana", "ben"]);
  });

  it("adds run headers when a release has several checklists", () => {
    const v = view([[section("1", "A", [item("1.1", "x")])], [section("1", "B", [item("1.1", "y")])]]);
    const rows = flatten(v, NO_FILTER);
    expect(rows.filter((r) => r.kind === "run").length).toBe(2);
    const addresses = rows.filter((r) => r.kind === "item").map((r) => (r.kind === "item" ? r.address : ""));
    expect(addresses).toEqual(["t0:1.1", "t1:1.1"]);
  });

  it("steps between item rows, skipping headers and stopping at the ends", () => {
    const rows = flatten(sample(), NO_FILTER);
    expect(step(rows, 0, 1)).toBe(1);
    expect(step(rows, 3, 1)).toBe(5);
    expect(step(rows, 5, -1)).toBe(3);
    expect(step(rows, 7, 1)).toBe(7);
    expect(step(rows, 1, -1)).toBe(1);
  });

  it("queues open and blocked items for the meeting", () => {
    expect(meetingQueue(sample()).map((q) => q.item.number)).toEqual(["1.2", "1.2.1", "2.2.1"]);
  });
});

describe("empty sections", () => {
  // §1 has items; §2 only a sub-section with items; §3 nothing; §4 only an empty sub-section.
  function outline(): ReleaseView {
    return view([
      [
        section("1", "Items", [item("1.1", "a")]),
        section("2", "Parent", [], [section("2.1", "Child", [item("2.1.1", "b", "done")])]),
        section("3", "Prose only", []),
        section("4", "Hollow", [], [section("4.1", "Hollow child", [])]),
      ],
    ]);
  }
  const shown = (rows: ReturnType<typeof flatten>) => rows.filter((r) => r.kind === "section").map((r) => (r.kind === "section" ? r.section.number : ""));

  it("hides sections with no items, and keeps parents of sections with items", () => {
    expect(shown(flatten(outline(), NO_FILTER))).toEqual(["1", "2", "2.1"]);
    expect(emptySections(outline())).toBe(3);
    expect(emptySections(sample())).toBe(0);
  });

  it("shows them on request, in outline order", () => {
    expect(shown(flatten(outline(), NO_FILTER, { emptySections: true }))).toEqual(["1", "2", "2.1", "3", "4", "4.1"]);
  });

  it("never shows them while filtering: they match nothing", () => {
    expect(shown(flatten(outline(), { ...NO_FILTER, status: "open" }, { emptySections: true }))).toEqual(["1"]);
  });

  it("labels a section without items 'no items', never 100% 0/0", () => {
    expect(progressLabel(zero)).toEqual({ percent: null, count: "no items" });
    expect(progressLabel({ total: 5, done: 1, not_applicable: 1, blocked: 1, open: 2 })).toEqual({ percent: "40%", count: "2/5" });
    expect(progressLabel({ total: 2, done: 2, not_applicable: 0, blocked: 0, open: 0 })).toEqual({ percent: "100%", count: "2/2" });
  });
});

describe("avatar initials", () => {
  it("takes the first letters of the first and last names", () => {
    expect(initials("Dana Noor")).toBe("DN");
    expect(initials("  ana maría  ruiz ")).toBe("AR");
    expect(initials("madonna")).toBe("M");
    expect(initials("")).toBe("?");
    expect(initials("Émile Zola")).toBe("ÉZ");
  });

  it("keeps Arabic-script initials apart", () => {
    expect(initials("سارا رحیمی")).toBe("س\u200Cر");
  });
});

describe("keyboard map", () => {
  it("maps the documented keys", () => {
    const map: Record<string, string> = { j: "down", k: "up", ArrowDown: "down", x: "done", n: "na", b: "blocked", o: "owner", e: "evidence", "/": "search", "?": "help", Enter: "open", m: "meeting", Escape: "escape", u: "reopen", c: "note", s: "sync" };
    for (const [key, action] of Object.entries(map)) expect(keyAction({ key })).toBe(action);
    expect(keyAction({ key: "q" })).toBeNull();
  });

  it("leaves typing and browser shortcuts alone", () => {
    expect(keyAction({ key: "x", inField: true })).toBeNull();
    expect(keyAction({ key: "Escape", inField: true })).toBe("escape");
    expect(keyAction({ key: "j", ctrlKey: true })).toBeNull();
    expect(keyAction({ key: "k", metaKey: true })).toBeNull();
  });
});

describe("virtual window and links", () => {
  it("renders only the visible slice of 10k rows", () => {
    const w = windowOf(40_000, 800, 40, 10_000, 8);
    expect(w.first).toBe(992);
    expect(w.last).toBe(1028);
    expect(w.offset).toBe(992 * 40);
    expect(w.total).toBe(400_000);
    expect(windowOf(0, 800, 40, 5).last).toBe(5);
  });

  it("only http(s) and mailto are links", () => {
    expect(isSafeLink("https://ci.example/run/81")).toBe(true);
    expect(isSafeLink("mailto:ana@example.com")).toBe(true);
    expect(isSafeLink("javascript:alert(1)")).toBe(false);
    expect(isSafeLink("JIRA-123")).toBe(false);
    expect(isSafeLink("file:///etc/passwd")).toBe(false);
  });

  it("a link needs a host or an address, as in signet-core", () => {
    for (const link of ["HTTP://CI.EXAMPLE", "https://ci.example:8443/x?y#z", "https://ci.example:/x", "http://[::1]:8080/",
      "http://10.0.0.7/", "https://bücher.example/", " https://ci.example/run/81 ", "mailto:qa@example.com?subject=v2.4.0",
      "mailto:qa@example.com,ops@example.com"]) {
      expect(isSafeLink(link), link).toBe(true);
    }
    for (const text of ["https://", "http:///path", "https://:443/", "https://user@/x", "https:ci.example",
      "https://ci example/", "https://ci.example:https/", "mailto:", "mailto:@example.com", "mailto:qa",
      "note: https://ci.example", "not a url"]) {
      expect(isSafeLink(text), text).toBe(false);
    }
  });

  it("a link goes where it reads, as in signet-core", () => {
    for (const text of [
      // user@ before the host, and `\` that browsers read as `/`: both go to evil.example.
      "https://user@ci.example:8443/x?y#z", "https://good.example@evil.example/", "https://evil.example\\@good.example/",
      "https://ci.example\\path",
      // A host of escapes, or of characters a browser rewrites.
      "https://%20", "https://%00/x", "https://ci%2Eexample/", "https://ci_example/", "https://-/", "http://[]/",
      "http://[::1/", "http://[::1]x/", "https://ci.example:65536/", "https://ci.example:+80/",
      // Bidirectional, invisible and control characters, and spaces.
      "https://ci.example/\u202Efdp.exe", "https://ci.example/\u200E", "https://ci.example/\u2067",
      "https://ci.\u200Bexample/", "https://ci.example/a\u00A0b", "https://ci.example/\tx", "https://ci.example/a b",
      "https://ci.example/\uFEFF",
      "mailto:%20@%20", "mailto:%20@ci.example", "mailto:qa@ci.example,", "mailto:qa@\u202Eexample.com",
      "mailto:qa@example.com\\x",
    ]) {
      expect(isSafeLink(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe("findItem", () => {
  it("finds nested items by template and number", () => {
    const v = sample();
    expect(findItem(v, "t0:1.2.1")?.item.plain).toBe("EU text");
    expect(findItem(v, "t0:2.2.1")?.section.number).toBe("2.2");
    expect(findItem(v, "t0:9.9")).toBeNull();
    expect(findItem(v, "nope:1.1")).toBeNull();
  });
});

describe("escapeCloses", () => {
  it("closes on Escape only and keeps the key from the page", () => {
    let closed = 0;
    const handler = escapeCloses(() => closed++);
    const key = (k: string) => {
      const e = { key: k, prevented: false, stopped: false, preventDefault() { this.prevented = true; }, stopPropagation() { this.stopped = true; } };
      handler(e as unknown as KeyboardEvent);
      return e;
    };
    const other = key("x");
    expect(closed).toBe(0);
    expect(other.prevented).toBe(false);
    const esc = key("Escape");
    expect(closed).toBe(1);
    expect(esc.prevented && esc.stopped).toBe(true);
  });
});

describe("outdatedRuns", () => {
  it("lists runs behind the newest version in the library", () => {
    const v = sample();
    const slug = v.runs[0].template.slug;
    const version = v.runs[0].template.version;
    expect(outdatedRuns(v, [{ slug, version }])).toEqual([]);
    expect(outdatedRuns(v, [{ slug, version }, { slug, version: version + 2 }, { slug: "other", version: 9 }])).toEqual([
      { slug, title: v.runs[0].template.title, from: version, to: version + 2 },
    ]);
  });
});

describe("upgrade preview wording", () => {
  it("says the counts as the CLI does", () => {
    expect(upgradeSummary({ kept: 1, reworded: 2, moved: 1, removed: 3, added: 3 })).toBe(
      "1 unchanged, 2 reworded (kept state), 1 moved (kept state), 3 removed, 3 added",
    );
    expect(statusLabel("not_applicable")).toBe("n/a");
  });
  it("warns of work a removal ends: a status, an owner, notes or evidence", () => {
    expect(hasWork("open")).toBe(false);
    expect(hasWork("open", item("1", "a"))).toBe(false);
    expect(hasWork("blocked")).toBe(true);
    expect(hasWork("open", item("1", "a", "open", "ana"))).toBe(true);
    expect(hasWork("open", { ...item("1", "a"), notes: "asked legal" })).toBe(true);
    expect(hasWork("open", { ...item("1", "a"), evidence: [{ target: "https://ci.example/1" } as never] })).toBe(true);
  });
});
