/**
 * The ward traffic generator: deterministic, exact, and read without
 * complaint by tshark and by our own reader and decoder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import type { RawFrame } from '../src/capture/types.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { EventLog } from '../src/capture/pcap/testing.js';
import { planWard, wardFrames, writeWardCapture, type CaptureFormat } from '../scripts/ward-gen.js';
import { AddrCache, ipv4Frame } from '../scripts/ward/fastframe.js';
import { TCP_FLAGS, ethernet, ipv4, tcp, udp } from './builders/frames.js';

const dir = mkdtempSync(join(tmpdir(), 'ward-gen-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const FRAMES = 20000;
const DEVICES = 60;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readAll(path: string): RawFrame[] {
  const r = new PcapReader('test', new EventLog());
  const frames = r.push(readFileSync(path));
  frames.push(...r.end());
  return frames;
}

function tshark(args: readonly string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
}

async function gen(name: string, o: { frames?: number; seed?: number; devices?: number; format?: CaptureFormat } = {}): Promise<string> {
  const out = join(dir, name);
  await writeWardCapture({ out, frames: o.frames ?? FRAMES, seed: o.seed ?? 1, devices: o.devices ?? DEVICES, format: o.format ?? 'pcap' });
  return out;
}

t.test('the same seed writes a byte-identical file; another seed does not', async (t) => {
  const a = await gen('a.pcap', { frames: 5000, seed: 7 });
  const b = await gen('b.pcap', { frames: 5000, seed: 7 });
  const c = await gen('c.pcap', { frames: 5000, seed: 8 });
  t.equal(sha256(a), sha256(b));
  t.not(sha256(a), sha256(c));
});

t.test('a pcap of the default ward', async (t) => {
  const file = await gen('ward.pcap');
  const frames = readAll(file);

  t.test('has exactly the frames asked for, by our reader and by capinfos', async (t) => {
    t.equal(frames.length, FRAMES);
    const out = execFileSync('capinfos', ['-c', '-M', '-T', file], { encoding: 'utf8' });
    t.match(out, new RegExp(`\\t${FRAMES}\\s*$`, 'm'));
  });

  t.test('timestamps strictly increase and every frame is at least 60 bytes', async (t) => {
    let prev = -1;
    let bad = 0;
    let short = 0;
    for (const f of frames) {
      const ts = f.tsSec * 1e6 + Math.floor(f.tsNsec / 1000);
      if (ts <= prev) bad++;
      prev = ts;
      if (f.bytes.length < 60) short++;
    }
    t.equal(bad, 0, 'frames out of order');
    t.equal(short, 0, 'runt frames');
  });

  t.test('tshark finds no malformed packet and no expert error or warning', async (t) => {
    t.equal(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= 6291456']).trim(), '');
    const expert = tshark(['-r', file, '-q', '-z', 'expert,warn']);
    t.notMatch(expert, /^(Errors|Warns) \(/m);
  });

  t.test('the protocol hierarchy holds the traffic kinds the ward makes', async (t) => {
    const phs = tshark(['-r', file, '-q', '-z', 'io,phs']);
    for (const proto of ['arp', 'dhcp', 'dns', 'ntp', 'tcp', 'udp', 'vlan', 'icmpv6', 'tls', 'snmp', 'syslog', 'hl7']) {
      t.match(phs, new RegExp(`^\\s+${proto}\\s+frames:\\d+`, 'm'), proto);
    }
  });

  t.test('our decoder reports no anomaly', async (t) => {
    const dec = defaultFrameDecoder();
    let anomalies = 0;
    for (const f of frames) if (dec.decode(f).anomaly !== undefined) anomalies++;
    t.equal(anomalies, 0);
    t.equal(dec.counters.malformed, 0);
    t.equal(dec.counters.bugs, 0);
    t.equal(dec.counters.warnings, 0);
  });

  t.test('every device generated appears as a source MAC, and no other MAC does', async (t) => {
    const seen = new Set<string>();
    for (const f of frames) seen.add(Buffer.from(f.bytes.subarray(6, 12)).toString('hex').replace(/(..)(?!$)/g, '$1:'));
    const plan = planWard(1, DEVICES);
    t.equal(seen.size, DEVICES);
    t.same([...seen].sort(), plan.devices.map((d) => d.mac).sort());
  });

  t.test('the late devices are first heard in the last quarter of the capture', async (t) => {
    const plan = planWard(1, DEVICES);
    const late = plan.devices.filter((d) => d.late);
    t.equal(late.length, 2);
    const laptop = late.find((d) => d.cls === 'rogue-laptop')!;
    t.equal(Number.parseInt(laptop.mac.slice(0, 2), 16) & 0x03, 0x02, 'locally administered unicast MAC');
    for (const d of late) {
      const first = frames.findIndex((f) => Buffer.from(f.bytes.subarray(6, 12)).toString('hex') === d.mac.replace(/:/g, ''));
      t.ok(first >= FRAMES * 0.75, `${d.cls} first at frame ${first}`);
    }
  });

  t.test('HL7 payloads carry no ASCII text beyond the empty MSH header', async (t) => {
    const ids = tshark(['-r', file, '-Y', 'tcp.dstport == 2575 && tcp.len > 0', '-T', 'fields', '-e', 'tcp.payload']).split('\n').filter(Boolean);
    t.ok(ids.length > 0, 'some HL7 traffic');
    for (const h of ids) {
      const b = Buffer.from(h.replace(/:/g, ''), 'hex');
      const text = [...b].filter((x) => x >= 0x20 && x < 0x7f).map((x) => String.fromCharCode(x)).join('');
      if (text !== '' && text !== 'MSH|^~\\&||||||||||') t.fail(`ASCII in HL7 payload: ${text}`);
    }
  });
});

t.test('pcapng output reads in tshark and our reader, with the same frames as pcap', async (t) => {
  const ng = await gen('ward.pcapng', { frames: 3000, format: 'pcapng', seed: 3 });
  const pcap = await gen('ward3.pcap', { frames: 3000, seed: 3 });
  t.match(execFileSync('capinfos', ['-t', '-M', ng], { encoding: 'utf8' }), /pcapng/);
  t.equal(tshark(['-r', ng, '-T', 'fields', '-e', 'frame.number']).trim().split('\n').length, 3000);
  const a = readAll(ng);
  const b = readAll(pcap);
  t.equal(a.length, 3000);
  t.same(a.map((f) => Buffer.from(f.bytes).toString('hex')), b.map((f) => Buffer.from(f.bytes).toString('hex')));
});

t.test('the frame generator yields exactly N frames in time order', async (t) => {
  const { frames } = wardFrames({ frames: 1234, seed: 5, devices: 12 });
  let n = 0;
  for (const _ of frames) n++;
  t.equal(n, 1234);
});

t.test('too few or too many devices is refused with the allowed range', async (t) => {
  t.throws(() => planWard(1, 3), /devices must be an integer from 10 to 4000/);
  t.throws(() => planWard(1, 5000), /devices must be an integer/);
});

t.test('the fast frame path writes what the builders write', async (t) => {
  const a = new AddrCache();
  const cases = [
    { vlan: true, tcpf: { flags: TCP_FLAGS.SYN, seq: 0xfffffff0, ack: 0, window: 64240, options: Uint8Array.of(2, 4, 5, 0xb4, 1, 1, 4, 2) }, payload: new Uint8Array(0) },
    { vlan: false, tcpf: { flags: TCP_FLAGS.ACK | TCP_FLAGS.PSH, seq: 12345, ack: 99, window: 65160, options: undefined }, payload: Uint8Array.from({ length: 301 }, (_, i) => i & 0xff) },
    { vlan: false, tcpf: undefined, payload: Uint8Array.of(1, 2, 3) },
    { vlan: true, tcpf: undefined, payload: Uint8Array.from({ length: 700 }, (_, i) => (i * 7) & 0xff) },
  ];
  for (const [i, c] of cases.entries()) {
    const f = { srcMac: '00:09:5c:01:02:03', dstMac: 'f4:bd:9e:0a:0b:0c', src: '10.31.1.5', dst: '10.30.0.2', ttl: 63, id: 4242 + i };
    const l4 = c.tcpf === undefined
      ? udp({ sport: 5000, dport: 514, checksumWith: { src: f.src, dst: f.dst } }, c.payload)
      : tcp({ sport: 50000, dport: 2575, ...c.tcpf, checksumWith: { src: f.src, dst: f.dst } }, c.payload);
    let want = ethernet({ src: f.srcMac, dst: f.dstMac, type: 0x0800, vlan: c.vlan ? { vid: 110 } : undefined },
      ipv4({ src: f.src, dst: f.dst, proto: c.tcpf === undefined ? 17 : 6, ttl: f.ttl, id: f.id, flags: c.tcpf === undefined ? 0 : 2 }, l4));
    if (want.length < 60) want = Uint8Array.from({ length: 60 }, (_, k) => want[k] ?? 0);
    const got = ipv4Frame({
      srcMac: a.mac(f.srcMac), dstMac: a.mac(f.dstMac), vid: c.vlan ? 110 : 0, src: a.ip4(f.src), dst: a.ip4(f.dst),
      ttl: f.ttl, id: f.id, df: c.tcpf !== undefined, sport: c.tcpf === undefined ? 5000 : 50000, dport: c.tcpf === undefined ? 514 : 2575,
    }, c.tcpf, c.payload);
    t.equal(Buffer.from(got).toString('hex'), Buffer.from(want).toString('hex'), `case ${i}`);
  }
});

// flows-bench: the wired fingerprints (scripts/ward/fingerprints.ts) as tshark reads them.
t.test('fingerprints: tshark reads the DHCP, HTTP, SSH, SNMP, mDNS and SSDP values each device was given', async (t) => {
  const file = await gen('fp.pcap', { frames: 60000, seed: 3 });
  const plan = planWard(3, DEVICES);
  const byMac = new Map(plan.devices.map((d) => [d.mac, d]));
  const byIp = new Map([...plan.devices, ...plan.external].map((d) => [d.ip, d]));
  const rows = (filter: string, fields: readonly string[]): string[][] => {
    const args = ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
    for (const f of fields) args.push('-e', f);
    return tshark(args).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  };
  // DHCP option 55 in order, option 60 and option 12, client by chaddr (RFC 2131 §2).
  const dhcpRows = rows('dhcp.option.dhcp == 1 || dhcp.option.dhcp == 3', ['dhcp.hw.mac_addr', 'dhcp.option.request_list_item', 'dhcp.option.vendor_class_id', 'dhcp.option.hostname']);
  t.ok(dhcpRows.length >= 20, `${dhcpRows.length} DHCP client messages`);
  const dhcpBad = dhcpRows.filter(([mac, prl, vc, host]) => {
    const d = byMac.get(mac!.split(',')[0]!); // option 61 repeats the hardware address
    return d === undefined || prl !== d.profile.paramList.join(',') || vc !== (d.vendor.vendorClass ?? '') || host !== d.host;
  });
  t.same(dhcpBad.slice(0, 5), [], 'option 55 order, vendor class and host name as the profile says');
  // HTTP: requests carry the client's User-Agent, answers the server's Server header.
  const { fingerprintOf } = await import('../scripts/ward/fingerprints.js');
  const http = rows('tcp && (http.request || http.response)', ['ip.src', 'http.user_agent', 'http.server']);
  const uas = new Set<string>();
  const servers = new Set<string>();
  const httpBad = http.filter(([ip, ua, server]) => {
    const d = byIp.get(ip!);
    if (d === undefined) return true;
    const fp = fingerprintOf(d.vendor);
    if (ua !== '') uas.add(ua!);
    if (server !== '') servers.add(server!);
    return ua !== '' ? ua !== fp.userAgent : server !== (fp.httpServer ?? 'nginx/1.22.1');
  });
  t.same(httpBad.slice(0, 5), [], `${http.length} HTTP messages, each with its device's value`);
  t.ok(uas.size >= 4 && servers.size >= 5, `${uas.size} user agents, ${servers.size} servers: ${[...servers].join(' | ')}`);
  // SSH identification strings (RFC 4253 §4.2) of servers and clients.
  const ssh = rows('ssh.protocol', ['ip.src', 'ssh.protocol']);
  t.ok(ssh.length >= 4, `${ssh.length} SSH identification strings`);
  t.same(ssh.filter(([ip, s]) => s !== (fingerprintOf(byIp.get(ip!)!.vendor).sshServer ?? 'SSH-2.0-OpenSSH_9.2p1')), [], 'each is its device\'s');
  // SNMP sysDescr answers.
  const snmp = rows('snmp.name == 1.3.6.1.2.1.1.1.0 && snmp.data == 2', ['ip.src', 'snmp.value.octets']);
  t.ok(snmp.length >= 10, `${snmp.length} sysDescr responses`);
  t.same(snmp.filter(([ip, hex]) => {
    const d = byIp.get(ip!)!;
    return Buffer.from(hex!.replace(/:/g, ''), 'hex').toString('utf8') !== (fingerprintOf(d.vendor).sysDescr ?? `${d.vendor.name} ${d.vendor.model}`);
  }), [], 'sysDescr is the device\'s');
  // mDNS: the printer's DNS-SD service with its TXT keys; SSDP searches and announcements.
  const mdns = rows('mdns && dns.flags.response == 1', ['ip.src', 'dns.ptr.domain_name', 'dns.txt']);
  t.ok(mdns.some(([, ptr, txt]) => /\._pdl-datastream\._tcp\.local$/.test(ptr!) && txt!.includes('usb_MDL=ZD621-203dpi ZPL')), 'a Zebra printer announces _pdl-datastream._tcp with usb_MDL');
  const ssdp = rows('ssdp', ['ip.src', 'http.request.method', 'http.user_agent', 'http.server']);
  t.ok(ssdp.some(([, m, ua]) => m === 'M-SEARCH' && ua === 'Microsoft-Windows/10.0 UPnP/1.0'), 'Windows searches');
  t.equal(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity >= 6291456']).trim(), '', 'no malformed packet and no expert warning');
});
