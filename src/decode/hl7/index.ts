/**
 * HL7 v2 over MLLP (HL7 v2.5.1 Appendix C.4.3) as a streaming parser over
 * one direction of a reassembled TCP stream (src/analyze/streams/).
 *
 * Only two segments are read field by field: MSH (§2.14.9: separators,
 * sending and receiving application and facility, message type and trigger,
 * control id, processing id, version) and MSA (§2.14.8: the ack code and the
 * acknowledged control id). Every other segment is skipped byte by byte as it
 * passes; what leaves is its three-letter name and a count, and the privacy
 * guard's boolean: did a PHI-bearing segment (consts.ts PHI_SEGMENTS) cross.
 * The types below hold text only as SafeText (../phi.ts), so no value of
 * PID, NK1, PV1 or OBX can be returned.
 */
import { NO_TEXT, safeText, tableText, type SafeText } from '../phi.js';
import type { StreamParser } from '../stream.js';
import { CR, LF, MAX_HEADER_SEGMENT, MAX_SEGMENT_NAMES, MLLP_END, MLLP_START, PHI_SEGMENTS } from './consts.js';

export interface Hl7Header {
  readonly fieldSeparator: SafeText;
  readonly encodingCharacters: SafeText;
  readonly sendingApplication: SafeText;
  readonly sendingFacility: SafeText;
  readonly receivingApplication: SafeText;
  readonly receivingFacility: SafeText;
  readonly messageType: SafeText;
  readonly triggerEvent: SafeText;
  readonly controlId: SafeText;
  readonly processingId: SafeText;
  readonly version: SafeText;
}

export interface Hl7Message extends Hl7Header {
  readonly kind: 'message';
  /** MSA-1 (Table 0008) or '' without an MSA. */
  readonly ackCode: SafeText;
  /** MSA-2: the control id acknowledged, or ''. */
  readonly ackControlId: SafeText;
  /** Segment names and how many of each, in order of first appearance. */
  readonly segments: ReadonlyArray<readonly [SafeText, number]>;
  readonly segmentCount: number;
  /** A PHI-bearing segment crossed (the privacy guard's boolean). */
  readonly carriesPhi: boolean;
  readonly bytes: number;
}

export type Hl7Event = Hl7Message | { readonly kind: 'anomaly'; readonly code: string };

const EMPTY_HEADER: Hl7Header = {
  fieldSeparator: NO_TEXT, encodingCharacters: NO_TEXT, sendingApplication: NO_TEXT, sendingFacility: NO_TEXT,
  receivingApplication: NO_TEXT, receivingFacility: NO_TEXT, messageType: NO_TEXT, triggerEvent: NO_TEXT,
  controlId: NO_TEXT, processingId: NO_TEXT, version: NO_TEXT,
};

/** [start, end) of each field of the segment b[s, e), split on `sep`. */
function fields(b: Uint8Array, s: number, e: number, sep: number): number[] {
  const cuts = [s];
  for (let i = s; i < e; i++) if (b[i] === sep) cuts.push(i + 1);
  cuts.push(e + 1);
  return cuts;
}

/** MSH of b[s, e) (§2.14.9). MSH-1 is the separator itself, so field n sits at split index n-1. */
export function parseMsh(b: Uint8Array, s: number, e: number): Hl7Header {
  const sep = b[s + 3]!;
  const c = fields(b, s, e, sep);
  const f = (n: number): [number, number] => {
    const i = n - 1;
    return i + 1 < c.length ? [c[i]!, c[i + 1]! - 1] : [e, e];
  };
  const [ea, eb] = f(2);
  const comp = eb > ea ? b[ea]! : 0x5e;
  const [ta, tb] = f(9);
  let mid = ta;
  while (mid < tb && b[mid] !== comp) mid++;
  let tend = mid + 1;
  while (tend < tb && b[tend] !== comp) tend++;
  const [pa, pb] = f(11);
  const [va, vb] = f(12);
  let vend = va;
  while (vend < vb && b[vend] !== comp) vend++;
  let pend = pa;
  while (pend < pb && b[pend] !== comp) pend++;
  return {
    fieldSeparator: safeText('hl7.encoding_characters', b, s + 3, s + 4),
    encodingCharacters: safeText('hl7.encoding_characters', b, ea, eb),
    sendingApplication: safeText('hl7.msh.sending_application', b, ...f(3)),
    sendingFacility: safeText('hl7.msh.sending_facility', b, ...f(4)),
    receivingApplication: safeText('hl7.msh.receiving_application', b, ...f(5)),
    receivingFacility: safeText('hl7.msh.receiving_facility', b, ...f(6)),
    messageType: safeText('hl7.msh.message_type', b, ta, mid),
    triggerEvent: mid < tb ? safeText('hl7.msh.trigger_event', b, mid + 1, tend) : NO_TEXT,
    controlId: safeText('hl7.msh.control_id', b, ...f(10)),
    processingId: safeText('hl7.msh.processing_id', b, pa, pend),
    version: safeText('hl7.msh.version', b, va, vend),
  };
}

const isNameByte = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);

/** Content detection: a direction starts with <VT>MSH (MLLP framing). */
export function looksLikeMllp(first: Uint8Array): boolean {
  return first.length >= 5 && first[0] === MLLP_START && first[1] === 0x4d && first[2] === 0x53 && first[3] === 0x48;
}

type State = 'frame' | 'segment' | 'skip';

export class Hl7StreamParser implements StreamParser<Hl7Event> {
  need = 1;
  private state: State = 'frame';
  private header: Hl7Header = EMPTY_HEADER;
  private hasMsh = false;
  private ack = NO_TEXT;
  private ackId = NO_TEXT;
  private names = new Map<string, number>();
  private dropped = 0;
  private count = 0;
  private phi = false;
  private bytes = 0;

  feed(b: Uint8Array, emit: (e: Hl7Event) => void): number {
    let p = 0;
    for (;;) {
      const have = b.length - p;
      if (this.state === 'frame') {
        // Between frames: tolerate stray CR/LF, then expect <VT>.
        while (p < b.length && (b[p] === CR || b[p] === LF)) p++;
        if (p >= b.length) return this.wait(p, 1);
        if (b[p] !== MLLP_START) {
          emit({ kind: 'anomaly', code: 'hl7.no_mllp_start' });
          return ~p;
        }
        p++;
        this.bytes = 1;
        this.state = 'segment';
        continue;
      }
      if (this.state === 'skip') {
        let i = p;
        while (i < b.length && b[i] !== CR && b[i] !== MLLP_END) i++;
        this.bytes += i - p;
        if (i >= b.length) return this.wait(i, 1);
        p = b[i] === CR ? i + 1 : i;
        this.bytes += b[i] === CR ? 1 : 0;
        this.state = 'segment';
        continue;
      }
      // At a segment start.
      if (have < 1) return this.wait(p, 1);
      const c = b[p]!;
      if (c === CR || c === LF) {
        p++;
        this.bytes++;
        continue;
      }
      if (c === MLLP_END) {
        if (have < 2) return this.wait(p, 2);
        p += b[p + 1] === CR ? 2 : 1;
        this.finish(emit);
        continue;
      }
      if (have < 4) return this.wait(p, 4);
      if (!isNameByte(c) || !isNameByte(b[p + 1]!) || !isNameByte(b[p + 2]!)) {
        emit({ kind: 'anomaly', code: 'hl7.bad_segment_name' });
        this.state = 'skip';
        continue;
      }
      const isMsh = c === 0x4d && b[p + 1] === 0x53 && b[p + 2] === 0x48;
      const isMsa = c === 0x4d && b[p + 1] === 0x53 && b[p + 2] === 0x41;
      if (isMsh || isMsa) {
        let e = p;
        while (e < b.length && e - p < MAX_HEADER_SEGMENT && b[e] !== CR && b[e] !== MLLP_END) e++;
        if (e - p >= MAX_HEADER_SEGMENT) {
          emit({ kind: 'anomaly', code: 'hl7.header_too_long' });
          this.state = 'skip';
          continue;
        }
        if (e >= b.length) return this.wait(p, have + 1);
        if (isMsh && !this.hasMsh) {
          this.header = parseMsh(b, p, e);
          this.hasMsh = true;
        } else if (isMsa) {
          const sep = b[p + 3]!;
          const cuts = fields(b, p, e, sep);
          if (cuts.length > 2) this.ack = safeText('hl7.msa.ack_code', b, cuts[1]!, cuts[2]! - 1);
          if (cuts.length > 3) this.ackId = safeText('hl7.msh.control_id', b, cuts[2]!, cuts[3]! - 1);
        }
      } else if (!this.hasMsh && this.count === 0) {
        emit({ kind: 'anomaly', code: 'hl7.no_msh' });
      }
      this.countSegment(b, p);
      this.state = 'skip';
    }
  }

  resync(b: Uint8Array): number {
    this.reset();
    this.state = 'frame';
    this.need = 1;
    for (let p = 0; p + 4 <= b.length; p++) if (looksLikeMllp(b.subarray(p, p + 5)) || (p + 5 > b.length && b[p] === MLLP_START)) return p;
    return -1;
  }

  private countSegment(b: Uint8Array, p: number): void {
    this.count++;
    const name = String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    if (PHI_SEGMENTS.has(name)) this.phi = true;
    const n = this.names.get(name);
    if (n !== undefined) this.names.set(name, n + 1);
    else if (this.names.size < MAX_SEGMENT_NAMES) this.names.set(name, 1);
    else this.dropped++;
  }

  private finish(emit: (e: Hl7Event) => void): void {
    if (this.hasMsh) {
      emit({
        kind: 'message', ...this.header, ackCode: this.ack, ackControlId: this.ackId,
        segments: [...this.names].map(([n, c]) => [tableText(n), c] as const), segmentCount: this.count,
        carriesPhi: this.phi, bytes: this.bytes + 2,
      });
    } else {
      emit({ kind: 'anomaly', code: 'hl7.no_msh' });
    }
    this.reset();
    this.state = 'frame';
  }

  private reset(): void {
    this.header = EMPTY_HEADER;
    this.hasMsh = false;
    this.ack = NO_TEXT;
    this.ackId = NO_TEXT;
    this.names = new Map();
    this.dropped = 0;
    this.count = 0;
    this.phi = false;
    this.bytes = 0;
  }

  private wait(p: number, need: number): number {
    this.need = need;
    return p;
  }
}
