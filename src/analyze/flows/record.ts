/**
 * A flow as owned data: what the store keeps, what `FlowsAnalyzer.record`
 * hands later analyzers. Addresses and ports only; no payload byte is ever
 * copied into it, so it cannot carry patient data or a credential.
 */
import { KEY_WORDS } from './table.js';

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
