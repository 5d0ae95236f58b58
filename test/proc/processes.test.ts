/**
 * Real processes: writers and readers as Node processes on a local directory (and on the S3
 * server under test when one is configured), writers killed with SIGKILL and restarted, for
 * lancet's protocol and for LanceDB itself; and the pieces (history files, row checkers), each
 * with a planted bug.
 */
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HistoryWriter, mergeHistories, readHistoryLines } from "../../proc/history-file.js";
import { lancedbAvailable } from "../../proc/lancedb-actor.js";
import { checkRows } from "../../proc/row-checkers.js";
import { runProcesses } from "../../proc/runner.js";
import { processesMarkdown } from "../../reports/processes.js";
import { findScenario } from "../../scenarios/catalog.js";
import type { HistoryEvent } from "../../sim/history.js";
import type { S3Store } from "../../stores/s3.js";
import { openStore } from "../../stores/spec.js";
import { S3RVER_CREDENTIALS, s3UnderTest, startDynalite, startS3rver } from "../support/servers.js";

const dir = mkdtempSync(join(tmpdir(), "lancet-proc-test-"));
// LanceDB is not a dependency (its native package exists for few platforms); .ci/run installs it.
const hasLanceDb = await lancedbAvailable();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("multi-process runs (built code: run `npm run build` first)", () => {
  it("lancet: three writers and two readers on a local directory, two writers killed mid-write, every promise kept", async () => {
    const scenario = findScenario("multi-writer-conditional-put");
    const r = await runProcesses(scenario, {
      storeSpec: `local:${dir}`,
      target: "lancet",
      seed: 3,
      kills: 2,
    });
    expect(r.violations).toEqual([]);
    // Each kill is aimed at a write the victim has yet to begin; one may find it gone already.
    expect(r.stats.kills).toBeGreaterThanOrEqual(1);
    expect(r.history.filter((e) => e.type === "restart")).toHaveLength(r.stats.kills);
    // Every write was begun exactly once; each killed one is the only one left without an outcome.
    const invokes = r.history.filter((e) => e.type === "invoke" && e.actor.startsWith("w"));
    expect(invokes).toHaveLength(15);
    expect(r.stats.commitsAcknowledged + r.stats.commitsFailed).toBeGreaterThanOrEqual(
      15 - r.stats.kills,
    );
    expect(r.stats.rowsInTable).toBe(2 * (r.stats.finalVersion - 1));
  }, 60_000);

  it.skipIf(!hasLanceDb)(
    "LanceDB: one writer and four reader processes on a local directory, no lock, whole versions",
    async () => {
      const r = await runProcesses(findScenario("single-writer-many-readers"), {
        storeSpec: `local:${dir}`,
        target: "lancedb",
        seed: 1,
        kills: 1,
      });
      expect(r.violations).toEqual([]);
      expect(r.stats.readsChecked).toBe(16);
      expect(r.stats.kills).toBeGreaterThanOrEqual(1);
    },
    60_000,
  );

  const s3 = s3UnderTest();
  it.skipIf(s3 === undefined)(
    "lancet on the S3 server under test, with kills",
    async () => {
      // Test files run in any order: the bucket may not exist yet on a fresh server.
      const bucket = (await openStore(s3 as string)) as S3Store;
      await bucket.createBucketIfMissing();
      await bucket.close();
      const r = await runProcesses(findScenario("multi-writer-conditional-put"), {
        storeSpec: s3 as string,
        target: "lancet",
        seed: 5,
        kills: 2,
      });
      expect(r.violations).toEqual([]);
      expect(r.stats.kills).toBeGreaterThanOrEqual(1);
    },
    120_000,
  );

  it("on s3rver, which ignores conditional writes, an external DynamoDB commit store keeps every acknowledged commit of lancet and LanceDB, with kills", async () => {
    const s3rver = await startS3rver("lies");
    const dynalite = await startDynalite();
    const env = process.env;
    const saved = [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY];
    env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    try {
      for (const target of hasLanceDb ? (["lancet", "lancedb"] as const) : (["lancet"] as const)) {
        const r = await runProcesses(findScenario("multi-writer-s3-external-store"), {
          storeSpec: s3rver.url,
          target,
          seed: 2,
          kills: 2,
          commitStoreEndpoint: dynalite.endpoint,
        });
        // s3rver writes objects in place (qualify: atomic visibility fails), so a read racing a
        // write may fail or see a partial object: reads are not what this test is about. Every
        // acknowledged commit must be there, exactly once.
        const aboutCommits = r.violations.filter(
          (v) => v.checker !== "no-read-errors" && v.checker !== "no-torn-read",
        );
        expect(aboutCommits, target).toEqual([]);
        expect(r.stats.kills, target).toBeGreaterThanOrEqual(1);
      }
    } finally {
      [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY] = saved;
      await s3rver.stop();
      await dynalite.stop();
    }
  }, 120_000);

  it("refuses what it cannot run: the memory store, LanceDB with non-append writes", async () => {
    await expect(
      runProcesses(findScenario("multi-writer-conditional-put"), {
        storeSpec: "memory",
        target: "lancet",
        seed: 0,
        kills: 0,
      }),
    ).rejects.toThrow(/shared store/);
    await expect(
      runProcesses(findScenario("compaction-vs-delete"), {
        storeSpec: `local:${dir}`,
        target: "lancedb",
        seed: 0,
        kills: 0,
      }),
    ).rejects.toThrow(/appends only/);
  });
});

describe("history files", () => {
  it("merge by the monotonic clock, and a line torn by a kill is dropped", () => {
    const a = join(dir, "a.jsonl");
    const b = join(dir, "b.jsonl");
    new HistoryWriter(a).write({ type: "invoke", actor: "w0", opId: 0, op: "append" }, 30n);
    new HistoryWriter(b).write({ type: "invoke", actor: "r0", opId: 0, op: "read" }, 20n);
    appendFileSync(a, '{"type":"ok","act');
    const merged = mergeHistories([...readHistoryLines(a), ...readHistoryLines(b)], 0n);
    expect(merged.map((e) => e.actor)).toEqual(["r0", "w0"]);
    expect(merged.map((e) => e.step)).toEqual([0, 1]);
    expect(readHistoryLines(join(dir, "never-written.jsonl"))).toEqual([]);
  });
});

describe("row checkers catch planted bugs", () => {
  const scenario = findScenario("multi-writer-conditional-put");
  const at = { step: 0, timeMs: 0 };
  const acked = (actor: string, opId: number): HistoryEvent => ({
    type: "ok",
    ...at,
    actor,
    opId,
    op: "append",
    version: 2,
  });
  const rowsOf = (writer: number, op: number) => [0, 1].map((row) => [writer, op, row] as const);

  it("a healthy table passes", () => {
    expect(checkRows(scenario, [acked("w0", 0)], rowsOf(0, 0))).toEqual([]);
  });
  it("acked-rows-present: an acknowledged append whose rows are gone", () => {
    expect(checkRows(scenario, [acked("w0", 0)], []).map((v) => v.checker)).toEqual([
      "acked-rows-present",
    ]);
  });
  it("no-duplicate-rows: rows in the table twice", () => {
    const rows = [...rowsOf(0, 0), ...rowsOf(0, 0)];
    expect(checkRows(scenario, [acked("w0", 0)], rows).map((v) => v.checker)).toContain(
      "no-duplicate-rows",
    );
  });
  it("no-read-errors: a read that failed", () => {
    const failed: HistoryEvent = {
      type: "fail",
      ...at,
      actor: "r0",
      opId: 0,
      op: "read",
      error: { kind: "MissingDataFile", message: "gone" },
    };
    expect(checkRows(scenario, [failed], []).map((v) => v.checker)).toEqual(["no-read-errors"]);
  });
});

describe("the processes report", () => {
  it("puts lancet and LanceDB runs of a scenario side by side, with what each found", () => {
    const scenario = findScenario("multi-writer-conditional-put");
    const stats = {
      processes: 5,
      commitsAcknowledged: 15,
      commitsFailed: 0,
      readsChecked: 8,
      kills: 0,
      finalVersion: 9,
      rowsInTable: 17,
      elapsedMs: 1,
    };
    const run = (target: "lancet" | "lancedb", lost: number) => ({
      scenario,
      target,
      store: "s3://lies",
      verdict: lost > 0 ? ("unsafe" as const) : ("safe" as const),
      matchesExpectation: lost === 0,
      violations: Array.from({ length: lost }, () => ({
        checker: "acked-rows-present" as const,
        message: "lost",
        events: [],
      })),
      history: [],
      stats,
    });
    const md = processesMarkdown([run("lancet", 0), run("lancedb", 6)]);
    expect(md).toMatch(/^# lancet processes: 1 run\(s\) broke a promise/);
    expect(md).toMatch(
      /\| lancet \| `s3:\/\/lies` \| safe \| 15 \| 0 \| 8 \| 0 \| 9 \| 17 \| none \|/,
    );
    expect(md).toMatch(/\| lancedb \| `s3:\/\/lies` \| unsafe .* acked-rows-present x6 \|/);
  });
});
