import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatQualification, qualificationMarkdown } from "../../reports/qualification.js";
import { LocalStore } from "../../stores/local.js";
import { MemoryStore } from "../../stores/memory.js";
import { qualifyStore } from "../../stores/qualify.js";
import type { ObjectStore, PutOptions } from "../../stores/store.js";
import { NO_ATOMIC_PRIMITIVES, wrapStore } from "../support/wrap-store.js";

/** Drops every put condition, as s3rver and some gateways do. */
const droppingConditions = (inner: ObjectStore, capabilities = inner.capabilities) =>
  wrapStore(inner, {
    capabilities,
    put: (path: string, bytes: Uint8Array, _options?: PutOptions) =>
      inner.put(path, bytes, { mode: "overwrite" }),
    renameIfAbsent: async (from: string, to: string) => {
      const { bytes } = await inner.get(from);
      await inner.put(to, bytes);
      await inner.delete(from);
    },
  });

const use = (report: Awaited<ReturnType<typeof qualifyStore>>, strategy: string) =>
  report.strategies.find((s) => s.strategy === strategy)?.use;

describe("qualification", () => {
  it("an honest store: every claim holds, conditionalPut and rename are safe for several writers", async () => {
    const report = await qualifyStore(new MemoryStore());
    expect(report.verdict).toBe("ok");
    expect(report.claimViolations).toEqual([]);
    expect(use(report, "conditionalPut")).toBe("several writers");
    expect(use(report, "unsafe")).toBe("single writer only");
    expect(
      report.capabilities.find((c) => c.capability === "conditionalCreate")?.evidence.join(" "),
    ).toMatch(/1 of 32 racers won/);
  });

  it("the local file system: no If-Match, and that is not a violation because it is not claimed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lancet-qualify-"));
    try {
      const report = await qualifyStore(new LocalStore(dir));
      expect(report.verdict).toBe("ok");
      expect(report.capabilities.find((c) => c.capability === "conditionalUpdate")).toMatchObject({
        claimed: false,
        observed: false,
      });
      expect(use(report, "rename")).toBe("several writers");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a store that claims conditional writes but ignores them is caught: claims violated, conditionalPut unsafe", async () => {
    const report = await qualifyStore(droppingConditions(new MemoryStore()));
    expect(report.verdict).toBe("violates-claims");
    expect(report.claimViolations).toEqual(
      expect.arrayContaining(["conditionalCreate", "conditionalUpdate", "renameIfAbsent"]),
    );
    expect(use(report, "conditionalPut")).toBe("no");
    expect(use(report, "externalStore")).toBe("several writers");
    expect(formatQualification(report).join("\n")).toMatch(/CLAIM VIOLATED/);
    expect(qualificationMarkdown(report)).toMatch(/\| conditionalCreate \| yes \| \*\*no\*\* \|/);
  });

  it("a store that honestly claims nothing atomic: no violation, but no store-native strategy for several writers", async () => {
    const report = await qualifyStore(droppingConditions(new MemoryStore(), NO_ATOMIC_PRIMITIVES));
    expect(report.claimViolations).toEqual([]);
    expect(report.verdict).toBe("no-safe-strategy");
    expect(formatQualification(report).join("\n")).toMatch(
      /use one writer, or an external commit store/,
    );
  });
});
