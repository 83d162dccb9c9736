/**
 * The inventory against tshark: replaying each real Ethernet, raw-IP and
 * cooked capture must give the same devices (MAC, or IP where there is no
 * link layer), the same frame and byte counts per device and the same IP
 * addresses per device as tshark's reading of the same file, with the
 * attribution rules written out below in terms of tshark fields.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { replayFiles } from '../src/analyze/replay.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { ethernet, ipv4, ipv6, udp, tcp, arp, sll, sll2 } from './builders/frames.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';

// The captures are read in place (IOMT_CAPTURES moves them). Fewer files
// than MIN_FILES (31 today), fewer frames than MIN_FRAMES (2,168) or no tshark is a failure, not a pass on the
// built cases alone.
const captures = capturesDir();
const dirs = ['ethernet_fingerprint', 'ethernet_medical', 'iomt_app_traffic'];
const MIN_FILES = 28;
const MIN_FRAMES = 2_000;
const MAX_IPS = 16;

interface Expect {
  frames: number;
  bytes: number;
  ips: string[];
}

const first = (v: string | undefined): string => (v ?? '').split(',')[0] ?? '';

function usableV4(ip: string): boolean {
  const a = Number(ip.split('.')[0]);
  return ip !== '' && a !== 0 && a < 224;
}
function usableV6(ip: string): boolean {
  return ip !== '' && ip !== '::' && !ip.startsWith('ff');
}
function unicastMac(mac: string): boolean {
  return mac !== '' && mac !== '00:00:00:00:00:00' && (parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

/** The inventory as tshark sees it. */
function tsharkInventory(file: string): Map<string, Expect> {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.len', '-e', 'eth.src', '-e', 'sll.src.eth', '-e', 'sll.hatype', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'arp.src.hw_mac', '-e', 'arp.src.proto_ipv4'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const devices = new Map<string, Expect>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [len, ethSrc, sllSrc, , ipSrc, ip6Src, arpMac, arpIp] = line.split('\t');
    const mac = first(ethSrc) || first(sllSrc);
    let key: string | undefined;
    const v4 = first(ipSrc);
    const v6 = first(ip6Src);
    if (mac !== '') {
      if (unicastMac(mac)) key = `mac:${mac}`;
    } else if (v4 !== '' ? usableV4(v4) : usableV6(v6)) {
      key = v4 !== '' ? `ip:${v4}` : `ip:${v6}`;
    }
    if (key === undefined) continue;
    let d = devices.get(key);
    if (d === undefined) {
      d = { frames: 0, bytes: 0, ips: [] };
      devices.set(key, d);
    }
    d.frames++;
    d.bytes += Number(len);
    // The frame's first IP source belongs to its sender; ARP only when the frame carries no IP.
    let ip = '';
    if (v4 !== '') ip = usableV4(v4) ? v4 : '';
    else if (v6 !== '') ip = usableV6(v6) ? v6 : '';
    else if (first(arpMac) !== '' && first(arpMac) === mac && usableV4(first(arpIp))) ip = first(arpIp);
    if (ip !== '' && !d.ips.includes(ip) && d.ips.length < MAX_IPS) d.ips.push(ip);
  }
  return devices;
}

async function compare(t: Test, file: string): Promise<number> {
  const expected = tsharkInventory(file);
  const summary = await replayFiles({ files: [file], inventory: { maxDevices: 100_000, learningPeriodS: 0, deltaIntervalS: 10, maxIpsPerDevice: MAX_IPS } });
  const got = new Map(summary.devices.map((d) => [d.key, d]));
  t.same([...got.keys()].sort(), [...expected.keys()].sort(), 'same devices');
  for (const [key, e] of expected) {
    const d = got.get(key);
    if (d === undefined) continue;
    t.same({ frames: d.frames, bytes: d.bytes, ips: [...d.ips].sort() }, { frames: e.frames, bytes: e.bytes, ips: [...e.ips].sort() }, key);
  }
  const tsharkFrames = Number(execFileSync('capinfos', ['-c', '-M', '-T', '-r', file], { encoding: 'utf8' }).trim().split('\t')[1]);
  t.equal(summary.frames, tsharkFrames, 'frame count');
  return summary.frames;
}

t.test('the real captures', async (t) => {
  const tshark = tsharkVersion();
  t.ok(tshark, `tshark: ${tshark ?? 'missing'} (build.sh installs it)`);
  const files = capturesIn(captures, dirs);
  t.ok(files.length >= MIN_FILES, `${files.length} capture files in ${captures} (at least ${MIN_FILES})`);
  if (tshark === undefined) return;
  let frames = 0;
  for (const file of files) {
    await t.test(file.slice(captures.length).replace(/^\//, ''), async (t) => {
      frames += await compare(t, file);
    });
  }
  t.ok(frames >= MIN_FRAMES, `${files.length} files, ${frames} frames compared (at least ${MIN_FRAMES})`);
});

t.test('cooked captures (SLL v1 and v2) built by our writer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'iomt-sll-'));
  const payload = (i: number) => ipv4({ src: `10.1.0.${1 + (i % 3)}`, dst: '10.1.0.200', proto: 17 }, udp({ sport: 5000 + i, dport: 53 }, new Uint8Array(i % 7)));
  const frames = (wrap: (i: number) => Uint8Array) => Array.from({ length: 30 }, (_, i) => ({ tsSec: 1_700_000_000 + i, tsNsec: i * 1000, bytes: wrap(i) }));
  const v1 = join(dir, 'sll.pcap');
  writeFileSync(v1, pcapFile(113, frames((i) => sll({ protocol: 0x0800, addr: `00:1a:fa:00:00:0${i % 3}` }, payload(i)))));
  const v2 = join(dir, 'sll2.pcap');
  writeFileSync(
    v2,
    pcapFile(276, [
      ...frames((i) => sll2({ protocol: 0x86dd, addr: `00:09:5c:00:00:0${i % 2}` }, ipv6({ src: `fe80::${i % 2 + 1}`, dst: 'ff02::1', next: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(4))))),
      { tsSec: 1_700_000_100, tsNsec: 0, bytes: sll2({ protocol: 0x0806, addr: '00:09:5c:00:00:05' }, arp({ op: 1, senderMac: '00:09:5c:00:00:05', senderIp: '10.1.0.9', targetMac: '00:00:00:00:00:00', targetIp: '10.1.0.1' })) },
      { tsSec: 1_700_000_101, tsNsec: 0, bytes: sll2({ protocol: 0x0800, arphrd: 65534 }, ipv4({ src: '10.9.9.9', dst: '10.1.0.1', proto: 6 }, tcp({ sport: 1, dport: 2 }, new Uint8Array(0)))) },
    ]),
  );
  const eth = join(dir, 'eth.pcap');
  writeFileSync(eth, pcapFile(1, frames((i) => ethernet({ src: '00:1a:fa:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800, vlan: { vid: 7 } }, payload(i)))));
  for (const f of [v1, v2, eth]) await t.test(f, (t) => compare(t, f));
});
