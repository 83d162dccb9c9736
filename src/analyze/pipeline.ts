/**
 * The synchronous heart of the sensor: raw frames in, decoded, handed to
 * every analyzer in order. No I/O happens here; whatever the analyzers want
 * written or published collects in the sink until the agent's next tick.
 */
import type { RawFrame } from '../capture/types.js';
import type { FrameDecoder } from '../decode/index.js';
import type { Analyzer, Sink } from './types.js';

export class Pipeline {
  /** Frames and bytes seen, per source name. */
  readonly perSource = new Map<string, { frames: number; bytes: number }>();
  frames = 0;

  constructor(
    private readonly decoder: FrameDecoder,
    private readonly analyzers: readonly Analyzer[],
    private readonly sink: Sink,
  ) {}

  process(batch: readonly RawFrame[]): void {
    const n = batch.length;
    if (n === 0) return;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const raw = batch[i]!;
      bytes += raw.origLen;
      const decoded = this.decoder.decode(raw);
      for (let a = 0; a < this.analyzers.length; a++) this.analyzers[a]!.onFrame(decoded, this.sink);
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
    for (const a of this.analyzers) a.onTick(nowSec, this.sink);
  }
}
