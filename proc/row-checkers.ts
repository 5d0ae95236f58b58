/**
 * Checkers on rows, for systems that do not show their manifests (LanceDB), and as a second
 * opinion on lancet's own runs: what a user would check by counting.
 *
 * - acked-rows-present: every acknowledged append's rows are in the final table, exactly once;
 * - no-duplicate-rows: no `(writer, op, row)` appears twice;
 * - no-read-errors: on a store that keeps its promises a read never fails.
 * Writers' operation ids are their op indices (each write is begun once, across restarts).
 */
import type { Scenario } from "../scenarios/scenario.js";
import type { Violation } from "../sim/checkers.js";
import type { HistoryEvent } from "../sim/history.js";

/** Rows of the final table as `(writer, op, row)`. */
export type RowTriple = readonly [writer: number, op: number, row: number];

/** Violations of the row-level promises. */
export function checkRows(
  scenario: Scenario,
  history: readonly HistoryEvent[],
  rows: readonly RowTriple[],
): Violation[] {
  const counts = new Map<string, number>();
  for (const [w, op, row] of rows) {
    const key = `${w}/${op}/${row}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const out: Violation[] = [];
  history.forEach((event, index) => {
    if (event.type === "fail" && event.op === "read") {
      out.push({
        checker: "no-read-errors",
        message: `${event.actor}'s read failed: ${event.error.kind}: ${event.error.message}`,
        events: [index],
      });
    }
    if (event.type !== "ok" || event.op !== "append" || !event.actor.startsWith("w")) return;
    const writer = Number(event.actor.slice(1));
    const op = scenario.writers[writer]?.ops[event.opId];
    if (op === undefined || !("rows" in op)) return;
    for (let row = 0; row < op.rows; row++) {
      const found = counts.get(`${writer}/${event.opId}/${row}`) ?? 0;
      if (found === 1) continue;
      out.push({
        checker: found === 0 ? "acked-rows-present" : "no-duplicate-rows",
        message:
          found === 0
            ? `${event.actor}'s append #${event.opId} was acknowledged (version ${event.version}) but its rows are not in the table: the commit was lost`
            : `${event.actor}'s append #${event.opId} is in the table ${found} times`,
        events: [index],
      });
      break;
    }
  });
  for (const [key, n] of counts) {
    if (n > 1 && !out.some((v) => v.checker === "no-duplicate-rows"))
      out.push({
        checker: "no-duplicate-rows",
        message: `row ${key} is in the table ${n} times`,
        events: [],
      });
  }
  return out;
}
