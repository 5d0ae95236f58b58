import { describe, expect, it } from "vitest";
import { findScenario, SCENARIOS } from "../../scenarios/catalog.js";
import { hashHistory } from "../../sim/history.js";
import { parseReplayFile, replay, replayFileOf } from "../../sim/replay.js";
import { RESULT_FORMAT_VERSION, runOnce } from "../../sim/run.js";
import { MemoryStore } from "../../stores/memory.js";

const makeStore = async () => new MemoryStore();

describe("determinism", () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: the same seed gives the same history, bit for bit`, async () => {
      for (const seed of [0, 7, 123456]) {
        const first = await runOnce(scenario, seed, { makeStore });
        const second = await runOnce(scenario, seed, { makeStore });
        expect(hashHistory(second.history)).toBe(hashHistory(first.history));
        expect(second.choices).toEqual(first.choices);
      }
    });
  }

  it("different seeds give different interleavings", async () => {
    const scenario = findScenario("multi-writer-conditional-put");
    const hashes = new Set<string>();
    for (let seed = 0; seed < 20; seed++)
      hashes.add(hashHistory((await runOnce(scenario, seed, { makeStore })).history));
    expect(hashes.size).toBe(20);
  });

  it("a replay file reproduces the identical history from its recorded choices", async () => {
    const scenario = findScenario("multi-writer-unsafe");
    let failing: Awaited<ReturnType<typeof runOnce>> | undefined;
    for (let seed = 0; failing === undefined && seed < 100; seed++) {
      const run = await runOnce(scenario, seed, { makeStore });
      if (run.violations.length > 0) failing = run;
    }
    if (failing === undefined) throw new Error("the unsafe scenario was not caught in 100 seeds");
    const file = parseReplayFile(JSON.stringify(replayFileOf(scenario, failing)), "test");
    const outcome = await replay(file, makeStore);
    expect(outcome.identical).toBe(true);
    expect(outcome.run.violations).toEqual(failing.violations);
  });

  it("a replay file whose choices were tampered with is reported as different", async () => {
    const scenario = findScenario("multi-writer-conditional-put");
    const run = await runOnce(scenario, 3, { makeStore });
    const file = replayFileOf(scenario, run);
    const tampered = { ...file, choices: file.choices.map((c) => (c === 0 ? 1 : 0)) };
    expect((await replay(tampered, makeStore)).identical).toBe(false);
  });

  it("bad replay files get a clear InvalidReplayFile", () => {
    expect(() => parseReplayFile("{", "x.json")).toThrow(/invalid replay file x.json: not JSON/);
    expect(() => parseReplayFile('{"kind":"other"}', "x.json")).toThrow(/not a lancet replay file/);
    const scenario = findScenario("multi-writer-unsafe");
    const good = {
      formatVersion: RESULT_FORMAT_VERSION,
      kind: "lancet-replay",
      scenario,
      seed: 1,
      choices: [0],
      historyHash: "x",
      violations: [],
    };
    expect(() => parseReplayFile(JSON.stringify({ ...good, choices: [-1] }), "x.json")).toThrow(
      /choices/,
    );
    expect(() =>
      parseReplayFile(
        JSON.stringify({ ...good, scenario: { ...scenario, commitStrategy: "yolo" } }),
        "x.json",
      ),
    ).toThrow(/commitStrategy/);
  });
});
