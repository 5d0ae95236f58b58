/**
 * Command-line parsing helpers: typed, with errors that say what was expected.
 */

/** A command line that cannot be understood; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  readonly kind = "UsageError";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parse a non-negative integer option. */
export function parseCount(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} needs an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}
