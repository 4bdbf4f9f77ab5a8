/**
 * Reads V8's `--trace-gc` lines (one per collection, on stdout) into a summary: how large the JS heap
 * grew before a full collection, how much of it was still alive after one, and the time spent paused.
 * Passive: the flag only prints; it changes no collection decision.
 */
export interface GcSummary {
  scavenges: number;
  markCompacts: number;
  /** Largest JS heap (used MB) seen just before a collection. */
  peakHeapMb: number;
  /** Largest JS heap (used MB) still alive after a full (mark-compact) collection. */
  peakLiveAfterFullGcMb: number;
  /** Sum of the pauses V8 reports, ms. */
  pauseMs: number;
}

const LINE = /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, ([\d.]+) \/ [\d.]+ ms/;

export class GcTrace {
  private readonly s: GcSummary = { scavenges: 0, markCompacts: 0, peakHeapMb: 0, peakLiveAfterFullGcMb: 0, pauseMs: 0 };
  private partial = '';

  /** Feed raw stdout; non-GC lines are ignored. */
  feed(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = LINE.exec(line);
      if (!m) continue;
      const before = Number(m[2]);
      const after = Number(m[3]);
      this.s.pauseMs += Number(m[4]);
      this.s.peakHeapMb = Math.max(this.s.peakHeapMb, before);
      if (m[1] === 'Scavenge' || m[1] === 'Minor Mark-Sweep') this.s.scavenges++;
      else {
        this.s.markCompacts++;
        this.s.peakLiveAfterFullGcMb = Math.max(this.s.peakLiveAfterFullGcMb, after);
      }
    }
  }

  summary(): GcSummary {
    return { ...this.s };
  }
}
