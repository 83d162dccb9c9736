/**
 * NetBIOS name service (RFC 1002 §4.2) on UDP 137: a DNS-shaped message
 * (the DNS view and its bounded name walk serve it) whose names carry a
 * NetBIOS name in their first label, "first-level encoded" (RFC 1001
 * §14.1): each of 16 bytes split into two nibbles, each nibble + 'A'. The
 * 16th byte is the suffix that says what the name is (NB_SUFFIXES).
 */
import { checkMessage, DnsMessageView, snapped, type DnsRecord } from '../dns/index.js';
import { nameLabels } from '../dns/names.js';
import type { Anomaly, DecodeContext, Decoder } from '../types.js';
import { NB_ENCODED_LEN, NB_NAME_LEN } from './consts.js';

/** A decoded NetBIOS name: the name with its padding spaces trimmed, and its suffix. */
export interface NbName {
  readonly name: string;
  readonly suffix: number;
}

export class NbnsView extends DnsMessageView {
  /** The NetBIOS name of a question or record, or undefined when its first label is not a valid encoding. */
  netbiosName(r: Pick<DnsRecord, 'namePos'>): NbName | undefined {
    const labels = nameLabels(this.bytes, this.offset, r.namePos, this.payloadEnd);
    const first = labels[0];
    if (first === undefined || first[1] - first[0] !== NB_ENCODED_LEN) return undefined;
    const b = this.bytes;
    const raw = new Uint8Array(NB_NAME_LEN);
    for (let i = 0; i < NB_NAME_LEN; i++) {
      const hi = b[first[0] + 2 * i]! - 0x41;
      const lo = b[first[0] + 2 * i + 1]! - 0x41;
      if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return undefined;
      raw[i] = (hi << 4) | lo;
    }
    // RFC 1001 §14.1: names are padded with spaces to 15 bytes.
    let e = 15;
    while (e > 0 && raw[e - 1] === 0x20) e--;
    return { name: printable(raw, e), suffix: raw[15]! };
  }

  /** Every NetBIOS name in the message, as tshark prints `nbns.name`: "NAME<xx>". */
  get netbiosNames(): string[] {
    const out: string[] = [];
    for (const r of this.records) {
      const n = this.netbiosName(r);
      if (n !== undefined) out.push(`${n.name}<${n.suffix.toString(16).padStart(2, '0')}>`);
    }
    return out;
  }

  /** The name of the first question (a query or registration), or undefined. */
  get queryName(): NbName | undefined {
    const q = this.records[0];
    return q === undefined ? undefined : this.netbiosName(q);
  }
}

/**
 * The name as text, a byte outside printable ASCII as "<xx>" (how tshark and
 * nmblookup print names such as "<01><02>__MSBROWSE__<02>").
 */
function printable(raw: Uint8Array, end: number): string {
  let s = '';
  for (let i = 0; i < end; i++) {
    const c = raw[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `<${c.toString(16).padStart(2, '0')}>`;
  }
  return s;
}

class NbnsDecoder implements Decoder {
  readonly name = 'nbns';

  decode(bytes: Uint8Array, offset: number, end: number, ctx: DecodeContext): NbnsView | Anomaly {
    const r = checkMessage('nbns', bytes, offset, end, snapped(ctx));
    if ('code' in r) return r;
    return new NbnsView('nbns', bytes, offset, end, r.count, r.warning);
  }
}

export const nbnsDecoder: Decoder = new NbnsDecoder();
