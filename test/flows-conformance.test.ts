/**
 * The flow table against tshark on the real wired captures in
 * ../shared/captures (read in place, never copied): tshark's per-frame
 * fields (addresses, IP protocol, ports, frame length, capture time, TCP
 * flags) are folded into conversations here, and every conversation must
 * match a flow of the table field by field: the packets and bytes each
 * endpoint sent, first and last seen, who opened a TCP connection and
 * whether it was answered. Then the `port.server` facts of the inventory
 * must name exactly the endpoints tshark shows sending a SYN+ACK.
 *
 * tshark's IP reassembly is off so that a fragment counts where the sensor
 * counts it (ports of non-first fragments are 0 on both sides). The
 * transport is the first of tcp/udp/icmp/icmpv6 that frame.protocols lists
 * after the outer IP header, so the packet an ICMP error quotes is not
 * taken for the frame's own.
 *
 * No captures, too few files or no tshark is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame, SourceEvents } from '../src/capture/types.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { FlowsAnalyzer } from '../src/analyze/flows/index.js';
import { ServerPortSource } from '../src/analyze/flows/server-port.js';
import { InventoryAnalyzer } from '../src/analyze/inventory/index.js';
import { BatchSink } from '../src/analyze/sink.js';
import { AlertGate } from '../src/alerts/gate.js';
import { AlertCatalogue } from '../src/alerts/catalogue.js';
import { OuiRegistry } from '../src/identify/oui.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';

const DIRS = ['ethernet_fingerprint', 'ethernet_medical'];
const MIN_FILES = 25;
/** 150 conversations in 27 files today; a little below, so losing a file still fails. */
const MIN_FLOWS = 140;

const FIELDS = ['eth.src', 'frame.protocols', 'frame.len', 'frame.time_epoch', 'ip.src', 'ip.dst', 'ip.proto', 'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport'];
const TRANSPORTS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };

interface Conv {
  proto: number;
  /** Per endpoint "addr|port": packets and bytes it sent. */
  sent: Map<string, { packets: number; bytes: number }>;
  first: number;
  last: number;
  client: string;
  answered: boolean;
}

function convKey(proto: number, e1: string, e2: string): string {
  return `${proto} ${[e1, e2].sort().join(' ')}`;
}

/** tshark's conversations of `file`, and the endpoints that sent a SYN+ACK. */
const memo = new Map<string, { convs: Map<string, Conv>; synAckSenders: Set<string> }>();
function tsharkConvs(file: string): { convs: Map<string, Conv>; synAckSenders: Set<string> } {
  const hit = memo.get(file);
  if (hit !== undefined) return hit;
  const args = ['-r', file, '-n', '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields', '-E', 'separator=/t'];
  for (const f of FIELDS) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  const convs = new Map<string, Conv>();
  const synAckSenders = new Set<string>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const v = line.split('\t');
    const col = (n: string): string => (v[FIELDS.indexOf(n)] ?? '').split(',')[0]!;
    const protos = col('frame.protocols').split(':');
    const ipAt = protos.findIndex((p) => p === 'ip' || p === 'ipv6');
    if (ipAt < 0) continue;
    const v6 = protos[ipAt] === 'ipv6';
    let next = ipAt + 1;
    while (next < protos.length && protos[next]!.startsWith('ipv6.')) next++;
    const tname = protos[next] ?? '';
    const proto = TRANSPORTS[tname] ?? Number(v6 ? col('ipv6.nxt') : col('ip.proto'));
    const ported = tname === 'tcp' || tname === 'udp';
    const sport = ported ? Number(col(`${tname}.srcport`)) : 0;
    const dport = ported ? Number(col(`${tname}.dstport`)) : 0;
    const src = `${col(v6 ? 'ipv6.src' : 'ip.src')}|${sport}`;
    const dst = `${col(v6 ? 'ipv6.dst' : 'ip.dst')}|${dport}`;
    const key = convKey(proto, src, dst);
    const time = Number(col('frame.time_epoch'));
    let c = convs.get(key);
    if (c === undefined) {
      c = { proto, sent: new Map(), first: time, last: time, client: '', answered: false };
      convs.set(key, c);
    }
    const s = c.sent.get(src) ?? { packets: 0, bytes: 0 };
    s.packets++;
    s.bytes += Number(col('frame.len'));
    c.sent.set(src, s);
    c.first = Math.min(c.first, time);
    c.last = Math.max(c.last, time);
    if (tname === 'tcp') {
      const flags = Number(col('tcp.flags'));
      if ((flags & 0x12) === 0x02 && c.client === '') c.client = src;
      if ((flags & 0x16) === 0x12) {
        if (c.client === '') c.client = dst;
        c.answered = true;
        const ip = col(v6 ? 'ipv6.src' : 'ip.src');
        // A remote server's answer comes through the router's MAC and proves nothing about the router.
        if (LOCAL.test(ip)) synAckSenders.add(`mac:${col('eth.src')} tcp/${sport}`);
      }
    }
  }
  const r = { convs, synAckSenders };
  memo.set(file, r);
  return r;
}

/** The private ranges the inventory takes as the site when site_networks is absent (sites.ts). */
const LOCAL = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|f[cd]|fe[89ab])/;

const quiet: SourceEvents = { anomaly() {}, state() {} };

const TSHARK = tsharkVersion();

t.test('the flow table agrees with tshark\'s conversations on the wired captures', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  const root = capturesDir();
  const files = capturesIn(root, DIRS);
  t.ok(files.length >= MIN_FILES, `${files.length} capture files in ${root} (at least ${MIN_FILES})`);
  if (TSHARK === undefined) return;
  let flows = 0;
  let tcpAnswered = 0;
  for (const file of files) {
    const name = file.slice(root.length + 1);
    await t.test(name, async (t) => {
      const { convs } = tsharkConvs(file);
      const reader = new PcapReader(name, quiet);
      const raws: RawFrame[] = [...reader.push(readFileSync(file)), ...reader.end()];
      const dec = defaultFrameDecoder();
      const fa = new FlowsAnalyzer({ maxFlows: 100_000, idleTimeoutS: 86_400 * 365 * 60, snapshotIntervalS: 60 });
      const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1000 }));
      for (const raw of raws) fa.onFrame(dec.decode(raw), sink);
      const diffs: string[] = [];
      const seen = new Set<string>();
      for (const r of fa.records()) {
        const ea = `${r.a}|${r.aPort}`;
        const eb = `${r.b}|${r.bPort}`;
        const key = convKey(r.proto, ea, eb);
        seen.add(key);
        const c = convs.get(key);
        if (c === undefined) {
          diffs.push(`ours only: ${key}`);
          continue;
        }
        const want = (e: string) => c.sent.get(e) ?? { packets: 0, bytes: 0 };
        const got = ea === eb
          ? { [ea]: { packets: r.packetsAB + r.packetsBA, bytes: r.bytesAB + r.bytesBA } }
          : { [ea]: { packets: r.packetsAB, bytes: r.bytesAB }, [eb]: { packets: r.packetsBA, bytes: r.bytesBA } };
        for (const [e, g] of Object.entries(got)) {
          const w = want(e);
          if (g.packets !== w.packets || g.bytes !== w.bytes) diffs.push(`${key} sent by ${e}: ${g.packets}/${g.bytes} vs tshark ${w.packets}/${w.bytes}`);
        }
        if (Math.abs(r.first - c.first) > 1e-6 || Math.abs(r.last - c.last) > 1e-6) diffs.push(`${key} times ${r.first}..${r.last} vs ${c.first}..${c.last}`);
        const client = r.client === 'a' ? ea : r.client === 'b' ? eb : '';
        if (client !== c.client || r.answered !== c.answered) diffs.push(`${key} client ${client} answered ${r.answered} vs ${c.client} ${c.answered}`);
        if (r.answered) tcpAnswered++;
      }
      for (const k of convs.keys()) if (!seen.has(k)) diffs.push(`tshark only: ${k}`);
      t.same(diffs.slice(0, 10), [], `${convs.size} conversations, ${diffs.length} disagreements`);
      flows += convs.size;
    });
  }
  t.ok(flows >= MIN_FLOWS, `${flows} conversations compared (at least ${MIN_FLOWS})`);
  t.ok(tcpAnswered >= 10, `${tcpAnswered} answered TCP connections among them`);
});

t.test('port.server facts name exactly the endpoints tshark shows answering a SYN', async (t) => {
  t.ok(TSHARK, 'tshark runs');
  if (TSHARK === undefined) return;
  const root = capturesDir();
  let compared = 0;
  for (const file of capturesIn(root, DIRS)) {
    const { synAckSenders } = tsharkConvs(file);
    const inv = new InventoryAnalyzer(
      { maxDevices: 4096, learningPeriodS: 0, deltaIntervalS: 1, maxIpsPerDevice: 16 },
      new OuiRegistry('/nonexistent'),
      [new ServerPortSource()],
    );
    const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
    const reader = new PcapReader('f', quiet);
    const dec = defaultFrameDecoder();
    for (const raw of [...reader.push(readFileSync(file)), ...reader.end()]) inv.onFrame(dec.decode(raw), sink);
    // Facts live on the inventory's devices (the class engine reads them there), by MAC.
    const devices = (inv as unknown as { table: { devices: Map<string, { facts: { key: string; value: string }[] }> } }).table.devices;
    const tcpFacts = new Set<string>();
    for (const [id, d] of devices) for (const f of d.facts) if (f.key === 'port.server' && f.value.startsWith('tcp/')) tcpFacts.add(`${id} ${f.value}`);
    const name = file.slice(root.length + 1);
    t.same([...tcpFacts].filter((f) => !synAckSenders.has(f)), [], `${name}: no fact tshark does not prove`);
    t.same([...synAckSenders].filter((s) => !tcpFacts.has(s)), [], `${name}: every local SYN+ACK sender has its fact`);
    const local = synAckSenders;
    compared += local.size;
  }
  t.ok(compared >= 5, `${compared} local server ports compared`);
});
