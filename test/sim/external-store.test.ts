/**
 * The external commit store under the simulator: crashes between claim and copy are explored
 * and repaired by other actors, and a mis-ordered protocol (copy before claim) is caught.
 */
import { describe, expect, it } from "vitest";
import { manifestPath } from "../../protocol/layout.js";
import type { CommitStrategy } from "../../protocol/strategy.js";
import { Table } from "../../protocol/table.js";
import { findScenario } from "../../scenarios/catalog.js";
import { checkHistory } from "../../sim/checkers.js";
import { Simulation } from "../../sim/engine.js";
import { readFinalState } from "../../sim/final-state.js";
import { SeededRandom } from "../../sim/random.js";
import { runOnce } from "../../sim/run.js";
import { RandomScheduler } from "../../sim/scheduler.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { ignoringConditions } from "../../sim/store-models.js";
import { BatchCache, workloadRows } from "../../sim/workload.js";
import { MemoryCommitStore, VersionClaimed } from "../../stores/commit-store.js";
import { MemoryStore } from "../../stores/memory.js";

const makeStore = async () => new MemoryStore();

describe("external commit store in the simulator", () => {
  it("a writer killed right after its claim leaves a version that another actor finishes; nothing is lost", async () => {
    const scenario = findScenario("multi-writer-s3-external-store");
    let repaired = 0;
    for (let seed = 0; seed < 400 && repaired < 3; seed++) {
      const run = await runOnce(scenario, seed, { makeStore });
      expect(run.violations, `seed ${seed}`).toEqual([]);
      for (const crash of run.history) {
        if (
          crash.type !== "crash" ||
          !crash.effectApplied ||
          !crash.call.startsWith("commit.claim")
        )
          continue;
        const claimed = crash.call.split(" ")[1];
        const finishedByOther = run.history.some(
          (e) =>
            e.type === "call" &&
            e.method === "commit.finalize" &&
            e.path === claimed &&
            e.actor !== crash.actor,
        );
        if (finishedByOther) repaired++;
      }
    }
    expect(repaired).toBeGreaterThanOrEqual(3);
  });

  it("a mis-ordered protocol that copies the manifest into place before claiming is caught", async () => {
    const copyFirstOn = (commits: MemoryCommitStore): CommitStrategy => ({
      name: "externalStore",
      async claim(store, _env, path, bytes) {
        await store.put(path, bytes, { mode: "overwrite" }); // bug: visible before the commit point
        const version = Number(
          BigInt("18446744073709551615") -
            BigInt(path.slice("_versions/".length, -".manifest".length)),
        );
        try {
          await commits.claim("t", version, path);
        } catch (error) {
          if (error instanceof VersionClaimed) {
            const { VersionTaken } = await import("../../protocol/strategy.js");
            throw new VersionTaken(path);
          }
          throw error;
        }
      },
    });
    let caught = false;
    for (let seed = 0; seed < 100 && !caught; seed++) {
      const commits = new MemoryCommitStore();
      const copyFirst = copyFirstOn(commits);
      const store = ignoringConditions(new MemoryStore());
      await Table.create(store, workloadRows(-1, -1, 0), {
        env: createEnvAt(0, "s"),
        commitStrategy: "unsafe",
      });
      await commits.claim("t", 1, manifestPath(1, "v2")).catch(() => undefined);
      const random = new SeededRandom(seed);
      const sim = new Simulation({
        store,
        scheduler: new RandomScheduler(random.fork("scheduler")),
        random,
      });
      const batches = new BatchCache();
      for (let w = 0; w < 2; w++) {
        sim.spawn(`w${w}`, async (ctx) => {
          const table = await Table.open(ctx.store, {
            env: ctx.env,
            commitStrategy: copyFirst,
            retry: { backoffUnitMs: 1 },
          });
          for (let i = 0; i < 2; i++) {
            const opId = ctx.record.invoke("append");
            try {
              const r = await table.append(batches.get(w, i, 1));
              ctx.record.ok(opId, "append", {
                version: r.manifest.version,
                transactionId: r.transaction.id,
              });
            } catch (error) {
              ctx.record.fail(opId, "append", error);
            }
          }
        });
      }
      await sim.run();
      const violations = checkHistory({ history: sim.history, final: await readFinalState(store) });
      caught = violations.some(
        (v) => v.checker === "manifest-written-once" || v.checker === "no-lost-commit",
      );
    }
    expect(caught).toBe(true);
  });
});
