/**
 * The fault model: each fault does what it says, runs with faults replay bit for bit, and the
 * protocol answers each fault as it must (an ambiguous claim is read back, never guessed).
 */
import { describe, expect, it } from "vitest";
import { CommitOutcomeUnknown } from "../../protocol/errors.js";
import { manifestPath } from "../../protocol/layout.js";
import { Table } from "../../protocol/table.js";
import { findScenario, SCENARIOS } from "../../scenarios/catalog.js";
import { withAllFaults } from "../../scenarios/scenario.js";
import { hashHistory } from "../../sim/history.js";
import { parseReplayFile, replay, replayFileOf } from "../../sim/replay.js";
import { runOnce } from "../../sim/run.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { workloadRows } from "../../sim/workload.js";
import { AmbiguousStoreError, TransientStoreError } from "../../stores/errors.js";
import { MemoryStore } from "../../stores/memory.js";
import type { PutOptions } from "../../stores/store.js";
import { wrapStore } from "../support/wrap-store.js";

const makeStore = async () => new MemoryStore();

describe("fault injection in the simulator", () => {
  const everything = withAllFaults(findScenario("multi-writer-conditional-put"));

  it("every fault kind fires, and a run with all of them replays to the identical history", async () => {
    const seen = new Set<string>();
    let restarts = 0;
    for (let seed = 0; seed < 30; seed++) {
      const run = await runOnce(everything, seed, { makeStore });
      expect(run.violations).toEqual([]);
      for (const e of run.history) {
        if (e.type === "call" && e.fault !== undefined) seen.add(e.fault);
        if (e.type === "crash") seen.add("crash");
        if (e.type === "restart") restarts++;
      }
      if (seed === 7) {
        const file = parseReplayFile(JSON.stringify(replayFileOf(everything, run)), "test");
        const again = await replay(file, makeStore);
        expect(again.identical).toBe(true);
        expect(hashHistory(again.run.history)).toBe(hashHistory(run.history));
      }
    }
    expect(seen).toEqual(new Set(["crash", "transient", "lost-response"]));
    expect(restarts).toBeGreaterThan(0);
  });

  it("a restarted writer goes on with its next write and its ids stay unique", async () => {
    const scenario = {
      ...findScenario("writer-crash-mid-commit"),
      faults: { crash: { probability: 0.2, maxCrashes: 2, restartAfterMs: 10 } },
    };
    for (let seed = 0; seed < 10; seed++) {
      const run = await runOnce(scenario, seed, { makeStore });
      expect(run.violations).toEqual([]);
      const invokes = run.history.filter((e) => e.type === "invoke" && e.actor.startsWith("w"));
      // Each writer begins each of its 4 writes exactly once, crash or not.
      expect(invokes.length).toBe(12);
      const opIds = invokes.map((e) => `${e.actor}#${(e as { opId: number }).opId}`);
      expect(new Set(opIds).size).toBe(opIds.length);
    }
  });

  it("stale listings happen and leave objects out only on stores that lag", async () => {
    const run = await runOnce(findScenario("stale-list-latest"), 1, { makeStore });
    expect(run.stats.faults).toBeGreaterThan(0);
    expect(run.violations).toEqual([]);
  });

  it("a fault with no budget draws nothing: the other faults' decisions do not move", async () => {
    const crashOnly = findScenario("writer-crash-mid-commit");
    const idle = {
      ...crashOnly,
      faults: { ...crashOnly.faults, transient: { probability: 0.5, max: 0 } },
    };
    for (const seed of [5, 6, 7]) {
      const a = await runOnce(crashOnly, seed, { makeStore });
      const b = await runOnce(idle, seed, { makeStore });
      expect(hashHistory(b.history)).toBe(hashHistory(a.history));
    }
  });

  it("every built-in safe scenario stays safe with all faults on (40 seeds each here; 10,000 in test:long)", async () => {
    for (const scenario of SCENARIOS.filter((s) => s.expected === "safe")) {
      for (let seed = 0; seed < 40; seed++) {
        const run = await runOnce(withAllFaults(scenario), seed, { makeStore });
        expect(run.violations, `${scenario.name} seed ${seed}`).toEqual([]);
      }
    }
  });
});

describe("ambiguous claims, on the real protocol", () => {
  async function tableOn(overridePut: (inner: MemoryStore) => ReturnType<typeof wrapStore>["put"]) {
    const inner = new MemoryStore();
    await Table.create(inner, workloadRows(0, 0, 1), { env: createEnvAt(0, "setup") });
    const store = wrapStore(inner, { put: overridePut(inner) });
    return { inner, table: await Table.open(store, { env: createEnvAt(0, "w") }) };
  }
  const isClaim = (path: string, options?: PutOptions) =>
    path === manifestPath(2, "v2") && options?.mode === "create";

  it("a lost response after the claim applied is success, committed exactly once", async () => {
    let lost = 0;
    const { inner, table } = await tableOn((inner) => async (path, bytes, options) => {
      const result = await inner.put(path, bytes, options);
      if (isClaim(path, options) && lost++ === 0) throw new AmbiguousStoreError("timeout", path);
      return result;
    });
    const result = await table.append(workloadRows(0, 1, 1));
    expect(result.manifest.version).toBe(2);
    expect(result.attempts).toBe(1);
    const latest = await Table.open(inner, { env: createEnvAt(0, "r") });
    expect(latest.version).toBe(2);
    expect(await latest.countRows()).toBe(2);
  });

  it("a transient error before the claim applied is retried: the version is still free", async () => {
    let failed = 0;
    const { table } = await tableOn((inner) => async (path, bytes, options) => {
      if (isClaim(path, options) && failed++ === 0) throw new TransientStoreError("503", path);
      return inner.put(path, bytes, options);
    });
    const result = await table.append(workloadRows(0, 1, 1));
    expect(result.manifest.version).toBe(2);
    expect(result.attempts).toBe(2);
  });

  it("when the read-back fails too, the outcome is CommitOutcomeUnknown, never a guess", async () => {
    const inner = new MemoryStore();
    await Table.create(inner, workloadRows(0, 0, 1), { env: createEnvAt(0, "setup") });
    let claimed = false;
    const store = wrapStore(inner, {
      put: async (path, bytes, options) => {
        const result = await inner.put(path, bytes, options);
        if (isClaim(path, options)) {
          claimed = true;
          throw new AmbiguousStoreError("timeout", path);
        }
        return result;
      },
      get: async (path, options) => {
        if (claimed && path === manifestPath(2, "v2")) throw new TransientStoreError("503", path);
        return inner.get(path, options);
      },
    });
    const table = await Table.open(store, { env: createEnvAt(0, "w") });
    const error = await table.append(workloadRows(0, 1, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitOutcomeUnknown);
    expect((error as CommitOutcomeUnknown).version).toBe(2);
    // It did commit: which is exactly why "failed" would have been a lie.
    expect((await Table.open(inner, { env: createEnvAt(0, "r") })).version).toBe(2);
  });
});

describe("regressions the simulator found in lease-respecting cleanup", () => {
  // Each once broke a promise (see protocol/cleanup.ts); each must stay safe.
  const scenario = findScenario("cleanup-with-leases");
  it("finishing a crashed cleanup never puts back a version whose files it deleted (pct, all faults, seed 4430)", async () => {
    const run = await runOnce(withAllFaults(scenario), 4430, {
      makeStore,
      scheduler: { kind: "pct", depth: 3, expectedSteps: 0 },
    });
    expect(run.violations).toEqual([]);
  });
});
