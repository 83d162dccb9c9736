/**
 * HTTP/1.x (RFC 9112) from the first segment of a direction: no reassembly.
 * A request gives its method, Host, User-Agent and the *scheme* of its
 * Authorization header; a response its status code and Server header.
 *
 * Privacy by type: the request target (a URL can carry a patient id, RFC
 * 9112 §3.2) is kept only as a length, and the view has no getter that can
 * return the credential of an Authorization header (RFC 9110 §11.6.2) —
 * only `authScheme`, one name from a fixed list.
 *
 * Bytes that do not start with a known method and a space, or with
 * `HTTP/1.`, are not this decoder's (it returns undefined): the middle of a
 * body, or another protocol on the port.
 */
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { ascii, boundedText, findLf, skipOws, startsWith, startsWithCi } from '../text.js';
import { AUTH_SCHEMES, HTTP_MAX_HEADERS, HTTP_MAX_VALUE, HTTP_METHODS, type AuthScheme, type HttpMethod } from './consts.js';

const METHOD_BYTES = HTTP_METHODS.map((m) => ascii(`${m} `));
const HTTP1 = ascii('HTTP/1.');
const H_HOST = ascii('host:');
const H_UA = ascii('user-agent:');
const H_SERVER = ascii('server:');
const H_AUTH = ascii('authorization:');
const SCHEME_BYTES = AUTH_SCHEMES.map((s) => ascii(s));

export class HttpView implements Layer {
  readonly name = 'http';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** Index into HTTP_METHODS, or -1 for a response. */
  readonly methodIndex: number;
  /** Response status code (RFC 9112 §4), 0 for a request. */
  readonly status: number;
  /** The start line's LF, or -1 when the segment ends inside it (then no headers are read). */
  readonly lineEnd: number;
  private readonly targetLen: number;

  constructor(bytes: Uint8Array, offset: number, end: number, methodIndex: number, status: number, lineEnd: number, targetLen: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.methodIndex = methodIndex;
    this.status = status;
    this.lineEnd = lineEnd;
    this.targetLen = targetLen;
  }

  get isRequest(): boolean {
    return this.methodIndex >= 0;
  }

  get method(): HttpMethod | undefined {
    return this.methodIndex >= 0 ? HTTP_METHODS[this.methodIndex] : undefined;
  }

  /** Length in bytes of the request target; the target itself is never returned. */
  get targetLength(): number {
    return this.targetLen;
  }

  get host(): string | undefined {
    return this.header(H_HOST);
  }

  get userAgent(): string | undefined {
    return this.header(H_UA);
  }

  get server(): string | undefined {
    return this.header(H_SERVER);
  }

  /**
   * The scheme of the Authorization header (RFC 9110 §11.6.2: `credentials
   * = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`), lower case, or
   * 'other' for an unlisted scheme. The credential is never read.
   */
  get authScheme(): AuthScheme | undefined {
    const v = this.headerValueOffset(H_AUTH);
    if (v < 0) return undefined;
    const b = this.bytes;
    const end = this.payloadEnd;
    for (let i = 0; i < SCHEME_BYTES.length; i++) {
      const s = SCHEME_BYTES[i]!;
      if (startsWithCi(b, v, end, s)) {
        const after = v + s.length;
        if (after >= end || b[after] === 0x20 || b[after] === 0x0d || b[after] === 0x0a) return AUTH_SCHEMES[i]!;
      }
    }
    return 'other';
  }

  /** The value of the first header named `name` (lower case, with its colon), bounded. */
  private header(name: Uint8Array): string | undefined {
    const v = this.headerValueOffset(name);
    if (v < 0) return undefined;
    const lf = findLf(this.bytes, v, this.payloadEnd);
    return boundedText(this.bytes, v, lf < 0 ? this.payloadEnd : lf, HTTP_MAX_VALUE);
  }

  /** Where the first `name` header's value starts (after OWS), or -1. Stops at the empty line. */
  private headerValueOffset(name: Uint8Array): number {
    if (this.lineEnd < 0) return -1;
    const b = this.bytes;
    const end = this.payloadEnd;
    let line = this.lineEnd + 1;
    for (let n = 0; n < HTTP_MAX_HEADERS && line < end; n++) {
      // The empty line ends the header section (RFC 9112 §2.1).
      if (b[line] === 0x0a || (b[line] === 0x0d && (line + 1 >= end || b[line + 1] === 0x0a))) return -1;
      if (startsWithCi(b, line, end, name)) return skipOws(b, line + name.length, end);
      const lf = findLf(b, line, end);
      if (lf < 0) return -1;
      line = lf + 1;
    }
    return -1;
  }
}

/** The method index when b[off..] starts with a known method and a space, else -1. */
export function httpMethodAt(b: Uint8Array, off: number, end: number): number {
  for (let i = 0; i < METHOD_BYTES.length; i++) if (startsWith(b, off, end, METHOD_BYTES[i]!)) return i;
  return -1;
}

/** True when the bytes start like an HTTP/1.x request or response (content detection). */
export function looksLikeHttp(b: Uint8Array, off: number, end: number): boolean {
  return startsWith(b, off, end, HTTP1) || httpMethodAt(b, off, end) >= 0;
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

class HttpDecoder implements Decoder {
  readonly name = 'http';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): HttpView | Anomaly | undefined {
    const lf = findLf(bytes, offset, end);
    if (startsWith(bytes, offset, end, HTTP1)) {
      // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4).
      const p = offset + 8;
      if (end - offset < 12 && lf < 0) return new HttpView(bytes, offset, end, -1, 0, -1, 0);
      const ok = isDigit(bytes[offset + 7]) && bytes[p] === 0x20 && isDigit(bytes[p + 1]) && isDigit(bytes[p + 2]) && isDigit(bytes[p + 3])
        && (p + 4 >= end || bytes[p + 4] === 0x20 || bytes[p + 4] === 0x0d || bytes[p + 4] === 0x0a);
      if (!ok) return anomaly('http.bad_status_line', 'http', offset);
      const status = (bytes[p + 1]! - 0x30) * 100 + (bytes[p + 2]! - 0x30) * 10 + (bytes[p + 3]! - 0x30);
      return new HttpView(bytes, offset, end, -1, status, lf, 0);
    }
    const m = httpMethodAt(bytes, offset, end);
    if (m < 0) return undefined;
    const t0 = offset + METHOD_BYTES[m]!.length;
    if (lf < 0) {
      // The request line runs past this segment (a long URL): the method is all there is.
      return new HttpView(bytes, offset, end, m, 0, -1, end - t0);
    }
    // request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
    let e = lf;
    if (e > t0 && bytes[e - 1] === 0x0d) e--;
    const v = e - 9;
    if (v <= t0 || bytes[v] !== 0x20 || !startsWith(bytes, v + 1, e, HTTP1) || !isDigit(bytes[e - 1])) {
      return anomaly('http.bad_request_line', 'http', offset);
    }
    return new HttpView(bytes, offset, end, m, 0, lf, v - t0);
  }
}

export const httpDecoder: Decoder = new HttpDecoder();
