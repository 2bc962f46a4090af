import { describe, expect, it } from "vitest";
import { archivedCount, canRepair, changeSummary, dueText, libraryList, localToday } from "./home";
import type { TemplateInfo } from "../bindings/TemplateInfo";
import type { FileImport } from "../bindings/FileImport";

const t = (slug: string, version: number, archived = false): TemplateInfo => ({
  id: version * 10 + slug.length, slug, version, title: slug, source_name: `${slug}.md`, content_hash: "", imported_at: "",
  sections: 1, items: 1, metadata: [], approver_roles: [], archived,
});

describe("home", () => {
  it("says how far a due date is in words", () => {
    expect(dueText(-1)).toBe("overdue by 1 day");
    expect(dueText(-12)).toBe("overdue by 12 days");
    expect(dueText(0)).toBe("due today");
    expect(dueText(1)).toBe("due tomorrow");
    expect(dueText(9)).toBe("due in 9 days");
    expect(dueText(null)).toBe("no due date");
  });

  it("takes today from the local calendar, not UTC", () => {
    expect(localToday(new Date(2026, 0, 5, 23, 59))).toBe("2026-01-05");
  });

  it("sums up what a version changed", () => {
    const item = { number: "1", plain: "x" };
    expect(changeSummary(null)).toBe("first version");
    expect(changeSummary({ kept: 3, added: [], removed: [], changed: [], rewordings_compared: true })).toBe("no item changed");
    expect(
      changeSummary({
        kept: 1, added: [item, item], removed: [item], rewordings_compared: true,
        changed: [{ kind: "reworded", similarity: 800, old: item, new: item }, { kind: "moved", similarity: 1000, old: item, new: item }],
      }),
    ).toBe("2 added, 1 removed, 1 reworded, 1 moved");
  });

  it("lists each template once and archived ones only when asked", () => {
    const all = [t("a", 2), t("a", 1), t("b", 1, true)];
    expect(libraryList(all, false).map((x) => `${x.slug}@${x.version}`)).toEqual(["a@2"]);
    expect(libraryList(all, true).map((x) => `${x.slug}@${x.version}`)).toEqual(["a@2", "b@1"]);
    expect(archivedCount(all)).toBe(1);
  });

  it("offers a repair only for detected, unrepaired mojibake of a stored file", () => {
    const base: FileImport = {
      path: "/tmp/x.md", error: null,
      report: { file: "x.md", title: "X", sections: 1, items: 1, checked: 0, warnings: [{ line: 3, kind: "mojibake", message: "'‚Üí' looks like mojibake of '→'" }] },
      outcome: { status: "new", template: t("x", 1) },
    };
    expect(canRepair(base)).toBe(true);
    expect(canRepair({ ...base, outcome: null })).toBe(false);
    const repaired = { ...base, report: { ...base.report!, warnings: [{ line: 3, kind: "mojibake" as const, message: "repaired mojibake '‚Üí' → '→'" }] } };
    expect(canRepair(repaired)).toBe(false);
  });
});
