/**
 * DHCPv6 (RFC 8415 §8, §9, §21): message type, transaction id and the
 * options a fingerprint reads: client DUID (1), option request (6), user
 * class (15), vendor class (16) and client FQDN (39, RFC 4704). A
 * Relay-forward or Relay-reply is followed through its Relay Message option
 * (9) to the client's message, at most HOP_COUNT_LIMIT deep; the getters
 * read that innermost message.
 *
 * Option lengths are checked once; an option that runs past its message
 * ends the walk with `dhcpv6.truncated_option` as a warning, keeping the
 * options before it.
 */
import { u16be, u32be } from '../bytes.js';
import { snapped } from '../dns/index.js';
import { decodeWireName, isNameError } from '../dns/names.js';
import { hexText, text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  DHCPV6_HEADER_LEN, DHCPV6_MAX_OPTIONS, DHCPV6_MAX_RELAY_DEPTH, DHCPV6_RELAY_HEADER_LEN, MSG_RELAY_FORW,
  MSG_RELAY_REPL, OPT6_CLIENT_FQDN, OPT6_CLIENTID, OPT6_ORO, OPT6_RELAY_MSG, OPT6_USER_CLASS, OPT6_VENDOR_CLASS,
} from './consts.js';

export class Dhcpv6View implements Layer {
  readonly name = 'dhcpv6';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  readonly warning: Anomaly | undefined;
  /** The innermost (client or server) message: its start, and where its checked options end. */
  readonly messageOffset: number;
  readonly optionsEnd: number;
  /** Relay layers walked through (0: the datagram is the message). */
  readonly relayDepth: number;

  constructor(bytes: Uint8Array, offset: number, end: number, msg: number, optionsEnd: number, depth: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.messageOffset = msg;
    this.optionsEnd = optionsEnd;
    this.relayDepth = depth;
    this.warning = warning;
  }

  /** The outer message type (12/13 for a relay). */
  get outerType(): number {
    return this.bytes[this.offset]!;
  }

  /** The innermost message type (Solicit 1, Request 3 ...). */
  get messageType(): number {
    return this.bytes[this.messageOffset]!;
  }

  /** Transaction id of the innermost message (-1 for a relay message whose inner part was not reached). */
  get transactionId(): number {
    const t = this.messageType;
    if (t === MSG_RELAY_FORW || t === MSG_RELAY_REPL) return -1;
    return u32be(this.bytes, this.messageOffset) & 0xffffff;
  }

  /** Option codes of the innermost message, in order. */
  get optionCodes(): number[] {
    const out: number[] = [];
    this.walk((c) => {
      out.push(c);
      return false;
    });
    return out;
  }

  option(code: number): Uint8Array | undefined {
    let found: Uint8Array | undefined;
    this.walk((c, at, len) => {
      if (c !== code) return false;
      found = this.bytes.subarray(at, at + len);
      return true;
    });
    return found;
  }

  /** The client DUID (option 1) as hex, type first (RFC 8415 §11). */
  get clientDuid(): string | undefined {
    const d = this.option(OPT6_CLIENTID);
    return d === undefined ? undefined : hexText(d, 0, d.length);
  }

  /** DUID type (1 LLT, 2 EN, 3 LL, 4 UUID), or -1. */
  get duidType(): number {
    const d = this.option(OPT6_CLIENTID);
    return d !== undefined && d.length >= 2 ? u16be(d, 0) : -1;
  }

  /** The link-layer address in a DUID-LLT or DUID-LL with hardware type 1 (Ethernet), as a MAC, or undefined. */
  get duidMac(): string | undefined {
    const d = this.option(OPT6_CLIENTID);
    if (d === undefined || d.length < 4 || u16be(d, 2) !== 1) return undefined;
    const type = u16be(d, 0);
    const at = type === 1 ? 8 : type === 3 ? 4 : -1;
    return at > 0 && d.length === at + 6 ? hexText(d, at, at + 6, ':') : undefined;
  }

  /** Option request list (option 6) in order. */
  get optionRequest(): number[] | undefined {
    const d = this.option(OPT6_ORO);
    if (d === undefined) return undefined;
    const out: number[] = [];
    for (let i = 0; i + 1 < d.length; i += 2) out.push(u16be(d, i));
    return out;
  }

  /** Vendor class (option 16, RFC 8415 §21.16): the enterprise number. -1 when absent. */
  get vendorEnterprise(): number {
    const d = this.option(OPT6_VENDOR_CLASS);
    return d !== undefined && d.length >= 4 ? u32be(d, 0) : -1;
  }

  /** Vendor class data: the length-prefixed strings after the enterprise number. */
  get vendorClassData(): string[] | undefined {
    const d = this.option(OPT6_VENDOR_CLASS);
    return d === undefined || d.length < 4 ? undefined : opaqueList(d, 4);
  }

  /** User class (option 15, RFC 8415 §21.15). */
  get userClass(): string[] | undefined {
    const d = this.option(OPT6_USER_CLASS);
    return d === undefined ? undefined : opaqueList(d, 0);
  }

  /** Client FQDN (option 39, RFC 4704 §4): flags, then an uncompressed wire name. */
  get fqdn(): string | undefined {
    const d = this.option(OPT6_CLIENT_FQDN);
    if (d === undefined || d.length < 1) return undefined;
    const r = decodeWireName(d, 1, d.length);
    return isNameError(r) ? undefined : r;
  }

  private walk(f: (code: number, at: number, len: number) => boolean): void {
    const b = this.bytes;
    const t = this.messageType;
    let p = this.messageOffset + (t === MSG_RELAY_FORW || t === MSG_RELAY_REPL ? DHCPV6_RELAY_HEADER_LEN : DHCPV6_HEADER_LEN);
    while (p + 4 <= this.optionsEnd) {
      const len = u16be(b, p + 2);
      if (f(u16be(b, p), p + 4, len)) return;
      p += 4 + len;
    }
  }
}

/** `len(2) data` items (RFC 8415 §21.15/§21.16) from `start` of `d`, as text; stops at one that does not fit. */
function opaqueList(d: Uint8Array, start: number): string[] {
  const out: string[] = [];
  let p = start;
  while (p + 2 <= d.length) {
    const n = u16be(d, p);
    if (p + 2 + n > d.length) break;
    out.push(text(d, p + 2, p + 2 + n));
    p += 2 + n;
  }
  return out;
}

/** Checks the options in `[p, end)`; returns where they stop, the Relay Message option if any, and a warning. */
function checkOptions(b: Uint8Array, p: number, end: number): { end: number; relay: number; relayEnd: number; warning?: Anomaly } {
  let n = 0;
  let relay = -1;
  let relayEnd = -1;
  while (p < end) {
    if (++n > DHCPV6_MAX_OPTIONS) return { end: p, relay, relayEnd, warning: anomaly('dhcpv6.too_many_options', 'dhcpv6', p, 0, DHCPV6_MAX_OPTIONS) };
    if (p + 4 > end) return { end: p, relay, relayEnd, warning: anomaly('dhcpv6.truncated_option', 'dhcpv6', p, 4, end - p) };
    const len = u16be(b, p + 2);
    if (p + 4 + len > end) return { end: p, relay, relayEnd, warning: anomaly('dhcpv6.truncated_option', 'dhcpv6', p, 4 + len, end - p) };
    if (u16be(b, p) === OPT6_RELAY_MSG && relay < 0) {
      relay = p + 4;
      relayEnd = p + 4 + len;
    }
    p += 4 + len;
  }
  return { end: p, relay, relayEnd };
}

class Dhcpv6Decoder implements Decoder {
  readonly name = 'dhcpv6';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): Dhcpv6View | Anomaly {
    const have = end - offset;
    if (have < DHCPV6_HEADER_LEN) return anomaly('dhcpv6.truncated_header', 'dhcpv6', offset, DHCPV6_HEADER_LEN, have);
    let msg = offset;
    let msgEnd = end;
    // The relay that carried the current message, kept so a bad inner message leaves the relay readable.
    let outer = offset;
    let outerOptsEnd = offset;
    for (let depth = 0; ; depth++) {
      const t = bytes[msg]!;
      const relayed = t === MSG_RELAY_FORW || t === MSG_RELAY_REPL;
      const hdr = relayed ? DHCPV6_RELAY_HEADER_LEN : DHCPV6_HEADER_LEN;
      if (msgEnd - msg < hdr) {
        if (depth === 0) return anomaly('dhcpv6.truncated_header', 'dhcpv6', msg, hdr, msgEnd - msg);
        return new Dhcpv6View(bytes, offset, end, outer, outerOptsEnd, depth - 1, anomaly('dhcpv6.truncated_header', 'dhcpv6', msg, hdr, msgEnd - msg));
      }
      const r = checkOptions(bytes, msg + hdr, msgEnd);
      const warning = r.warning?.code === 'dhcpv6.truncated_option' && snapped(ctx) ? undefined : r.warning;
      if (!relayed || r.relay < 0 || r.relayEnd - r.relay < 1) return new Dhcpv6View(bytes, offset, end, msg, r.end, depth, warning);
      if (depth >= DHCPV6_MAX_RELAY_DEPTH) {
        return new Dhcpv6View(bytes, offset, end, msg, r.end, depth, anomaly('dhcpv6.relay_too_deep', 'dhcpv6', msg, 0, depth));
      }
      outer = msg;
      outerOptsEnd = r.end;
      msg = r.relay;
      msgEnd = r.relayEnd;
    }
  }
}

export const dhcpv6Decoder: Decoder = new Dhcpv6Decoder();
