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
import { replayConfig } from '../src/analyze/replay-config.js';
import { deviceAddresses, deviceAttr, deviceId } from '../src/telemetry/device.js';
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
const MAX_PEERS = 16;

interface Expect {
  key: string;
  mac: string;
  frames: number;
  bytes: number;
  v4: string[];
  v4proven: Set<string>;
  v6: string[];
  peers: string[];
  router: boolean;
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
/** The default site networks: RFC 1918, RFC 3927 link-local. */
function privateV4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254);
}
/** RFC 4193 unique local and RFC 4291 link-local. */
function localV6(ip: string): boolean {
  return /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip);
}

/**
 * The inventory as tshark sees it, with the attribution rules of
 * src/analyze/inventory written out again in terms of tshark fields:
 *  - a unicast link-layer sender is a device; without a link layer, a local IP source is;
 *  - a local IPv4 source belongs to its sender, ARP proves it (and moves it), a remote one
 *    makes the sender a router that keeps only proven addresses, and so do more than four
 *    unproven local ones (IPv6: more than four routable ones);
 *  - a remote destination is a peer of the sender, and a remote source forwarded by a router
 *    a peer of the receiving device; a device known by IP merges into the MAC ARP ties it to.
 */
function tsharkInventory(file: string): Map<string, Expect> {
  const out = execFileSync(
    'tshark',
    ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.len', '-e', 'eth.src', '-e', 'sll.src.eth', '-e', 'eth.dst', '-e', 'ip.src', '-e', 'ip.dst',
      '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'arp.src.hw_mac', '-e', 'arp.src.proto_ipv4', '-e', 'arp.hw.type', '-e', 'arp.proto.type'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const devices = new Map<string, Expect>();
  const byMac = new Map<string, Expect>();
  const byV4 = new Map<string, Expect>();
  const byV6 = new Map<string, Expect>();
  const create = (key: string, mac: string): Expect => {
    const d: Expect = { key, mac, frames: 0, bytes: 0, v4: [], v4proven: new Set(), v6: [], peers: [], router: false };
    devices.set(key, d);
    if (mac !== '') byMac.set(mac, d);
    return d;
  };
  const local4 = (ip: string): boolean => privateV4(ip) || byV4.get(ip)?.v4proven.has(ip) === true;
  const peer = (d: Expect, ip: string): void => {
    if (!d.peers.includes(ip) && d.peers.length < MAX_PEERS) d.peers.push(ip);
  };
  const router = (d: Expect): void => {
    if (d.router) return;
    d.router = true;
    for (const ip of d.v4.filter((x) => !d.v4proven.has(x))) {
      d.v4.splice(d.v4.indexOf(ip), 1);
      byV4.delete(ip);
    }
    for (const ip of d.v6.filter((x) => !/^fe[89ab]/.test(x))) {
      d.v6.splice(d.v6.indexOf(ip), 1);
      byV6.delete(ip);
    }
  };
  const claim6 = (d: Expect, ip: string, checkRouter: boolean): void => {
    if (byV6.has(ip) || d.v4.length + d.v6.length >= MAX_IPS) return;
    d.v6.push(ip);
    byV6.set(ip, d);
    if (checkRouter && d.v6.filter((x) => !/^fe[89ab]/.test(x)).length > 4) router(d);
  };
  const claim4 = (d: Expect, ip: string, proven: boolean): void => {
    const owner = byV4.get(ip);
    if (owner === d) {
      if (proven) d.v4proven.add(ip);
      return;
    }
    if (owner !== undefined) {
      if (owner.mac === '') {
        devices.delete(owner.key);
        for (const x of owner.v4) byV4.delete(x);
        for (const x of owner.v6) byV6.delete(x);
        d.frames += owner.frames;
        d.bytes += owner.bytes;
        for (const x of owner.v6) claim6(d, x, false);
        for (const p of owner.peers) peer(d, p);
      } else if (proven) {
        owner.v4.splice(owner.v4.indexOf(ip), 1);
        owner.v4proven.delete(ip);
        byV4.delete(ip);
      } else return;
    }
    if (d.v4.length + d.v6.length >= MAX_IPS) return;
    d.v4.push(ip);
    byV4.set(ip, d);
    if (proven) d.v4proven.add(ip);
    else if (d.v4.filter((x) => !d.v4proven.has(x)).length > 4) router(d);
  };
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const [len, ethSrc, sllSrc, ethDst, ipSrc, ipDst, ip6Src, ip6Dst, arpMac, arpIp, arpHw, arpProto] = line.split('\t').map(first) as string[];
    const mac = ethSrc || sllSrc!;
    let d: Expect | undefined;
    if (mac !== '') {
      if (unicastMac(mac)) d = byMac.get(mac) ?? create(`mac:${mac}`, mac);
      const to = unicastMac(ethDst!) ? byMac.get(ethDst!) : undefined;
      if (ipSrc !== '') {
        const dstRemote = usableV4(ipDst!) && !local4(ipDst!);
        if (d !== undefined && usableV4(ipSrc!)) {
          if (local4(ipSrc!)) {
            if (!d.router) claim4(d, ipSrc!, false);
          } else {
            router(d);
            if (to !== undefined && !to.router) peer(to, ipSrc!);
          }
        }
        if (d !== undefined && dstRemote && !d.router) peer(d, ipDst!);
      } else if (ip6Src !== '') {
        const dstRemote = usableV6(ip6Dst!) && !localV6(ip6Dst!) ? ip6Dst! : '';
        if (d !== undefined && usableV6(ip6Src!)) {
          if (!d.router) claim6(d, ip6Src!, true);
          else if (!localV6(ip6Src!) && to !== undefined && !to.router) peer(to, ip6Src!);
        }
        if (d !== undefined && dstRemote !== '' && !d.router && !byV6.has(dstRemote)) peer(d, dstRemote);
      } else if (d !== undefined && arpMac === mac && arpHw === '1' && arpProto === '0x0800' && usableV4(arpIp!)) {
        claim4(d, arpIp!, true);
      }
    } else if (ipSrc !== '') {
      const dstRemote = usableV4(ipDst!) && !local4(ipDst!);
      if (usableV4(ipSrc!) && local4(ipSrc!)) {
        d = byV4.get(ipSrc!);
        if (d === undefined) {
          d = create(`ipv4:${ipSrc}`, '');
          d.v4.push(ipSrc!);
          byV4.set(ipSrc!, d);
        }
        if (dstRemote) peer(d, ipDst!);
      } else if (usableV4(ipSrc!)) {
        const to = byV4.get(ipDst!);
        if (to !== undefined) peer(to, ipSrc!);
      }
    } else if (ip6Src !== '') {
      const dstRemote = usableV6(ip6Dst!) && !localV6(ip6Dst!) ? ip6Dst! : '';
      if (usableV6(ip6Src!) && localV6(ip6Src!)) {
        d = byV6.get(ip6Src!);
        if (d === undefined) {
          d = create(`ipv6:${ip6Src}`, '');
          d.v6.push(ip6Src!);
          byV6.set(ip6Src!, d);
        }
        if (dstRemote !== '' && !byV6.has(dstRemote)) peer(d, dstRemote);
      } else if (usableV6(ip6Src!)) {
        const to = byV6.get(ip6Dst!);
        if (to !== undefined) peer(to, ip6Src!);
      }
    }
    if (d === undefined) continue;
    d.frames++;
    d.bytes += Number(len);
  }
  return devices;
}

async function compare(t: Test, file: string): Promise<number> {
  const expected = tsharkInventory(file);
  const summary = await replayFiles({ files: [file], config: replayConfig({ inventory: { max_devices: 100_000, learning_period_s: 0, max_ips_per_device: MAX_IPS } }) });
  const got = new Map(summary.devices.map((d) => [deviceId(d), d]));
  t.same([...got.keys()].sort(), [...expected.keys()].sort(), 'same devices');
  for (const [key, e] of expected) {
    const d = got.get(key);
    if (d === undefined) continue;
    t.same(
      { frames: d.frames, bytes: d.bytes, ips: deviceAddresses(d).sort(), peers: (d.peers ?? []).map((p) => p.value).sort(), router: deviceAttr(d, 'role') === 'router' },
      { frames: e.frames, bytes: e.bytes, ips: [...e.v4, ...e.v6].sort(), peers: [...e.peers].sort(), router: e.router },
      key,
    );
  }
  const peers = new Set([...expected.values()].flatMap((e) => e.peers));
  t.comment(`${expected.size} local devices (${[...expected.values()].filter((e) => e.router).length} routers), ${peers.size} remote peers`);
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
