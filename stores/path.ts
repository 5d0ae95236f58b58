/** Validation of object paths, shared by every backend so they all refuse the same keys. */
import { InvalidPath } from "./errors.js";

/** Throw `InvalidPath` unless `path` is a relative `/`-separated key with no empty, `.` or `..` segment. */
export function assertValidPath(path: string): void {
  if (path.length === 0) throw new InvalidPath(path, "empty");
  if (path.startsWith("/")) throw new InvalidPath(path, "must be relative (no leading '/')");
  if (path.includes("\0")) throw new InvalidPath(path, "contains a NUL character");
  for (const segment of path.split("/")) {
    if (segment === "") throw new InvalidPath(path, "contains an empty segment");
    if (segment === "." || segment === "..") throw new InvalidPath(path, `contains '${segment}'`);
  }
}
