/**
 * The analyzer extension point. Analyzers run synchronously, do no I/O, read
 * views and copy out only what they keep as owned records. What they want
 * stored, published or alerted goes through the `Sink` they are handed; the
 * runtime (src/runtime/) routes it to the store and the outbox. Analyzers
 * import nothing from `publish/` or `store/`: the telemetry contract they
 * write to lives in `telemetry/`, shared with subscribers.
 *
 * Adding an analyzer: a folder under src/analyze/, one line in
 * `analyzers.ts`, and its rows in `telemetry/kinds.ts` if it publishes.
 */
import type { DecodedFrame } from '../decode/types.js';
import type { AlertInput } from '../alerts/types.js';
import type { Config } from '../config/index.js';
import type { KindBodies, KindName } from '../telemetry/kinds.js';

/** Sublevels of the store that analyzers may write through the sink. */
export type StoreArea = 'devices' | 'flows' | 'vulns' | 'utilization';

export type SnapshotReason = 'startup' | 'scheduled' | 'command';

/** Kinds an analyzer may publish: status is the runtime's, alerts go through `Sink.alert`. */
export type AnalyzerKind = Exclude<KindName, 'status' | 'alert'>;

export interface Sink {
  /** Raise an alert; de-duplication and rate limiting happen behind this call. An unknown code is counted, never thrown. */
  alert(input: AlertInput): void;
  /** Queue a telemetry message; the stream, priority and expiry come from the kind table. */
  publish<K extends AnalyzerKind>(kind: K, body: KindBodies[K]): void;
  /** Persist an owned record in the next commit's batch. */
  put(area: StoreArea, key: string, value: unknown): void;
  del(area: StoreArea, key: string): void;
  /** Add to a health counter (per-frame problems are counted, never logged). */
  count(code: string, n?: number): void;
}

/**
 * One lifecycle for every analyzer. Only `name`, `onFrame` and `onTick` are
 * required; the runtime calls the rest when present, each behind a fence: an
 * exception is counted as `analyzer.bug.<name>` and never stops capture or
 * the other analyzers.
 */
export interface Analyzer {
  readonly name: string;
  /** The store area `restore` reads; an analyzer owns at most one. */
  readonly area?: StoreArea;
  /** Called once at start with what the store holds in `area`. */
  restore?(records: ReadonlyArray<readonly [string, unknown]>): void;
  onFrame(frame: DecodedFrame, out: Sink): void;
  /** Called on the runtime's tick (about once a second). */
  onTick(nowSec: number, out: Sink): void;
  /** Everything pending goes out now: at shutdown and at the end of a replay. */
  flush?(out: Sink): void;
  /**
   * A full snapshot of what it holds: at start-up (where an empty one may be
   * skipped), on the snapshot cron and on `cmd/snapshot`.
   */
  snapshot?(out: Sink, reason: SnapshotReason): void;
  /**
   * A reloaded configuration. Returns the keys the analyzer cannot change
   * while running (they keep their old values until a restart).
   */
  reconfigure?(config: Config): readonly string[];
  /** Gauges for the health stream, e.g. `{devices: 42}`; the runtime prefixes them with the name. */
  gauges?(): Readonly<Record<string, number>>;
  /**
   * Every alert another analyzer raises, before the gate folds repeats (the
   * vulns analyzer attaches CVEs to the device an alert names). Alerts raised
   * here are not fanned out again.
   */
  onAlert?(input: AlertInput, out: Sink): void;
}
