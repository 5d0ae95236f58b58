/** Validation of object paths, shared by every backend so they all refuse the same keys. */
import { InvalidPath } from "./errors.js";

const SLASH = 47;
const DOT = 46;

/** Throw `InvalidPath` unless `path` is a relative `/`-separated key with no empty, `.` or `..` segment. */
export function assertValidPath(path: string): void {
  // One pass over the characters: this runs on every store call.
  const length = path.length;
  if (length === 0) throw new InvalidPath(path, "empty");
  let segmentStart = 0;
  for (let i = 0; i <= length; i++) {
    const code = i === length ? SLASH : path.charCodeAt(i);
    if (code === 0) throw new InvalidPath(path, "contains a NUL character");
    if (code !== SLASH) continue;
    const segmentLength = i - segmentStart;
    if (segmentLength === 0) {
      throw new InvalidPath(
        path,
        i === 0 ? "must be relative (no leading '/')" : "contains an empty segment",
      );
    }
    if (
      segmentLength <= 2 &&
      path.charCodeAt(segmentStart) === DOT &&
      (segmentLength === 1 || path.charCodeAt(segmentStart + 1) === DOT)
    ) {
      throw new InvalidPath(path, `contains '${path.slice(segmentStart, i)}'`);
    }
    segmentStart = i + 1;
  }
}
