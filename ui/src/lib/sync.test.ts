import { describe, expect, it } from "vitest";
import type { Conflict, SyncOutcome, SyncStatus } from "./api";
import { ago, autoSyncKey, readableTimes, broughtChanges, conflictText, conflictsByRow, syncLines, syncProblems, syncProblemsHeading } from "./sync";

const NOW = Date.parse("2026-11-27T12:00:00Z");

function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return { remote: null, last_sync_at: null, last_summary: null, device_owner: null, person: "ana", has_key: true, unpublished: 0, conflicts: [], ...over };
}

function outcome(over: Partial<SyncOutcome> = {}): SyncOutcome {
  return { remote: "/r.git", published: 0, not_pushed: 0, received: 0, changes: [], held: [], refused: [], pushed: [], rejected: [], conflicts: [], ...over };
}

const conflict: Conflict = { release: "r1", template: "launch", key: "k1", number: "1.2", field: "status", kept: "done by ana at 2026-11-27T10:00:00Z", lost: "blocked by bo at 2026-11-27T10:01:00Z" };

describe("relative time", () => {
  it("says minutes, hours and days", () => {
    expect(ago("2026-11-27T11:59:50Z", NOW)).toBe("just now");
    expect(ago("2026-11-27T11:58:00Z", NOW)).toBe("2 min ago");
    expect(ago("2026-11-27T09:00:00Z", NOW)).toBe("3 h ago");
    expect(ago("2026-11-26T11:00:00Z", NOW)).toBe("yesterday");
    expect(ago("2026-11-20T12:00:00Z", NOW)).toBe("7 days ago");
  });

  it("a clock behind the stored time reads as just now; an unreadable time is shown as is", () => {
    expect(ago("2026-11-27T12:05:00Z", NOW)).toBe("just now");
    expect(ago("yesterday-ish", NOW)).toBe("yesterday-ish");
  });
});

describe("status line", () => {
  it("never synced", () => {
    expect(syncLines(status(), NOW)).toEqual({ last: "Never synced", pending: null });
  });

  it("when and what the last sync did, and what waits", () => {
    const st = status({ remote: "/r.git", last_sync_at: "2026-11-27T11:58:00Z", last_summary: "3 in, 1 out, 0 conflicts", unpublished: 2 });
    expect(syncLines(st, NOW)).toEqual({ last: "Synced 2 min ago · 3 in, 1 out, 0 conflicts", pending: "2 changes not yet synced" });
    expect(syncLines({ ...st, unpublished: 1 }, NOW).pending).toBe("1 change not yet synced");
  });
});

describe("conflicts", () => {
  it("are keyed like the release page's rows, for the open release only", () => {
    const m = conflictsByRow([conflict, { ...conflict, field: "owner" }, { ...conflict, release: "r2" }], "r1");
    expect([...m.keys()]).toEqual(["launch:k1"]);
    expect(m.get("launch:k1")?.map((c) => c.field)).toEqual(["status", "owner"]);
  });

  it("say what was kept, what else was set, and how to settle", () => {
    expect(conflictText(conflict)).toBe("status: kept done by ana at 2026-11-27 10:00:00 UTC; also set blocked by bo at 2026-11-27 10:01:00 UTC — tick again to settle");
  });
});

it("shows times as the item panel does", () => {
  expect(readableTimes("— by bo at 2026-11-27T10:01:00Z")).toBe("— by bo at 2026-11-27 10:01:00 UTC");
  expect(readableTimes("done by ana")).toBe("done by ana");
});

describe("outcome", () => {
  it("reloads the release only when something came in", () => {
    expect(broughtChanges(outcome({ published: 3 }))).toBe(false);
    expect(broughtChanges(outcome({ received: 1, changes: ["bo ticked 1.1"] }))).toBe(true);
    expect(broughtChanges(outcome({ conflicts: [conflict] }))).toBe(true);
  });

  it("names refused history and this device's refused push, not other devices' refs that come next time", () => {
    const o = outcome({ refused: ["device 12ab: bad signature"], rejected: ["device 34cd: fetch first (the remote has more of its changes; they come in next sync)", "this device's changes: non-fast-forward"] });
    expect(syncProblems(o)).toEqual(["Refused: device 12ab: bad signature", "Not pushed: this device's changes: non-fast-forward"]);
    expect(syncProblems(outcome())).toEqual([]);
    expect(syncProblemsHeading(o)).toMatch(/^Some history was refused/);
    const own = outcome({ refused: ["the remote's copy of this device's changes (ab12) is not what this device published; it will not be pushed over"], rejected: ["this device's changes: non-fast-forward"] });
    expect(syncProblemsHeading(own)).toBe("Your changes were not pushed: they stay here and go out with a later sync.");
  });
});

it("keeps the auto-sync switch per database", () => {
  expect(autoSyncKey("/a/signet.db")).not.toBe(autoSyncKey("/b/signet.db"));
});
