/**
 * Device identifiers, shared by the analyzers that find them and the
 * telemetry that carries them. Owned records hold the readable text form;
 * on the wire an identifier is `[kind, bstr, ?extra]` (docs/telemetry.cddl
 * `ident`): a MAC is 6 bytes, not 17 characters.
 */
import { ipv6String } from '../decode/bytes.js';

/** Identifier kinds; the number is the wire id. */
export const IdKind = { mac: 0, ipv4: 1, ipv6: 2, ble: 3, ieee802154: 4, ieee802154Short: 5, bssid: 6 } as const;
export type IdKindName = keyof typeof IdKind;
export const ID_KIND_NAMES = Object.keys(IdKind) as IdKindName[];

/** Bytes on the wire per kind. */
const WIRE_LENGTH: Readonly<Record<IdKindName, number>> = { mac: 6, ipv4: 4, ipv6: 16, ble: 6, ieee802154: 8, ieee802154Short: 2, bssid: 6 };

/** BLE address types (Core Spec 5.4 Vol 6 Part B §1.3): the `extra` of a `ble` identifier. */
export const BleAddressType = { public: 0, randomStatic: 1, resolvable: 2, nonResolvable: 3 } as const;

/**
 * An identifier in owned, readable form. `value` is the canonical text:
 * `aa:bb:cc:dd:ee:ff` (mac, ble, bssid), dotted IPv4, RFC 5952 IPv6,
 * 16 hex digits for an 802.15.4 extended address, `0x1234` for a short one.
 * `extra` is the BLE address type, or the PAN id of a short address.
 */
export interface Identifier {
  readonly kind: IdKindName;
  readonly value: string;
  readonly extra?: number;
}

/** A stable string key for maps, the store and alerts: `mac:aa:bb:..`, `ipv4:10.0.0.1`, `ieee802154Short:0x1234@43981`. */
export function identifierKey(id: Identifier): string {
  return id.extra === undefined ? `${id.kind}:${id.value}` : `${id.kind}:${id.value}@${id.extra}`;
}

/** The wire bytes of an identifier's value; undefined when the text is not of its kind. */
export function identifierBytes(id: Identifier): Uint8Array | undefined {
  switch (id.kind) {
    case 'mac':
    case 'ble':
    case 'bssid':
      return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(id.value) ? hexBytes(id.value.replaceAll(':', '')) : undefined;
    case 'ipv4': {
      const n = parseIpv4Text(id.value);
      return n === undefined ? undefined : new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    }
    case 'ipv6':
      return parseIpv6Text(id.value);
    case 'ieee802154':
      return /^[0-9a-f]{16}$/.test(id.value) ? hexBytes(id.value) : undefined;
    case 'ieee802154Short':
      return /^0x[0-9a-f]{4}$/.test(id.value) ? hexBytes(id.value.slice(2)) : undefined;
  }
}

/** The readable text of an identifier from its kind and wire bytes; undefined when the length is wrong. */
export function identifierText(kind: IdKindName, b: Uint8Array): string | undefined {
  if (b.length !== WIRE_LENGTH[kind]) return undefined;
  switch (kind) {
    case 'mac':
    case 'ble':
    case 'bssid':
      return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
    case 'ipv4':
      return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
    case 'ipv6':
      return ipv6String(b, 0);
    case 'ieee802154':
      return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    case 'ieee802154Short':
      return `0x${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
  }
}

function hexBytes(h: string): Uint8Array {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function parseIpv4Text(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** RFC 4291 §2.2 text forms (with `::` and an embedded IPv4 tail) to 16 bytes. */
export function parseIpv6Text(s: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  let text = s;
  if (s.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes its two 16-bit groups.
    const lastColon = s.lastIndexOf(':');
    const v4 = parseIpv4Text(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  if (h === undefined || r === undefined) return undefined;
  if (rest !== undefined && h.length + r.length > 7) return undefined;
  const groups = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >>> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}
