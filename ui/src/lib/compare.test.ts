import { describe, expect, it } from "vitest";
import type { CompareChoices } from "../bindings/CompareChoices";
import type { Release } from "../bindings/Release";
import { compareRequest, defaultBase } from "./compare";

function release(id: number, name: string): Release {
  return { id, name, due_date: null, status: "open", created_at: "2026-11-26T10:00:00Z" };
}

const draft: CompareChoices = { frozen: null, earlier: [release(2, "v2.3.0"), release(1, "v2.2.0")] };
const signed: CompareChoices = { frozen: { revision: 1, base: "v2.3.0", base_revision: 2 }, earlier: [] };

describe("the export dialog's comparison", () => {
  it("starts at the previous release and sends it as core's own pick", () => {
    expect(defaultBase(draft)).toBe("v2.3.0");
    expect(compareRequest(draft, "v2.3.0")).toBe("previous");
  });

  it("names an older release, or asks for none", () => {
    expect(compareRequest(draft, "v2.2.0")).toEqual({ release: "v2.2.0" });
    expect(compareRequest(draft, "")).toBe("nothing");
  });

  it("offers nothing without an earlier release, and never overrides a signed report's base", () => {
    const first: CompareChoices = { frozen: null, earlier: [] };
    expect(defaultBase(first)).toBe("");
    expect(compareRequest(first, "")).toBe("nothing");
    expect(defaultBase(signed)).toBe("");
    expect(compareRequest(signed, "")).toBe("previous");
    expect(compareRequest(signed, "v2.2.0")).toBe("previous");
    // Not loaded yet: whatever core picks.
    expect(compareRequest(null, "")).toBe("previous");
  });
});
