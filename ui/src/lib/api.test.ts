import { describe, expect, it } from "vitest";
import { errorText } from "./api";

describe("errorText", () => {
  it("says where the problem is, once", () => {
    expect(errorText({ kind: "Remote", message: "the remote refused the push", where: "/mnt/usb/team.git", locked: null }))
      .toBe("/mnt/usb/team.git: the remote refused the push");
    // A message that names its file already is not prefixed again.
    expect(errorText({ kind: "Input", message: "notes.md:3: not valid UTF-8", where: "notes.md:3", locked: null }))
      .toBe("notes.md:3: not valid UTF-8");
    expect(errorText({ kind: "Refused", message: "nothing to export", where: null, locked: null })).toBe("nothing to export");
    expect(errorText("plain")).toBe("plain");
  });
});
