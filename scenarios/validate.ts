/**
 * Validation of scenarios that come from outside (replay files, user JSON): a clear message
 * naming the first thing wrong, instead of a crash deep inside a run.
 */
import { InvalidArgument } from "../protocol/errors.js";
import { COMMIT_STRATEGY_NAMES } from "../protocol/strategy.js";
import { SCENARIO_FORMAT_VERSION, type Scenario, STORE_MODELS } from "./scenario.js";

const PREDICATE_OPS = ["=", "!=", "<", "<=", ">", ">="];

/** Throw `InvalidArgument` unless `value` is a well-formed scenario. */
export function validateScenario(value: unknown): asserts value is Scenario {
  const fail = (why: string): never => {
    throw new InvalidArgument(`invalid scenario: ${why}`);
  };
  if (typeof value !== "object" || value === null) fail("not an object");
  const s = value as Record<string, unknown>;
  if (s.formatVersion !== SCENARIO_FORMAT_VERSION)
    fail(`unsupported formatVersion ${String(s.formatVersion)}`);
  if (typeof s.name !== "string" || s.name === "") fail("missing 'name'");
  if (s.expected !== "safe" && s.expected !== "unsafe")
    fail("'expected' must be 'safe' or 'unsafe'");
  if (!COMMIT_STRATEGY_NAMES.includes(s.commitStrategy as never)) {
    fail(`'commitStrategy' must be one of ${COMMIT_STRATEGY_NAMES.join(", ")}`);
  }
  if (s.naming !== "v1" && s.naming !== "v2") fail("'naming' must be 'v1' or 'v2'");
  if (s.storeModel !== undefined && !STORE_MODELS.includes(s.storeModel as never)) {
    fail(`'storeModel' must be one of ${STORE_MODELS.join(", ")}`);
  }
  if (!Array.isArray(s.writers) || s.writers.length === 0)
    fail("'writers' must be a non-empty array");
  for (const [i, w] of (s.writers as unknown[]).entries()) {
    const ops = (w as { ops?: unknown } | null)?.ops;
    if (!Array.isArray(ops)) fail(`writer ${i} has no 'ops' array`);
    for (const [j, op] of (ops as unknown[]).entries()) validateOp(op, `writer ${i} op ${j}`, fail);
  }
  if (!Array.isArray(s.readers)) fail("'readers' must be an array");
  (s.readers as unknown[]).forEach((r, i) => {
    const reads = (r as { reads?: unknown } | null)?.reads;
    if (!Number.isSafeInteger(reads) || (reads as number) < 0)
      fail(`reader ${i} needs a non-negative integer 'reads'`);
    const consistency = (r as { consistency?: unknown }).consistency;
    if (consistency !== undefined && !["strong", "eventual", "never"].includes(String(consistency)))
      fail(`reader ${i}: 'consistency' must be 'strong', 'eventual' or 'never'`);
  });
  if (typeof s.faults !== "object" || s.faults === null) fail("missing 'faults' object");
  validateFaults(s.faults as Record<string, unknown>, fail);
  if (!Number.isSafeInteger(s.seeds) || (s.seeds as number) < 1)
    fail("'seeds' must be a positive integer");
}

function validateFaults(faults: Record<string, unknown>, fail: (why: string) => never): void {
  const probability = (where: string, value: unknown) => {
    if (typeof value !== "number" || !(value >= 0 && value <= 1))
      fail(`'faults.${where}.probability' must be in [0, 1]`);
  };
  const count = (where: string, value: unknown) => {
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      fail(`'faults.${where}' must be a non-negative integer`);
  };
  const crash = faults.crash as Record<string, unknown> | undefined;
  if (crash !== undefined) {
    probability("crash", crash.probability);
    count("crash.maxCrashes", crash.maxCrashes);
    if (crash.restartAfterMs !== undefined) count("crash.restartAfterMs", crash.restartAfterMs);
  }
  for (const kind of ["transient", "lostResponse"] as const) {
    const fault = faults[kind] as Record<string, unknown> | undefined;
    if (fault === undefined) continue;
    probability(kind, fault.probability);
    count(`${kind}.max`, fault.max);
  }
  const stale = faults.staleList as Record<string, unknown> | undefined;
  if (stale !== undefined) {
    probability("staleList", stale.probability);
    count("staleList.lagMs", stale.lagMs);
  }
  if (faults.clockSkewMs !== undefined) count("clockSkewMs", faults.clockSkewMs);
  const latency = faults.latencyMs as Record<string, unknown> | undefined;
  if (latency !== undefined) {
    count("latencyMs.min", latency.min);
    count("latencyMs.max", latency.max);
    if ((latency.min as number) > (latency.max as number))
      fail("'faults.latencyMs.min' must not exceed 'max'");
  }
}

function validateOp(op: unknown, where: string, fail: (why: string) => never): void {
  const o = op as {
    kind?: unknown;
    rows?: unknown;
    predicate?: { column?: unknown; op?: unknown };
  } | null;
  if (o?.kind === "append" || o?.kind === "overwrite") {
    if (!Number.isSafeInteger(o.rows) || (o.rows as number) < 0)
      fail(`${where}: 'rows' must be a non-negative integer`);
    return;
  }
  if (o?.kind === "delete" || o?.kind === "update") {
    if (
      typeof o.predicate?.column !== "string" ||
      !PREDICATE_OPS.includes(String(o.predicate.op))
    ) {
      fail(`${where}: ${o.kind} needs a predicate { column, op, value }`);
    }
    const set = (o as { set?: unknown }).set;
    if (o.kind === "update" && (typeof set !== "object" || set === null || Array.isArray(set)))
      fail(`${where}: update needs 'set', an object of column values`);
    return;
  }
  if (o?.kind === "compact") return;
  if (o?.kind === "restore") {
    const version = (o as { version?: unknown }).version;
    if (!Number.isSafeInteger(version) || (version as number) < 1)
      fail(`${where}: restore needs a positive integer 'version'`);
    return;
  }
  if (o?.kind === "cleanup") {
    const olderThanMs = (o as { olderThanMs?: unknown }).olderThanMs;
    if (typeof olderThanMs !== "number" || !(olderThanMs >= 0))
      fail(`${where}: cleanup needs 'olderThanMs' >= 0`);
    return;
  }
  fail(`${where}: unknown op kind ${JSON.stringify(o?.kind)}`);
}
