/**
 * A worker thread of {@link exploreScenarioParallel}: runs its seeds in order, reporting each,
 * until it runs out, finds a failure, or is told to stop after a lower failing seed.
 */
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import type { WorkerInput, WorkerMessage } from "./parallel.js";
import { runOnce } from "./run.js";
import { runStoreFactory } from "./store-factory.js";
import { BatchCache } from "./workload.js";

const port = parentPort;
if (port === null) throw new Error("explore-worker must run as a worker thread");
const input = workerData as WorkerInput;
let stopAfter = Number.POSITIVE_INFINITY;
port.on("message", (message: { stopAfter: number }) => {
  stopAfter = Math.min(stopAfter, message.stopAfter);
});

const post = (message: WorkerMessage) => port.postMessage(message);
const runOptions = {
  makeStore: runStoreFactory(input.storeSpec),
  batches: new BatchCache(),
  ...(input.scheduler === undefined ? {} : { scheduler: input.scheduler }),
};
for (const [position, [index, seed]] of input.slice.entries()) {
  // Let a stop message in now and then; a macrotask per run would cost more than the check.
  if (position % 16 === 0) await yieldToEvents();
  if (index > stopAfter) break;
  const run = await runOnce(input.scenario, seed, runOptions);
  if (run.violations.length > 0) {
    post({ type: "failed", index, run });
    break;
  }
  post({ type: "ran", index, stats: run.stats });
}
post({ type: "done" });
