/**
 * The machine-readable report: every scenario result of one invocation, as versioned JSON.
 * A pure function of the results.
 */

import type { ScenarioResult } from "../sim/explore.js";
import { hashHistory } from "../sim/history.js";

/** Format of JSON reports written by this build. */
export const REPORT_FORMAT_VERSION = 1;

/** The JSON report document. */
export interface JsonReport {
  readonly formatVersion: number;
  readonly tool: "lancet";
  readonly store: string;
  readonly scheduler: string;
  /** True when every scenario's verdict matched its expectation. */
  readonly ok: boolean;
  readonly results: readonly (ScenarioResult & { readonly minimalHistoryHash?: string })[];
}

/** Build the JSON report of `results`. */
export function jsonReport(
  results: readonly ScenarioResult[],
  context: { store: string; scheduler: string },
): JsonReport {
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    tool: "lancet",
    store: context.store,
    scheduler: context.scheduler,
    ok: results.every((r) => r.matchesExpectation),
    results: results.map((r) =>
      r.failure === undefined
        ? r
        : { ...r, minimalHistoryHash: hashHistory(r.failure.minimal.run.history) },
    ),
  };
}
