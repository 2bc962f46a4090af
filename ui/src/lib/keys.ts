// What the key password dialog says, with no DOM and no IPC. Unit-tested.

import type { LockedKey } from "../bindings/LockedKey";

/** "Unlock Ana Ruiz's signing key", or for a key file being imported "Unlock ana.key". */
export function unlockTitle(l: LockedKey): string {
  return l.file ? `Unlock ${l.file}` : `Unlock ${l.name}’s signing key`;
}

/** The line under the title: which key (its id, whose handle), or whose a file will be. */
export function unlockDetail(l: LockedKey): string {
  if (l.file) return `to use it as ${l.name}’s signing key (@${l.handle})`;
  return l.key_id ? `Key ${l.key_id} · @${l.handle}` : `@${l.handle}`;
}

/** Shown on the prompt after a wrong password (nothing was done with it). */
export const WRONG_PASSWORD = "Wrong password — nothing was signed or changed. Try again.";

/**
 * Why a new key's password cannot be used yet, or null. The length rule is
 * the Rust side's (its refusal shows on the dialog); this only checks what
 * never reaches it: an empty field and a confirmation that differs.
 */
export function newPasswordProblem(password: string, again: string, none: boolean): string | null {
  if (none) return null;
  if (password === "") return "Choose a password, or choose no password.";
  if (again === "") return "Type the password again to confirm it.";
  if (password !== again) return "The two passwords are not the same.";
  return null;
}
