/**
 * Conformance against tshark: every frame of the wired captures in
 * ../shared/captures is decoded here and by tshark, and the addresses,
 * VLAN id, IP protocol and ports must agree field by field.
 *
 * The captures are read where they are (never copied into the repository).
 * The test skips when tshark or the captures are missing.
 *
 * Where tshark and this decoder legitimately differ, the comparison says so
 * below rather than the decoder bending:
 *   - tshark repeats fields for inner packets (ICMP error quotes, tunnels)
 *     comma-separated; the first value is the outer one, and only it is
 *     compared.
 *   - For an ICMP/ICMPv6 error, tshark's only transport ports are those of
 *     the quoted packet, which this sensor deliberately does not route
 *     (see src/decode/icmp/index.ts); ports are not compared for those frames.
 *   - A length field that claims more than an unsnapped frame holds is a
 *     warning, not a stop, so the headers agree with tshark (KNOWN_ANOMALIES).
 *   - IP reassembly is turned off in tshark (`ip.defragment`, `ipv6.defragment`)
 *     so the first fragment shows its transport header as this decoder does.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame, SourceAnomaly, SourceEvents } from '../src/capture/types.js';
import type { EthernetView } from '../src/decode/ethernet/index.js';
import type { IcmpView } from '../src/decode/icmp/index.js';
import type { Icmpv6View } from '../src/decode/icmpv6/index.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import type { Ipv4View } from '../src/decode/ipv4/index.js';
import type { Ipv6View } from '../src/decode/ipv6/index.js';
import type { TcpView } from '../src/decode/tcp/index.js';
import type { DecodedFrame, Layer } from '../src/decode/types.js';
import type { UdpView } from '../src/decode/udp/index.js';
import type { VlanView } from '../src/decode/vlan/index.js';

const CAPTURES = new URL('../../../shared/captures/', import.meta.url).pathname;
const DIRS = ['ethernet_fingerprint', 'ethernet_medical', 'iomt_app_traffic'];
const FIELDS = [
  'eth.src', 'eth.dst', 'vlan.id', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.proto',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tsharkRows(file: string): Row[] {
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((line) => {
    const cols = line.split('\t');
    const row = {} as Row;
    FIELDS.forEach((f, i) => {
      row[f] = (cols[i] ?? '').split(',')[0]!;
    });
    return row;
  });
}

/**
 * Anomalies the real captures do contain, per file. The telnet captures
 * (1999) hold frames cut short without the pcap record saying so; tshark
 * reports the same frames ("IPv4 total length exceeds packet length": 5 and
 * 25), and like tshark the decoder keeps their headers (a `Layer.warning`).
 */
const KNOWN_ANOMALIES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'ethernet_fingerprint/wireshark-wiki_telnet-cooked.pcap': { 'ipv4.bad_total_length': 5 },
  'ethernet_fingerprint/wireshark-wiki_telnet-raw.pcap': { 'ipv4.bad_total_length': 25 },
};

class Events implements SourceEvents {
  readonly anomalies: SourceAnomaly[] = [];
  anomaly(a: SourceAnomaly): void {
    this.anomalies.push(a);
  }
  state(): void {}
}

function find<T extends Layer>(f: DecodedFrame, name: string): T | undefined {
  return f.layers.find((l) => l.name === name) as T | undefined;
}

const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** This decoder's reading of a frame, in tshark's text forms. */
function ours(f: DecodedFrame): Row {
  const eth = find<EthernetView>(f, 'ethernet');
  const vlan = find<VlanView>(f, 'vlan');
  const ip4 = find<Ipv4View>(f, 'ipv4');
  const ip6 = find<Ipv6View>(f, 'ipv6');
  const tcp = find<TcpView>(f, 'tcp');
  const udp = find<UdpView>(f, 'udp');
  return {
    'eth.src': eth?.srcString ?? '',
    'eth.dst': eth?.dstString ?? '',
    'vlan.id': vlan ? String(vlan.vid) : '',
    'ip.src': ip4?.srcString ?? '',
    'ip.dst': ip4?.dstString ?? '',
    'ipv6.src': ip6?.srcString ?? '',
    'ipv6.dst': ip6?.dstString ?? '',
    'ip.proto': ip4 ? String(ip4.protocol) : '',
    'tcp.srcport': tcp ? String(tcp.srcPort) : '',
    'tcp.dstport': tcp ? String(tcp.dstPort) : '',
    'udp.srcport': udp ? String(udp.srcPort) : '',
    'udp.dstport': udp ? String(udp.dstPort) : '',
  };
}

function isIcmpError(f: DecodedFrame): boolean {
  const i4 = find<IcmpView>(f, 'icmp');
  const i6 = find<Icmpv6View>(f, 'icmpv6');
  return (i4 !== undefined && ICMP_ERRORS.has(i4.type)) || (i6 !== undefined && i6.isError);
}

const files = existsSync(CAPTURES)
  ? DIRS.flatMap((d) => (existsSync(join(CAPTURES, d)) ? readdirSync(join(CAPTURES, d)).map((n) => join(CAPTURES, d, n)) : []))
    .filter((p) => /\.pcap(ng)?$/.test(p)).sort()
  : [];

t.test('decoder agrees with tshark on the wired captures', { skip: !haveTshark() || files.length === 0 ? 'tshark or captures missing' : false }, async (t) => {
  let frames = 0;
  for (const file of files) {
    const name = file.slice(CAPTURES.length);
    t.test(name, async (t) => {
      const expected = tsharkRows(file);
      const events = new Events();
      const reader = new PcapReader(name, events);
      const dec = defaultFrameDecoder();
      const raws: RawFrame[] = [...reader.push(readFileSync(file)), ...reader.end()];
      t.equal(raws.length, expected.length, 'frame count');
      t.same(events.anomalies, [], 'reader anomalies');
      const diffs: string[] = [];
      raws.forEach((raw, i) => {
        const f = dec.decode(raw);
        const got = ours(f);
        const want = expected[i];
        if (want === undefined) return;
        const skipPorts = isIcmpError(f);
        for (const k of FIELDS) {
          if (skipPorts && (k.startsWith('tcp.') || k.startsWith('udp.'))) continue;
          if (got[k] !== want[k]) diffs.push(`frame ${i + 1} ${k}: ours '${got[k]}' tshark '${want[k]}'${f.anomaly ? ` (${f.anomaly.code})` : ''}`);
        }
      });
      frames += raws.length;
      t.same(diffs.slice(0, 20), [], `field disagreements (${diffs.length})`);
      t.equal(dec.counters.bugs, 0, 'no decoder.bug');
      const codes = Object.fromEntries([...dec.counters.byCode].sort());
      t.same(codes, KNOWN_ANOMALIES[name] ?? {}, 'anomaly counts match the baseline');
      t.equal(dec.counters.malformed, Object.values(KNOWN_ANOMALIES[name] ?? {}).reduce((a, b) => a + b, 0), 'malformed frames');
    });
  }
  t.teardown(() => {
    t.comment(`${files.length} files, ${frames} frames compared`);
  });
});
