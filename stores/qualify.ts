/**
 * Store qualification: what a store claims, what it does, and which commit strategies are
 * therefore safe on it.
 *
 * Every conformance probe runs whatever the store claims — a server that silently ignores
 * `If-None-Match` (s3rver; Alibaba OSS, lance #4205) must be caught, not trusted — and the
 * outcomes decide each capability. A claimed capability the store does not have is a violation.
 */
import {
  type ConformanceOutcome,
  type ConformanceReport,
  conformanceChecks,
  runConformance,
} from "./conformance.js";
import type { ObjectStore, StoreCapabilities } from "./store.js";

/** Format of qualification reports written by this build. */
export const QUALIFICATION_FORMAT_VERSION = 1;

/** A capability as claimed and as observed. */
export interface CapabilityVerdict {
  readonly capability: keyof StoreCapabilities | "objectSemantics";
  readonly claimed: boolean;
  readonly observed: boolean;
  /** The probes that decided it, with their evidence. */
  readonly evidence: readonly string[];
}

/** Whether a commit strategy can be used on the store. */
export interface StrategyVerdict {
  readonly strategy: "conditionalPut" | "rename" | "externalStore" | "unsafe";
  readonly use: "several writers" | "single writer only" | "no";
  readonly reason: string;
}

/** The outcome of qualifying one store. */
export interface QualificationReport {
  readonly formatVersion: number;
  readonly store: string;
  readonly capabilities: readonly CapabilityVerdict[];
  readonly strategies: readonly StrategyVerdict[];
  /** Capabilities the store claims but does not have. */
  readonly claimViolations: readonly string[];
  /** `ok`: claims hold and a store-native strategy is safe for several writers. */
  readonly verdict: "ok" | "violates-claims" | "no-safe-strategy";
  readonly conformance: ConformanceReport;
}

/** Which probes decide each capability. */
const PROBES: Record<CapabilityVerdict["capability"], readonly string[]> = {
  objectSemantics: [
    "crud",
    "get-missing-is-not-found",
    "range-get",
    "empty-object",
    "large-object",
    "unicode-keys",
    "invalid-paths-rejected",
    "etag-changes-with-content",
    "read-after-overwrite",
    "atomic-visibility",
  ],
  conditionalCreate: ["put-if-absent", "put-if-absent-32-racers"],
  conditionalUpdate: ["if-match", "if-match-counter-race"],
  renameIfAbsent: ["rename-if-absent"],
  listAfterWrite: ["list-after-write-and-delete"],
  sortedList: ["list-order-and-prefix", "list-many-keys"],
};

/** Qualify `store`: run every probe, compare with its claims, decide the strategies. */
export async function qualifyStore(store: ObjectStore): Promise<QualificationReport> {
  const conformance = await runConformance(store, conformanceChecks, { probeUnclaimed: true });
  const byName = new Map(conformance.outcomes.map((o) => [o.name, o]));
  const capabilities = (Object.keys(PROBES) as CapabilityVerdict["capability"][]).map(
    (capability) => {
      const outcomes = PROBES[capability]
        .map((name) => byName.get(name))
        .filter((o): o is ConformanceOutcome => o !== undefined);
      return {
        capability,
        claimed: capability === "objectSemantics" ? true : store.capabilities[capability],
        observed: outcomes.length > 0 && outcomes.every((o) => o.status === "pass"),
        evidence: outcomes.map((o) => `${o.name}: ${o.status}${o.detail ? ` (${o.detail})` : ""}`),
      };
    },
  );
  const has = (c: CapabilityVerdict["capability"]) =>
    capabilities.find((v) => v.capability === c)?.observed === true;
  const claimViolations = capabilities
    .filter((c) => c.claimed && !c.observed)
    .map((c) => c.capability);
  const strategies = decideStrategies(has);
  const nativeSafe = strategies.some(
    (s) =>
      (s.strategy === "conditionalPut" || s.strategy === "rename") && s.use === "several writers",
  );
  return {
    formatVersion: QUALIFICATION_FORMAT_VERSION,
    store: store.description,
    capabilities,
    strategies,
    claimViolations,
    verdict:
      claimViolations.length > 0 ? "violates-claims" : nativeSafe ? "ok" : "no-safe-strategy",
    conformance,
  };
}

function decideStrategies(has: (c: CapabilityVerdict["capability"]) => boolean): StrategyVerdict[] {
  const basics = has("objectSemantics");
  const broken = "basic object semantics fail (see the probes): no strategy is safe";
  return [
    {
      strategy: "conditionalPut",
      use: basics && has("conditionalCreate") ? "several writers" : "no",
      reason: !basics
        ? broken
        : has("conditionalCreate")
          ? "put-if-absent is atomic"
          : "put-if-absent is not honoured: concurrent writers would overwrite each other's manifests",
    },
    {
      strategy: "rename",
      use: basics && has("renameIfAbsent") ? "several writers" : "no",
      reason: !basics
        ? broken
        : has("renameIfAbsent")
          ? "rename-if-absent is atomic"
          : "no atomic rename-if-absent",
    },
    {
      strategy: "externalStore",
      use: basics ? "several writers" : "no",
      reason: basics
        ? "with an external commit store (DynamoDB) serialising versions; needs only plain puts and reads"
        : broken,
    },
    {
      strategy: "unsafe",
      use: basics ? "single writer only" : "no",
      reason: basics
        ? "a plain PUT is last-writer-wins: correct only while one process writes"
        : broken,
    },
  ];
}
