/**
 * Every checker catches a deliberately planted bug: first on a hand-made history, then (where
 * the bug can be planted in real code) on a simulated run of the real protocol with the bug in it.
 */
import { describe, expect, it } from "vitest";
import { manifestPath } from "../../protocol/layout.js";
import type { CommitStrategy } from "../../protocol/strategy.js";
import { Table } from "../../protocol/table.js";
import { findScenario } from "../../scenarios/catalog.js";
import { CHECKERS, type CheckerName, checkHistory } from "../../sim/checkers.js";
import { Simulation } from "../../sim/engine.js";
import { exploreScenario } from "../../sim/explore.js";
import { type FinalState, readFinalState } from "../../sim/final-state.js";
import type { HistoryEvent } from "../../sim/history.js";
import { SeededRandom } from "../../sim/random.js";
import { RandomScheduler } from "../../sim/scheduler.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { BatchCache, workloadRows } from "../../sim/workload.js";
import { NotFound, StoreError } from "../../stores/errors.js";
import { MemoryStore } from "../../stores/memory.js";

const at = { step: 1, timeMs: 1 };
const version = (v: number, transactionId: string, fragments: [number, number][] = [[0, 1]]) => ({
  version: v,
  path: manifestPath(v, "v2"),
  transactionId,
  operation: "append",
  readVersion: v - 1,
  fragments,
  dataFiles: fragments.map(([id]) => `data/f${id}.arrow`),
  missingFiles: [] as string[],
});
/** A successful read of `version` as transaction `transactionId` with these fragments. */
const readOk = (
  actor: string,
  opId: number,
  version: number,
  transactionId: string,
  fragments: [number, number][],
): HistoryEvent => ({
  type: "ok",
  ...at,
  actor,
  opId,
  op: "read",
  version,
  observation: { version, transactionId, fragments },
});
/** A put of transaction `id`'s file by `actor`. */
const txnPut = (actor: string, id: string): HistoryEvent => ({
  type: "call",
  ...at,
  actor,
  method: "put",
  path: `_transactions/1-${id}.txn`,
  mode: "overwrite",
  outcome: "ok",
});
const fail = (actor: string, kind: string): HistoryEvent => ({
  type: "fail",
  ...at,
  actor,
  opId: 0,
  op: "append",
  error: { kind, message: kind },
});
/** A successful put of version `v`'s manifest with these contents. */
const manifestPut = (actor: string, v: number, digest: string): HistoryEvent => ({
  type: "call",
  ...at,
  actor,
  method: "put",
  path: manifestPath(v, "v2"),
  mode: "create",
  digest,
  outcome: "ok",
});
const final = (...versions: ReturnType<typeof version>[]): FinalState => ({
  versions,
  corrupt: [],
});
const fired = (history: HistoryEvent[], state: FinalState) =>
  new Set(checkHistory({ history, final: state }).map((v) => v.checker));

describe("checkers on planted histories", () => {
  const healthy: HistoryEvent[] = [
    { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
    {
      type: "call",
      ...at,
      actor: "w0",
      method: "put",
      path: manifestPath(2, "v2"),
      mode: "create",
      outcome: "ok",
    },
    { type: "ok", ...at, actor: "w0", opId: 0, op: "append", version: 2, transactionId: "a" },
    { type: "invoke", ...at, actor: "r0", opId: 0, op: "read" },
    readOk("r0", 0, 2, "a", [[0, 1]]),
  ];
  const healthyFinal = final(version(1, "s"), version(2, "a"));

  it("a healthy history passes every checker", () => {
    expect(checkHistory({ history: healthy, final: healthyFinal })).toEqual([]);
  });

  const cases: [CheckerName, HistoryEvent[], FinalState][] = [
    ["no-lost-commit", healthy, final(version(1, "s"), version(2, "b"))],
    [
      "manifest-written-once",
      [
        ...healthy,
        {
          type: "call",
          ...at,
          actor: "w1",
          method: "put",
          path: manifestPath(2, "v2"),
          mode: "overwrite",
          outcome: "ok",
        },
      ],
      healthyFinal,
    ],
    ["versions-contiguous", [], final(version(1, "s"), version(3, "c"))],
    [
      "versions-contiguous",
      [],
      { versions: [version(1, "s")], corrupt: [{ path: manifestPath(2, "v2"), reason: "x" }] },
    ],
    [
      "no-torn-read",
      [
        {
          type: "ok",
          ...at,
          actor: "r0",
          opId: 0,
          op: "read",
          version: 2,
          observation: {
            version: 2,
            transactionId: "a",
            fragments: [
              [0, 1],
              [1, 2],
            ],
          },
        },
      ],
      healthyFinal,
    ],
    [
      "no-torn-read",
      [
        {
          type: "fail",
          ...at,
          actor: "r0",
          opId: 0,
          op: "read",
          error: { kind: "CorruptFile", message: "half a manifest" },
        },
      ],
      healthyFinal,
    ],
    [
      "monotonic-reads",
      [readOk("r0", 0, 2, "a", [[0, 1]]), readOk("r0", 1, 1, "s", [[0, 1]])],
      healthyFinal,
    ],
    [
      "real-time-order",
      [
        { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
        { type: "ok", ...at, actor: "w0", opId: 0, op: "append", version: 3, transactionId: "a" },
        { type: "invoke", ...at, actor: "w1", opId: 0, op: "append" },
        { type: "ok", ...at, actor: "w1", opId: 0, op: "append", version: 2, transactionId: "b" },
      ],
      final(version(1, "s"), version(2, "b"), version(3, "a")),
    ],
    [
      "failed-commit-invisible",
      [
        { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
        txnPut("w0", "a"),
        fail("w0", "TooMuchWriteContention"),
      ],
      healthyFinal,
    ],
    [
      "ambiguous-commit-whole",
      [
        { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
        txnPut("w0", "a"),
        fail("w0", "CommitOutcomeUnknown"),
      ],
      final(version(1, "s"), { ...version(2, "a"), missingFiles: ["data/f1.arrow"] }),
    ],
    [
      "ambiguous-commit-whole",
      [
        { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
        txnPut("w0", "a"),
        { type: "crash", ...at, actor: "w0", call: "put x", effectApplied: true },
      ],
      final(version(1, "s"), version(2, "a"), version(3, "a")),
    ],
    [
      "versions-created-in-order",
      [manifestPut("w0", 3, "aaaa"), manifestPut("w1", 2, "bbbb")],
      final(version(1, "s"), version(2, "b"), version(3, "a")),
    ],
    ["no-duplicate-commit", [], final(version(1, "s"), version(2, "a"), version(3, "a"))],
    [
      "no-duplicate-commit",
      [],
      final(version(1, "s"), {
        ...version(2, "a", [
          [0, 1],
          [1, 1],
        ]),
        dataFiles: ["data/x.arrow", "data/x.arrow"],
      }),
    ],
    [
      "referenced-files-exist",
      [],
      final(version(1, "s"), { ...version(2, "a"), missingFiles: ["data/f0.arrow"] }),
    ],
    [
      "fresh-reads",
      [
        { type: "invoke", ...at, actor: "w0", opId: 0, op: "append" },
        { type: "ok", ...at, actor: "w0", opId: 0, op: "append", version: 2, transactionId: "a" },
        { type: "invoke", ...at, actor: "r0", opId: 0, op: "read", staleBoundMs: 0 },
        readOk("r0", 0, 1, "s", [[0, 1]]),
      ],
      healthyFinal,
    ],
    [
      "fresh-reads",
      [
        { type: "invoke", step: 1, timeMs: 0, actor: "w0", opId: 0, op: "append" },
        {
          type: "ok",
          step: 2,
          timeMs: 5,
          actor: "w0",
          opId: 0,
          op: "append",
          version: 2,
          transactionId: "a",
        },
        { type: "invoke", step: 3, timeMs: 50, actor: "r0", opId: 0, op: "read", staleBoundMs: 20 },
        readOk("r0", 0, 1, "s", [[0, 1]]),
      ],
      healthyFinal,
    ],
  ];
  for (const [checker, history, state] of cases) {
    it(`${checker} catches its planted bug`, () => {
      expect(fired(history, state)).toContain(checker);
    });
  }

  it("every checker has a planted-bug case above", () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(CHECKERS.map((c) => c.name)));
  });
});

/** Run writers (and optionally custom readers) on the real protocol with a given strategy. */
async function simulate(options: {
  seed: number;
  strategy: CommitStrategy;
  writers: number;
  appends: number;
  naming?: "v1" | "v2";
  backoffUnitMs?: number;
  reader?: (
    store: import("../../stores/store.js").ObjectStore,
    record: import("../../sim/engine.js").Recorder,
  ) => Promise<void>;
}) {
  const store = new MemoryStore();
  await Table.create(store, workloadRows(-1, -1, 0), {
    env: createEnvAt(0, "setup"),
    naming: options.naming ?? "v2",
    commitStrategy: "conditionalPut",
  });
  const random = new SeededRandom(options.seed);
  const sim = new Simulation({
    store,
    scheduler: new RandomScheduler(random.fork("scheduler")),
    random,
  });
  const batches = new BatchCache();
  for (let w = 0; w < options.writers; w++) {
    sim.spawn(`w${w}`, async (ctx) => {
      const retry = { backoffUnitMs: options.backoffUnitMs ?? 50 };
      const table = await Table.open(ctx.store, {
        env: ctx.env,
        commitStrategy: options.strategy,
        retry,
      });
      for (let i = 0; i < options.appends; i++) {
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
  const reader = options.reader;
  if (reader !== undefined) sim.spawn("r0", (ctx) => reader(ctx.store, ctx.record));
  await sim.run();
  return checkHistory({ history: sim.history, final: await readFinalState(store) });
}

async function firesWithin(
  seeds: number,
  checker: CheckerName,
  run: (seed: number) => ReturnType<typeof simulate>,
) {
  for (let seed = 0; seed < seeds; seed++) {
    if ((await run(seed)).some((v) => v.checker === checker)) return true;
  }
  return false;
}

describe("checkers on real runs with planted bugs", () => {
  it("no-lost-commit and manifest-written-once catch the unsafe (check-then-put) strategy", async () => {
    const result = await exploreScenario(findScenario("multi-writer-unsafe"), {
      seeds: Array.from({ length: 50 }, (_, i) => i),
      makeStore: async () => new MemoryStore(),
      minimize: false,
    });
    const checkers = new Set(result.failure?.violations.map((v) => v.checker));
    expect(checkers).toContain("no-lost-commit");
    expect(checkers).toContain("manifest-written-once");
  });

  it("failed-commit-invisible catches a claim that applies and then reports a permanent error", async () => {
    // A gateway that answers 500 after it stored the object: the protocol believes the error.
    const lying: CommitStrategy = {
      name: "conditionalPut",
      async claim(store, _env, path, bytes) {
        await store.put(path, bytes, { mode: "create" });
        throw new StoreError("internal error (500) after the write applied", path);
      },
    };
    expect(
      await firesWithin(3, "failed-commit-invisible", (seed) =>
        simulate({ seed, strategy: lying, writers: 1, appends: 1 }),
      ),
    ).toBe(true);
  });

  it("fresh-reads catches strong readers trusting a lagging listing (stale-list-trusted)", async () => {
    const result = await exploreScenario(findScenario("stale-list-trusted"), {
      seeds: Array.from({ length: 50 }, (_, i) => i),
      makeStore: async () => new MemoryStore(),
      minimize: false,
    });
    expect(result.failure?.violations.map((v) => v.checker)).toContain("fresh-reads");
    // The same lag on a store that admits it keeps every promise.
    const admitted = await exploreScenario(findScenario("stale-list-latest"), {
      seeds: Array.from({ length: 50 }, (_, i) => i),
      makeStore: async () => new MemoryStore(),
      minimize: false,
    });
    expect(admitted.failure).toBeUndefined();
  });

  it("versions-contiguous catches a strategy that claims one version too far", async () => {
    const skipping: CommitStrategy = {
      name: "conditionalPut",
      async claim(store, _env, path, bytes) {
        const skipped = path.replace(/\d+(?=\.manifest$)/, (n) =>
          (BigInt(n) - 1n).toString().padStart(20, "0"),
        );
        await store.put(skipped, bytes, { mode: "create" });
      },
    };
    expect(
      await firesWithin(5, "versions-contiguous", (seed) =>
        simulate({ seed, strategy: skipping, writers: 1, appends: 2 }),
      ),
    ).toBe(true);
  });

  it("no-torn-read catches a manifest written in two steps (first half, then whole)", async () => {
    const torn: CommitStrategy = {
      name: "conditionalPut",
      async claim(store, _env, path, bytes) {
        await store.put(path, bytes.slice(0, bytes.length >> 1), { mode: "create" });
        await store.put(path, bytes, { mode: "overwrite" });
      },
    };
    const reader = async (
      store: import("../../stores/store.js").ObjectStore,
      record: import("../../sim/engine.js").Recorder,
    ) => {
      const table = await Table.open(store, { env: createEnvAt(0, "r") });
      for (let i = 0; i < 6; i++) {
        const opId = record.invoke("read");
        try {
          await table.checkoutLatest();
          const m = table.manifest;
          record.ok(opId, "read", {
            version: m.version,
            observation: {
              version: m.version,
              transactionId: m.transaction.id,
              fragments: m.fragments.map((f) => [f.id, f.physicalRows] as const),
            },
          });
        } catch (error) {
          record.fail(opId, "read", error);
        }
      }
    };
    expect(
      await firesWithin(40, "no-torn-read", (seed) =>
        simulate({ seed, strategy: torn, writers: 1, appends: 4, reader }),
      ),
    ).toBe(true);
  });

  it("monotonic-reads catches readers that follow a mutable latest-version pointer (lance #1356)", async () => {
    // Writers commit safely, then overwrite a `_latest` pointer; a slow writer can set it back.
    const pointer: CommitStrategy = {
      name: "conditionalPut",
      async claim(store, _env, path, bytes) {
        await store.put(path, bytes, { mode: "create" });
        await store.put("_latest", bytes, { mode: "overwrite" });
      },
    };
    const reader = async (
      store: import("../../stores/store.js").ObjectStore,
      record: import("../../sim/engine.js").Recorder,
    ) => {
      for (let i = 0; i < 60; i++) {
        const opId = record.invoke("read");
        try {
          const m = JSON.parse(new TextDecoder().decode((await store.get("_latest")).bytes));
          const fragments = m.fragments.map((f: { id: number; physicalRows: number }) => [
            f.id,
            f.physicalRows,
          ]);
          record.ok(opId, "read", {
            version: m.version,
            observation: { version: m.version, transactionId: m.transaction.id, fragments },
          });
        } catch (error) {
          if (!(error instanceof NotFound)) throw error;
          record.fail(opId, "read", error);
        }
      }
    };
    expect(
      await firesWithin(400, "monotonic-reads", (seed) =>
        simulate({ seed, strategy: pointer, writers: 3, appends: 4, backoffUnitMs: 0, reader }),
      ),
    ).toBe(true);
  });
});
