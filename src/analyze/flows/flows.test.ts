/**
 * The flow table: direction-normalised keys, counters per direction, TCP
 * hints, application by content, TLS or cleartext, the cap with LRU
 * eviction, idle expiry, the store and restore, and stable handles.
 * The conformance with tshark on the real captures is in test/flows-conformance.test.ts.
 */
import t from 'tap';
import { FlowsAnalyzer, type FlowRecord } from './index.js';
import { FlowStore, hashKey, KEY_WORDS } from './table.js';
import { isFlowRecord } from './record.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { buildRouteTable, FrameDecoder } from '../../decode/index.js';
import type { Decoder, Layer } from '../../decode/types.js';
import { ethernet, ipv4, ipv6, rawFrame, tcp, TCP_FLAGS, udp, icmp, type Bytes } from '../../../test/builders/frames.js';
import { replayConfig } from '../replay-config.js';
import { flowOptions } from './index.js';

const M1 = '00:11:22:00:00:01';
const M2 = '00:11:22:00:00:02';

/** A decoder for an application layer above UDP port 9999: enough to prove the table takes whatever name a decoder gives. */
const demoDecoder: Decoder = {
  name: 'demo',
  decode(_b, offset, end): Layer {
    return { name: 'demo', offset, payloadOffset: end, payloadEnd: end, nextKey: -1, altKey: -1 };
  },
};

function harness(maxFlows = 64, idleTimeoutS = 60, storeChunk = 256) {
  const flows = new FlowsAnalyzer({ maxFlows, idleTimeoutS, snapshotIntervalS: 10, storeChunk });
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 1000 }));
  const dec = new FrameDecoder(buildRouteTable([{ parent: 'udp', key: 9999, child: demoDecoder }]));
  const feed = (bytes: Bytes, sec = 1000, nsec = 0): void => {
    flows.onFrame(dec.decode({ ...rawFrame(bytes, 1, bytes.length, 'eth0'), tsSec: sec, tsNsec: nsec }), sink);
  };
  return { flows, sink, feed };
}

const tcp4 = (src: string, dst: string, sport: number, dport: number, flags: number, payload: Bytes = new Uint8Array(0)): Bytes =>
  ethernet({ src: M1, dst: M2, type: 0x0800 }, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, flags }, payload)));
const udp4 = (src: string, dst: string, sport: number, dport: number, payload: Bytes = new Uint8Array(4)): Bytes =>
  ethernet({ src: M1, dst: M2, type: 0x0800 }, ipv4({ src, dst, proto: 17 }, udp({ sport, dport }, payload)));

const only = (f: FlowsAnalyzer): FlowRecord => {
  const r = f.records();
  if (r.length !== 1) throw new Error(`expected one flow, got ${r.length}`);
  return r[0]!;
};

t.test('both directions of a TCP connection are one flow, counted per direction, with who opened and who answered', async (t) => {
  const h = harness();
  const syn = tcp4('10.0.0.9', '10.0.0.2', 40000, 443, TCP_FLAGS.SYN);
  h.feed(syn, 1000, 500_000_000);
  h.feed(tcp4('10.0.0.2', '10.0.0.9', 443, 40000, TCP_FLAGS.SYN | TCP_FLAGS.ACK), 1001);
  h.feed(tcp4('10.0.0.9', '10.0.0.2', 40000, 443, TCP_FLAGS.ACK), 1002);
  h.feed(tcp4('10.0.0.9', '10.0.0.2', 40000, 443, TCP_FLAGS.FIN | TCP_FLAGS.ACK), 1003);
  const r = only(h.flows);
  // Side A is the lower address: 10.0.0.2 (the server).
  t.match(r, { proto: 6, a: '10.0.0.2', aPort: 443, b: '10.0.0.9', bPort: 40000, packetsAB: 1, packetsBA: 3, client: 'b', answered: true, fin: true, rst: false });
  t.equal(r.bytesBA, 2 * syn.length + syn.length, 'bytes are the frames\' wire lengths');
  t.equal(r.bytesAB, syn.length);
  t.equal(r.first, 1000.5);
  t.equal(r.last, 1003);
  t.equal(r.payload, 'none', 'no payload yet');
  t.equal(h.flows.counters.new, 1);
});

t.test('the client is known from a SYN+ACK alone, and an RST is kept', async (t) => {
  const h = harness();
  h.feed(tcp4('10.0.0.1', '10.0.0.7', 104, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  h.feed(tcp4('10.0.0.7', '10.0.0.1', 50000, 104, TCP_FLAGS.RST));
  t.match(only(h.flows), { a: '10.0.0.1', aPort: 104, client: 'b', answered: true, rst: true, fin: false });
  const h2 = harness();
  h2.feed(tcp4('10.0.0.1', '10.0.0.7', 50000, 104, TCP_FLAGS.SYN));
  t.match(only(h2.flows), { client: 'a', answered: false });
  const h3 = harness();
  h3.feed(tcp4('10.0.0.7', '10.0.0.1', 104, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  t.match(only(h3.flows), { client: 'a', answered: true }, 'B answered, so A opened');
});

t.test('same addresses, ports decide the side; distinct 5-tuples are distinct flows', async (t) => {
  const h = harness();
  h.feed(udp4('10.0.0.5', '10.0.0.5', 5000, 4000));
  h.feed(udp4('10.0.0.5', '10.0.0.5', 4000, 5000));
  t.match(only(h.flows), { aPort: 4000, bPort: 5000, packetsAB: 1, packetsBA: 1 });
  h.feed(udp4('10.0.0.5', '10.0.0.6', 4000, 5000));
  h.feed(tcp4('10.0.0.5', '10.0.0.5', 4000, 5000, TCP_FLAGS.ACK));
  t.equal(h.flows.size, 3, 'other address, other protocol');
});

t.test('IPv6 flows keep 128-bit addresses; ICMP has no ports; non-IP frames make no flow', async (t) => {
  const h = harness();
  const v6 = (src: string, dst: string, sport: number, dport: number): Bytes =>
    ethernet({ src: M1, dst: M2, type: 0x86dd }, ipv6({ src, dst, next: 17 }, udp({ sport, dport }, new Uint8Array(3))));
  h.feed(v6('fd00::1:2', 'fd00::1:1', 546, 547));
  h.feed(v6('fd00::1:1', 'fd00::1:2', 547, 546));
  h.feed(v6('fd00::2:1', 'fd00::1:2', 547, 546));
  h.feed(ethernet({ src: M1, dst: M2, type: 0x0800 }, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 1 }, icmp({ type: 8, code: 0 }, new Uint8Array(8)))));
  h.feed(ethernet({ src: M1, dst: M2, type: 0x88cc }, new Uint8Array(40)));
  const rs = h.flows.records();
  t.equal(rs.length, 3);
  t.match(rs.find((r) => r.b === 'fd00::1:2' && r.a === 'fd00::1:1'), { proto: 17, aPort: 547, bPort: 546, packetsAB: 1, packetsBA: 1 });
  t.match(rs.find((r) => r.proto === 1), { a: '10.0.0.1', b: '10.0.0.2', aPort: 0, bPort: 0 });
  t.equal(h.flows.current, -1, 'the LLDP frame has no flow');
});

t.test('application by content: the decoder\'s layer name, and TLS records versus cleartext', async (t) => {
  const h = harness();
  h.feed(udp4('10.0.0.1', '10.0.0.2', 40000, 9999));
  t.equal(only(h.flows).app, 'demo');
  t.equal(only(h.flows).payload, 'clear');
  const hello = Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0]); // RFC 8446 §5.1 record header
  const h2 = harness();
  h2.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 8443, TCP_FLAGS.SYN));
  h2.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 8443, TCP_FLAGS.ACK | TCP_FLAGS.PSH, hello));
  h2.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 8443, TCP_FLAGS.ACK | TCP_FLAGS.PSH, new TextEncoder().encode('\x00\x01 not a protocol')));
  t.match(only(h2.flows), { payload: 'tls', app: '' }, 'the first payload decides; no decoder, no app name');
  const h4 = harness();
  h4.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 8081, TCP_FLAGS.ACK | TCP_FLAGS.PSH, new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n')));
  t.match(only(h4.flows), { payload: 'clear', app: 'http' }, 'content detection names the application on any port');
  const h3 = harness();
  h3.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 80, TCP_FLAGS.ACK | TCP_FLAGS.PSH, new TextEncoder().encode('GET / HTTP/1.1\r\n')));
  t.equal(only(h3.flows).payload, 'clear');
  for (const [name, bytes] of [['version 3.5', [0x16, 3, 5, 0, 1]], ['content type 24', [0x18, 3, 3, 0, 1]], ['content type 19', [0x13, 3, 3, 0, 1]], ['major 2', [0x16, 2, 1, 0, 1]], ['4 bytes', [0x16, 3, 1, 0]]] as const) {
    const hx = harness();
    hx.feed(tcp4('10.0.0.1', '10.0.0.2', 1, 2, TCP_FLAGS.ACK, Uint8Array.from(bytes)));
    t.equal(only(hx.flows).payload, 'clear', `not TLS: ${name}`);
  }
  for (const ct of [0x14, 0x15, 0x17]) {
    const hx = harness();
    hx.feed(tcp4('10.0.0.1', '10.0.0.2', 1, 2, TCP_FLAGS.ACK, Uint8Array.from([ct, 3, 4, 0, 1])));
    t.equal(only(hx.flows).payload, 'tls', `TLS content type ${ct}`);
  }
});

t.test('the cap: the least recently seen flow is evicted and counted; a touched flow survives', async (t) => {
  const h = harness(16, 3600);
  for (let i = 0; i < 16; i++) h.feed(udp4('10.0.0.1', '10.0.1.1', 1000 + i, 53), 1000 + i);
  h.feed(udp4('10.0.0.1', '10.0.1.1', 1000, 53), 1100); // touch the oldest
  h.feed(udp4('10.0.0.1', '10.0.1.1', 2000, 53), 1101);
  t.equal(h.flows.size, 16);
  t.equal(h.flows.counters.evicted, 1);
  const ports = new Set(h.flows.records().map((r) => r.aPort));
  t.ok(ports.has(1000), 'the touched flow stays');
  t.notOk(ports.has(1001), 'the least recently seen went');
  t.ok(ports.has(2000));
  // A flood of new flows never grows the table.
  for (let i = 0; i < 5000; i++) h.feed(udp4('10.0.0.1', '10.0.2.1', 10000 + i, 53), 1200);
  t.equal(h.flows.size, 16);
  t.equal(h.flows.counters.evicted, 5001);
  h.flows.onTick(5000, h.sink);
  t.equal(h.sink.counters.get('flows.evicted'), 5001, 'reported to health on the tick');
  t.equal(h.sink.counters.get('flows.new'), 5017);
});

t.test('idle flows expire: recycled by a new flow, and on the tick by the capture clock', async (t) => {
  const h = harness(64, 60);
  h.feed(udp4('10.0.0.1', '10.0.1.1', 1000, 53), 1000);
  h.feed(udp4('10.0.0.1', '10.0.1.1', 1001, 53), 1050);
  h.feed(udp4('10.0.0.1', '10.0.1.1', 1002, 53), 1061);
  t.equal(h.flows.counters.expired, 1, 'the flow idle for 61 s made room');
  t.same(h.flows.records().map((r) => r.aPort).sort(), [1001, 1002]);
  // The tick: wall clock 50_000 is the anchor; capture time has not moved past 1061 yet.
  h.flows.onTick(50_000, h.sink);
  t.equal(h.flows.size, 2, 'a replayed file is not expired by the wall clock');
  h.flows.onTick(50_000 + 50, h.sink);
  t.equal(h.flows.size, 1, 'fifty quiet seconds later the capture clock is 1111: the 1050 flow is idle for 61 s');
  h.flows.onTick(50_000 + 61, h.sink);
  t.equal(h.flows.size, 0);
  t.equal(h.flows.counters.expired, 3);
});

t.test('handles: the frame\'s flow is current, its id reads the record until the flow leaves', async (t) => {
  const h = harness(16, 3600);
  h.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 2575, TCP_FLAGS.SYN));
  const id = h.flows.idOf(h.flows.current);
  t.equal(h.flows.currentAB, true);
  t.match(h.flows.record(id), { bPort: 2575, client: 'a' });
  h.feed(tcp4('10.0.0.2', '10.0.0.1', 2575, 40000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  t.equal(h.flows.currentAB, false);
  t.equal(h.flows.idOf(h.flows.current), id, 'the answer is the same flow');
  for (let i = 0; i < 16; i++) h.feed(udp4('10.0.0.1', '10.0.1.1', 1000 + i, 53));
  t.equal(h.flows.record(id), undefined, 'evicted: the old handle is stale even though the number is reused');
  t.equal(h.flows.record(-1), undefined);
  t.equal(h.flows.record(1.5), undefined);
});

t.test('store: changed flows on the interval, deletions when they leave, everything on a snapshot; restore', async (t) => {
  const h = harness(16, 60);
  h.feed(tcp4('10.0.0.1', '10.0.0.2', 40000, 443, TCP_FLAGS.SYN), 1000);
  h.feed(udp4('10.0.0.1', '10.0.0.3', 40000, 53), 1001);
  h.flows.onTick(1_000_000, h.sink);
  let ops = h.sink.drain().ops;
  t.same(ops.map((o) => `${o.type} ${o.area} ${o.key}`).sort(), ['put flows 17|10.0.0.1|40000|10.0.0.3|53', 'put flows 6|10.0.0.1|40000|10.0.0.2|443']);
  t.ok(ops.every((o) => isFlowRecord(o.value)), 'stored values pass the restore check');
  h.flows.onTick(1_000_005, h.sink);
  t.same(h.sink.drain().ops, [], 'nothing before the interval');
  h.feed(udp4('10.0.0.1', '10.0.0.3', 40000, 53), 1002);
  h.flows.onTick(1_000_010, h.sink);
  t.same(h.sink.drain().ops.map((o) => o.key), ['17|10.0.0.1|40000|10.0.0.3|53'], 'only the flow that changed');
  h.flows.onTick(1_000_060, h.sink); // capture clock 1002 + 50: the TCP flow (1000) is idle > 60 s? 1052-1000 = 52: not yet
  h.sink.drain();
  h.flows.onTick(1_000_070, h.sink); // 1062 - 1000 > 60: the TCP flow expires, and the store interval is due
  ops = h.sink.drain().ops;
  t.same(ops.filter((o) => o.type === 'del').map((o) => o.key), ['6|10.0.0.1|40000|10.0.0.2|443']);
  // Restore into a new table, with one bad record and one stored under a wrong key.
  const h2 = harness(16, 60);
  h.feed(udp4('10.0.0.1', '10.0.0.3', 40000, 53), 1100);
  h.feed(tcp4('10.0.0.9', '10.0.0.2', 40001, 80, TCP_FLAGS.SYN | TCP_FLAGS.ACK, new TextEncoder().encode('HTTP/1.1 200 OK')), 1101);
  h.flows.snapshot(h.sink, 'command');
  h.flows.onTick(1_000_081, h.sink);
  const stored = h.sink.drain().ops.filter((o) => o.type === 'put').map((o) => [o.key, o.value] as const);
  t.equal(stored.length, 2, 'a snapshot writes every flow on the next tick');
  const moved = ['wrong-key', stored[0]![1]] as const;
  h2.flows.restore([...stored, ['junk', { key: [1] }], moved]);
  t.equal(h2.flows.counters.restore_rejected, 1);
  t.same(h2.flows.records(), h.flows.records(), 'the same flows in the same order');
  h2.flows.onTick(5, h2.sink);
  ops = h2.sink.drain().ops;
  t.same(ops.filter((o) => o.type === 'del').map((o) => o.key).sort(), ['junk', 'wrong-key']);
  t.same(ops.filter((o) => o.type === 'put').length, 0, 'restored flows are not rewritten');
  // A smaller cap keeps the most recent.
  const h3 = harness(16, 60);
  const many = harness(64, 3600);
  for (let i = 0; i < 20; i++) many.feed(udp4('10.0.0.1', '10.0.1.1', 1000 + i, 53), 1000 + i);
  many.flows.snapshot(many.sink, 'command');
  many.flows.onTick(1, many.sink);
  h3.flows.restore(many.sink.drain().ops.map((o) => [o.key, o.value] as const));
  t.equal(h3.flows.size, 16);
  t.equal(h3.flows.counters.evicted, 4);
  t.same(h3.flows.records().map((r) => r.aPort).sort(), Array.from({ length: 16 }, (_, i) => 1004 + i));
});

t.test('store writes come in chunks, so no commit grows with the table', async (t) => {
  const h = harness(64, 3600, 4);
  for (let i = 0; i < 10; i++) h.feed(udp4('10.0.0.1', '10.0.1.1', 1000 + i, 53), 1000 + i);
  const sizes: number[] = [];
  for (let tick = 0; tick < 5; tick++) {
    h.flows.onTick(100 + tick, h.sink);
    sizes.push(h.sink.drain().ops.length);
  }
  t.same(sizes, [4, 4, 2, 0, 0], 'four, four, the last two, then nothing until the interval');
  // Twenty evictions of stored flows: deletes first, within the same budget.
  for (let i = 0; i < 70; i++) h.feed(udp4('10.0.0.2', '10.0.1.1', 2000 + i, 53), 2000);
  h.flows.onTick(200, h.sink);
  const ops = h.sink.drain().ops;
  t.equal(ops.length, 4);
  t.ok(ops.every((o) => o.type === 'del'), 'the flows that left go first');
  t.equal(h.flows.counters.evicted, 16);
  // flush at shutdown writes one more chunk and no more.
  h.flows.flush(h.sink);
  t.equal(h.sink.drain().ops.length, 4);
});

t.test('the hash table: insert, find and backward-shift removal stay consistent under churn', async (t) => {
  const cap = 64;
  const st = new FlowStore(cap);
  const key = new Uint32Array(KEY_WORDS);
  const live = new Map<number, number>();
  let seed = 7;
  let wrong = 0;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let step = 0; step < 20_000; step++) {
    const id = rnd() % 200;
    key.fill(0);
    key[0] = id;
    key[9] = 17 | (4 << 8);
    const h = hashKey(key, 0) & 0xff; // few hash bits: long probe runs and wrap-around
    const f = st.find(key, 0, h);
    if ((f >= 0) !== live.has(id) || (f >= 0 && f !== live.get(id))) wrong++;
    if (f >= 0) {
      st.remove(f);
      live.delete(id);
    } else if (!st.full) {
      live.set(id, st.insert(key, 0, h, step));
    }
  }
  t.equal(wrong, 0, 'find agrees with a Map over 20,000 random inserts and removals');
  t.equal(st.size, live.size);
  t.ok(live.size > 30, `the table ran near its cap (${live.size} of ${cap})`);
  t.throws(() => new FlowStore(0), RangeError);
});

t.test('the configuration names its keys and bounds', async (t) => {
  t.same(flowOptions(replayConfig()), { maxFlows: 16_384, idleTimeoutS: 300, snapshotIntervalS: 300, storeChunk: 1024 });
  t.equal(flowOptions(replayConfig({ runtime: { commit_pending: 64 } })).storeChunk, 16, 'a quarter of commit_pending, at least 16');
  t.same(flowOptions(replayConfig({ flows: { max_flows: 100 } })).maxFlows, 100);
  t.throws(() => replayConfig({ flows: { max_flows: 2 } }), /flows\.max_flows = 2: .*>=16/);
  t.throws(() => replayConfig({ flows: { idle_timeout_s: 0 } }), /flows\.idle_timeout_s = 0/);
  t.throws(() => replayConfig({ flows: { max_flow: 10 } }), /flows\.max_flow: unknown key/);
  t.equal(new FlowsAnalyzer({ maxFlows: 16, idleTimeoutS: 1, snapshotIntervalS: 10 }).gauges().flows, 0);
});
