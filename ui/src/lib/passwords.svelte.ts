// The key password dialog's controller: one dialog (KeyPassword.svelte,
// mounted by App) that any view opens by calling `withPassword` (unlock a
// key a command said is locked) or `withNewPassword` (protect a new key).
// The password goes from the dialog's field straight into the command and
// is kept nowhere here; the Rust side keeps the unlocked key for the
// session, so a second sign-off does not ask again.

import type { LockedKey } from "../bindings/LockedKey";
import { errorText, lockedKey } from "./api";
import { WRONG_PASSWORD } from "./keys";

export type KeyDialog =
  | { mode: "unlock"; locked: LockedKey; error: string | null; busy: boolean }
  | { mode: "new"; name: string; handle: string; error: string | null; busy: boolean };

/** The open dialog, if any. */
export const keyDialog = $state({ current: null as KeyDialog | null });

let answer: ((password: string | null) => Promise<void>) | null = null;
let cancel: (() => void) | null = null;

/**
 * Runs `run` without a password; when the command says the key is locked,
 * asks for its password and runs it again with it — again after a wrong
 * one, on the prompt — until it runs or the prompt is cancelled (then
 * null: the command did nothing). Other errors are thrown as they are.
 */
export async function withPassword<T>(run: (password: string | null) => Promise<T>): Promise<T | null> {
  try {
    return await run(null);
  } catch (e) {
    const locked = lockedKey(e);
    if (!locked) throw e;
    return ask({ mode: "unlock", locked, error: null, busy: false }, run);
  }
}

/**
 * Asks for a new key's password (typed twice, or the explicit "no password"
 * choice: null) and runs `run` with it; a refusal (too short…) shows on the
 * dialog. Null when cancelled: no key was made.
 */
export function withNewPassword<T>(who: { name: string; handle: string }, run: (password: string | null) => Promise<T>): Promise<T | null> {
  return ask({ mode: "new", name: who.name, handle: who.handle, error: null, busy: false }, run);
}

function ask<T>(dialog: KeyDialog, run: (password: string | null) => Promise<T>): Promise<T | null> {
  // One dialog at a time: a second asker finds the first cancelled.
  cancel?.();
  return new Promise<T | null>((resolve, reject) => {
    keyDialog.current = dialog;
    const close = () => {
      keyDialog.current = null;
      answer = cancel = null;
    };
    answer = async (password) => {
      const d = keyDialog.current;
      if (!d || d.busy) return;
      d.busy = true;
      d.error = null;
      try {
        const out = await run(password);
        close();
        resolve(out);
      } catch (e) {
        const locked = lockedKey(e);
        if (d.mode === "unlock" && locked) {
          d.locked = locked;
          d.error = locked.wrong_password ? WRONG_PASSWORD : errorText(e);
        } else if (d.mode === "new") {
          d.error = errorText(e);
        } else {
          close();
          reject(e);
          return;
        }
        d.busy = false;
      }
    };
    cancel = () => {
      // Not while a try runs: it may be signing already.
      if (keyDialog.current?.busy) return;
      close();
      resolve(null);
    };
  });
}

/** The dialog's submit: a password, or null for "no password" (new keys only). */
export function answerKeyDialog(password: string | null): void {
  void answer?.(password);
}

export function cancelKeyDialog(): void {
  cancel?.();
}
