/**
 * Multi-process runs as one Markdown table: the same scenario on lancet and on LanceDB side by
 * side, one row per run, with what was checked and what was found.
 */
import type { ProcessRunResult } from "../proc/runner.js";

/** A Markdown report of process runs. */
export function processesMarkdown(results: readonly ProcessRunResult[]): string {
  const unexpected = results.filter(
    (r) => r.scenario.expected === "safe" && r.verdict === "unsafe",
  );
  const lines = [
    `# lancet processes: ${unexpected.length === 0 ? "no promise broken where one was expected to hold" : `${unexpected.length} run(s) broke a promise`}`,
    "",
    "| scenario | target | store | verdict | acked | failed | reads | kills | final version | rows | violations |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
  ];
  const order = [...results].sort(
    (a, b) => a.scenario.name.localeCompare(b.scenario.name) || a.store.localeCompare(b.store),
  );
  for (const r of order) {
    const s = r.stats;
    const counts = new Map<string, number>();
    for (const v of r.violations) counts.set(v.checker, (counts.get(v.checker) ?? 0) + 1);
    const found = [...counts].map(([checker, n]) => `${checker} x${n}`).join(", ") || "none";
    lines.push(
      `| \`${r.scenario.name}\` | ${r.target} | \`${r.store}\` | ${r.verdict} | ${s.commitsAcknowledged} | ${s.commitsFailed} | ${s.readsChecked} | ${s.kills} | ${s.finalVersion} | ${s.rowsInTable} | ${found} |`,
    );
  }
  lines.push(
    "",
    "Real runs sample interleavings; they do not explore them. A violation is a finding; a run that shows none is not a proof.",
    "",
  );
  return lines.join("\n");
}
