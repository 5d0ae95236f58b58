/**
 * The schedulers: PCT finds the narrow window of the unsafe strategy within a few seeds, DFS
 * enumerates every interleaving of a tiny scenario (fewer with state deduplication, same
 * verdict), fast-check shrinks a failing schedule, and every failure replays exactly.
 */
import { describe, expect, it } from "vitest";
import { findScenario } from "../../scenarios/catalog.js";
import { appends, type Scenario } from "../../scenarios/scenario.js";
import { exploreScenario } from "../../sim/explore.js";
import { hashHistory } from "../../sim/history.js";
import { SeededRandom } from "../../sim/random.js";
import { replay, replayFileOf } from "../../sim/replay.js";
import { runOnce } from "../../sim/run.js";
import { PctScheduler } from "../../sim/scheduler.js";
import { exploreDfs, exploreWithFastCheck } from "../../sim/search.js";
import { MemoryStore } from "../../stores/memory.js";

const makeStore = async () => new MemoryStore();
const pct = { kind: "pct", depth: 3, expectedSteps: 0 } as const;

/** Two writers, one append each, no readers: small enough to enumerate. */
function tiny(commitStrategy: Scenario["commitStrategy"]): Scenario {
  return {
    ...findScenario("multi-writer-conditional-put"),
    name: `tiny-${commitStrategy}`,
    expected: commitStrategy === "unsafe" ? "unsafe" : "safe",
    commitStrategy,
    writers: [{ ops: appends(1) }, { ops: appends(1) }],
    readers: [],
  };
}

describe("PCT", () => {
  it("runs the highest-priority actor and lowers it at a change point", () => {
    const scheduler = new PctScheduler(new SeededRandom(1), 2, 1);
    const candidates = [
      { actor: "a", method: "get", path: "x" },
      { actor: "b", method: "get", path: "x" },
    ];
    const first = scheduler.choose(candidates);
    // The only change point is step 0: whoever ran first now has the lowest priority.
    const second = scheduler.choose(candidates);
    expect(second).not.toBe(first);
    expect(scheduler.choose(candidates)).toBe(second);
  });

  it("is deterministic per seed", async () => {
    const scenario = findScenario("multi-writer-conditional-put");
    const a = await runOnce(scenario, 11, { makeStore, scheduler: pct });
    const b = await runOnce(scenario, 11, { makeStore, scheduler: pct });
    expect(hashHistory(a.history)).toBe(hashHistory(b.history));
  });

  it("catches the unsafe strategy within 20 seeds, and the failure replays exactly", async () => {
    const result = await exploreScenario(findScenario("multi-writer-unsafe"), {
      seeds: Array.from({ length: 20 }, (_, i) => i),
      makeStore,
      scheduler: pct,
    });
    expect(result.verdict).toBe("unsafe");
    const minimal = result.failure?.minimal;
    if (minimal === undefined) throw new Error("no failure");
    const again = await replay(replayFileOf(minimal.scenario, minimal.run), makeStore);
    expect(again.identical).toBe(true);
  });
});

describe("exhaustive DFS", () => {
  it("finds the lost commit of two writers on the unsafe strategy", async () => {
    const result = await exploreDfs(tiny("unsafe"), { makeStore });
    expect(result.verdict).toBe("unsafe");
    expect(result.failure?.violations.map((v) => v.checker)).toContain("no-lost-commit");
    const run = result.failure?.minimal.run;
    if (run === undefined) throw new Error("no failure");
    const again = await replay(replayFileOf(tiny("unsafe"), run), makeStore);
    expect(again.identical).toBe(true);
  });

  it("exhausts every interleaving of two writers on put-if-absent with no violation; deduplication prunes without changing the verdict", async () => {
    const full = await exploreDfs(tiny("conditionalPut"), { makeStore, dedup: false });
    const deduplicated = await exploreDfs(tiny("conditionalPut"), { makeStore });
    for (const r of [full, deduplicated]) {
      expect(r.verdict).toBe("safe");
      expect(r.search?.exhausted).toBe(true);
    }
    expect(deduplicated.search?.runs).toBeLessThan((full.search?.runs ?? 0) / 2);
    expect(deduplicated.search?.statesDeduplicated).toBeGreaterThan(0);
  });

  it("reports a bound reached before the end as not exhausted", async () => {
    const r = await exploreDfs(findScenario("multi-writer-conditional-put"), {
      makeStore,
      maxRuns: 5,
    });
    expect(r.search).toMatchObject({ runs: 5, exhausted: false });
  });
});

describe("fast-check schedules", () => {
  it("finds the unsafe case, shrinks the schedule, and the result replays exactly", async () => {
    const scenario = tiny("unsafe");
    const result = await exploreWithFastCheck(scenario, { makeStore, numRuns: 200 });
    expect(result.verdict).toBe("unsafe");
    const run = result.failure?.minimal.run;
    if (run === undefined) throw new Error("no failure");
    // Shrunk: most choices are the first candidate.
    const nonZero = run.choices.filter((c) => c !== 0).length;
    expect(nonZero).toBeLessThanOrEqual(8);
    const again = await replay(replayFileOf(scenario, run), makeStore);
    expect(again.identical).toBe(true);
  });
});
