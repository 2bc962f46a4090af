// The export dialog's comparison choice, as the command takes it.

import type { Compare } from "../bindings/Compare";
import type { CompareChoices } from "../bindings/CompareChoices";

/** Where the dialog's choice starts: core's pick (the previous release), or "" for none. */
export function defaultBase(choices: CompareChoices): string {
  return choices.frozen ? "" : (choices.earlier[0]?.name ?? "");
}

/**
 * What to ask core for, given the base chosen ("" for none). Core's own
 * pick is sent as "previous", as `signet export` without `--compare` asks;
 * a signed report always gets the comparison it was signed with.
 */
export function compareRequest(choices: CompareChoices | null, base: string): Compare {
  if (!choices || choices.frozen) return "previous";
  if (base === "") return "nothing";
  return base === choices.earlier[0]?.name ? "previous" : { release: base };
}
