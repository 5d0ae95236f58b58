/**
 * The conformance suite every store runs: one list of checks, independent of any test
 * framework, so that the vitest suites of each backend and `lancet qualify` against a live
 * endpoint run exactly the same probes. A check throws {@link ConformanceFailure} with the
 * evidence; checks that need a capability the store does not claim are skipped.
 *
 * Each check writes under its own prefix (`conformance/<check>/`), so checks can share a store.
 */
import { AlreadyExists, InvalidPath, NotFound, PreconditionFailed } from "./errors.js";
import { listAll, type ObjectStore, type StoreCapabilities } from "./store.js";

/** A check failed; the message carries the evidence. */
export class ConformanceFailure extends Error {
  readonly kind = "ConformanceFailure";
  constructor(
    readonly check: string,
    evidence: string,
  ) {
    super(`${check}: ${evidence}`);
    this.name = "ConformanceFailure";
  }
}

/** One probe of a store. */
export interface ConformanceCheck {
  readonly name: string;
  /** Run only on stores whose claimed capabilities satisfy this. */
  readonly requires?: (capabilities: StoreCapabilities) => boolean;
  /** Throws `ConformanceFailure` on failure; may return evidence of the pass ("1 of 32 racers won"). */
  run(store: ObjectStore): Promise<string | undefined>;
}

/** The outcome of one check. */
export interface ConformanceOutcome {
  readonly name: string;
  readonly status: "pass" | "fail" | "skip";
  readonly detail: string;
  readonly durationMs: number;
}

/** The outcome of the whole suite on one store. */
export interface ConformanceReport {
  readonly store: string;
  readonly capabilities: StoreCapabilities;
  readonly outcomes: readonly ConformanceOutcome[];
  readonly passed: boolean;
}

const text = (s: string) => new TextEncoder().encode(s);
const read = async (store: ObjectStore, path: string) =>
  new TextDecoder().decode((await store.get(path)).bytes);

function check(
  name: string,
  run: (
    store: ObjectStore,
    prefix: string,
    fail: (evidence: string) => never,
  ) => Promise<string | undefined | void>,
  requires?: ConformanceCheck["requires"],
): ConformanceCheck {
  const fail = (evidence: string): never => {
    throw new ConformanceFailure(name, evidence);
  };
  return {
    name,
    ...(requires ? { requires } : {}),
    run: async (store) => (await run(store, `conformance/${name}/`, fail)) ?? undefined,
  };
}

async function expectError(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  fail: (e: string) => never,
  what: string,
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return;
    fail(
      `${what}: expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
    );
  }
  fail(`${what}: expected ${type.name}, but it succeeded`);
}

/** Every conformance check, in the order they run. */
export const conformanceChecks: readonly ConformanceCheck[] = [
  check("crud", async (store, p, fail) => {
    const put = await store.put(`${p}a`, text("hello"));
    if ((await read(store, `${p}a`)) !== "hello") fail("get did not return the bytes put");
    const head = await store.head(`${p}a`);
    if (head.sizeBytes !== 5) fail(`head size ${head.sizeBytes}, expected 5`);
    if (head.etag !== put.etag) fail(`head etag ${head.etag} differs from put etag ${put.etag}`);
    await store.delete(`${p}a`);
    await expectError(store.get(`${p}a`), NotFound, fail, "get after delete");
    await expectError(store.head(`${p}a`), NotFound, fail, "head after delete");
    await store.delete(`${p}a`);
  }),
  check("get-missing-is-not-found", async (store, p, fail) => {
    await expectError(store.get(`${p}missing`), NotFound, fail, "get of a missing object");
  }),
  check("range-get", async (store, p, fail) => {
    await store.put(`${p}r`, text("0123456789"));
    const { bytes } = await store.get(`${p}r`, { range: { start: 2, end: 5 } });
    if (new TextDecoder().decode(bytes) !== "234")
      fail(`range [2,5) returned '${new TextDecoder().decode(bytes)}'`);
    const tail = await store.get(`${p}r`, { range: { start: 8, end: 100 } });
    if (new TextDecoder().decode(tail.bytes) !== "89") fail("a range past the end is not clamped");
  }),
  check("empty-object", async (store, p, fail) => {
    await store.put(`${p}empty`, new Uint8Array());
    if ((await store.get(`${p}empty`)).bytes.byteLength !== 0)
      fail("empty object came back non-empty");
    if ((await store.head(`${p}empty`)).sizeBytes !== 0) fail("empty object has non-zero size");
  }),
  check("large-object", async (store, p, fail) => {
    const bytes = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) % 251;
    await store.put(`${p}big`, bytes);
    const back = (await store.get(`${p}big`)).bytes;
    if (
      back.byteLength !== bytes.byteLength ||
      Buffer.compare(Buffer.from(back), Buffer.from(bytes)) !== 0
    )
      fail("8 MiB object changed");
  }),
  check("unicode-keys", async (store, p, fail) => {
    const key = `${p}données/日本/🦀 space.bin`;
    await store.put(key, text("crab"));
    if ((await read(store, key)) !== "crab") fail("unicode key did not round-trip");
    const listed = await listAll(store, `${p}données/`);
    if (listed.length !== 1 || listed[0]?.path !== key)
      fail(`listing shows ${JSON.stringify(listed.map((m) => m.path))}`);
  }),
  check("invalid-paths-rejected", async (store, _p, fail) => {
    for (const bad of ["", "/abs", "a//b", "a/../b", "a/./b"]) {
      await expectError(store.put(bad, text("x")), InvalidPath, fail, `put ${JSON.stringify(bad)}`);
    }
  }),
  check(
    "list-order-and-prefix",
    async (store, p, fail) => {
      for (const k of ["b", "a", "c/d", "ab", "c/e"]) await store.put(`${p}${k}`, text(k));
      const all = (await listAll(store, p)).map((m) => m.path.slice(p.length));
      if (JSON.stringify(all) !== JSON.stringify(["a", "ab", "b", "c/d", "c/e"]))
        fail(`listing order ${JSON.stringify(all)}`);
      const a = (await listAll(store, `${p}a`)).map((m) => m.path.slice(p.length));
      if (JSON.stringify(a) !== JSON.stringify(["a", "ab"]))
        fail(`prefix 'a' listed ${JSON.stringify(a)} (a prefix is a string prefix)`);
      const after = (await listAll(store, p, { startAfter: `${p}ab` })).map((m) =>
        m.path.slice(p.length),
      );
      if (JSON.stringify(after) !== JSON.stringify(["b", "c/d", "c/e"]))
        fail(`startAfter 'ab' listed ${JSON.stringify(after)}`);
    },
    (c) => c.sortedList,
  ),
  check("list-many-keys", async (store, p, fail) => {
    const keys = Array.from({ length: 1200 }, (_, i) => `${p}k${String(i).padStart(5, "0")}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, text("x"))));
    const listed = (await listAll(store, p)).map((m) => m.path);
    if (listed.length !== keys.length) fail(`listed ${listed.length} of ${keys.length} keys`);
    if (new Set(listed).size !== listed.length) fail("listing has duplicates");
    if (JSON.stringify(listed) !== JSON.stringify(keys)) fail("1200 keys not listed in order");
  }),
  check("etag-changes-with-content", async (store, p, fail) => {
    const first = await store.put(`${p}e`, text("one"));
    const second = await store.put(`${p}e`, text("two"));
    if (first.etag === second.etag) fail("etag did not change when content changed");
    if ((await store.head(`${p}e`)).etag !== second.etag)
      fail("head etag differs from the last put's");
  }),
  check("read-after-overwrite", async (store, p, fail) => {
    await store.put(`${p}o`, text("old"));
    await store.put(`${p}o`, text("new"));
    if ((await read(store, `${p}o`)) !== "new") fail("get after overwrite returned old bytes");
  }),
  check("atomic-visibility", async (store, p, fail) => {
    // Readers racing overwrites must see a whole old or a whole new object, never a mix or a prefix.
    const sizeBytes = 256 * 1024;
    const fill = (byte: number) => new Uint8Array(sizeBytes).fill(byte);
    await store.put(`${p}o`, fill(97));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 12; i++) await store.put(`${p}o`, fill(i % 2 === 0 ? 98 : 97));
      writing = false;
    })();
    let reads = 0;
    const torn: string[] = [];
    const readers = Array.from({ length: 3 }, async () => {
      while (writing || reads < 6) {
        const { bytes } = await store.get(`${p}o`);
        reads++;
        const first = bytes[0];
        if (bytes.length !== sizeBytes || bytes.some((b) => b !== first))
          torn.push(`${bytes.length} bytes`);
      }
    });
    await Promise.all([writer, ...readers]);
    if (torn.length > 0)
      fail(
        `${torn.length} of ${reads} reads during overwrites saw a partial object (${torn.slice(0, 3).join(", ")})`,
      );
    return `${reads} reads during 12 overwrites, all whole`;
  }),
  check(
    "list-after-write-and-delete",
    async (store, p, fail) => {
      await store.put(`${p}x`, text("x"));
      if (!(await listAll(store, p)).some((m) => m.path === `${p}x`))
        fail("a completed put is not listed");
      await store.delete(`${p}x`);
      if ((await listAll(store, p)).some((m) => m.path === `${p}x`))
        fail("a completed delete is still listed");
    },
    (c) => c.listAfterWrite,
  ),
  check(
    "put-if-absent",
    async (store, p, fail) => {
      await store.put(`${p}c`, text("first"), { mode: "create" });
      await expectError(
        store.put(`${p}c`, text("second"), { mode: "create" }),
        AlreadyExists,
        fail,
        "second create",
      );
      if ((await read(store, `${p}c`)) !== "first")
        fail("a refused create changed the object (the condition was ignored)");
    },
    (c) => c.conditionalCreate,
  ),
  check(
    "put-if-absent-32-racers",
    async (store, p, fail) => {
      const racers = 32;
      const outcomes = await Promise.allSettled(
        Array.from({ length: racers }, (_, i) =>
          store.put(`${p}race`, text(`racer-${i}`), { mode: "create" }),
        ),
      );
      const winners = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
      const losers = outcomes.filter(
        (o) => o.status === "rejected" && o.reason instanceof AlreadyExists,
      ).length;
      if (winners.length !== 1)
        fail(`${winners.length} of ${racers} racers won put-if-absent (expected exactly 1)`);
      if (losers !== racers - 1)
        fail(`${losers} racers got AlreadyExists (expected ${racers - 1})`);
      const held = await read(store, `${p}race`);
      if (held !== `racer-${winners[0]}`)
        fail(`object holds '${held}', the winner wrote 'racer-${winners[0]}'`);
      return `1 of ${racers} racers won, ${losers} got AlreadyExists`;
    },
    (c) => c.conditionalCreate,
  ),
  check(
    "if-match",
    async (store, p, fail) => {
      const first = await store.put(`${p}m`, text("v1"));
      const second = await store.put(`${p}m`, text("v2"), { mode: { ifMatch: first.etag } });
      if (second.etag === first.etag) fail("a successful If-Match put returned the old etag");
      await expectError(
        store.put(`${p}m`, text("v3"), { mode: { ifMatch: first.etag } }),
        PreconditionFailed,
        fail,
        "stale If-Match",
      );
      if ((await read(store, `${p}m`)) !== "v2") fail("a refused If-Match put changed the object");
      try {
        await store.put(`${p}missing`, text("x"), { mode: { ifMatch: first.etag } });
        fail("If-Match on a missing key succeeded");
      } catch (error) {
        if (!(error instanceof PreconditionFailed) && !(error instanceof NotFound)) throw error;
      }
      await expectError(
        store.head(`${p}missing`),
        NotFound,
        fail,
        "If-Match on a missing key wrote it",
      );
    },
    (c) => c.conditionalUpdate,
  ),
  check(
    "if-match-counter-race",
    async (store, p, fail) => {
      await store.put(`${p}counter`, text("0"));
      const increment = async () => {
        for (let attempt = 0; attempt < 1000; attempt++) {
          const { bytes, meta } = await store.get(`${p}counter`);
          const next = Number(new TextDecoder().decode(bytes)) + 1;
          try {
            await store.put(`${p}counter`, text(String(next)), { mode: { ifMatch: meta.etag } });
            return;
          } catch (error) {
            if (!(error instanceof PreconditionFailed)) throw error;
          }
        }
        fail("an increment did not succeed in 1000 attempts");
      };
      await Promise.all(
        Array.from({ length: 5 }, async () => {
          for (let i = 0; i < 10; i++) await increment();
        }),
      );
      const total = await read(store, `${p}counter`);
      if (total !== "50")
        fail(`5 workers x 10 compare-and-swap increments ended at ${total}, expected 50`);
      return "5 workers x 10 compare-and-swap increments ended at exactly 50";
    },
    (c) => c.conditionalUpdate,
  ),
  check(
    "rename-if-absent",
    async (store, p, fail) => {
      await store.put(`${p}from`, text("moved"));
      await store.renameIfAbsent(`${p}from`, `${p}to`);
      if ((await read(store, `${p}to`)) !== "moved") fail("renamed object has other bytes");
      await expectError(store.head(`${p}from`), NotFound, fail, "source after rename");
      await store.put(`${p}other`, text("other"));
      await expectError(
        store.renameIfAbsent(`${p}other`, `${p}to`),
        AlreadyExists,
        fail,
        "rename onto an existing object",
      );
      if ((await read(store, `${p}to`)) !== "moved") fail("a refused rename replaced the target");
      if ((await read(store, `${p}other`)) !== "other") fail("a refused rename lost the source");
    },
    (c) => c.renameIfAbsent,
  ),
];

/** Options of {@link runConformance}. */
export interface RunConformanceOptions {
  /** Probe every capability, claimed or not (qualification measures, it does not trust). */
  readonly probeUnclaimed?: boolean;
}

/** Run every applicable check against `store`, continuing past failures. */
export async function runConformance(
  store: ObjectStore,
  checks: readonly ConformanceCheck[] = conformanceChecks,
  options: RunConformanceOptions = {},
): Promise<ConformanceReport> {
  const outcomes: ConformanceOutcome[] = [];
  for (const c of checks) {
    if (!options.probeUnclaimed && c.requires !== undefined && !c.requires(store.capabilities)) {
      outcomes.push({
        name: c.name,
        status: "skip",
        detail: "capability not claimed",
        durationMs: 0,
      });
      continue;
    }
    const startedMs = performance.now();
    try {
      const evidence = await c.run(store);
      outcomes.push({
        name: c.name,
        status: "pass",
        detail: evidence ?? "",
        durationMs: performance.now() - startedMs,
      });
    } catch (error) {
      outcomes.push({
        name: c.name,
        status: "fail",
        detail: (error as Error).message,
        durationMs: performance.now() - startedMs,
      });
    }
  }
  return {
    store: store.description,
    capabilities: store.capabilities,
    outcomes,
    passed: outcomes.every((o) => o.status !== "fail"),
  };
}
