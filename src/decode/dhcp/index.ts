/**
 * DHCPv4 (RFC 2131 §2, options RFC 2132): the fixed BOOTP header, the magic
 * cookie, and the options a fingerprint needs. The constructor walks the
 * options once to check their lengths; getters find an option by walking
 * the checked range again, so nothing is copied until an analyzer asks.
 *
 * An option whose length runs past the datagram ends the walk with a
 * warning (`dhcp.truncated_option`): the options before it stay usable, as
 * in tshark. Option overload (52, RFC 2132 §9.3: options in sname/file) is
 * not followed; it is rare and the fingerprint options stay in the main area.
 */
import { ipv4String, macString, macKey, u16be, u32be } from '../bytes.js';
import { snapped } from '../dns/index.js';
import { decodeWireName, isNameError } from '../dns/names.js';
import { hexText, text } from '../text.js';
import { anomaly, type Anomaly, type DecodeContext, type Decoder, type Layer } from '../types.js';
import {
  DHCP_FIXED_LEN, DHCP_MAGIC_COOKIE, DHCP_MAX_OPTIONS, DHCP_OPTIONS_OFFSET, FQDN_FLAG_E, OPT_CLIENT_FQDN,
  OPT_CLIENT_ID, OPT_END, OPT_HOSTNAME, OPT_MAX_MESSAGE_SIZE, OPT_MESSAGE_TYPE, OPT_PAD, OPT_PARAMETER_LIST,
  OPT_REQUESTED_IP, OPT_USER_CLASS, OPT_VENDOR_CLASS,
} from './consts.js';

export class DhcpView implements Layer {
  readonly name = 'dhcp';
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadEnd: number;
  readonly nextKey = -1;
  readonly altKey = -1;
  /** `dhcp.truncated_option` or `dhcp.too_many_options`: the walk stopped there. */
  readonly warning: Anomaly | undefined;
  /** One past the last option that fit. */
  readonly optionsEnd: number;

  constructor(bytes: Uint8Array, offset: number, end: number, optionsEnd: number, warning: Anomaly | undefined) {
    this.bytes = bytes;
    this.offset = offset;
    this.payloadOffset = end;
    this.payloadEnd = end;
    this.optionsEnd = optionsEnd;
    this.warning = warning;
  }

  /** 1 BOOTREQUEST (client), 2 BOOTREPLY (server). */
  get op(): number {
    return this.bytes[this.offset]!;
  }

  get htype(): number {
    return this.bytes[this.offset + 1]!;
  }

  get hlen(): number {
    return this.bytes[this.offset + 2]!;
  }

  get xid(): number {
    return u32be(this.bytes, this.offset + 4);
  }

  get ciaddr(): string {
    return ipv4String(u32be(this.bytes, this.offset + 12));
  }

  get yiaddr(): string {
    return ipv4String(u32be(this.bytes, this.offset + 16));
  }

  /** The relay agent's address: not 0.0.0.0 when a relay forwarded the message (RFC 2131 §4.1). */
  get giaddr(): string {
    return ipv4String(u32be(this.bytes, this.offset + 24));
  }

  /** True when chaddr is an Ethernet MAC (htype 1, hlen 6; RFC 1700 hardware types). */
  get chaddrIsMac(): boolean {
    return this.htype === 1 && this.hlen === 6;
  }

  /** The client hardware address as a `macKey` number (the first six bytes of chaddr). */
  get chaddrKey(): number {
    return macKey(this.bytes, this.offset + 28);
  }

  /** The client MAC as text when chaddr is one, else the hlen bytes (at most 16) as hex. */
  get chaddr(): string {
    if (this.chaddrIsMac) return macString(this.chaddrKey);
    return hexText(this.bytes, this.offset + 28, this.offset + 28 + Math.min(this.hlen, 16), ':');
  }

  /** Option codes in the order sent, without pad and end. */
  get optionCodes(): number[] {
    const out: number[] = [];
    this.walk((code) => {
      out.push(code);
      return false;
    });
    return out;
  }

  /** The data of the first option `code` as a zero-copy subarray, or undefined. */
  option(code: number): Uint8Array | undefined {
    let found: Uint8Array | undefined;
    this.walk((c, at, len) => {
      if (c !== code) return false;
      found = this.bytes.subarray(at, at + len);
      return true;
    });
    return found;
  }

  /** Option 53, or -1 (plain BOOTP). */
  get messageType(): number {
    const d = this.option(OPT_MESSAGE_TYPE);
    return d !== undefined && d.length >= 1 ? d[0]! : -1;
  }

  /** Option 12 (RFC 2132 §3.14). */
  get hostname(): string | undefined {
    return this.textOption(OPT_HOSTNAME);
  }

  /** Option 50 (RFC 2132 §9.1). */
  get requestedIp(): string | undefined {
    const d = this.option(OPT_REQUESTED_IP);
    return d !== undefined && d.length === 4 ? ipv4String(u32be(d, 0)) : undefined;
  }

  /** Option 55 in the order sent (RFC 2132 §9.8): the order is the fingerprint. */
  get parameterRequestList(): number[] | undefined {
    const d = this.option(OPT_PARAMETER_LIST);
    return d === undefined ? undefined : [...d];
  }

  /** Option 57 (RFC 2132 §9.10), or -1. */
  get maxMessageSize(): number {
    const d = this.option(OPT_MAX_MESSAGE_SIZE);
    return d !== undefined && d.length === 2 ? u16be(d, 0) : -1;
  }

  /** Option 60 (RFC 2132 §9.13), e.g. "MSFT 5.0", "android-dhcp-13". */
  get vendorClass(): string | undefined {
    return this.textOption(OPT_VENDOR_CLASS);
  }

  /** Option 61 (RFC 2132 §9.14) as hex: type byte first. */
  get clientId(): string | undefined {
    const d = this.option(OPT_CLIENT_ID);
    return d === undefined ? undefined : hexText(d, 0, d.length);
  }

  /**
   * Option 77 (RFC 3004 §4): a list of length-prefixed class names, joined
   * with ','. Some clients send one bare string instead (pre-RFC Windows):
   * when the first length does not fit, the whole option is the name.
   */
  get userClass(): string | undefined {
    const d = this.option(OPT_USER_CLASS);
    if (d === undefined) return undefined;
    const parts: string[] = [];
    let p = 0;
    while (p < d.length) {
      const n = d[p]!;
      if (n === 0 || p + 1 + n > d.length) return text(d, 0, d.length);
      parts.push(text(d, p + 1, p + 1 + n));
      p += 1 + n;
    }
    return parts.join(',');
  }

  /** Option 81 flags (RFC 4702 §2.1), or -1. */
  get fqdnFlags(): number {
    const d = this.option(OPT_CLIENT_FQDN);
    return d !== undefined && d.length >= 3 ? d[0]! : -1;
  }

  /**
   * Option 81's domain name (RFC 4702 §2.3): DNS wire format when the E flag
   * is set, else ASCII (deprecated but what Windows sends), as on the wire
   * (a trailing dot kept). Undefined when absent or malformed.
   */
  get fqdn(): string | undefined {
    const d = this.option(OPT_CLIENT_FQDN);
    if (d === undefined || d.length < 3) return undefined;
    if ((d[0]! & FQDN_FLAG_E) === 0) return text(d, 3, d.length);
    const r = decodeWireName(d, 3, d.length);
    return isNameError(r) ? undefined : r;
  }

  private textOption(code: number): string | undefined {
    const d = this.option(code);
    return d === undefined ? undefined : text(d, 0, d.length);
  }

  /** Calls `f(code, dataOffset, length)` per option until it returns true. */
  private walk(f: (code: number, at: number, len: number) => boolean): void {
    const b = this.bytes;
    let p = this.offset + DHCP_OPTIONS_OFFSET;
    const end = this.optionsEnd;
    while (p < end) {
      const code = b[p]!;
      if (code === OPT_PAD) {
        p++;
        continue;
      }
      if (code === OPT_END) return;
      const len = b[p + 1]!;
      if (f(code, p + 2, len)) return;
      p += 2 + len;
    }
  }
}

/** Where the options end (the end option, or the datagram), and whether they were cut short. */
function checkOptions(bytes: Uint8Array, start: number, end: number): { end: number; warning?: Anomaly } {
  let p = start;
  let n = 0;
  while (p < end) {
    const code = bytes[p]!;
    if (code === OPT_PAD) {
      p++;
      continue;
    }
    if (code === OPT_END) return { end: p + 1 };
    if (++n > DHCP_MAX_OPTIONS) return { end: p, warning: anomaly('dhcp.too_many_options', 'dhcp', p, 0, DHCP_MAX_OPTIONS) };
    if (p + 2 > end || p + 2 + bytes[p + 1]! > end) {
      const need = p + 2 > end ? 2 : 2 + bytes[p + 1]!;
      return { end: p, warning: anomaly('dhcp.truncated_option', 'dhcp', p, need, end - p) };
    }
    p += 2 + bytes[p + 1]!;
  }
  // RFC 2131 §4.1 wants an end option; many relays and old clients pad it away. Not an anomaly.
  return { end };
}

class DhcpDecoder implements Decoder {
  readonly name = 'dhcp';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): DhcpView | Anomaly {
    const have = end - offset;
    if (have < DHCP_OPTIONS_OFFSET) return anomaly('dhcp.truncated_header', 'dhcp', offset, DHCP_OPTIONS_OFFSET, have);
    const op = bytes[offset]!;
    if (op !== 1 && op !== 2) return anomaly('dhcp.bad_op', 'dhcp', offset, 0, op);
    // Plain BOOTP (RFC 951) has no cookie; a DHCP sensor has nothing to read there.
    if (u32be(bytes, offset + DHCP_FIXED_LEN) !== DHCP_MAGIC_COOKIE) return anomaly('dhcp.bad_cookie', 'dhcp', offset + DHCP_FIXED_LEN);
    const r = checkOptions(bytes, offset + DHCP_OPTIONS_OFFSET, end);
    // A snapped capture ends early by design: the options that fit are kept, with no warning.
    const warning = r.warning?.code === 'dhcp.truncated_option' && snapped(ctx) ? undefined : r.warning;
    return new DhcpView(bytes, offset, end, r.end, warning);
  }
}

export const dhcpDecoder: Decoder = new DhcpDecoder();
