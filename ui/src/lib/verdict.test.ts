import { describe, expect, it } from "vitest";
import type { Approver } from "../bindings/Approver";
import type { Finding } from "../bindings/Finding";
import { findingText, hasSigned, overridden, signedBy } from "./verdict";
import { keysOff, mayReload, type Modal } from "./modal";

const ana: Approver = { handle: "ana", name: "Ana Ruiz", role: "Tech lead", signed_at: "2026-11-20T10:00:00Z" };
const bo: Approver = { handle: "bo", name: "Bo Li", role: "QA", signed_at: "2026-11-20T11:00:00Z" };

describe("verdict", () => {
  it("names signers by name and role, and knows who signed by handle", () => {
    expect(signedBy([ana, bo])).toBe("Ana Ruiz (Tech lead), Bo Li (QA)");
    expect(hasSigned([ana, bo], "bo")).toBe(true);
    // A handle that is a prefix of another's is not theirs.
    expect(hasSigned([{ ...ana, handle: "anab" }], "ana")).toBe(false);
  });

  it("words an override by the approver who made it, with the reason", () => {
    const f: Finding = {
      message: "signed off with an override (2 open items): pen test moved to 2.5",
      about: { kind: "override", by: "ana", by_name: "Ana Ruiz", role: "Tech lead", reason: "pen test moved to 2.5", open: 2 },
    };
    expect(findingText(f)).toBe("Signed off with an override by Ana Ruiz (Tech lead): “pen test moved to 2.5” — 2 items were open.");
    // Reports frozen before the override named its approver hold only a handle.
    const old: Finding = { ...f, about: { ...f.about, by_name: null, role: null, open: 1 } as Finding["about"] };
    expect(findingText(old)).toBe("Signed off with an override by ana: “pen test moved to 2.5” — 1 item was open.");
    expect(overridden([f])).toBe(true);
  });

  it("shows other findings as their sentence", () => {
    const f: Finding = { message: "missing approver: bo has not signed revision 1", about: { kind: "missing_approver", handle: "bo" } };
    expect(findingText(f)).toBe("Missing approver: bo has not signed revision 1.");
    expect(overridden([f])).toBe(false);
  });
});

describe("modal", () => {
  const item = {} as never;
  const every: Modal[] = [
    { kind: "ask", ask: "note", address: "1.1", item },
    { kind: "meeting" }, { kind: "signoff" }, { kind: "export" }, { kind: "reopen" },
    { kind: "upgrade", slug: "s", title: "S" },
  ];

  it("turns the page's keys off under every modal but the shortcut sheet", () => {
    for (const m of every) expect(keysOff(m, false), m.kind).toBe(true);
    expect(keysOff({ kind: "help" }, false)).toBe(false);
    expect(keysOff(null, false)).toBe(false);
    expect(keysOff(null, true)).toBe(true);
  });

  it("re-reads on focus only with no modal holding input, and not during a sync", () => {
    // The reopen prompt was once forgotten here: every modal is covered now.
    for (const m of every) expect(mayReload(m, false), m.kind).toBe(false);
    expect(mayReload(null, false)).toBe(true);
    expect(mayReload({ kind: "help" }, false)).toBe(true);
    expect(mayReload(null, true)).toBe(false);
  });
});
