/**
 * One writer or reader process of a multi-process run: `node dist/proc/worker.js CONFIG-JSON`.
 * It runs the scenario's actor against a real store, with the real clock, recording its history
 * to its own file, and exits when its job list is done. The runner may kill it at any moment.
 */
import { realEnv } from "../protocol/env.js";
import type { Scenario } from "../scenarios/scenario.js";
import type { ActorContext, Recorder } from "../sim/engine.js";
import { errorKind, errorMessage } from "../sim/history.js";
import { BatchCache, readerActor, writerActor } from "../sim/workload.js";
import { DynamoCommitStore } from "../stores/dynamodb-commit-store.js";
import { openStore } from "../stores/spec.js";
import { HistoryWriter } from "./history-file.js";
import { type CommitStoreLocation, lancedbReader, lancedbWriter } from "./lancedb-actor.js";
import { RecordingStore } from "./recording-store.js";

/** What the runner tells a worker. */
export interface WorkerConfig {
  readonly role: "writer" | "reader";
  readonly index: number;
  readonly actor: string;
  readonly scenario: Scenario;
  /** The run's store (a prefix or directory of its own). */
  readonly storeSpec: string;
  readonly target: "lancet" | "lancedb";
  readonly historyPath: string;
  /** Operations begun by earlier lives of this actor. */
  readonly startAt: number;
  readonly incarnation: number;
  /** The run's DynamoDB commit table, for the externalStore strategy. */
  readonly commitStore?: CommitStoreLocation;
}

/** Records an actor's operations into its history file. */
export function fileRecorder(history: HistoryWriter, actor: string, firstOpId: number): Recorder {
  let nextOpId = firstOpId;
  return {
    invoke: (op, detail) => {
      const opId = nextOpId++;
      history.write({ type: "invoke", actor, opId, op, ...detail });
      return opId;
    },
    ok: (opId, op, result) => history.write({ type: "ok", actor, opId, op, ...result }),
    fail: (opId, op, error) =>
      history.write({
        type: "fail",
        actor,
        opId,
        op,
        error: { kind: errorKind(error), message: errorMessage(error) },
      }),
  };
}

async function main(config: WorkerConfig): Promise<void> {
  const history = new HistoryWriter(config.historyPath);
  const record = fileRecorder(history, config.actor, config.startAt);
  if (config.target === "lancedb") {
    const body = config.role === "writer" ? lancedbWriter : lancedbReader;
    await body(config, record);
    return;
  }
  const store = new RecordingStore(await openStore(config.storeSpec), history, config.actor);
  const commitStore =
    config.commitStore === undefined ? undefined : new DynamoCommitStore(config.commitStore);
  const ctx: ActorContext = {
    name: config.actor,
    store,
    commitStore,
    env: realEnv(),
    record,
    incarnation: config.incarnation,
  };
  const body =
    config.role === "writer"
      ? writerActor(config.scenario, config.index, new BatchCache(), config.startAt)
      : readerActor(config.scenario, config.index, config.startAt);
  try {
    await body(ctx);
  } finally {
    await store.close();
    await commitStore?.close();
  }
}

const [arg] = process.argv.slice(2);
if (arg === undefined) {
  console.error("usage: worker.js CONFIG-JSON (started by lancet's process runner)");
  process.exit(2);
}
main(JSON.parse(arg) as WorkerConfig).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
