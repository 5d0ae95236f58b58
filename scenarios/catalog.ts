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
      "one. Even the unsafe (plain put) strategy is correct here, because only one process writes.",
    expected: "safe",
    commitStrategy: "unsafe",
    writers: [{ ops: appends(6) }],
    readers: [{ reads: 4 }, { reads: 4 }, { reads: 4 }, { reads: 4 }],
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
