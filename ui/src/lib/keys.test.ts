import { describe, expect, it } from "vitest";
import type { LockedKey } from "../bindings/LockedKey";
import { newPasswordProblem, unlockDetail, unlockTitle } from "./keys";

const ana: LockedKey = { handle: "ana", name: "Ana Ruiz", key_id: "3F1C2B8E9A0D4C11", file: null, wrong_password: false };

describe("the unlock prompt", () => {
  it("names whose key and which", () => {
    expect(unlockTitle(ana)).toBe("Unlock Ana Ruiz’s signing key");
    expect(unlockDetail(ana)).toBe("Key 3F1C2B8E9A0D4C11 · @ana");
    expect(unlockDetail({ ...ana, key_id: null })).toBe("@ana");
  });

  it("names the file being imported and whose it will be", () => {
    const file = { ...ana, key_id: null, file: "minisign.key" };
    expect(unlockTitle(file)).toBe("Unlock minisign.key");
    expect(unlockDetail(file)).toBe("to use it as Ana Ruiz’s signing key (@ana)");
  });
});

describe("a new key's password", () => {
  it("must be typed twice the same", () => {
    expect(newPasswordProblem("", "", false)).toMatch(/Choose a password/);
    expect(newPasswordProblem("correct horse", "", false)).toMatch(/again/);
    expect(newPasswordProblem("correct horse", "correct hose", false)).toMatch(/not the same/);
    expect(newPasswordProblem("correct horse", "correct horse", false)).toBeNull();
  });

  it("is not asked for when no password was chosen", () => {
    expect(newPasswordProblem("", "", true)).toBeNull();
  });
});
