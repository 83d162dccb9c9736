/**
 * The medical streams (issue 11): one bounded reassembler (../streams/)
 * whose detector hands DICOM and HL7-over-MLLP streams to their streaming
 * parsers, by content on any port (104, 11112 and 2575 are defaults, not
 * rules). Shared by the medical sighting source and the medical analyzer:
 * whichever sees a frame first runs it, the other reads the same events, so
 * every segment is reassembled once.
 */
import type { Config } from '../../config/index.js';
import { UID_INFO, type DicomService } from '../../decode/dicom/consts.js';
import { DicomStreamParser, looksLikeDicom, type DicomEvent } from '../../decode/dicom/index.js';
import { Hl7StreamParser, looksLikeMllp, type Hl7Event } from '../../decode/hl7/index.js';
import { Poct1StreamParser, looksLikePoct1, type Poct1Event } from '../../decode/poct1/index.js';
import type { TcpView } from '../../decode/tcp/index.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Identifier } from '../../telemetry/ident.js';
import { endpoints } from '../wired-app/frame.js';
import { DEFAULT_STREAM_OPTIONS, Reassembler, type StreamOptions } from '../streams/index.js';

/** Who sent a message on which connection: owned copies, small. */
export interface Conn {
  readonly src: Identifier;
  readonly dst: Identifier;
  readonly srcPort: number;
  readonly dstPort: number;
}

export type StreamEvent =
  | { readonly proto: 'dicom'; readonly ev: DicomEvent }
  | { readonly proto: 'hl7'; readonly ev: Hl7Event }
  | { readonly proto: 'poct1'; readonly ev: Poct1Event };

/**
 * An event with its connection. For an A-ASSOCIATE-RQ `services` are the
 * DICOM services its presentation contexts propose; for an -AC, those the
 * acceptor accepted (matched to the request by context id, PS3.8 §9.3.3.2).
 */
export type MedicalEvent = StreamEvent & { readonly conn: Conn; readonly services?: readonly DicomService[] };

/** Association requests remembered until their answer (per connection; the oldest is forgotten first). */
export const MAX_PENDING_ASSOCIATIONS = 1024;

type Parser = DicomStreamParser | Hl7StreamParser | Poct1StreamParser;

/** Wraps a parser's events with its protocol name (the reassembler is typed by one event union). */
class Tagged {
  need = 0;
  constructor(readonly proto: 'dicom' | 'hl7' | 'poct1', private readonly inner: Parser) {}
  feed(b: Uint8Array, emit: (e: StreamEvent) => void): number {
    const r = this.inner.feed(b, (ev: DicomEvent | Hl7Event | Poct1Event) => emit({ proto: this.proto, ev } as StreamEvent));
    this.need = this.inner.need;
    return r;
  }
  resync(b: Uint8Array): number {
    const r = this.inner.resync(b);
    this.need = this.inner.need;
    return r;
  }
}

export function detectMedical(first: Uint8Array): Tagged | undefined {
  if (looksLikeDicom(first)) return new Tagged('dicom', new DicomStreamParser());
  if (looksLikeMllp(first)) return new Tagged('hl7', new Hl7StreamParser());
  if (looksLikePoct1(first)) return new Tagged('poct1', new Poct1StreamParser());
  return undefined;
}

export function streamOptions(config: Config): StreamOptions {
  const m = config.medical;
  return {
    ...DEFAULT_STREAM_OPTIONS,
    maxStreams: m.max_streams, maxBytesPerStream: m.max_bytes_per_stream, maxBytesTotal: m.max_bytes_total,
  };
}

export class MedicalContext {
  readonly streams: Reassembler<StreamEvent>;
  private lastFrame: DecodedFrame | undefined;
  private lastEvents: MedicalEvent[] = [];
  /** Proposed abstract syntaxes by context id, per client-direction key. */
  private readonly pending = new Map<string, Map<number, DicomService>>();
  pendingEvicted = 0;

  constructor(opts: StreamOptions = DEFAULT_STREAM_OPTIONS) {
    this.streams = new Reassembler<StreamEvent>((first) => detectMedical(first), opts);
  }

  /** The medical events this frame completed (the same array for a second call with the same frame). */
  events(frame: DecodedFrame): readonly MedicalEvent[] {
    if (frame === this.lastFrame) return this.lastEvents;
    this.lastFrame = frame;
    this.lastEvents = [];
    const layers = frame.layers;
    let tcp: TcpView | undefined;
    for (let i = layers.length - 1; i >= 0; i--) {
      if (layers[i]!.name === 'tcp') {
        tcp = layers[i] as TcpView;
        break;
      }
    }
    if (tcp === undefined) return this.lastEvents;
    const flags = tcp.flags;
    const len = tcp.payloadEnd - tcp.payloadOffset;
    if (len <= 0 && (flags & 0x07) === 0) return this.lastEvents; // a bare ACK: nothing to place
    const e = endpoints(frame);
    if (e === undefined || e.src === undefined || e.dst === undefined) return this.lastEvents;
    const key = `${e.src.value}|${e.srcPort}|${e.dst.value}|${e.dstPort}`;
    const payload = tcp.bytes.subarray(tcp.payloadOffset, tcp.payloadEnd);
    const out = this.streams.segment(key, tcp.seq, payload, { syn: (flags & 0x02) !== 0, fin: (flags & 0x01) !== 0, rst: (flags & 0x04) !== 0 }, e.srcPort, e.dstPort);
    if (out.length === 0) return this.lastEvents;
    const conn: Conn = { src: e.src, dst: e.dst, srcPort: e.srcPort, dstPort: e.dstPort };
    for (const ev of out) this.lastEvents.push(this.withServices(ev, conn, key));
    return this.lastEvents;
  }

  private withServices(ev: StreamEvent, conn: Conn, key: string): MedicalEvent {
    if (ev.proto !== 'dicom') return { ...ev, conn };
    const a = ev.ev;
    if (a.kind === 'associate-rq') {
      const m = new Map<number, DicomService>();
      for (const c of a.contexts) m.set(c.id, UID_INFO.get(c.abstractSyntax)?.service ?? 'other');
      if (this.pending.size >= MAX_PENDING_ASSOCIATIONS) {
        const [oldest] = this.pending.keys();
        this.pending.delete(oldest!);
        this.pendingEvicted++;
      }
      this.pending.set(key, m);
      return { ...ev, conn, services: [...new Set(m.values())] };
    }
    if (a.kind === 'associate-ac') {
      const back = `${conn.dst.value}|${conn.dstPort}|${conn.src.value}|${conn.srcPort}`;
      const m = this.pending.get(back);
      this.pending.delete(back);
      const accepted = new Set<DicomService>();
      for (const c of a.contexts) if (c.result === 0 && m?.get(c.id) !== undefined) accepted.add(m.get(c.id)!);
      return { ...ev, conn, services: [...accepted] };
    }
    return { ...ev, conn };
  }
}
