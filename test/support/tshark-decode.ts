/**
 * The field-by-field comparison of this sensor's decoders with tshark, shared
 * by the conformance test over the real captures and the one over frames the
 * builders make. Each compared field has tshark's name and this decoder's
 * reading of it in tshark's text form.
 *
 * Where tshark and this decoder legitimately differ, the comparison says so
 * here rather than the decoder bending:
 *   - tshark repeats fields for inner packets (ICMP error quotes, tunnels)
 *     comma-separated; the first value is the outer one, and only it is
 *     compared (VLAN ids excepted: all tags of a QinQ frame are compared).
 *   - For an ICMP/ICMPv6 error, tshark's only transport header is that of
 *     the quoted packet, which this sensor deliberately does not route
 *     (see src/decode/icmp/index.ts); TCP and UDP fields are not compared
 *     for those frames.
 *   - IP reassembly is turned off in tshark (`ip.defragment`, `ipv6.defragment`)
 *     so the first fragment shows its transport header as this decoder does.
 */
import { execFileSync } from 'node:child_process';
import type { ArpView } from '../../src/decode/arp/index.js';
import type { EthernetView } from '../../src/decode/ethernet/index.js';
import type { IcmpView } from '../../src/decode/icmp/index.js';
import type { Icmpv6View } from '../../src/decode/icmpv6/index.js';
import type { Ipv4View } from '../../src/decode/ipv4/index.js';
import type { Ipv6View } from '../../src/decode/ipv6/index.js';
import type { TcpView } from '../../src/decode/tcp/index.js';
import type { DecodedFrame, Layer } from '../../src/decode/types.js';
import type { UdpView } from '../../src/decode/udp/index.js';
import type { VlanView } from '../../src/decode/vlan/index.js';

/** The compared fields, in tshark's names; `ipv6.chain` is derived (see `ipv6Chain`). */
export const FIELDS = [
  'eth.src', 'eth.dst', 'vlan.id', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4',
  'ip.src', 'ip.dst', 'ip.proto', 'ipv6.src', 'ipv6.dst', 'ipv6.chain',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
] as const;
export type Field = (typeof FIELDS)[number];
export type Row = Record<Field, string>;

/**
 * IPv6 extension headers as tshark names them in `frame.protocols`, with the
 * field holding each one's Next Header (RFC 8200 §4).
 */
const EXT_NXT: Readonly<Record<string, string>> = {
  'ipv6.hopopts': 'ipv6.hopopts.nxt',
  'ipv6.routing': 'ipv6.routing.nxt',
  'ipv6.fraghdr': 'ipv6.fraghdr.nxt',
  'ipv6.dstopts': 'ipv6.dstopts.nxt',
};
/** tshark 4.0 names an 802.1ad S-tag (TPID 0x88a8) `ieee8021ad`, with its own id field; other tags are `vlan`. */
const TAG_ID: Readonly<Record<string, string>> = { vlan: 'vlan.id', ieee8021ad: 'ieee8021ad.id' };
const DERIVED: readonly Field[] = ['ipv6.chain', 'vlan.id'];
const INPUTS = ['frame.protocols', 'ipv6.nxt', ...Object.values(EXT_NXT), ...Object.values(TAG_ID)];
const DIRECT = FIELDS.filter((f) => !DERIVED.includes(f));

/**
 * Values of fields that repeat per header, in the order `frame.protocols`
 * lists the headers: `names` maps a protocol name to its field, and each
 * occurrence of the name takes the field's next comma-separated value.
 */
function inProtocolOrder(col: (name: string) => string, protos: readonly string[], names: Readonly<Record<string, string>>): string[] {
  const used = new Map<string, number>();
  const out: string[] = [];
  for (const p of protos) {
    const field = names[p];
    if (field === undefined) continue;
    const n = used.get(field) ?? 0;
    used.set(field, n + 1);
    out.push(col(field).split(',')[n] ?? '?');
  }
  return out;
}

/**
 * The outer IPv6 packet's Next Header chain from tshark: the fixed header's
 * value, then each extension header's, in the order `frame.protocols` lists
 * them (`eth:ethertype:ipv6:ipv6.hopopts:ipv6.routing:tcp`), e.g. "0>43>6".
 */
function ipv6Chain(col: (name: string) => string): string {
  const first = col('ipv6.nxt').split(',')[0]!;
  if (first === '') return '';
  const protos = col('frame.protocols').split(':');
  const start = protos.indexOf('ipv6') + 1;
  let stop = start;
  while (stop < protos.length && EXT_NXT[protos[stop]!] !== undefined) stop++;
  return [first, ...inProtocolOrder(col, protos.slice(start, stop), EXT_NXT)].join('>');
}

/** tshark's reading of every frame of `file`, one Row per frame. */
export function tsharkRows(file: string): Row[] {
  const cols = [...DIRECT, ...INPUTS];
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields', '-E', 'separator=/t'];
  for (const f of cols) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const values = line.split('\t');
    const col = (name: string): string => values[cols.indexOf(name)] ?? '';
    const row = {} as Row;
    for (const f of DIRECT) row[f] = col(f).split(',')[0]!;
    row['ipv6.chain'] = ipv6Chain(col);
    row['vlan.id'] = inProtocolOrder(col, col('frame.protocols').split(':'), TAG_ID).join(',');
    return row;
  });
}

function find<T extends Layer>(f: DecodedFrame, name: string): T | undefined {
  return f.layers.find((l) => l.name === name) as T | undefined;
}

const str = (v: number | undefined): string => (v === undefined ? '' : String(v));

/** ICMPv4 error types whose body quotes a datagram (RFC 792; RFC 1122 §3.2.2). */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** This decoder's reading of a frame, in tshark's text forms. */
export function ours(f: DecodedFrame): Row {
  const eth = find<EthernetView>(f, 'ethernet');
  const arp = find<ArpView>(f, 'arp');
  const ip4 = find<Ipv4View>(f, 'ipv4');
  const ip6 = find<Ipv6View>(f, 'ipv6');
  const tcp = find<TcpView>(f, 'tcp');
  const udp = find<UdpView>(f, 'udp');
  const icmp = find<IcmpView>(f, 'icmp');
  const icmp6 = find<Icmpv6View>(f, 'icmpv6');
  const vlans = f.layers.filter((l): l is VlanView => l.name === 'vlan');
  return {
    'eth.src': eth?.srcString ?? '',
    'eth.dst': eth?.dstString ?? '',
    'vlan.id': vlans.map((v) => v.vid).join(','),
    'arp.opcode': str(arp?.opcode),
    'arp.src.hw_mac': arp?.senderMacString ?? '',
    'arp.src.proto_ipv4': arp?.senderIpString ?? '',
    'arp.dst.hw_mac': arp?.targetMacString ?? '',
    'arp.dst.proto_ipv4': arp?.targetIpString ?? '',
    'ip.src': ip4?.srcString ?? '',
    'ip.dst': ip4?.dstString ?? '',
    'ip.proto': str(ip4?.protocol),
    'ipv6.src': ip6?.srcString ?? '',
    'ipv6.dst': ip6?.dstString ?? '',
    'ipv6.chain': ip6 ? ip6.nextHeaderChain.join('>') : '',
    'tcp.srcport': str(tcp?.srcPort),
    'tcp.dstport': str(tcp?.dstPort),
    // tshark's tcp.flags is the 12 bits under the data offset (RFC 9293 §3.1: reserved, then CWR..FIN).
    'tcp.flags': tcp ? `0x${(((tcp.bytes[tcp.offset + 12]! & 0x0f) << 8) | tcp.flags).toString(16).padStart(4, '0')}` : '',
    'udp.srcport': str(udp?.srcPort),
    'udp.dstport': str(udp?.dstPort),
    'icmp.type': str(icmp?.type),
    'icmp.code': str(icmp?.code),
    'icmpv6.type': str(icmp6?.type),
    'icmpv6.code': str(icmp6?.code),
  };
}

/** True for an ICMP or ICMPv6 error, whose quoted transport header tshark decodes and this sensor does not. */
export function isIcmpError(f: DecodedFrame): boolean {
  const i4 = find<IcmpView>(f, 'icmp');
  const i6 = find<Icmpv6View>(f, 'icmpv6');
  return (i4 !== undefined && ICMP_ERRORS.has(i4.type)) || (i6 !== undefined && i6.isError);
}

/** Field disagreements of one frame, as `frame N field: ours 'x' tshark 'y'`. */
export function diffRow(n: number, f: DecodedFrame, want: Row): string[] {
  const got = ours(f);
  const quoted = isIcmpError(f);
  const out: string[] = [];
  for (const k of FIELDS) {
    if (quoted && (k.startsWith('tcp.') || k.startsWith('udp.'))) continue;
    if (got[k] !== want[k]) out.push(`frame ${n} ${k}: ours '${got[k]}' tshark '${want[k]}'${f.anomaly ? ` (${f.anomaly.code})` : ''}`);
  }
  return out;
}

/** How many frames had a non-empty value for each field, to show what a comparison covered. */
export function coverage(rows: readonly Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of FIELDS) out[k] = rows.filter((r) => r[k] !== '').length;
  return out;
}
