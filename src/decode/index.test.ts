import t from 'tap';
import { ethernet, ethIpv4Tcp, ipv4, rawFrame, tcp, udp } from '../../test/builders/frames.js';
import { DECODE_ANOMALY_CODES, DECODE_NOTE_CODES, defaultFrameDecoder, FrameDecoder } from './index.js';
import { buildRouteTable, DEFAULT_ROUTES, RouteTable } from './routes.js';
import { isAnomaly, type Decoder, type Layer } from './types.js';

const MACS = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };

t.test('Ethernet/IPv4/TCP decodes to three layers, counted', async (t) => {
  const dec = defaultFrameDecoder();
  const f = dec.decode(rawFrame(ethIpv4Tcp(40000, 104)));
  t.same(f.layers.map((l) => l.name), ['ethernet', 'ipv4', 'tcp']);
  t.equal(f.anomaly, undefined);
  t.equal(f.truncated, false);
  t.same(dec.counters.snapshot(), { frames: 1, snapped: 0, truncated: 0, malformed: 0, warnings: 0, unsupported: 0, decoded: 1 });
});

t.test('layers that decoded are kept when a later one fails', async (t) => {
  const dec = defaultFrameDecoder();
  const b = ethernet({ ...MACS, type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6 }, tcp({ sport: 1, dport: 2, dataOffset: 3 }, new Uint8Array(0))));
  const f = dec.decode(rawFrame(b));
  t.same(f.layers.map((l) => l.name), ['ethernet', 'ipv4']);
  t.match(f.anomaly, { code: 'tcp.bad_data_offset', layer: 'tcp', offset: 14 + 20 + 12 });
  t.equal(f.truncated, false);
  t.equal(dec.counters.malformed, 1);
  t.equal(dec.counters.truncated, 0);
  t.equal(dec.counters.byCode.get('tcp.bad_data_offset'), 1);
});

t.test('truncated (snapped) is counted apart from malformed', async (t) => {
  const dec = defaultFrameDecoder();
  const full = ethernet({ ...MACS, type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(100))));
  // Snapped at 38 bytes: the UDP header is cut.
  const snapped = dec.decode(rawFrame(full.subarray(0, 38), 1, full.length));
  t.equal(snapped.truncated, true);
  t.match(snapped.anomaly, { code: 'udp.truncated_header', need: 8, have: 4 });
  t.same(snapped.layers.map((l) => l.name), ['ethernet', 'ipv4']);
  // The same bytes unsnapped: the IP total length lies, which is malformed;
  // the IPv4 header is kept with a warning, and UDP then runs out of bytes.
  const lying = dec.decode(rawFrame(full.subarray(0, 38)));
  t.equal(lying.truncated, false);
  t.same(lying.layers.map((l) => l.name), ['ethernet', 'ipv4']);
  t.equal(lying.layers[1]!.warning?.code, 'ipv4.bad_total_length');
  t.equal(lying.anomaly?.code, 'udp.truncated_header');
  // Snapped but complete enough: no anomaly, still a snapped frame.
  const ok = dec.decode(rawFrame(full.subarray(0, 50), 1, full.length));
  t.equal(ok.anomaly, undefined);
  t.equal(ok.truncated, true);
  t.same(ok.layers.map((l) => l.name), ['ethernet', 'ipv4', 'udp']);
  t.equal(ok.layers[2]!.payloadEnd, 50, 'payload clamped to the captured bytes');
  const c = dec.counters;
  t.same([c.frames, c.snapped, c.truncated, c.malformed, c.warnings], [3, 2, 1, 1, 1], 'the lying frame is malformed once');
  t.equal(c.byCode.get('ipv4.bad_total_length'), 1);
  t.equal(c.byCode.get('udp.truncated_header'), 2);
});

t.test('an unknown linktype is an anomaly, counted, not an error', async (t) => {
  const dec = defaultFrameDecoder();
  const f = dec.decode(rawFrame(new Uint8Array(20), 147));
  t.same(f.layers, []);
  t.match(f.anomaly, { code: 'linktype.unsupported', layer: 'linktype' });
  t.equal(dec.counters.unsupported, 1);
  t.equal(dec.counters.malformed, 0);
  t.equal(dec.counters.snapshot()['linktype.unsupported'], 1);
});

/** Throws like a decoder with a missing length check would. */
const throwing: Decoder = {
  name: 'boom',
  decode(): Layer {
    throw new RangeError('offset out of bounds');
  },
};

t.test('an exception from a decoder is caught once, counted as decoder.bug, layers kept', async (t) => {
  const rows = DEFAULT_ROUTES.filter((r) => !(r.parent === 'ipv4' && r.key === 6));
  const dec = new FrameDecoder(new RouteTable([...rows, { parent: 'ipv4', key: 6, child: throwing }]));
  const f = dec.decode(rawFrame(ethIpv4Tcp()));
  t.same(f.layers.map((l) => l.name), ['ethernet', 'ipv4']);
  t.match(f.anomaly, { code: 'decoder.bug', layer: 'boom', offset: 34 });
  t.equal(dec.counters.bugs, 1);
  t.equal(dec.counters.byCode.get('decoder.bug'), 1);
  t.equal(dec.counters.bugsByLayer.get('boom'), 1);
  t.equal(dec.counters.snapshot()['decoder.bug.boom'], 1);
  t.equal(dec.counters.malformed, 0, 'a bug is not the input\'s fault');
  // The decoder keeps working afterwards.
  t.equal(dec.decode(rawFrame(ethIpv4Tcp())).layers.length, 2);
});

t.test('a view whose payload leaves its parent is a decoder.bug', async (t) => {
  const liar: Decoder = {
    name: 'liar',
    decode(_b, offset, end): Layer {
      return { name: 'liar', offset, payloadOffset: offset, payloadEnd: end + 10, nextKey: -1, altKey: -1 };
    },
  };
  const dec = new FrameDecoder(buildRouteTable([{ parent: 'tcp', key: 104, child: liar }]));
  const f = dec.decode(rawFrame(ethIpv4Tcp(40000, 104)));
  t.same(f.layers.map((l) => l.name), ['ethernet', 'ipv4', 'tcp']);
  t.match(f.anomaly, { code: 'decoder.bug', layer: 'liar' });
});

t.test('isAnomaly tells ICMP views (which have a `code`) from anomalies', async (t) => {
  const b = ethernet({ ...MACS, type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, new Uint8Array(8)));
  const f = defaultFrameDecoder().decode(rawFrame(b));
  const icmp = f.layers[2]!;
  t.equal(icmp.name, 'icmp');
  t.equal(isAnomaly(icmp), false);
  t.equal(isAnomaly({ code: 'x.y', layer: 'x', offset: 0, need: 0, have: 0 }), true);
});

t.test('every anomaly code is documented once', async (t) => {
  t.equal(new Set(DECODE_ANOMALY_CODES).size, DECODE_ANOMALY_CODES.length);
  // Layer names may hold an underscore where tshark's protocol name does (nordic_ble, btle_rf, hci_evt),
  // or a hyphen where ours names a sub-layer (zigbee-nwk, ieee802154-tap).
  for (const c of DECODE_ANOMALY_CODES) t.match(c, /^[a-z0-9]+([_-][a-z0-9]+)*\.[a-z_]+$/);
});

t.test('one decoder decodes many frames without leaking state between them', async (t) => {
  const dec = defaultFrameDecoder();
  const a = dec.decode(rawFrame(ethIpv4Tcp(1, 2)));
  const b = dec.decode(rawFrame(ethIpv4Tcp(3, 4)));
  t.equal((a.layers[2] as unknown as { dstPort: number }).dstPort, 2);
  t.equal((b.layers[2] as unknown as { dstPort: number }).dstPort, 4);
  t.not(a.layers, b.layers);
});

t.test('senders the inventory cannot keep are counted as notes, not anomalies', async (t) => {
  const pay = new Uint8Array(8);
  // UDP 67/68 and 5353 are routed to DHCP and mDNS now: their payloads must be well-formed (an empty
  // BOOTREQUEST with the magic cookie, RFC 2131 §3; an mDNS header with no records).
  const dhcpPay = new Uint8Array(240);
  dhcpPay[0] = 1;
  dhcpPay.set([0x63, 0x82, 0x53, 0x63], 236);
  const mdnsPay = new Uint8Array(12);
  const v4 = (src: string, proto: number, body: Uint8Array): Uint8Array =>
    ethernet({ ...MACS, type: 0x0800 }, ipv4({ src, dst: '255.255.255.255', proto }, body));
  const cases: [string, Uint8Array, string[]][] = [
    // name, frame, notes
    ['all-zero source MAC', ethernet({ src: '00:00:00:00:00:00', dst: MACS.dst, type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, pay))), ['ethernet.zero_source']],
    ['zero MAC on an 802.3 length frame', ethernet({ src: '00:00:00:00:00:00', dst: MACS.dst, type: 46 }, new Uint8Array(46)), ['ethernet.zero_source']],
    ['240/4 source', v4('240.1.2.3', 17, udp({ sport: 1, dport: 2 }, pay)), ['ipv4.reserved_source']],
    ['255.255.255.254 source', v4('255.255.255.254', 17, udp({ sport: 1, dport: 2 }, pay)), ['ipv4.reserved_source']],
    ['limited broadcast as source is left alone', v4('255.255.255.255', 17, udp({ sport: 1, dport: 2 }, pay)), []],
    ['multicast source', v4('224.0.0.251', 17, udp({ sport: 5353, dport: 5353 }, mdnsPay)), ['ipv4.multicast_source']],
    ['0.0.0.0 DHCP client (RFC 2131 §4.1)', v4('0.0.0.0', 17, udp({ sport: 68, dport: 67 }, dhcpPay)), []],
    ['0.0.0.0 IGMP report (RFC 3376 §4.2.13)', v4('0.0.0.0', 2, pay), []],
    ['0.0.0.0 DHCP server port reversed', v4('0.0.0.0', 17, udp({ sport: 67, dport: 68 }, dhcpPay)), ['ipv4.zero_source']],
    ['0.0.0.0 TCP', v4('0.0.0.0', 6, tcp({ sport: 1, dport: 2 }, pay)), ['ipv4.zero_source']],
    ['0.1.2.3 (this network)', v4('0.1.2.3', 17, udp({ sport: 68, dport: 67 }, dhcpPay)), ['ipv4.zero_source']],
    ['ordinary sender', v4('10.0.0.1', 17, udp({ sport: 68, dport: 67 }, dhcpPay)), []],
  ];
  for (const [name, bytes, notes] of cases) {
    const dec = defaultFrameDecoder();
    const f = dec.decode(rawFrame(bytes));
    t.equal(f.anomaly, undefined, `${name}: no anomaly`);
    t.same(Object.fromEntries(dec.counters.notes), Object.fromEntries(notes.map((n) => [n, 1])), name);
    const snap = dec.counters.snapshot();
    t.equal(snap.malformed, 0, `${name}: not malformed`);
    for (const n of notes) t.equal(snap[`note.${n}`], 1, `${name}: in the health snapshot as note.${n}`);
    for (const n of notes) t.ok(DECODE_NOTE_CODES.includes(n), `${n} is listed`);
  }
});

t.test('a frame whose link layer decoded is counted as decoded; an unsupported link type is not', async (t) => {
  const dec = defaultFrameDecoder();
  dec.decode(rawFrame(ethIpv4Tcp()));
  dec.decode(rawFrame(ethIpv4Tcp(), 147));
  dec.decode(rawFrame(new Uint8Array(4)));
  t.equal(dec.counters.decoded, 1);
  t.equal(dec.counters.unsupported, 1);
  t.equal(dec.supportsLinktype(1), true);
  t.equal(dec.supportsLinktype(147), false);
  // The supported set is the linktype rows of the route table, not a list of its own.
  for (const r of DEFAULT_ROUTES) if (r.parent === 'linktype') t.equal(dec.supportsLinktype(r.key), true, `linktype ${r.key}`);
});
