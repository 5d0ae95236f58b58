/**
 * Small tables for protocol tests: a column of ids, and two handles on one table (two writers
 * that read the same version).
 */
import { tableFromArrays } from "apache-arrow";
import { Table } from "../../protocol/table.js";
import { createEnvAt } from "../../sim/setup-env.js";
import { MemoryStore } from "../../stores/memory.js";

/** A one-column table `id` with these values. */
export const rows = (ids: number[]) => tableFromArrays({ id: Int32Array.from(ids) });

/** A table at version 2 (ids 1-4 in two fragments), opened by two writers `a` and `b`. */
export async function twoHandles() {
  const store = new MemoryStore();
  const setup = await Table.create(store, rows([1, 2]), { env: createEnvAt(0, "s") });
  await setup.append(rows([3, 4]));
  const a = await Table.open(store, { env: createEnvAt(0, "a") });
  const b = await Table.open(store, { env: createEnvAt(0, "b") });
  return { store, a, b };
}
