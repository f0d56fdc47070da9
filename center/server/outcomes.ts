/**
 * Flow outcomes as they happen in this process, for whoever watches (the
 * admin API's Server-Sent Events, GET /events `event: outcome`): a validity
 * decision, a transaction cleared or refused, an e-money charge answered.
 * Modules publish through their ModuleContext; a watcher that throws is
 * dropped from that outcome, never felt by the flow. Nothing secret goes in
 * (ids and result codes only: no PIN, key, token or security code).
 */
export interface FlowOutcome {
  /** The module whose flow it is: `validity`, `emoney`. */
  readonly flow: string;
  /** The step that ended: `admit` (VALIDITY_REQUEST), `transaction`, `charge`. */
  readonly step: string;
  /** What came of it: `ack`, `early-ack`, `nak`, `cleared`, `approved`, `refused`. */
  readonly outcome: string;
  /** The reason or result code (a NAK reason, a result code), null when there is none. */
  readonly code: string | null;
  readonly terminalId: string | null;
  /** What it was about: a medium id, a charge id. */
  readonly subject: string | null;
  readonly atMs: number;
}

export type OutcomeWatcher = (o: FlowOutcome) => void;

export class OutcomeFeed {
  private readonly watchers = new Set<OutcomeWatcher>();

  publish(o: FlowOutcome): void {
    for (const w of this.watchers) {
      try {
        w(o);
      } catch {
        // a watcher's failure (a closed stream) is its own business
      }
    }
  }

  /** Starts watching; returns the function that stops it. */
  watch(w: OutcomeWatcher): () => void {
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}
