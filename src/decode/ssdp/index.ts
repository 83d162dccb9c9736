/**
 * SSDP (UPnP Device Architecture 2.0 §1): HTTP-shaped messages over UDP
 * 1900. A NOTIFY announces a device or service (NT, NTS, USN, LOCATION,
 * SERVER), an M-SEARCH looks for one (ST, MAN, USER-AGENT), and an
 * "HTTP/1.1 200 OK" answers a search (ST, USN, LOCATION, SERVER).
 *
 * The constructor checks the start line only; header getters scan at most
 * SSDP_MAX_HEADERS lines of the bytes and build a string only for the
 * header asked for. A line without a colon is skipped (tshark does the same).
 */
import { text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { SSDP_MAX_HEADERS, type SsdpKind } from './consts.js';

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/** Offset of the next LF at or after `p` before `end`, or `end`. */
function lineEnd(b: Uint8Array, p: number, end: number): number {
  while (p < end && b[p] !== LF) p++;
  return p;
}

/** True when the bytes at `p` start with ASCII `s` (exactly, case-sensitive: start lines are, RFC 9112 §3). */
function startsWith(b: Uint8Array, p: number, end: number, s: string): boolean {
  if (p + s.length > end) return false;
  for (let i = 0; i < s.length; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === CR;
}

export class SsdpView implements Layer {
  readonly name = 'ssdp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly kind: SsdpKind;

  constructor(bytes: Uint8Array, offset: number, end: number, kind: SsdpKind) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.kind = kind;
  }

  /** The start line without its line ending. */
  get startLine(): string {
    const e = lineEnd(this.bytes, this.offset, this.payloadEnd);
    return text(this.bytes, this.offset, this.bytes[e - 1] === CR ? e - 1 : e);
  }

  /** The status code of a response (200), or -1. */
  get statusCode(): number {
    if (this.kind !== 'RESPONSE') return -1;
    const m = /^HTTP\/1\.\d (\d{3})/.exec(this.startLine);
    return m === null ? -1 : Number(m[1]);
  }

  /** The value of the first header `name` (case-insensitive, RFC 9110 §5.1), trimmed; undefined when absent. */
  header(name: string): string | undefined {
    const b = this.bytes;
    const end = this.payloadEnd;
    const n = name.length;
    let p = lineEnd(b, this.offset, end) + 1;
    for (let i = 0; i < SSDP_MAX_HEADERS && p < end; i++) {
      const e = lineEnd(b, p, end);
      // An empty line ends the headers.
      if (p === e || (e === p + 1 && b[p] === CR)) return undefined;
      if (e - p > n && b[p + n] === COLON && this.nameIs(p, name)) {
        let s = p + n + 1;
        let t = e;
        while (s < t && isSpace(b[s])) s++;
        while (t > s && isSpace(b[t - 1])) t--;
        return text(b, s, t);
      }
      p = e + 1;
    }
    return undefined;
  }

  /** Header names in order, lowercase (for tests and `decode`). */
  get headerNames(): string[] {
    const b = this.bytes;
    const end = this.payloadEnd;
    const out: string[] = [];
    let p = lineEnd(b, this.offset, end) + 1;
    for (let i = 0; i < SSDP_MAX_HEADERS && p < end; i++) {
      const e = lineEnd(b, p, end);
      if (p === e || (e === p + 1 && b[p] === CR)) break;
      const c = b.subarray(p, e).indexOf(COLON);
      if (c > 0) out.push(text(b, p, p + c).trim().toLowerCase());
      p = e + 1;
    }
    return out;
  }

  get server(): string | undefined {
    return this.header('server');
  }

  get usn(): string | undefined {
    return this.header('usn');
  }

  /** Notification type (NOTIFY). */
  get nt(): string | undefined {
    return this.header('nt');
  }

  /** ssdp:alive, ssdp:byebye, ssdp:update (NOTIFY). */
  get nts(): string | undefined {
    return this.header('nts');
  }

  /** Search target (M-SEARCH and responses). */
  get st(): string | undefined {
    return this.header('st');
  }

  get location(): string | undefined {
    return this.header('location');
  }

  get userAgent(): string | undefined {
    return this.header('user-agent');
  }

  private nameIs(p: number, name: string): boolean {
    const b = this.bytes;
    for (let i = 0; i < name.length; i++) {
      let c = b[p + i]!;
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c !== name.charCodeAt(i)) return false;
    }
    return true;
  }
}

class SsdpDecoder implements Decoder {
  readonly name = 'ssdp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): SsdpView | Anomaly {
    // The shortest start line prefix we look for is "NOTIFY " (7 bytes); less is a cut, not a wrong protocol.
    if (end - offset < 7) return anomaly('ssdp.truncated_header', 'ssdp', offset, 7, end - offset);
    let kind: SsdpKind | undefined;
    if (startsWith(bytes, offset, end, 'NOTIFY ')) kind = 'NOTIFY';
    else if (startsWith(bytes, offset, end, 'M-SEARCH ')) kind = 'M-SEARCH';
    else if (startsWith(bytes, offset, end, 'HTTP/1.')) kind = 'RESPONSE';
    if (kind === undefined) return anomaly('ssdp.bad_start_line', 'ssdp', offset, 0, end - offset);
    return new SsdpView(bytes, offset, end, kind);
  }
}

export const ssdpDecoder: Decoder = new SsdpDecoder();
