/**
 * The SSH identification string (RFC 4253 §4.2):
 * `SSH-protoversion-softwareversion SP comments CR LF`, at most 255 bytes
 * with the CR LF. Each side sends one about itself, so the sender of the
 * frame is the device that runs `software`. Lines a server may send before
 * it (§4.2) and everything after it are not read: the decoder takes only
 * a segment that starts with `SSH-`, and returns undefined otherwise.
 */
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import { ascii, boundedText, findLf, startsWith } from '../text.js';

const SSH = ascii('SSH-');
/** RFC 4253 §4.2: "The maximum length of the string is 255 characters, including the Carriage Return and Line Feed." */
export const SSH_MAX_IDENT = 255;

export class SshView implements Layer {
  readonly name = 'ssh';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** End of the identification line (before CR LF). */
  private readonly lineEnd: number;
  /** The '-' after protoversion, and the SP before comments (or lineEnd). */
  private readonly dash: number;
  private readonly space: number;

  constructor(bytes: Uint8Array, offset: number, end: number, lineEnd: number, dash: number, space: number) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.lineEnd = lineEnd;
    this.dash = dash;
    this.space = space;
  }

  /** "2.0" (or "1.99" for a server that speaks both, §5.1). */
  get protoVersion(): string {
    return boundedText(this.bytes, this.offset + 4, this.dash, 16);
  }

  /** softwareversion, e.g. "OpenSSH_8.4p1". */
  get software(): string {
    return boundedText(this.bytes, this.dash + 1, this.space, SSH_MAX_IDENT);
  }

  /** comments, e.g. "Debian-5", or undefined. */
  get comments(): string | undefined {
    return this.space < this.lineEnd ? boundedText(this.bytes, this.space + 1, this.lineEnd, SSH_MAX_IDENT) : undefined;
  }

  /** The whole identification line without CR LF, as tshark's `ssh.protocol` shows it. */
  get identification(): string {
    return boundedText(this.bytes, this.offset, this.lineEnd, SSH_MAX_IDENT);
  }
}

class SshDecoder implements Decoder {
  readonly name = 'ssh';

  decode(bytes: Uint8Array, offset: number, end: number, _ctx: DecodeContext): SshView | Anomaly | undefined {
    if (!startsWith(bytes, offset, end, SSH)) return undefined;
    const lim = Math.min(end, offset + SSH_MAX_IDENT);
    const lf = findLf(bytes, offset, lim);
    if (lf < 0 && lim < end) return anomaly('ssh.bad_identification', 'ssh', offset, SSH_MAX_IDENT, end - offset);
    let lineEnd = lf < 0 ? lim : lf;
    if (lineEnd > offset && bytes[lineEnd - 1] === 0x0d) lineEnd--;
    let dash = -1;
    for (let i = offset + 4; i < lineEnd; i++) if (bytes[i] === 0x2d) { dash = i; break; }
    if (dash < 0 || dash === offset + 4 || dash + 1 >= lineEnd) return anomaly('ssh.bad_identification', 'ssh', offset);
    let space = lineEnd;
    for (let i = dash + 1; i < lineEnd; i++) if (bytes[i] === 0x20) { space = i; break; }
    return new SshView(bytes, offset, end, lineEnd, dash, space);
  }
}

export const sshDecoder: Decoder = new SshDecoder();
