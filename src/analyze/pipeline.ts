/**
 * The synchronous heart of the sensor: raw frames in, decoded, handed to
 * every analyzer in order. No I/O happens here; whatever the analyzers want
 * written or published collects in the sink until the runtime commits.
 *
 * Every call into an analyzer is fenced. An exception is counted as
 * `analyzer.bug.<name>`, the frame that caused it is handed to the
 * quarantine (so it can become a test), and the frame goes on to the other
 * analyzers; the source never sees the exception.
 */
import type { RawFrame } from '../capture/types.js';
import type { FrameDecoder } from '../decode/index.js';
import type { DecodedFrame } from '../decode/types.js';
import type { AlertInput } from '../alerts/types.js';
import type { KindBodies } from '../telemetry/kinds.js';
import type { Analyzer, AnalyzerKind, Sink, SnapshotReason, StoreArea } from './types.js';

/** Where frames that made an analyzer throw are kept (src/runtime/quarantine.ts). */
export interface FrameQuarantine {
  keep(frame: DecodedFrame, analyzer: string): void;
}

export interface PipelineHooks {
  readonly quarantine?: FrameQuarantine;
  /** Called once per analyzer and failing call, with the error (the runtime logs the first of each). */
  readonly bug?: (analyzer: string, phase: string, err: unknown) => void;
}

export class Pipeline {
  /** Frames and bytes seen, per source name. */
  readonly perSource = new Map<string, { frames: number; bytes: number }>();
  frames = 0;
  /** Exceptions caught per analyzer name, all phases together. */
  readonly bugs = new Map<string, number>();

  private readonly sink: Sink;

  constructor(
    private readonly decoder: FrameDecoder,
    readonly analyzers: readonly Analyzer[],
    sink: Sink,
    private readonly hooks: PipelineHooks = {},
  ) {
    const listeners = analyzers.filter((a) => a.onAlert !== undefined);
    this.sink = listeners.length === 0 ? sink : new AlertFanout(sink, listeners, this);
  }

  process(batch: readonly RawFrame[]): void {
    const n = batch.length;
    if (n === 0) return;
    const analyzers = this.analyzers;
    const sink = this.sink;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const raw = batch[i]!;
      bytes += raw.origLen;
      const decoded = this.decoder.decode(raw);
      for (let a = 0; a < analyzers.length; a++) {
        // try/catch costs nothing on V8's fast path while nothing throws.
        try {
          analyzers[a]!.onFrame(decoded, sink);
        } catch (err) {
          this.failed(analyzers[a]!.name, 'frame', err);
          this.hooks.quarantine?.keep(decoded, analyzers[a]!.name);
        }
      }
    }
    this.frames += n;
    // A batch comes from one read of one source.
    const name = batch[0]!.source;
    let s = this.perSource.get(name);
    if (s === undefined) {
      s = { frames: 0, bytes: 0 };
      this.perSource.set(name, s);
    }
    s.frames += n;
    s.bytes += bytes;
  }

  tick(nowSec: number): void {
    for (const a of this.analyzers) this.fenced(a, 'tick', () => a.onTick(nowSec, this.sink));
  }

  flush(): void {
    for (const a of this.analyzers) if (a.flush !== undefined) this.fenced(a, 'flush', () => a.flush!(this.sink));
  }

  snapshot(reason: SnapshotReason): void {
    for (const a of this.analyzers) if (a.snapshot !== undefined) this.fenced(a, 'snapshot', () => a.snapshot!(this.sink, reason));
  }

  /** Runs `fn` for one analyzer; an exception is counted, never propagated. */
  fenced(a: Analyzer, phase: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.failed(a.name, phase, err);
    }
  }

  private failed(name: string, phase: string, err: unknown): void {
    this.bugs.set(name, (this.bugs.get(name) ?? 0) + 1);
    this.sink.count(`analyzer.bug.${name}`);
    this.hooks.bug?.(name, phase, err);
  }
}

/**
 * The sink analyzers write into when some analyzer listens to alerts: every
 * call goes to the real sink, and each alert is also handed, fenced, to the
 * listeners (with the real sink, so what they raise is not fanned out again).
 */
class AlertFanout implements Sink {
  constructor(
    private readonly inner: Sink,
    private readonly listeners: readonly Analyzer[],
    private readonly pipeline: Pipeline,
  ) {}

  alert(input: AlertInput): void {
    this.inner.alert(input);
    for (const a of this.listeners) this.pipeline.fenced(a, 'alert', () => a.onAlert!(input, this.inner));
  }

  publish<K extends AnalyzerKind>(kind: K, body: KindBodies[K]): void {
    this.inner.publish(kind, body);
  }

  put(area: StoreArea, key: string, value: unknown): void {
    this.inner.put(area, key, value);
  }

  del(area: StoreArea, key: string): void {
    this.inner.del(area, key);
  }

  count(code: string, n?: number): void {
    this.inner.count(code, n);
  }
}
