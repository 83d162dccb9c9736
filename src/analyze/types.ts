/**
 * The analyzer extension point. Analyzers run synchronously, do no I/O, read
 * views and copy out only what they keep as owned records. What they want
 * stored, published or alerted goes through the `Sink` they are handed.
 */
import type { DecodedFrame } from '../decode/types.js';
import type { AlertInput } from '../alerts/types.js';

/** Telemetry streams (the last topic level). */
export type Stream = 'status' | 'inventory' | 'alerts' | 'vulns' | 'baseline' | 'policy' | 'utilization' | 'health';

/** Sublevels of the store that analyzers may write through the sink. */
export type StoreArea = 'devices' | 'flows' | 'vulns' | 'utilization';

export interface Sink {
  /** Raise an alert; de-duplication and rate limiting happen behind this call. */
  alert(input: AlertInput): void;
  /** Queue a telemetry message (it reaches the outbox in this tick's batch). */
  publish(stream: Stream, kind: number, body: unknown): void;
  /** Persist an owned record in this tick's batch. */
  put(area: StoreArea, key: string, value: unknown): void;
  del(area: StoreArea, key: string): void;
  /** Add to a health counter (per-frame problems are counted, never logged). */
  count(code: string, n?: number): void;
}

export interface Analyzer {
  readonly name: string;
  /** Called once at start with what the store holds for this analyzer's area. */
  restore?(records: ReadonlyArray<readonly [string, unknown]>): void;
  onFrame(frame: DecodedFrame, out: Sink): void;
  /** Called on the agent's tick (about once a second) and once more at shutdown. */
  onTick(nowSec: number, out: Sink): void;
}
