/**
 * The public library API of lancet. Everything exported here is supported; anything else is
 * internal and may change.
 */

export type { CleanupOptions, CleanupReport } from "./protocol/cleanup.js";
export { cleanupOldVersions } from "./protocol/cleanup.js";
export type { CommitResult, RetryOptions } from "./protocol/commit.js";
export type { DataInput, EncodedBatch } from "./protocol/data.js";
export { encodeBatch } from "./protocol/data.js";
export type { Clock, Env, IdSource, Random } from "./protocol/env.js";
export { realEnv } from "./protocol/env.js";
export * from "./protocol/errors.js";
export { externalStore } from "./protocol/external-store.js";
export type { VersionNaming } from "./protocol/layout.js";
export { manifestPath, parseManifestPath } from "./protocol/layout.js";
export type { Lease } from "./protocol/leases.js";
export { activeLeases } from "./protocol/leases.js";
export type {
  CellValue,
  Fragment,
  Manifest,
  Operation,
  OperationKind,
  Predicate,
  RewriteGroup,
  SchemaField,
  Transaction,
} from "./protocol/manifest.js";
export type { CommitStrategy, CommitStrategyName } from "./protocol/strategy.js";
export {
  COMMIT_STRATEGY_NAMES,
  commitStrategy,
  conditionalPut,
  rename,
  unsafe,
  VersionTaken,
} from "./protocol/strategy.js";
export type { CreateTableOptions, OpenTableOptions, TableOptions } from "./protocol/table.js";
// protocol/
export { Table } from "./protocol/table.js";
// reports/
export { jsonReport } from "./reports/json.js";
export { markdownReport } from "./reports/markdown.js";
export { formatQualification, qualificationMarkdown } from "./reports/qualification.js";
export { formatTimeline } from "./reports/timeline.js";
// scenarios/ and sim/
export { findScenario, SCENARIOS } from "./scenarios/catalog.js";
export type {
  ReaderSpec,
  Scenario,
  ScenarioFaults,
  Verdict,
  WriteOp,
  WriterSpec,
} from "./scenarios/scenario.js";
export { validateScenario } from "./scenarios/validate.js";
export type { Checker, CheckerName, Violation } from "./sim/checkers.js";
export { CHECKERS, checkHistory } from "./sim/checkers.js";
export { Simulation, SimulationError } from "./sim/engine.js";
export type { ExploreOptions, FailureReport, ScenarioResult } from "./sim/explore.js";
export { exploreScenario } from "./sim/explore.js";
export type { HistoryEvent } from "./sim/history.js";
export { hashHistory } from "./sim/history.js";
export { exploreScenarioParallel } from "./sim/parallel.js";
export { SeededRandom } from "./sim/random.js";
export type { ReplayFile } from "./sim/replay.js";
export { InvalidReplayFile, parseReplayFile, replay, replayFileOf } from "./sim/replay.js";
export type { RunOptions, RunResult, RunStats, StoreFactory } from "./sim/run.js";
export { runOnce } from "./sim/run.js";
export type { CommitRecord, CommitStore } from "./stores/commit-store.js";
export { MemoryCommitStore, VersionClaimed } from "./stores/commit-store.js";
export type {
  ConformanceCheck,
  ConformanceOutcome,
  ConformanceReport,
} from "./stores/conformance.js";
export { ConformanceFailure, conformanceChecks, runConformance } from "./stores/conformance.js";
export type { RequestCounts } from "./stores/counting.js";
export { CountingStore } from "./stores/counting.js";
export type { DynamoCommitStoreOptions } from "./stores/dynamodb-commit-store.js";
export { DynamoCommitStore } from "./stores/dynamodb-commit-store.js";
// stores/
export * from "./stores/errors.js";
export { LocalStore } from "./stores/local.js";
export { MemoryStore } from "./stores/memory.js";
export { PrefixStore } from "./stores/prefix.js";
export type { CapabilityVerdict, QualificationReport, StrategyVerdict } from "./stores/qualify.js";
export { qualifyStore } from "./stores/qualify.js";
export { S3Store } from "./stores/s3.js";
export type { S3Location } from "./stores/s3-url.js";
export { parseS3Url } from "./stores/s3-url.js";
export { openStore, parseStoreSpec } from "./stores/spec.js";
export type {
  ByteRange,
  GetOptions,
  GetResult,
  ListOptions,
  ObjectMeta,
  ObjectStore,
  PutMode,
  PutOptions,
  PutResult,
  StoreCapabilities,
} from "./stores/store.js";
export { listAll } from "./stores/store.js";
