/**
 * The Markdown report, for a CI job summary: a verdict table, then each failure with its
 * violation, its minimal scenario, its timeline and the command that replays it.
 */

import type { Scenario } from "../scenarios/scenario.js";
import type { ScenarioResult } from "../sim/explore.js";
import { formatTimeline } from "./timeline.js";

/** Build the Markdown report of `results`. */
export function markdownReport(
  results: readonly ScenarioResult[],
  context: { store: string; scheduler: string; replayFiles?: ReadonlyMap<string, string> },
): string {
  const ok = results.every((r) => r.matchesExpectation);
  const lines = [
    `# lancet: ${ok ? "all verdicts as expected" : "UNEXPECTED VERDICT"}`,
    "",
    `Store \`${context.store}\`, scheduler \`${context.scheduler}\`.`,
    "",
    "| scenario | strategy | expected | verdict | seeds | commits acked | commits failed | reads checked | crashes | other faults | |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ...results.map((r) => {
      const t = r.totals;
      const mark = r.matchesExpectation ? "as expected" : "**MISMATCH**";
      return `| \`${r.scenario.name}\` | ${r.scenario.commitStrategy} | ${r.expected} | ${r.verdict} | ${r.seedsRun} | ${t.commitsAcknowledged} | ${t.commitsFailed} | ${t.readsChecked} | ${t.crashes} | ${t.faults} | ${mark} |`;
    }),
  ];
  for (const r of results) {
    if (r.failure === undefined) continue;
    const { minimal } = r.failure;
    const first = minimal.run.violations[0];
    lines.push(
      "",
      `## \`${r.scenario.name}\`: ${first?.checker ?? "violation"} (seed ${r.failure.seed})`,
      "",
      `> ${r.failure.violations[0]?.message ?? ""}`,
      "",
      `Shrunk to ${describeShape(minimal.scenario)}, seed ${minimal.run.seed} (${minimal.runsSpent} runs spent shrinking):`,
      "",
      `> ${first?.message ?? ""}`,
      "",
      "```",
      ...formatTimeline(minimal.run.history, { highlight: first?.events ?? [] }),
      "```",
    );
    const replayFile = context.replayFiles?.get(r.scenario.name);
    if (replayFile !== undefined) lines.push("", `Replay: \`lancet replay ${replayFile}\``);
  }
  return `${lines.join("\n")}\n`;
}

/** "2 writers (1 + 1 writes), 0 readers" */
export function describeShape(s: Scenario): string {
  const writes = s.writers.map((w) => w.ops.length).join(" + ");
  const reads = s.readers.map((r) => r.reads).join(" + ");
  return `${s.writers.length} writer${s.writers.length === 1 ? "" : "s"} (${writes} writes), ${s.readers.length} reader${s.readers.length === 1 ? "" : "s"}${s.readers.length ? ` (${reads} reads)` : ""}`;
}
