/**
 * A flow as owned data: what the store keeps, what `FlowsAnalyzer.record`
 * hands later analyzers. Addresses and ports only; no payload byte is ever
 * copied into it, so it cannot carry patient data or a credential.
 */
import { ipv4String, ipv6String } from '../../decode/bytes.js';
import {
  KEY_WORDS, ST_CLEAR, ST_FIN, ST_RST, ST_SYN_A, ST_SYN_B, ST_SYNACK_A, ST_SYNACK_B, ST_TLS, type FlowStore,
} from './table.js';

export interface FlowRecord {
  /** The numeric key (table.ts KEY_WORDS words), so a restore needs no address parsing. */
  readonly key: readonly number[];
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP ...). */
  readonly proto: number;
  /** Side A is the lower (address, port) of the two; B the other. */
  readonly a: string;
  readonly aPort: number;
  readonly b: string;
  readonly bPort: number;
  /** Capture time, epoch seconds with the fraction. */
  readonly first: number;
  readonly last: number;
  readonly packetsAB: number;
  readonly bytesAB: number;
  readonly packetsBA: number;
  readonly bytesBA: number;
  /** The side that opened the TCP connection (sent the SYN, or received the SYN+ACK); '' when not seen. */
  readonly client: 'a' | 'b' | '';
  /** A SYN+ACK was seen: the server answered. */
  readonly answered: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  /** The first application layer a decoder recognised above TCP/UDP ('' when none). */
  readonly app: string;
  /** What the first payload looked like: TLS records, cleartext, or no payload yet. */
  readonly payload: 'tls' | 'clear' | 'none';
}

const isUint = (x: unknown, max: number): boolean => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
const isTime = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** A stored value that can become a flow again (anything else is counted and deleted). */
export function isFlowRecord(v: unknown): v is FlowRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const key = r['key'];
  return Array.isArray(key) && key.length === KEY_WORDS && key.every((w) => isUint(w, 0xffffffff))
    && isUint(r['proto'], 255) && typeof r['a'] === 'string' && typeof r['b'] === 'string'
    && isUint(r['aPort'], 65535) && isUint(r['bPort'], 65535)
    && isTime(r['first']) && isTime(r['last'])
    && isUint(r['packetsAB'], Number.MAX_SAFE_INTEGER) && isUint(r['bytesAB'], Number.MAX_SAFE_INTEGER)
    && isUint(r['packetsBA'], Number.MAX_SAFE_INTEGER) && isUint(r['bytesBA'], Number.MAX_SAFE_INTEGER)
    && (r['client'] === 'a' || r['client'] === 'b' || r['client'] === '')
    && typeof r['answered'] === 'boolean' && typeof r['fin'] === 'boolean' && typeof r['rst'] === 'boolean'
    && typeof r['app'] === 'string' && (r['app'] as string).length <= 64
    && (r['payload'] === 'tls' || r['payload'] === 'clear' || r['payload'] === 'none');
}

/** Flow `f`'s protocol, addresses as text and ports, from its numeric key. */
export function flowAddresses(st: FlowStore, f: number): { proto: number; a: string; aPort: number; b: string; bPort: number } {
  const k = st.keys;
  const o = f * KEY_WORDS;
  const v6 = k[o + 9]! >>> 8 === 6;
  const text = (w: number): string => {
    if (!v6) return ipv4String(k[o + w]!);
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 4; i++) {
      const x = k[o + w + i]!;
      bytes[i * 4] = x >>> 24;
      bytes[i * 4 + 1] = (x >>> 16) & 0xff;
      bytes[i * 4 + 2] = (x >>> 8) & 0xff;
      bytes[i * 4 + 3] = x & 0xff;
    }
    return ipv6String(bytes, 0);
  };
  return { proto: k[o + 9]! & 0xff, a: text(0), aPort: k[o + 8]! >>> 16, b: text(4), bPort: k[o + 8]! & 0xffff };
}

/** The store key of flow `f`: `<proto>|<a>|<aPort>|<b>|<bPort>`. */
export function flowKeyText(st: FlowStore, f: number): string {
  const r = flowAddresses(st, f);
  return `${r.proto}|${r.a}|${r.aPort}|${r.b}|${r.bPort}`;
}

/** Flow `f` as owned data; `appNames` maps the table's application index to its name. */
export function flowRecord(st: FlowStore, f: number, appNames: readonly string[]): FlowRecord {
  const s = st.state[f]!;
  const o = f * KEY_WORDS;
  const r = flowAddresses(st, f);
  return {
    key: Array.from(st.keys.subarray(o, o + KEY_WORDS)),
    proto: r.proto,
    a: r.a,
    aPort: r.aPort,
    b: r.b,
    bPort: r.bPort,
    first: st.first[f]!,
    last: st.last[f]!,
    packetsAB: st.packetsAB[f]!,
    bytesAB: st.bytesAB[f]!,
    packetsBA: st.packetsBA[f]!,
    bytesBA: st.bytesBA[f]!,
    // RFC 9293 §3.5: the SYN's sender opened; without it, the side a SYN+ACK went to.
    client: (s & ST_SYN_A) !== 0 ? 'a' : (s & ST_SYN_B) !== 0 ? 'b' : (s & ST_SYNACK_B) !== 0 ? 'a' : (s & ST_SYNACK_A) !== 0 ? 'b' : '',
    answered: (s & (ST_SYNACK_A | ST_SYNACK_B)) !== 0,
    fin: (s & ST_FIN) !== 0,
    rst: (s & ST_RST) !== 0,
    app: appNames[st.app[f]!]!,
    payload: (s & ST_TLS) !== 0 ? 'tls' : (s & ST_CLEAR) !== 0 ? 'clear' : 'none',
  };
}
