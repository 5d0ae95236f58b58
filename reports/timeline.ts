/**
 * A history as a readable timeline, one line per event: the form in which a minimal failing
 * interleaving is shown to a person.
 */
import { parseManifestPath } from "../protocol/layout.js";
import type { HistoryEvent } from "../sim/history.js";

/** Options of {@link formatTimeline}. */
export interface TimelineOptions {
  /** History indices to mark with `>>` (the events a violation points at). */
  readonly highlight?: readonly number[];
}

/** One line per event: step, virtual time, actor, what happened. */
export function formatTimeline(
  history: readonly HistoryEvent[],
  options: TimelineOptions = {},
): string[] {
  const highlight = new Set(options.highlight ?? []);
  const actorWidth = Math.max(5, ...history.map((e) => e.actor.length));
  return history.map((event, index) => {
    const mark = highlight.has(index) ? ">>" : "  ";
    const step = String(event.step).padStart(4);
    const time = `${event.timeMs}ms`.padStart(7);
    return `${mark} ${step} ${time}  ${event.actor.padEnd(actorWidth)}  ${describeEvent(event)}`;
  });
}

/** What one event says, in words. */
export function describeEvent(event: HistoryEvent): string {
  switch (event.type) {
    case "invoke":
      return `begin ${event.op}`;
    case "ok":
      if (event.op === "read")
        return `read ok: saw version ${event.version} (transaction ${event.observation?.transactionId ?? "?"})`;
      if (event.op === "cleanup")
        return `cleanup ok: deleted version${event.cleaned?.length === 1 ? "" : "s"} ${event.cleaned?.length ? event.cleaned.join(", ") : "none"}`;
      if (event.noop === true) return `${event.op} ok: nothing to do at version ${event.version}`;
      return `${event.op} ok: committed as version ${event.version} (transaction ${event.transactionId ?? "?"}, ${event.attempts ?? 1} attempt${event.attempts === 1 ? "" : "s"})`;
    case "fail":
      return `${event.op} failed: ${event.error.kind}: ${event.error.message}`;
    case "crash":
      return `CRASH at ${describePathIn(event.call)} (${event.effectApplied ? "after" : "before"} its effect)`;
    case "restart":
      return `RESTART (incarnation ${event.incarnation})`;
    case "call": {
      const fault =
        event.fault === "lost-response"
          ? " (response LOST: caller told the outcome is unknown)"
          : event.fault === "transient"
            ? " (injected)"
            : "";
      return `${event.method} ${describePath(event.path)}${event.mode ? ` [${event.mode}]` : ""} -> ${event.outcome}${fault}`;
    }
  }
}

/** A path, with the version spelled out when it is a manifest. */
export function describePath(path: string): string {
  const manifest = parseManifestPath(path);
  return manifest === undefined ? path : `${path} (version ${manifest.version})`;
}

function describePathIn(call: string): string {
  const space = call.indexOf(" ");
  return space < 0 ? call : `${call.slice(0, space)} ${describePath(call.slice(space + 1))}`;
}
