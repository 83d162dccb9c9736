/**
 * FTP control connection (RFC 959 §4.2 replies, §5.3 commands) on TCP 21,
 * from the first bytes of a segment. A reply gives its code and the text of
 * its first line (the 220 greeting names the server software). A command
 * gives only its verb from a fixed list: the argument of USER and PASS is
 * never returned; the view can say whether the user name is the anonymous
 * one (RFC 1635), comparing bytes in place.
 */
import { type DecodeContext, type Decoder, type Layer } from '../types.js';
import { ascii, boundedText, findLf, startsWithCi } from '../text.js';

/** Verbs this sensor tells apart (RFC 959 §4.1, RFC 2228 AUTH); any other is 'other'. */
export const FTP_VERBS = ['USER', 'PASS', 'ACCT', 'AUTH', 'SYST', 'FEAT', 'QUIT', 'OTHER'] as const;
export type FtpVerb = (typeof FTP_VERBS)[number];
const VERB_BYTES = FTP_VERBS.map((v) => ascii(v.toLowerCase()));
const ANON = [ascii('anonymous'), ascii('ftp')];
export const FTP_MAX_TEXT = 128;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isAlpha = (c: number | undefined): boolean => c !== undefined && ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);

export class FtpView implements Layer {
  readonly name = 'ftp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** Reply code (100-599), or 0 for a command. */
  readonly replyCode: number;
  /** Index into FTP_VERBS for a command, -1 for a reply. */
  readonly verbIndex: number;
  /** Offset of the command's argument (after the verb and its space), or -1. */
  private readonly argOff: number;

  constructor(bytes: Uint8Array, offset: number, end: number, replyCode: number, verbIndex: number, argOff: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.replyCode = replyCode;
    this.verbIndex = verbIndex;
    this.argOff = argOff;
  }

  get isReply(): boolean {
    return this.replyCode > 0;
  }

  get verb(): FtpVerb | undefined {
    return this.verbIndex >= 0 ? FTP_VERBS[this.verbIndex] : undefined;
  }

  /** Text of the reply's first line after the code and its separator (`220 ` or `220-`). */
  get replyText(): string | undefined {
    if (!this.isReply) return undefined;
    const lf = findLf(this.bytes, this.offset + 4, this.payloadEnd);
    return boundedText(this.bytes, this.offset + 4, lf < 0 ? this.payloadEnd : lf, FTP_MAX_TEXT);
  }

  /** For USER: whether the name is "anonymous" or "ftp" (RFC 1635). The name itself is never returned. */
  get anonymousUser(): boolean {
    if (this.verb !== 'USER' || this.argOff < 0) return false;
    const b = this.bytes;
    for (const a of ANON) {
      const e = this.argOff + a.length;
      if (startsWithCi(b, this.argOff, this.payloadEnd, a) && (e >= this.payloadEnd || b[e] === 0x0d || b[e] === 0x0a)) return true;
    }
    return false;
  }

  /** True when a command carries an argument (PASS with a password, USER with a name). */
  get hasArgument(): boolean {
    return this.argOff >= 0 && this.argOff < this.payloadEnd && this.bytes[this.argOff] !== 0x0d && this.bytes[this.argOff] !== 0x0a;
  }
}

class FtpDecoder implements Decoder {
  readonly name = 'ftp';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): FtpView | undefined {
    if (end - offset < 4) return undefined;
    const b0 = bytes[offset];
    // reply = 3 digits, then SP or '-' (RFC 959 §4.2).
    if (isDigit(b0) && isDigit(bytes[offset + 1]) && isDigit(bytes[offset + 2]) && (bytes[offset + 3] === 0x20 || bytes[offset + 3] === 0x2d)) {
      const code = (b0! - 0x30) * 100 + (bytes[offset + 1]! - 0x30) * 10 + (bytes[offset + 2]! - 0x30);
      return code >= 100 && code < 600 ? new FtpView(bytes, offset, end, code, -1, -1) : undefined;
    }
    // command = 3-4 letters, then SP or CR LF (§5.3.1).
    let n = 0;
    while (n < 5 && isAlpha(bytes[offset + n])) n++;
    if (n < 3 || n > 4) return undefined;
    const after = bytes[offset + n];
    if (after !== 0x20 && after !== 0x0d && after !== 0x0a) return undefined;
    let verb = FTP_VERBS.length - 1;
    for (let i = 0; i < VERB_BYTES.length - 1; i++) {
      if (VERB_BYTES[i]!.length === n && startsWithCi(bytes, offset, end, VERB_BYTES[i]!)) verb = i;
    }
    return new FtpView(bytes, offset, end, 0, verb, after === 0x20 ? offset + n + 1 : -1);
  }
}

export const ftpDecoder: Decoder = new FtpDecoder();
