/**
 * Hostile input: random bytes and mutations of well-formed frames, through
 * the default FrameDecoder for every routed linktype. The decoder must never
 * throw, never report decoder.bug, and only report documented codes.
 */
import fc from 'fast-check';
import t from 'tap';
import {
  arp, ethernet, icmp, ipv4, ipv6, rawFrame, sll, sll2, tcp, udp,
} from '../../test/builders/frames.js';
import { discoveryCorpus } from '../../test/builders/discovery-corpus.js';
import { capturesDir, capturesIn } from '../../test/support/captures.js';
import { PcapReader } from '../capture/pcap/reader.js';
import { readFileSync } from 'node:fs';
import { DECODE_ANOMALY_CODES, defaultFrameDecoder } from './index.js';
import { DEFAULT_ROUTES } from './routes.js';

const LINKTYPES = [...new Set(DEFAULT_ROUTES.filter((r) => r.parent === 'linktype').map((r) => r.key)), 0, 147];
const CODES = new Set(DECODE_ANOMALY_CODES);
const M = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

const v4tcp = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, options: new Uint8Array(4) }, tcp({ sport: 1, dport: 104, options: new Uint8Array(8) }, new Uint8Array(12)));
const v4udp = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 68, dport: 67 }, new Uint8Array(12)));
const v4icmp = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, icmp({ type: 3, code: 1 }, v4udp));
const v6 = ipv6({
  src: 'fe80::1', dst: 'ff02::1', next: 6,
  ext: [{ type: 0 }, { type: 43, body: new Uint8Array(14) }, { type: 44, more: true }, { type: 60 }, { type: 51 }],
}, tcp({ sport: 1, dport: 2 }, new Uint8Array(4)));
const v6icmp = ipv6({ src: 'fe80::1', dst: 'ff02::1', next: 58 }, icmp({ type: 135 }, new Uint8Array(16), true));

/** Well-formed seeds per linktype, to be mutated. */
const SEEDS: [number, Uint8Array][] = [
  [1, ethernet({ ...M, type: 0x0800 }, v4tcp)],
  [1, ethernet({ ...M, type: 0x0800, vlan: [{ vid: 1, tpid: 0x88a8 }, { vid: 2 }] }, v4udp)],
  [1, ethernet({ ...M, type: 0x0800 }, v4icmp)],
  [1, ethernet({ ...M, type: 0x86dd }, v6)],
  [1, ethernet({ ...M, type: 0x0806 }, arp({ op: 1, senderMac: M.src, senderIp: '10.0.0.1', targetMac: M.dst, targetIp: '10.0.0.2' }))],
  [1, ethernet({ ...M, type: 0x0020 }, new Uint8Array(40))],
  [101, v4tcp], [101, v6], [12, v6icmp], [14, v4udp], [228, v4icmp], [229, v6icmp],
  [113, sll({ protocol: 0x0800 }, v4tcp)], [113, sll({ protocol: 0x86dd }, v6)],
  [276, sll2({ protocol: 0x8100 }, new Uint8Array([0, 5, 0x08, 0, ...v4udp]))], [276, sll2({ protocol: 0x86dd }, v6icmp)],
];

// Wired discovery (issue 7 part A): every discovery protocol as a seed, mutated like the others.
SEEDS.push(...discoveryCorpus().map((b): [number, Uint8Array] => [1, b]));

function check(linkType: number, bytes: Uint8Array, origLen: number): boolean {
  const dec = defaultFrameDecoder();
  const f = dec.decode(rawFrame(bytes, linkType, origLen));
  if (dec.counters.bugs !== 0) throw new Error(`decoder.bug in ${f.anomaly?.layer} (linktype ${linkType})`);
  if (f.anomaly && !CODES.has(f.anomaly.code)) throw new Error(`undocumented code ${f.anomaly.code}`);
  for (const l of f.layers) if (l.warning && !CODES.has(l.warning.code)) throw new Error(`undocumented warning ${l.warning.code}`);
  for (const l of f.layers) {
    if (!(l.offset <= l.payloadOffset && l.payloadOffset <= l.payloadEnd && l.payloadEnd <= bytes.length)) {
      throw new Error(`layer ${l.name} out of bounds`);
    }
  }
  if (f.truncated !== origLen > bytes.length) throw new Error('truncated flag wrong');
  // Read every getter of every layer: a getter must not throw either.
  for (const l of f.layers) {
    let p: object | null = Object.getPrototypeOf(l);
    while (p && p !== Object.prototype) {
      for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) if (d.get) void (l as unknown as Record<string, unknown>)[k];
      p = Object.getPrototypeOf(p);
    }
  }
  return true;
}

t.test('random bytes on every linktype', async (t) => {
  fc.assert(fc.property(
    fc.constantFrom(...LINKTYPES), fc.uint8Array({ maxLength: 200 }), fc.nat(100),
    (lt, bytes, extra) => check(lt, bytes, bytes.length + (extra % 3 === 0 ? extra : 0)),
  ), { numRuns: 20000 });
  t.pass('no throw');
});

t.test('mutations of well-formed frames', async (t) => {
  for (const [lt, seed] of SEEDS) t.ok(check(lt, seed, seed.length), `seed linktype ${lt} decodes`);
  fc.assert(fc.property(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
    fc.nat(), fc.boolean(),
    ([lt, seed], edits, cut, snapped) => {
      const b = seed.slice();
      for (const [at, v] of edits) b[at % b.length] = v;
      const len = cut % (b.length + 1);
      return check(lt, b.subarray(0, len), snapped ? b.length : len);
    },
  ), { numRuns: 30000 });
  t.pass('no throw');
});

t.test('every prefix of every seed', async (t) => {
  for (const [lt, seed] of SEEDS) {
    for (let n = 0; n <= seed.length; n++) {
      check(lt, seed.subarray(0, n), seed.length);
      check(lt, seed.subarray(0, n), n);
    }
  }
  t.pass('no throw');
});

// Wired discovery (issue 7 part A): every prefix of every real frame that
// reaches a discovery decoder, snapped and unsnapped.
const DISCOVERY_LAYERS = new Set(['dhcp', 'dhcpv6', 'dns', 'mdns', 'nbns', 'ssdp', 'wsd', 'lldp', 'llc', 'cdp']);

t.test('every prefix of every real frame that reaches a discovery decoder', async (t) => {
  const files = capturesIn(capturesDir(), ['ethernet_fingerprint']);
  t.ok(files.length >= 20, `${files.length} captures`);
  let frames = 0;
  for (const file of files) {
    const r = new PcapReader(file, { anomaly() {}, state() {} });
    for (const raw of [...r.push(readFileSync(file)), ...r.end()]) {
      if (!defaultFrameDecoder().decode(raw).layers.some((l) => DISCOVERY_LAYERS.has(l.name))) continue;
      frames++;
      for (let n = 0; n <= raw.bytes.length; n++) {
        check(raw.linkType, raw.bytes.subarray(0, n), raw.bytes.length);
        check(raw.linkType, raw.bytes.subarray(0, n), n);
      }
    }
  }
  t.ok(frames >= 100, `${frames} real discovery frames, every prefix`);
});
