/**
 * Multi-process runs: the scenario's writers and readers as real Node processes on a real
 * store (a local directory or an S3 bucket), with `kill -9` of writers at seeded moments and
 * restarts. Each process records its history to its own file; the runner merges them and runs
 * the same checkers as the simulator, plus the row checkers.
 *
 * Unlike a simulated run, the interleaving is the operating system's, so a run does not replay;
 * the seed fixes only when and whom the runner kills.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidArgument } from "../protocol/errors.js";
import { Table } from "../protocol/table.js";
import type { Scenario, Verdict } from "../scenarios/scenario.js";
import { CHECKERS, checkHistory, monotonicReads, type Violation } from "../sim/checkers.js";
import { readFinalState } from "../sim/final-state.js";
import type { HistoryEvent } from "../sim/history.js";
import { SeededRandom } from "../sim/random.js";
import { createEnvAt } from "../sim/setup-env.js";
import { BatchCache, strategyFor } from "../sim/workload.js";
import { DynamoCommitStore } from "../stores/dynamodb-commit-store.js";
import { InvalidStoreSpec } from "../stores/errors.js";
import { parseS3Url } from "../stores/s3-url.js";
import { openStore, parseStoreSpec } from "../stores/spec.js";
import { HistoryWriter, mergeHistories, readHistoryLines } from "./history-file.js";
import { type CommitStoreLocation, createLanceDbTable, readLanceDbRows } from "./lancedb-actor.js";
import { checkRows, type RowTriple } from "./row-checkers.js";
import type { WorkerConfig } from "./worker.js";

/** Which implementation of the protocol the processes run. */
export type ProcessTarget = "lancet" | "lancedb";

/** Options of {@link runProcesses}. */
export interface ProcessRunOptions {
  /** A store every process can reach: `local:DIR` or `s3://bucket/prefix?endpoint=...`. */
  readonly storeSpec: string;
  readonly target: ProcessTarget;
  /** Fixes when and which writers are killed. */
  readonly seed: number;
  /**
   * Writers killed with SIGKILL during the run, each during a write drawn from the seed (never
   * its last), then restarted.
   */
  readonly kills: number;
  /** A killed writer restarts after this long (default 20 ms). */
  readonly restartAfterMs?: number;
  /** The run is abandoned (and its processes killed) after this long (default 120 s). */
  readonly timeoutMs?: number;
  /**
   * A DynamoDB-compatible endpoint for the externalStore strategy (lancet) or `s3+ddb://`
   * (LanceDB); each run gets a commit table of its own.
   */
  readonly commitStoreEndpoint?: string;
}

/** Counts that describe a multi-process run. */
export interface ProcessRunStats {
  readonly processes: number;
  readonly commitsAcknowledged: number;
  readonly commitsFailed: number;
  readonly readsChecked: number;
  readonly kills: number;
  readonly finalVersion: number;
  readonly rowsInTable: number;
  readonly elapsedMs: number;
}

/** The outcome of a multi-process run. */
export interface ProcessRunResult {
  readonly scenario: Scenario;
  readonly target: ProcessTarget;
  readonly store: string;
  readonly verdict: Verdict;
  readonly matchesExpectation: boolean;
  readonly violations: readonly Violation[];
  readonly history: readonly HistoryEvent[];
  readonly stats: ProcessRunStats;
}

/** The worker script: beside this module once built; from the sources (tests), the built one. */
const WORKER = import.meta.url.endsWith(".ts")
  ? fileURLToPath(new URL("../dist/proc/worker.js", import.meta.url))
  : fileURLToPath(new URL("./worker.js", import.meta.url));

/** Run `scenario` as real processes and check what they recorded. */
export async function runProcesses(
  scenario: Scenario,
  options: ProcessRunOptions,
): Promise<ProcessRunResult> {
  assertRunnable(scenario, options);
  const startedMs = performance.now();
  const label = `${scenario.name}-${options.target}-seed-${options.seed}`;
  const runSpec = await freshLocation(options.storeSpec, label);
  const commitStore = await freshCommitTable(scenario, options, label);
  await createTable(scenario, runSpec, options.target, commitStore);
  const dir = await mkdtemp(join(tmpdir(), "lancet-processes-"));
  try {
    const startMono = process.hrtime.bigint();
    const runnerHistory = new HistoryWriter(join(dir, "runner.jsonl"));
    const files = await supervise(scenario, options, runSpec, dir, runnerHistory, commitStore);
    const lines = [...files, runnerHistory.path].flatMap(readHistoryLines);
    const history = mergeHistories(lines, startMono);
    const { violations, finalVersion, rows } = await check(
      scenario,
      options.target,
      runSpec,
      history,
      commitStore,
    );
    const verdict: Verdict = violations.length === 0 ? "safe" : "unsafe";
    return {
      scenario,
      target: options.target,
      store: options.storeSpec,
      verdict,
      matchesExpectation: verdict === scenario.expected,
      violations,
      history,
      stats: {
        processes: scenario.writers.length + scenario.readers.length,
        commitsAcknowledged: history.filter((e) => e.type === "ok" && e.op !== "read").length,
        commitsFailed: history.filter((e) => e.type === "fail" && e.op !== "read").length,
        readsChecked: history.filter((e) => e.type === "ok" && e.op === "read").length,
        kills: history.filter((e) => e.type === "crash").length,
        finalVersion,
        rowsInTable: rows,
        elapsedMs: Math.round(performance.now() - startedMs),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertRunnable(scenario: Scenario, options: ProcessRunOptions): void {
  const kind = parseStoreSpec(options.storeSpec).kind;
  if (kind === "memory")
    throw new InvalidStoreSpec(
      options.storeSpec,
      "processes need a shared store: local:DIR or s3://...",
    );
  if (scenario.commitStrategy === "externalStore" && options.commitStoreEndpoint === undefined)
    throw new InvalidArgument(
      `${scenario.name} commits through an external store: give --commit-store ENDPOINT`,
    );
  if (
    options.target === "lancedb" &&
    scenario.writers.some((w) => w.ops.some((op) => op.kind !== "append"))
  )
    throw new InvalidArgument(
      `the lancedb target runs appends only; ${scenario.name} has other writes`,
    );
}

/** A location of the run's own under `spec`, emptied. */
async function freshLocation(spec: string, label: string): Promise<string> {
  const parsed = parseStoreSpec(spec);
  let runSpec: string;
  if (parsed.kind === "local") runSpec = `local:${join(parsed.dir, label)}`;
  else {
    const location = parseS3Url(spec);
    const url = new URL(spec);
    const prefix = [location.prefix, label].filter((p) => p !== "").join("/");
    runSpec = `s3://${location.bucket}/${prefix}${url.search}`;
  }
  const store = await openStore(runSpec);
  try {
    for await (const meta of store.list("")) await store.delete(meta.path);
  } finally {
    await store.close();
  }
  return runSpec;
}

/** A commit table of the run's own, when the scenario commits through an external store. */
async function freshCommitTable(
  scenario: Scenario,
  options: ProcessRunOptions,
  label: string,
): Promise<CommitStoreLocation | undefined> {
  if (scenario.commitStrategy !== "externalStore" || options.commitStoreEndpoint === undefined)
    return undefined;
  const location = {
    endpoint: options.commitStoreEndpoint,
    tableName: `lancet-${label}-${process.pid}-${Date.now()}`.replace(/[^A-Za-z0-9_.-]/g, "-"),
  };
  const store = new DynamoCommitStore(location);
  try {
    await store.createTableIfMissing();
  } finally {
    await store.close();
  }
  return location;
}

async function createTable(
  scenario: Scenario,
  runSpec: string,
  target: ProcessTarget,
  commitStore: CommitStoreLocation | undefined,
) {
  if (target === "lancedb") return createLanceDbTable(runSpec, commitStore);
  const store = await openStore(runSpec);
  const commits = commitStore === undefined ? undefined : new DynamoCommitStore(commitStore);
  try {
    await Table.create(store, new BatchCache().get(-1, -1, 0), {
      env: createEnvAt(0, "setup"),
      naming: scenario.naming,
      commitStrategy: strategyFor(scenario, commits),
    });
  } finally {
    await store.close();
    await commits?.close();
  }
}

interface Actor {
  readonly role: "writer" | "reader";
  readonly index: number;
  readonly name: string;
  incarnation: number;
  child: ChildProcess | undefined;
  files: string[];
  done: boolean;
}

/** Start every actor, kill and restart writers as planned, wait for all to finish. */
async function supervise(
  scenario: Scenario,
  options: ProcessRunOptions,
  runSpec: string,
  dir: string,
  runnerHistory: HistoryWriter,
  commitStore: CommitStoreLocation | undefined,
): Promise<string[]> {
  const actors: Actor[] = [
    ...scenario.writers.map((_, index) => actor("writer", index, `w${index}`)),
    ...scenario.readers.map((_, index) => actor("reader", index, `r${index}`)),
  ];
  const errors: string[] = [];
  let finish: () => void = () => {};
  let fail: (error: Error) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const checkDone = () => {
    if (errors.length > 0) fail(new Error(`a process failed:\n${errors.join("\n")}`));
    else if (actors.every((a) => a.done)) finish();
  };

  const start = (a: Actor) => {
    const historyPath = join(dir, `${a.name}-${a.incarnation}.jsonl`);
    a.files.push(historyPath);
    const startAt = sum(a.files.slice(0, -1).map(invokesIn));
    const config: WorkerConfig = {
      role: a.role,
      index: a.index,
      actor: a.name,
      scenario,
      storeSpec: runSpec,
      target: options.target,
      historyPath,
      startAt,
      incarnation: a.incarnation,
      ...(commitStore === undefined ? {} : { commitStore }),
    };
    const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    });
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    a.child = child;
    child.on("exit", (code, signal) => {
      if (a.child !== child) return;
      a.child = undefined;
      if (signal === "SIGKILL") return; // ours: the kill handler restarts it
      if (code === 0) a.done = true;
      else
        errors.push(`${a.name} (pid ${child.pid}) exited with ${code ?? signal}: ${stderr.trim()}`);
      checkDone();
    });
  };

  const random = new SeededRandom(options.seed).fork("kills");
  const writers = actors.filter((a) => a.role === "writer");
  const timers: NodeJS.Timeout[] = [];
  /**
   * Kill `victim` `delayMs` after it begins its write number `write` (0-based), so that kills
   * land before, inside and after commits; then restart it.
   */
  const killDuring = (victim: Actor, write: number, delayMs: number) => {
    const kill = () => {
      if (victim.done) return;
      const child = victim.child;
      const invokes = victim.files.map(invokesIn);
      // Not yet there (or restarting): look again shortly. A kill during start-up tests nothing.
      if (child === undefined || (invokes.at(-1) ?? 0) === 0 || sum(invokes) <= write) {
        timers.push(setTimeout(kill, 2));
        return;
      }
      timers.push(setTimeout(() => killNow(child), delayMs));
    };
    const killNow = (child: ChildProcess) => {
      // Finished, or already killed and restarted, meanwhile: this kill has nothing to hit.
      if (victim.done || victim.child !== child) return;
      runnerHistory.write({
        type: "crash",
        actor: victim.name,
        call: "SIGKILL",
        effectApplied: false,
      });
      child.kill("SIGKILL");
      victim.child = undefined;
      timers.push(
        setTimeout(() => {
          victim.incarnation++;
          runnerHistory.write({
            type: "restart",
            actor: victim.name,
            incarnation: victim.incarnation,
          });
          start(victim);
        }, options.restartAfterMs ?? 20),
      );
    };
    timers.push(setTimeout(kill, 0));
  };
  for (let k = 0; k < options.kills && writers.length > 0; k++) {
    const victim = writers[random.int(writers.length)] as Actor;
    const ops = scenario.writers[victim.index]?.ops.length ?? 1;
    // Never its last write: a writer with work left is alive when its kill comes.
    killDuring(victim, random.int(Math.max(1, ops - 1)), random.int(15));
  }
  const timeout = setTimeout(
    () => fail(new Error(`processes did not finish within ${options.timeoutMs ?? 120_000} ms`)),
    options.timeoutMs ?? 120_000,
  );
  for (const a of actors) start(a);
  try {
    await finished;
  } finally {
    clearTimeout(timeout);
    for (const t of timers) clearTimeout(t);
    for (const a of actors) a.child?.kill("SIGKILL");
  }
  return actors.flatMap((a) => a.files);

  function actor(role: "writer" | "reader", index: number, name: string): Actor {
    return { role, index, name, incarnation: 0, child: undefined, files: [], done: false };
  }
}

async function check(
  scenario: Scenario,
  target: ProcessTarget,
  runSpec: string,
  history: readonly HistoryEvent[],
  commitStore: CommitStoreLocation | undefined,
): Promise<{ violations: Violation[]; finalVersion: number; rows: number }> {
  if (target === "lancedb") {
    const rows = await readLanceDbRows(runSpec, commitStore);
    const versions = history.flatMap((e) => (e.type === "ok" ? [e.version] : []));
    return {
      violations: [
        ...checkRows(scenario, history, rows),
        ...monotonicReads.check({ history, final: { versions: [], corrupt: [] } }),
      ],
      finalVersion: Math.max(0, ...versions),
      rows: rows.length,
    };
  }
  const store = await openStore(runSpec);
  const commits = commitStore === undefined ? undefined : new DynamoCommitStore(commitStore);
  try {
    // Through the commit store, if any: claimed versions get completed before they are checked.
    const table = await Table.open(store, {
      env: createEnvAt(0, "final"),
      ...(commits === undefined ? {} : { commitStrategy: strategyFor(scenario, commits) }),
    });
    const final = await readFinalState(store);
    const arrow = await table.toArrow();
    const column = (name: string) => [...(arrow.getChild(name)?.toArray() ?? [])].map(Number);
    const [w, o, r] = [column("writer"), column("op"), column("row")];
    const rows: RowTriple[] = w.map((writer, i) => [writer, o[i] as number, r[i] as number]);
    return {
      violations: [
        ...checkHistory({ history, final }, CHECKERS),
        ...checkRows(scenario, history, rows),
      ],
      finalVersion: final.versions.at(-1)?.version ?? 0,
      rows: rows.length,
    };
  } finally {
    await store.close();
    await commits?.close();
  }
}

/** Operations begun in one history file. */
function invokesIn(path: string): number {
  return readHistoryLines(path).filter((l) => l.type === "invoke").length;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
