/**
 * Qualification reports: the capability table and the strategy verdicts, as text for a
 * terminal and as Markdown for a CI summary. Pure functions of a {@link QualificationReport}.
 */
import type { QualificationReport } from "../stores/qualify.js";

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** Lines for a terminal. */
export function formatQualification(report: QualificationReport): string[] {
  const lines = [
    `qualification of ${report.store}`,
    "",
    "  capability          claimed  observed  evidence",
  ];
  for (const c of report.capabilities) {
    const mark = c.claimed && !c.observed ? "  << CLAIM VIOLATED" : "";
    lines.push(
      `  ${c.capability.padEnd(18)}  ${yesNo(c.claimed).padEnd(7)}  ${yesNo(c.observed).padEnd(8)}  ${c.evidence.join("; ")}${mark}`,
    );
  }
  lines.push("", "  commit strategy     use for             why");
  for (const s of report.strategies)
    lines.push(`  ${s.strategy.padEnd(18)}  ${s.use.padEnd(18)}  ${s.reason}`);
  lines.push("", `  verdict: ${describeVerdict(report)}`);
  return lines;
}

/** The report as Markdown. */
export function qualificationMarkdown(report: QualificationReport): string {
  const lines = [
    `# lancet qualify: ${report.verdict}`,
    "",
    `Store \`${report.store}\`: ${describeVerdict(report)}`,
    "",
    "| capability | claimed | observed | evidence |",
    "|---|---|---|---|",
    ...report.capabilities.map(
      (c) =>
        `| ${c.capability} | ${yesNo(c.claimed)} | ${c.claimed && !c.observed ? "**no**" : yesNo(c.observed)} | ${c.evidence.join("<br>")} |`,
    ),
    "",
    "| commit strategy | use for | why |",
    "|---|---|---|",
    ...report.strategies.map((s) => `| ${s.strategy} | ${s.use} | ${s.reason} |`),
  ];
  return `${lines.join("\n")}\n`;
}

function describeVerdict(report: QualificationReport): string {
  const safe = report.strategies
    .filter((s) => s.use === "several writers" && s.strategy !== "externalStore")
    .map((s) => s.strategy);
  switch (report.verdict) {
    case "ok":
      return `claims hold; for several writers use ${safe.join(" or ")}`;
    case "violates-claims":
      return `the store claims ${report.claimViolations.join(", ")} but does not honour it: do not trust its conditional writes${safe.length ? `; safe: ${safe.join(", ")}` : "; several writers need an external commit store"}`;
    case "no-safe-strategy":
      return "no store-native strategy is safe for several writers: use one writer, or an external commit store";
  }
}
