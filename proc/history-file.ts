/**
 * Histories of real processes: each process appends its events, one JSON line each, to its own
 * file, stamped with the machine's monotonic clock (shared by every process on a host) and its
 * pid. The runner merges the files by timestamp into one history that the simulator's checkers
 * read unchanged.
 *
 * A line is written synchronously when the event happens, so a process killed with SIGKILL
 * loses nothing it had recorded; an operation it had begun simply never completes.
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { HistoryEvent } from "../sim/history.js";

/** One recorded event: a history event without step and time, plus where and when. */
export type HistoryLine = DistributiveOmit<HistoryEvent, "step" | "timeMs"> & {
  /** `process.hrtime.bigint()` when the event happened (for a call: when it was made). */
  readonly mono: string;
  readonly pid: number;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Appends lines to one process's history file. */
export class HistoryWriter {
  constructor(readonly path: string) {}

  /** Record `event` as happening now (or at `mono`, when it began earlier). */
  write(event: DistributiveOmit<HistoryEvent, "step" | "timeMs">, mono?: bigint): void {
    const line = { ...event, mono: String(mono ?? process.hrtime.bigint()), pid: process.pid };
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

/** Every complete line of a history file (a torn last line, from a kill, is dropped). */
export function readHistoryLines(path: string): HistoryLine[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // A process killed before its first event left no file.
    return [];
  }
  const out: HistoryLine[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as HistoryLine);
    } catch {
      // Only the last line can be torn: the process died while writing it.
    }
  }
  return out;
}

/** Merge processes' lines into one history, ordered by the monotonic clock. */
export function mergeHistories(lines: readonly HistoryLine[], startMono: bigint): HistoryEvent[] {
  const sorted = [...lines].sort((a, b) => {
    const d = BigInt(a.mono) - BigInt(b.mono);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  return sorted.map((line, step) => {
    const { mono, pid: _pid, ...event } = line;
    const timeMs = Number((BigInt(mono) - startMono) / 1_000_000n);
    return { ...event, step, timeMs } as HistoryEvent;
  });
}
