/**
 * Frames that made an analyzer throw, kept so the bug can become a test.
 *
 * The pipeline is synchronous and does no I/O, so `keep` only copies the
 * frame into a bounded list; `flush` (called by the runtime after each
 * commit) appends them to `<state>/quarantine/<linktype>.pcap`, one classic
 * pcap file per link type because a pcap file has one link type. Both the
 * pending list and the files are bounded; what does not fit is counted.
 *
 * Patient data is never stored (DESIGN, non-negotiable 2), and a frame's
 * payload may carry it (an HL7 message, a DICOM association). So by default
 * (`runtime.quarantine: headers`) a frame is cut after its last decoded
 * header: enough to replay the layers the analyzers read, nothing of the
 * application data. `full` keeps whole frames, for a lab; `off` keeps none.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DecodedFrame } from '../decode/types.js';
import type { FrameQuarantine } from '../analyze/pipeline.js';
import { pcapHeader, pcapRecord } from '../capture/pcap/writer.js';

export type QuarantineMode = 'headers' | 'full' | 'off';

/** Bytes kept of a frame none of whose layers decoded (an unsupported link type). */
const UNDECODED_KEEP = 32;

export interface QuarantineOptions {
  /** Directory for the pcap files; undefined keeps nothing on disk (replay). */
  readonly dir: string | undefined;
  readonly mode?: QuarantineMode;
  /** Frames waiting for the next flush. */
  readonly maxPending?: number;
  /** Bytes all quarantine files may hold together. */
  readonly maxBytes?: number;
}

interface Kept {
  readonly linkType: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly bytes: Uint8Array;
  readonly origLen: number;
}

export class Quarantine implements FrameQuarantine {
  private pending: Kept[] = [];
  private readonly maxPending: number;
  private readonly maxBytes: number;
  private written = -1;
  readonly counters = { kept: 0, dropped: 0, write_failed: 0 };

  constructor(private readonly opts: QuarantineOptions) {
    this.maxPending = opts.maxPending ?? 64;
    this.maxBytes = opts.maxBytes ?? 16 << 20;
  }

  keep(frame: DecodedFrame, _analyzer: string): void {
    const mode = this.opts.mode ?? 'headers';
    if (this.opts.dir === undefined || mode === 'off' || this.pending.length >= this.maxPending) {
      this.counters.dropped++;
      return;
    }
    const raw = frame.raw;
    const layers = frame.layers;
    const end = mode === 'full' ? raw.bytes.length : layers.length > 0 ? layers[layers.length - 1]!.payloadOffset : UNDECODED_KEEP;
    // The frame's bytes are a view into the reader's buffer, reused after this batch: copy.
    this.pending.push({ linkType: raw.linkType, tsSec: raw.tsSec, tsNsec: raw.tsNsec, bytes: raw.bytes.slice(0, Math.min(end, raw.bytes.length)), origLen: raw.origLen });
  }

  /** Appends what is pending to the files, within the byte bound. */
  flush(): void {
    const dir = this.opts.dir;
    if (dir === undefined || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      mkdirSync(dir, { recursive: true, mode: 0o750 });
      if (this.written < 0) this.written = this.sizeOnDisk(dir);
      for (const k of batch) {
        const rec = pcapRecord(k.tsSec, k.tsNsec, k.bytes, k.origLen);
        if (this.written + rec.length > this.maxBytes) {
          this.counters.dropped++;
          continue;
        }
        const file = join(dir, `${k.linkType}.pcap`);
        if (!existsSync(file)) {
          const head = pcapHeader(k.linkType);
          appendFileSync(file, head, { mode: 0o640 });
          this.written += head.length;
        }
        appendFileSync(file, rec);
        this.written += rec.length;
        this.counters.kept++;
      }
    } catch {
      this.counters.write_failed++;
    }
  }

  private sizeOnDisk(dir: string): number {
    let n = 0;
    for (const f of readdirSync(dir)) if (f.endsWith('.pcap')) n += statSync(join(dir, f)).size;
    return n;
  }
}
