/**
 * The built-in scenarios: the situations the LanceDB concurrency promises are about.
 */
import { InvalidArgument } from "../protocol/errors.js";
import { appends, SCENARIO_FORMAT_VERSION, type Scenario } from "./scenario.js";

const base = {
  formatVersion: SCENARIO_FORMAT_VERSION,
  naming: "v2",
  faults: {},
  seeds: 200,
} as const;

/** Every built-in scenario, by name. */
export const SCENARIOS: readonly Scenario[] = [
  {
    ...base,
    name: "single-writer-many-readers",
    title: "One batch writer, many readers, no lock",
    story:
      "A daily batch job appends to a table while several API workers read it. There is no lock " +
      "and none is needed: a version becomes visible only when its manifest is written whole, so " +
      "every reader sees some complete version, and a reader that looks again never sees an older " +
      "one. Even the unsafe (plain put) strategy is correct here, because only one process writes. " +
      "Two readers are strong (they look for a newer version before every read), one is eventual " +
      "(at most 20 ms behind) and one never refreshes: each sees exactly as fresh a version as it " +
      "asked for.",
    expected: "safe",
    commitStrategy: "unsafe",
    writers: [{ ops: appends(6) }],
    readers: [
      { reads: 4 },
      { reads: 4 },
      { reads: 4, consistency: "eventual", intervalMs: 20 },
      { reads: 4, consistency: "never" },
    ],
  },
  {
    ...base,
    name: "multi-writer-conditional-put",
    title: "Several writers synchronised by put-if-absent",
    story:
      "Three writers append concurrently on a store with an atomic put-if-absent (S3 If-None-Match, " +
      "a hard link on a local disk). Exactly one writer can create each manifest; the losers read " +
      "the winner's transaction, rebase their append on it and retry, so every acknowledged append " +
      "ends up in the table exactly once while two readers watch.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [{ ops: appends(5) }, { ops: appends(5) }, { ops: appends(5) }],
    readers: [{ reads: 4 }, { reads: 4 }],
  },
  {
    ...base,
    name: "multi-writer-unsafe",
    title: "Several writers on a plain PUT (S3 before conditional writes)",
    story:
      "The same three writers, but the store only offers a plain PUT, so a writer checks that the " +
      "next manifest is absent and then writes it. Two writers can both pass the check; the later " +
      "PUT silently replaces the earlier manifest and that writer's acknowledged append vanishes. " +
      "This is the seed's warning about S3, and lancet must catch it.",
    expected: "unsafe",
    commitStrategy: "unsafe",
    writers: [{ ops: appends(5) }, { ops: appends(5) }, { ops: appends(5) }],
    readers: [{ reads: 4 }, { reads: 4 }],
  },
  {
    ...base,
    name: "writer-crash-mid-commit",
    title: "Writers crash at any store call during a commit",
    story:
      "Writers die at arbitrary points: after writing a data file, after writing the transaction, " +
      "before or just after the manifest put. A crash leaves unreferenced files behind but never a " +
      "half-visible version: the manifest put is the single atomic commit point, so readers see " +
      "whole versions and every commit acknowledged before a crash survives.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [{ ops: appends(4) }, { ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 4 }, { reads: 4 }],
    faults: { crash: { probability: 0.05, maxCrashes: 2 } },
  },
  {
    ...base,
    name: "multi-writer-s3-no-conditional-writes",
    title: "Several writers on a store that ignores conditional writes",
    story:
      "Three writers use put-if-absent (conditionalPut) on an S3-compatible store that accepts " +
      "If-None-Match but ignores it, as s3rver does and as Alibaba OSS did (lance #4205). Every " +
      "'create' silently overwrites, so two writers can both win version N and the earlier " +
      "acknowledged append vanishes. LanceDB itself lost 56 of 81 rows this way on s3rver here. " +
      "The store's claim must be qualified, not trusted.",
    expected: "unsafe",
    commitStrategy: "conditionalPut",
    storeModel: "ignoresConditions",
    writers: [{ ops: appends(5) }, { ops: appends(5) }, { ops: appends(5) }],
    readers: [{ reads: 4 }, { reads: 4 }],
  },
  {
    ...base,
    name: "multi-writer-s3-external-store",
    title: "The same store, writers serialised by an external commit store",
    story:
      "The same writers on the same store that ignores conditional writes, but versions are " +
      "claimed in an external commit store (LanceDB's DynamoDB handler): stage the manifest, claim " +
      "the version (the commit point), copy it into place. Writers crash at any call, including " +
      "between claim and copy; whoever finds a claimed but unfinished version finishes it, so no " +
      "acknowledged commit is lost and readers see whole versions.",
    expected: "safe",
    commitStrategy: "externalStore",
    storeModel: "ignoresConditions",
    writers: [{ ops: appends(4) }, { ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 4 }, { reads: 4 }],
    faults: { crash: { probability: 0.05, maxCrashes: 2 } },
  },
  {
    ...base,
    name: "lost-response-retry",
    title: "Lost responses and transient errors during commits",
    story:
      "Three writers commit while the network misbehaves: some requests fail with a 503 before " +
      "they apply, and some apply but their response is lost, so the writer cannot tell whether its " +
      "put-if-absent created the manifest. The writer must read the version back and classify it: " +
      "its own transaction means success (retrying would commit it twice), another's means a lost " +
      "race, nothing there means try again, and an unreadable answer is reported as " +
      "CommitOutcomeUnknown, never as success or failure.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [{ ops: appends(4) }, { ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 4 }, { reads: 4, consistency: "eventual", intervalMs: 15 }],
    faults: {
      lostResponse: { probability: 0.06, max: 4 },
      transient: { probability: 0.04, max: 4 },
    },
  },
  {
    ...base,
    name: "stale-list-latest",
    title: "Listings that lag writes, on a store that says so",
    story:
      "On a store whose listings may omit recent writes (S3 before December 2020, some gateways " +
      "today), the newest manifest in a listing can be an old one, with V1 names and with V2 names " +
      "alike: V2's reverse order makes the newest sort first, it cannot make a lagging listing show " +
      "it. What keeps the promises is not trusting the listing: writers claim N+1 and probe upward " +
      "when they lose, readers probe upward from what they listed and never go back to an older " +
      "version. So strong readers see every acknowledged commit and nothing is lost.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    naming: "v1",
    storeModel: "laggingList",
    writers: [{ ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 5 }, { reads: 5 }, { reads: 5, consistency: "eventual", intervalMs: 25 }],
    faults: { staleList: { probability: 0.5, lagMs: 40 } },
  },
  {
    ...base,
    name: "stale-list-trusted",
    title: "Listings that lag writes, on a store that claims they do not",
    story:
      "The same lagging listings, but the store claims list-after-write consistency, so readers " +
      "take the newest listed manifest as the latest version. A strong reader that begins after a " +
      "commit was acknowledged can still be handed an older version: no data is lost and no read is " +
      "torn, but 'strong' reads are stale. It is why qualification measures list-after-write " +
      "instead of trusting the claim.",
    expected: "unsafe",
    commitStrategy: "conditionalPut",
    naming: "v1",
    writers: [{ ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 5 }, { reads: 5 }],
    faults: { staleList: { probability: 0.5, lagMs: 40 } },
  },
  {
    ...base,
    name: "crash-restart-everything",
    title: "Writers and readers crash and restart while the network misbehaves",
    story:
      "Every fault at once: writers and readers die at any store call and are restarted by their " +
      "supervisor (a writer goes on with its next write, a reader reopens the table), requests fail " +
      "or lose their responses, calls take 1-20 ms, and the actors' clocks disagree by up to a " +
      "second. A commit whose writer died may or may not be in the table, but whole and once; every " +
      "acknowledged commit is; every read is of a whole version.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [{ ops: appends(4) }, { ops: appends(4) }, { ops: appends(4) }],
    readers: [{ reads: 5 }, { reads: 5, consistency: "eventual", intervalMs: 30 }],
    faults: {
      crash: { probability: 0.04, maxCrashes: 3, restartAfterMs: 50, readers: true },
      lostResponse: { probability: 0.03, max: 3 },
      transient: { probability: 0.03, max: 3 },
      clockSkewMs: 1000,
      latencyMs: { min: 1, max: 20 },
    },
  },
  {
    ...base,
    name: "overwrite-vs-append",
    title: "Overwrites racing appends",
    story:
      "One writer replaces the whole table now and then (a nightly rebuild) while two others " +
      "append. An append that loses to an overwrite cannot be rebased (its rows would land in a " +
      "table they were never meant for), so it fails with a non-retryable CommitConflict; an " +
      "overwrite never conflicts. Whatever interleaving, every acknowledged commit is in the table " +
      "and every read is of a whole version.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [
      { ops: [{ kind: "overwrite", rows: 3 }, ...appends(1), { kind: "overwrite", rows: 2 }] },
      { ops: appends(4) },
      { ops: appends(4) },
    ],
    readers: [{ reads: 5 }, { reads: 5, consistency: "eventual", intervalMs: 20 }],
  },
  {
    ...base,
    name: "compaction-vs-delete",
    title: "Compaction racing deletes, updates and appends",
    story:
      "A maintenance job compacts the table (rewrites small fragments into one) while one writer " +
      "deletes and updates rows and another appends. An append rebases over a compaction; a delete " +
      "or update of a fragment the compaction rewrote is a retryable conflict (its deletion file " +
      "names rows of a fragment that no longer exists), and a compaction that loses to a delete of " +
      "its fragments is retryable too. No row is lost or counted twice.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [
      { ops: [{ kind: "compact" }, { kind: "compact" }, { kind: "compact" }] },
      {
        ops: [
          { kind: "delete", predicate: { column: "row", op: "=", value: 0 } },
          { kind: "update", predicate: { column: "row", op: "=", value: 1 }, set: { op: 99 } },
          { kind: "delete", predicate: { column: "op", op: "=", value: 99 } },
        ],
      },
      { ops: appends(4) },
    ],
    readers: [{ reads: 5 }],
  },
  {
    ...base,
    name: "cleanup-vs-reader",
    title: "Age-based cleanup under a reader that keeps its version",
    story:
      "An API worker opened the table and keeps serving queries from the version it opened, while " +
      "a writer appends and compacts and a maintenance job runs Lance's age-based cleanup with a " +
      "short cutoff. Cleanup deletes the manifests older than the cutoff and the files only they " +
      "referenced: the files the worker is reading. Its next query fails with a missing data file. " +
      "Lance has no reader leases; its default cutoff (7 days) is what makes this rare.",
    expected: "unsafe",
    commitStrategy: "conditionalPut",
    writers: [
      {
        ops: [...appends(2), { kind: "compact" }, ...appends(2), { kind: "compact" }],
        pauseMs: 10,
      },
      {
        ops: [
          { kind: "cleanup", olderThanMs: 0 },
          { kind: "cleanup", olderThanMs: 0 },
        ],
        startAfterMs: 20,
        pauseMs: 40,
      },
    ],
    readers: [
      { reads: 6, consistency: "never", pauseMs: 30 },
      { reads: 6, consistency: "never", pauseMs: 30 },
    ],
  },
  {
    ...base,
    name: "cleanup-with-leases",
    title: "The same cleanup, respecting reader leases",
    story:
      "The same worker, writer and cleanup, but the worker holds a lease on the version it reads " +
      "(a small object naming the version, taken before it reads the manifest) and cleanup keeps " +
      "leased versions. Cleanup reads the leases again after deleting manifests and before deleting " +
      "files, so a reader that leased a version while cleanup ran still keeps its files; a reader " +
      "too late gets a clean VersionNotFound, never a torn version.",
    expected: "safe",
    commitStrategy: "conditionalPut",
    writers: [
      {
        ops: [...appends(2), { kind: "compact" }, ...appends(2), { kind: "compact" }],
        pauseMs: 10,
      },
      {
        ops: [
          { kind: "cleanup", olderThanMs: 0, respectLeases: true },
          { kind: "cleanup", olderThanMs: 0, respectLeases: true },
        ],
        startAfterMs: 20,
        pauseMs: 40,
      },
    ],
    readers: [
      { reads: 6, consistency: "never", pauseMs: 30, leaseMs: 10_000 },
      { reads: 6, consistency: "never", pauseMs: 30, leaseMs: 10_000 },
    ],
    faults: { crash: { probability: 0.03, maxCrashes: 2, restartAfterMs: 30, readers: true } },
  },
  {
    ...base,
    name: "cleanup-vs-slow-writer",
    title: "Age-based cleanup under a writer holding an old read version",
    story:
      "A writer opens the table, commits, then sits on its open table while others commit and a " +
      "cleanup with a short cutoff deletes the versions in between. Its next commit claims the " +
      "version after the one it last saw: put-if-absent succeeds, because cleanup deleted that " +
      "manifest. The commit is acknowledged, yet it is a version below the latest, which no reader " +
      "of the latest ever sees. Only the cutoff being longer than any writer holds a version " +
      "(Lance: 7 days) prevents it; the checker versions-created-in-order catches it.",
    expected: "unsafe",
    commitStrategy: "conditionalPut",
    writers: [
      { ops: appends(2), pauseMs: 200 },
      { ops: appends(5), startAfterMs: 10, pauseMs: 10 },
      {
        ops: [
          { kind: "cleanup", olderThanMs: 0 },
          { kind: "cleanup", olderThanMs: 0 },
        ],
        startAfterMs: 60,
        pauseMs: 60,
      },
    ],
    readers: [{ reads: 4, pauseMs: 60 }],
  },
];

/** The built-in scenario called `name`; `InvalidArgument` listing the names otherwise. */
export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) {
    throw new InvalidArgument(
      `unknown scenario '${name}'; known: ${SCENARIOS.map((s) => s.name).join(", ")}`,
    );
  }
  return scenario;
}
