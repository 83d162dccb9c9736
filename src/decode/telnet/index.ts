/**
 * Telnet (RFC 854) on TCP 23: the data of a segment with option
 * negotiation (IAC WILL/WONT/DO/DONT, IAC SB ... IAC SE; RFC 854 "The
 * Telnet Command Structure", RFC 855) removed. The view does not know the
 * direction: the sighting source reads only what the server sends (its
 * first printable line, and whether it prompts for a password), never what
 * the client types.
 */
import { type DecodeContext, type Decoder, type Layer } from '../types.js';

const IAC = 255;
const SB = 250;
const SE = 240;
/** Bytes of text looked at per segment. */
export const TELNET_MAX_TEXT = 512;
export const TELNET_MAX_LINE = 128;

export class TelnetView implements Layer {
  readonly name = 'telnet';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;

  constructor(bytes: Uint8Array, offset: number, end: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
  }

  /** True when the segment starts with a Telnet command (IAC). */
  get startsWithCommand(): boolean {
    return this.bytes[this.offset] === IAC;
  }

  /** The segment's data with commands removed, control bytes but CR/LF as '?', at most TELNET_MAX_TEXT characters. */
  get text(): string {
    const b = this.bytes;
    const end = this.payloadEnd;
    let out = '';
    for (let i = this.offset; i < end && out.length < TELNET_MAX_TEXT; i++) {
      const c = b[i]!;
      if (c === IAC) {
        const cmd = b[i + 1];
        if (cmd === IAC) {
          out += '?';
          i++;
        } else if (cmd === SB) {
          // Subnegotiation runs to IAC SE.
          let j = i + 2;
          while (j + 1 < end && !(b[j] === IAC && b[j + 1] === SE)) j++;
          i = j + 1;
        } else if (cmd !== undefined && cmd >= 251) i += 2; // WILL, WONT, DO, DONT + option
        else i += 1;
        continue;
      }
      if (c === 0) continue;
      out += c === 0x0a || c === 0x0d ? String.fromCharCode(c) : c < 0x20 || c >= 0x7f ? '?' : String.fromCharCode(c);
    }
    return out;
  }

  /** The first line with printable text, trimmed and bounded, or undefined. */
  get firstLine(): string | undefined {
    for (const l of this.text.split(/\r\n|\r|\n/)) {
      const t = l.trim();
      if (t !== '') return t.slice(0, TELNET_MAX_LINE);
    }
    return undefined;
  }

  /** The text ends in a password prompt ("Password:"), so what the peer sends next is a secret. */
  get passwordPrompt(): boolean {
    return /password:\s*$/i.test(this.text);
  }

  /** The text ends in a login prompt ("login:", "Username:"). */
  get loginPrompt(): boolean {
    return /(login|username):\s*$/i.test(this.text);
  }
}

class TelnetDecoder implements Decoder {
  readonly name = 'telnet';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): TelnetView | undefined {
    return end > offset ? new TelnetView(bytes, offset, end) : undefined;
  }
}

export const telnetDecoder: Decoder = new TelnetDecoder();
