import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/main.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lancet-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lancet(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(args, (line) => lines.push(line));
  return { code, output: lines.join("\n") };
}

describe("lancet CLI", () => {
  it("lists the scenarios, as text and as JSON", async () => {
    const text = await lancet("scenarios");
    expect(text.code).toBe(0);
    for (const name of [
      "single-writer-many-readers",
      "multi-writer-conditional-put",
      "multi-writer-unsafe",
      "writer-crash-mid-commit",
    ]) {
      expect(text.output).toContain(name);
    }
    const json = JSON.parse((await lancet("scenarios", "--json")).output);
    expect(json.map((s: { name: string }) => s.name)).toContain("multi-writer-unsafe");
    expect(json[0]).toHaveProperty("formatVersion", 1);
  });

  it("a safe scenario passes and writes JSON and Markdown reports", async () => {
    const json = join(dir, "safe.json");
    const md = join(dir, "safe.md");
    const { code, output } = await lancet(
      "run",
      "multi-writer-conditional-put",
      "--seeds",
      "20",
      "--json",
      json,
      "--md",
      md,
    );
    expect(code).toBe(0);
    expect(output).toMatch(/verdict: safe \(expected safe\)/);
    const report = JSON.parse(await readFile(json, "utf8"));
    expect(report).toMatchObject({ formatVersion: 1, tool: "lancet", ok: true });
    expect(report.results[0]).toMatchObject({
      verdict: "safe",
      seedsRun: 20,
      matchesExpectation: true,
    });
    expect(await readFile(md, "utf8")).toMatch(
      /\| `multi-writer-conditional-put` \| conditionalPut \| safe \| safe \| 20 \|/,
    );
  });

  it("multi-writer-unsafe: finds the lost commit, prints the minimal timeline, writes a replay that reproduces it", async () => {
    const replayFile = join(dir, "unsafe-replay.json");
    const md = join(dir, "unsafe.md");
    const { code, output } = await lancet(
      "run",
      "multi-writer-unsafe",
      "--replay-out",
      replayFile,
      "--md",
      md,
    );
    expect(code).toBe(0);
    expect(output).toMatch(/VIOLATION at seed \d+: \[no-lost-commit\]/);
    expect(output).toMatch(/minimal: 2 writers \(1 \+ 1 writes\), 0 readers/);
    expect(output).toMatch(/>> .* put _versions\/\d+\.manifest \(version 2\) \[overwrite\] -> ok/);
    expect(output).toMatch(/verdict: unsafe \(expected unsafe\) — as expected/);
    expect(await readFile(md, "utf8")).toMatch(/no-lost-commit/);

    const replayed = await lancet("replay", replayFile);
    expect(replayed.code).toBe(0);
    expect(replayed.output).toMatch(/identical to the recorded/);
    expect(replayed.output).toMatch(/VIOLATION \[no-lost-commit\]/);
  });

  it("a verdict that differs from the expectation exits 1", async () => {
    const { code, output } = await lancet(
      "run",
      "--file",
      await scenarioFile({ expected: "safe" }),
    );
    expect(code).toBe(1);
    expect(output).toMatch(/NOT AS EXPECTED/);
  });

  it("bad input exits 2 with a clear message", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "no-such-scenario"], /unknown scenario 'no-such-scenario'; known: /],
      [["run", "multi-writer-unsafe", "--store", "s4://x"], /InvalidStoreSpec.*accepted forms/],
      [["run", "multi-writer-unsafe", "--seeds", "zero"], /--seeds needs an integer/],
      [["run", "multi-writer-unsafe", "--bogus"], /Unknown option '--bogus'/],
      [["run"], /needs a scenario name/],
      [["frobnicate"], /unknown command 'frobnicate'/],
      [["replay", join(dir, "missing.json")], /invalid replay file .*missing.json/],
    ];
    for (const [args, message] of cases) {
      const { code, output } = await lancet(...args);
      expect(code, args.join(" ")).toBe(2);
      expect(output, args.join(" ")).toMatch(message);
    }
    const corrupt = join(dir, "corrupt.json");
    await writeFile(corrupt, "{ not json");
    expect(await lancet("replay", corrupt)).toMatchObject({
      code: 2,
      output: expect.stringMatching(/not JSON/),
    });
    const badScenario = join(dir, "bad-scenario.json");
    await writeFile(badScenario, JSON.stringify({ formatVersion: 1, name: "x" }));
    expect(await lancet("run", "--file", badScenario)).toMatchObject({
      code: 2,
      output: expect.stringMatching(/invalid scenario/),
    });
  });

  it("qualify writes JSON and Markdown and exits 0 for an honest store", async () => {
    const json = join(dir, "qualify.json");
    const md = join(dir, "qualify.md");
    const { code, output } = await lancet("qualify", "memory", "--json", json, "--md", md);
    expect(code).toBe(0);
    expect(output).toMatch(/conditionalPut +several writers/);
    expect(JSON.parse(await readFile(json, "utf8"))).toMatchObject({
      formatVersion: 1,
      verdict: "ok",
      claimViolations: [],
    });
    expect(await readFile(md, "utf8")).toMatch(/# lancet qualify: ok/);
    expect(await lancet("qualify")).toMatchObject({ code: 2 });
    expect(await lancet("qualify", "s3://Bad_Bucket")).toMatchObject({
      code: 2,
      output: expect.stringMatching(/not a valid bucket name/),
    });
  });

  it("chooses the scheduler: pct and fc catch the unsafe case, dfs reports how far it searched", async () => {
    const pct = await lancet("run", "multi-writer-unsafe", "--scheduler", "pct", "--seeds", "20");
    expect(pct.code).toBe(0);
    expect(pct.output).toMatch(/pct, seeds 0\.\.\d+/);
    const dfs = await lancet(
      "run",
      "multi-writer-conditional-put",
      "--scheduler",
      "dfs",
      "--dfs-max-runs",
      "20",
    );
    expect(dfs.code).toBe(0);
    expect(dfs.output).toMatch(/dfs: 20 schedules \(\d+ states deduplicated\), bound reached/);
    const fc = await lancet("run", "multi-writer-unsafe", "--scheduler", "fc", "--seeds", "100");
    expect(fc.output).toMatch(/verdict: unsafe \(expected unsafe\)/);
    expect(await lancet("run", "multi-writer-unsafe", "--scheduler", "bogus")).toMatchObject({
      code: 2,
    });
  });

  it("process mode refuses what it cannot run with a clear message and exit 2", async () => {
    const refused = await lancet(
      "run",
      "compaction-vs-delete",
      "--mode",
      "processes",
      "--target",
      "lancedb",
      "--store",
      `local:${dir}`,
    );
    expect(refused).toMatchObject({ code: 2, output: expect.stringMatching(/appends only/) });
    const noCommitStore = await lancet(
      "run",
      "multi-writer-s3-external-store",
      "--mode",
      "processes",
      "--store",
      `local:${dir}`,
    );
    expect(noCommitStore).toMatchObject({
      code: 2,
      output: expect.stringMatching(/--commit-store/),
    });
  });

  it("runs on the local file-system store", async () => {
    const { code, output } = await lancet(
      "run",
      "multi-writer-conditional-put",
      "--seeds",
      "3",
      "--store",
      `local:${join(dir, "tables")}`,
    );
    expect(code).toBe(0);
    expect(output).toMatch(/verdict: safe/);
  });

  it("--jobs 2 explores on worker threads and reports exactly what one thread reports", async () => {
    const bin = join(import.meta.dirname, "../../dist/cli/bin.js");
    const run = async (jobs: string, scenario: string) => {
      const json = join(dir, `jobs-${jobs}-${scenario}.json`);
      await promisify(execFile)(process.execPath, [
        bin,
        "run",
        scenario,
        "--seeds",
        "40",
        "--jobs",
        jobs,
        "--json",
        json,
      ]);
      const { results } = JSON.parse(await readFile(json, "utf8"));
      return results;
    };
    for (const scenario of ["multi-writer-conditional-put", "multi-writer-unsafe"]) {
      expect(await run("2", scenario), scenario).toEqual(await run("1", scenario));
    }
  });

  it("the installed bin runs end to end", async () => {
    const bin = join(import.meta.dirname, "../../dist/cli/bin.js");
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      "run",
      "single-writer-many-readers",
      "--seeds",
      "5",
    ]);
    expect(stdout).toMatch(/verdict: safe \(expected safe\) — as expected/);
  });
});

async function scenarioFile(overrides: Record<string, unknown>): Promise<string> {
  const { findScenario } = await import("../../scenarios/catalog.js");
  const path = join(dir, `scenario-${Object.keys(overrides).join("-")}.json`);
  await writeFile(
    path,
    JSON.stringify({ ...findScenario("multi-writer-unsafe"), name: "custom", ...overrides }),
  );
  return path;
}
