/**
 * The `lancet` command: a thin shell over the library. Exit codes: 0 when every verdict is as
 * expected (or a replay reproduced its history), 1 when not, 2 for bad input.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type ProcessRunResult, type ProcessTarget, runProcesses } from "../proc/runner.js";
import { InvalidArgument, ProtocolError } from "../protocol/errors.js";
import { jsonReport } from "../reports/json.js";
import { describeShape, markdownReport } from "../reports/markdown.js";
import { processesMarkdown } from "../reports/processes.js";
import { formatQualification, qualificationMarkdown } from "../reports/qualification.js";
import { formatTimeline } from "../reports/timeline.js";
import { findScenario, SCENARIOS } from "../scenarios/catalog.js";
import { type Scenario, withAllFaults } from "../scenarios/scenario.js";
import { validateScenario } from "../scenarios/validate.js";
import { exploreScenario, type ScenarioResult } from "../sim/explore.js";
import { hashHistory } from "../sim/history.js";
import { exploreScenarioParallel } from "../sim/parallel.js";
import { InvalidReplayFile, parseReplayFile, replay, replayFileOf } from "../sim/replay.js";
import { exploreDfs, exploreWithFastCheck } from "../sim/search.js";
import { runStoreFactory } from "../sim/store-factory.js";
import { conformanceChecks } from "../stores/conformance.js";
import { StoreError } from "../stores/errors.js";
import { PrefixStore } from "../stores/prefix.js";
import { qualifyStore } from "../stores/qualify.js";
import { S3Store } from "../stores/s3.js";
import { openStore } from "../stores/spec.js";
import type { ObjectStore } from "../stores/store.js";
import { parseCount, UsageError } from "./args.js";

const USAGE = `lancet — check the commit protocol of versioned tables on object storage

usage:
  lancet scenarios [--json]                 list the built-in scenarios
  lancet run <scenario>... | all [options]  explore scenarios over many seeds
      --file FILE        also run the scenario in a JSON file (see 'lancet scenarios --json')
      --seeds N          number of seeds (default: the scenario's own, e.g. 200)
      --seed S           first seed (alone: run only seed S)
      --store SPEC       memory (default) | local:DIR
      --json FILE        write the JSON report
      --md FILE          write the Markdown report
      --replay-out FILE  where to write the replay file of a failure
                         (default lancet-replays/<scenario>-seed-<seed>.json)
      --no-minimize      report the first failing run as found, unshrunk
      --mode processes   run writers and readers as real processes on --store local:DIR or
                         s3://...; --target lancet|lancedb|both (default lancet),
                         --kills N writers killed with SIGKILL and restarted (default 2),
                         --seeds N runs (default 1); checked by the same checkers;
                         --md FILE: one table, targets side by side;
                         --commit-store URL: a DynamoDB endpoint for externalStore
                         scenarios (LanceDB: s3+ddb://)
      --all-faults       add every fault (crash and restart, lost responses, 503s,
                         lagging listings, clock skew, latency) to each scenario
      --jobs N|auto      explore seeds on N worker threads (same result, sooner)
      --scheduler S      random (default) | pct | dfs | fc:
                         pct: priority-based, finds narrow windows (--pct-depth D, default 3)
                         dfs: every interleaving of a tiny scenario, depth first
                              (--dfs-max-runs N, default 10000; --no-dedup)
                         fc:  fast-check generates the schedule and shrinks a failure
                              (--seeds N schedules, default 200)
  lancet replay FILE [--store SPEC]         re-run a replay file exactly
  lancet qualify <store> [--json FILE] [--md FILE] [--create-bucket]
                                            probe a live store: what it claims, what it does,
                                            which commit strategies are safe on it
  lancet help

exit status: 0 every verdict as expected (qualify: claims hold and a strategy is safe for
several writers), 1 otherwise, 2 bad input`;

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "scenarios":
        return listScenarios(rest, out);
      case "run":
        return await runCommand(rest, out);
      case "replay":
        return await replayCommand(rest, out);
      case "qualify":
        return await qualifyCommand(rest, out);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      out(`lancet: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof StoreError ||
      error instanceof ProtocolError ||
      error instanceof InvalidReplayFile
    ) {
      out(`lancet: ${error.name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function parse(args: readonly string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function listScenarios(args: readonly string[], out: (line: string) => void): number {
  const { values } = parse(args, { json: { type: "boolean" } });
  if (values.json) {
    out(JSON.stringify(SCENARIOS, null, 2));
    return 0;
  }
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) {
    out(
      `${s.name.padEnd(width)}  expected ${s.expected.padEnd(6)}  ${s.commitStrategy.padEnd(14)}  ${s.title}`,
    );
  }
  return 0;
}

async function runCommand(args: readonly string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parse(args, {
    seeds: { type: "string" },
    seed: { type: "string" },
    store: { type: "string", default: "memory" },
    json: { type: "string" },
    md: { type: "string" },
    "replay-out": { type: "string" },
    "no-minimize": { type: "boolean" },
    file: { type: "string" },
    jobs: { type: "string" },
    "all-faults": { type: "boolean" },
    scheduler: { type: "string", default: "random" },
    "pct-depth": { type: "string" },
    "dfs-max-runs": { type: "string" },
    "no-dedup": { type: "boolean" },
    mode: { type: "string", default: "simulated" },
    target: { type: "string", default: "lancet" },
    kills: { type: "string" },
    "commit-store": { type: "string" },
  });
  const schedulerName = String(values.scheduler);
  if (!["random", "pct", "dfs", "fc"].includes(schedulerName))
    throw new UsageError(`--scheduler must be random, pct, dfs or fc, not '${schedulerName}'`);
  let scenarios = positionals.includes("all") ? [...SCENARIOS] : positionals.map(findScenario);
  if (values.file !== undefined) scenarios.push(await loadScenario(String(values.file)));
  if (values["all-faults"] === true) scenarios = scenarios.map(withAllFaults);
  if (values.mode === "processes") return runProcessesCommand(scenarios, values, out);
  if (values.mode !== "simulated")
    throw new UsageError(`--mode must be simulated or processes, not '${String(values.mode)}'`);
  if (scenarios.length === 0) {
    throw new UsageError(
      "run needs a scenario name (or 'all', or --file FILE); see 'lancet scenarios'",
    );
  }
  if (scenarios.length > 1 && values["replay-out"] !== undefined) {
    throw new UsageError("--replay-out names one file: give it with one scenario only");
  }
  const storeSpec = String(values.store);
  const makeStore = runStoreFactory(storeSpec);
  const seedCount = parseCount("seeds", values.seeds as string | undefined, 1);
  const firstSeed = parseCount("seed", values.seed as string | undefined);
  const jobs =
    values.jobs === "auto"
      ? availableParallelism()
      : (parseCount("jobs", values.jobs as string | undefined, 1) ?? 1);

  const results: ScenarioResult[] = [];
  const replayFiles = new Map<string, string>();
  for (const scenario of scenarios) {
    const count = seedCount ?? (firstSeed !== undefined ? 1 : scenario.seeds);
    const seeds = Array.from({ length: count }, (_, i) => (firstSeed ?? 0) + i);
    const startedMs = performance.now();
    const minimize = values["no-minimize"] !== true;
    const pct = {
      kind: "pct",
      depth: parseCount("pct-depth", values["pct-depth"] as string | undefined, 1) ?? 3,
      expectedSteps: 0,
    } as const;
    const scheduler = schedulerName === "pct" ? { scheduler: pct } : {};
    let result: ScenarioResult;
    if (schedulerName === "dfs") {
      const maxRuns = parseCount("dfs-max-runs", values["dfs-max-runs"] as string | undefined, 1);
      result = await exploreDfs(scenario, {
        makeStore,
        seed: firstSeed ?? 0,
        dedup: values["no-dedup"] !== true,
        ...(maxRuns === undefined ? {} : { maxRuns }),
      });
    } else if (schedulerName === "fc") {
      result = await exploreWithFastCheck(scenario, {
        makeStore,
        seed: firstSeed ?? 0,
        numRuns: seedCount ?? 200,
      });
    } else {
      result =
        jobs > 1
          ? await exploreScenarioParallel(scenario, {
              seeds,
              storeSpec,
              jobs,
              minimize,
              ...scheduler,
            })
          : await exploreScenario(scenario, { seeds, makeStore, minimize, ...scheduler });
    }
    const seconds = (performance.now() - startedMs) / 1000;
    results.push(result);
    if (result.failure !== undefined) {
      const path =
        (values["replay-out"] as string | undefined) ??
        `lancet-replays/${scenario.name}-seed-${result.failure.minimal.run.seed}.json`;
      await writeText(
        path,
        `${JSON.stringify(replayFileOf(result.failure.minimal.scenario, result.failure.minimal.run), null, 2)}\n`,
      );
      replayFiles.set(scenario.name, path);
    }
    printResult(result, seconds, replayFiles.get(scenario.name), out);
  }
  const context = { store: storeSpec, scheduler: schedulerName, replayFiles };
  if (values.json !== undefined)
    await writeText(
      String(values.json),
      `${JSON.stringify(jsonReport(results, context), null, 2)}\n`,
    );
  if (values.md !== undefined) await writeText(String(values.md), markdownReport(results, context));
  return results.every((r) => r.matchesExpectation) ? 0 : 1;
}

async function runProcessesCommand(
  scenarios: readonly Scenario[],
  values: Record<string, unknown>,
  out: (line: string) => void,
): Promise<number> {
  const target = String(values.target);
  if (!["lancet", "lancedb", "both"].includes(target))
    throw new UsageError(`--target must be lancet, lancedb or both, not '${target}'`);
  const storeSpec = String(values.store);
  const targets: ProcessTarget[] =
    target === "both" ? ["lancet", "lancedb"] : [target as ProcessTarget];
  const runs = parseCount("seeds", values.seeds as string | undefined, 1) ?? 1;
  const firstSeed = parseCount("seed", values.seed as string | undefined) ?? 0;
  const kills = parseCount("kills", values.kills as string | undefined) ?? 2;
  const results: ProcessRunResult[] = [];
  let ok = true;
  for (const scenario of scenarios) {
    for (const t of targets) {
      for (let seed = firstSeed; seed < firstSeed + runs; seed++) {
        const commitStore = values["commit-store"] as string | undefined;
        const r = await runProcesses(scenario, {
          storeSpec,
          target: t,
          seed,
          kills,
          ...(commitStore === undefined ? {} : { commitStoreEndpoint: commitStore }),
        });
        results.push(r);
        const s = r.stats;
        out(
          `${scenario.name} [${t}, ${storeSpec}, seed ${seed}]: ${s.processes} processes, ${s.commitsAcknowledged} commits acknowledged, ${s.commitsFailed} failed, ${s.readsChecked} reads checked, ${s.kills} kills; final version ${s.finalVersion}, ${s.rowsInTable} rows (${(s.elapsedMs / 1000).toFixed(1)} s)`,
        );
        const counts = new Map<string, number>();
        for (const v of r.violations) counts.set(v.checker, (counts.get(v.checker) ?? 0) + 1);
        for (const [checker, n] of counts) {
          const first = r.violations.find((v) => v.checker === checker);
          out(`  VIOLATION x${n} [${checker}] ${first?.message}`);
        }
        // Real interleavings are not explored: an unsafe scenario that shows nothing was not caught, not refuted.
        const verdict =
          r.verdict === "unsafe"
            ? `unsafe (expected ${scenario.expected})`
            : scenario.expected === "unsafe"
              ? "nothing observed (expected unsafe: real runs sample interleavings, they do not explore them)"
              : "safe (expected safe)";
        out(`  verdict: ${verdict}`);
        if (scenario.expected === "safe" && r.verdict === "unsafe") ok = false;
      }
    }
  }
  if (values.json !== undefined)
    await writeText(String(values.json), `${JSON.stringify(results, null, 2)}\n`);
  if (values.md !== undefined) await writeText(String(values.md), processesMarkdown(results));
  return ok ? 0 : 1;
}

function printResult(
  r: ScenarioResult,
  seconds: number,
  replayFile: string | undefined,
  out: (line: string) => void,
): void {
  const t = r.totals;
  const seedRange =
    r.search !== undefined
      ? `${r.scheduler}: ${r.search.runs} schedules${r.search.statesDeduplicated === undefined ? "" : ` (${r.search.statesDeduplicated} states deduplicated)`}${r.search.exhausted === true ? ", every interleaving" : r.search.exhausted === false && r.failure === undefined ? ", bound reached before the end" : ""}`
      : `${r.scheduler === "pct" ? "pct, " : ""}${r.seedsRun === 1 ? `seed ${r.firstSeed}` : `seeds ${r.firstSeed}..${r.firstSeed + r.seedsRun - 1}`}`;
  out(`${r.scenario.name}: ${r.scenario.title}`);
  out(
    `  ${seedRange}: ${t.steps} store calls, ${t.commitsAcknowledged} commits acknowledged, ${t.commitsFailed} failed, ` +
      `${t.readsChecked} reads checked, ${t.crashes} crashes, ${t.faults} other faults (${seconds.toFixed(2)} s)`,
  );
  if (r.failure !== undefined) {
    const { minimal } = r.failure;
    const first = minimal.run.violations[0];
    out(
      `  VIOLATION at seed ${r.failure.seed}: [${r.failure.violations[0]?.checker}] ${r.failure.violations[0]?.message}`,
    );
    out(
      `  minimal: ${describeShape(minimal.scenario)}, seed ${minimal.run.seed}, ${minimal.run.history.length} events:`,
    );
    out(`    [${first?.checker}] ${first?.message}`);
    for (const line of formatTimeline(minimal.run.history, { highlight: first?.events ?? [] }))
      out(`    ${line}`);
    if (replayFile !== undefined) out(`  replay: lancet replay ${replayFile}`);
  } else if (r.search?.exhausted === false) {
    out("  no violation in the schedules run: the search was not exhaustive, this is not a proof");
  } else {
    out("  no violation");
  }
  const mark = r.matchesExpectation ? "as expected" : "NOT AS EXPECTED";
  out(`  verdict: ${r.verdict} (expected ${r.expected}) — ${mark}`);
}

async function replayCommand(
  args: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parse(args, { store: { type: "string", default: "memory" } });
  const [path] = positionals;
  if (path === undefined || positionals.length > 1)
    throw new UsageError("replay needs exactly one replay file");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new InvalidReplayFile(path, (error as Error).message);
  }
  const file = parseReplayFile(text, path);
  const { run, identical } = await replay(file, runStoreFactory(String(values.store)));
  const first = run.violations[0];
  out(
    `replay of ${file.scenario.name} (${describeShape(file.scenario)}), seed ${file.seed}, ${file.choices.length} choices`,
  );
  for (const line of formatTimeline(run.history, { highlight: first?.events ?? [] }))
    out(`  ${line}`);
  for (const v of run.violations) out(`  VIOLATION [${v.checker}] ${v.message}`);
  out(`  verdict: ${run.verdict}`);
  out(
    `  history ${hashHistory(run.history)} ${identical ? "identical to" : "DIFFERS from"} the recorded ${file.historyHash}`,
  );
  return identical ? 0 : 1;
}

async function qualifyCommand(
  args: readonly string[],
  out: (line: string) => void,
): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: "string" },
    md: { type: "string" },
    "create-bucket": { type: "boolean" },
  });
  const [spec] = positionals;
  if (spec === undefined || positionals.length > 1)
    throw new UsageError("qualify needs exactly one store (e.g. s3://bucket/prefix?endpoint=...)");
  const store = await openStore(spec);
  try {
    if (values["create-bucket"] && store instanceof S3Store) await store.createBucketIfMissing();
    // Probe in a scratch area of its own, and leave nothing behind.
    const scratch = new PrefixStore(store, `lancet-qualify-${randomUUID()}/`);
    out(
      `probing ${store.description} (about ${conformanceChecks.length} probes; on a remote store this takes a while)...`,
    );
    const report = await qualifyStore(scratch);
    for (const line of formatQualification({ ...report, store: store.description })) out(line);
    await removeAll(scratch).catch((error: unknown) => {
      // The verdict stands; say what is left behind instead of hiding it.
      out(
        `  note: could not remove the probe objects under ${scratch.description}: ${(error as Error).message}`,
      );
    });
    if (values.json !== undefined)
      await writeText(String(values.json), `${JSON.stringify(report, null, 2)}\n`);
    if (values.md !== undefined) await writeText(String(values.md), qualificationMarkdown(report));
    return report.verdict === "ok" ? 0 : 1;
  } finally {
    await store.close();
  }
}

async function removeAll(store: ObjectStore): Promise<void> {
  const paths: string[] = [];
  for await (const meta of store.list("")) paths.push(meta.path);
  for (const path of paths) await store.delete(path);
}

async function loadScenario(path: string): Promise<Scenario> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InvalidArgument(`cannot read scenario file ${path}: ${(error as Error).message}`);
  }
  validateScenario(value);
  return value;
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
