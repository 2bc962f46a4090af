// How the release page and the sign-off dialog word a gate verdict. The
// verdict arrives as data (signet_core::gate::Verdict): who signed in which
// role, and each finding's kind, so nothing here parses a sentence back.

import type { Approver } from "../bindings/Approver";
import type { Finding } from "../bindings/Finding";

/** "Ana Ruiz (Tech lead), Bo Li (QA)". */
export function signedBy(approvers: Approver[]): string {
  return approvers.map((a) => `${a.name} (${a.role})`).join(", ");
}

/** "ana, Tech lead, signed 2026-11-20T10:00:00Z": the hover text of a signer. */
export function approverDetail(a: Approver): string {
  return `${a.handle}, ${a.role}, signed ${a.signed_at}`;
}

/** Whether `handle` has a valid signature on the frozen revision. */
export function hasSigned(approvers: Approver[], handle: string): boolean {
  return approvers.some((a) => a.handle === handle);
}

/** One warning or reason in words; an override names its approver and reason. */
export function findingText(f: Finding): string {
  const a = f.about;
  if (a.kind === "override") {
    const who = a.by_name ? `${a.by_name}${a.role ? ` (${a.role})` : ""}` : a.by;
    const items = a.open === 1 ? "1 item was open" : `${a.open} items were open`;
    return `Signed off with an override by ${who}: “${a.reason}” — ${items}.`;
  }
  return f.message.charAt(0).toUpperCase() + f.message.slice(1) + ".";
}

/** Whether the sign-off was forced past open items. */
export function overridden(warnings: Finding[]): boolean {
  return warnings.some((w) => w.about.kind === "override");
}
