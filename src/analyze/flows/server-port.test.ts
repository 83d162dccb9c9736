/**
 * port.server facts (server-port.ts): from a SYN+ACK's sender, from UDP
 * responses by port, only for local senders, and bounded by the inventory.
 * The comparison with tshark on real captures is in test/flows-conformance.test.ts.
 */
import t from 'tap';
import { ServerPortSource, udpResponse, UDP_SERVICE_PORTS } from './server-port.js';
import { InventoryAnalyzer } from '../inventory/index.js';
import { MAX_VALUES_PER_FACT_KEY } from '../inventory/sighting.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { OuiRegistry } from '../../identify/oui.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { ethernet, ipv4, ipv6, rawFrame, tcp, TCP_FLAGS, udp, type Bytes } from '../../../test/builders/frames.js';

const SERVER = '00:11:22:00:00:01';
const CLIENT = '00:11:22:00:00:02';

function harness(sites?: readonly string[]) {
  const inv = new InventoryAnalyzer({ maxDevices: 100, learningPeriodS: 0, deltaIntervalS: 1, maxIpsPerDevice: 4 }, new OuiRegistry('/nonexistent'), [new ServerPortSource(sites)]);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  const feed = (b: Bytes): void => inv.onFrame(dec.decode(rawFrame(b, 1, b.length, 'eth0')), sink);
  const facts = (mac: string): string[] => {
    const d = (inv as unknown as { table: { devices: Map<string, { facts: { key: string; value: string }[] }> } }).table.devices.get(`mac:${mac}`);
    return (d?.facts ?? []).filter((f) => f.key === 'port.server').map((f) => f.value);
  };
  return { feed, facts };
}

const t4 = (src: string, dst: string, sport: number, dport: number, flags: number, from = SERVER): Bytes =>
  ethernet({ src: from, dst: from === SERVER ? CLIENT : SERVER, type: 0x0800 }, ipv4({ src, dst, proto: 6 }, tcp({ sport, dport, flags }, new Uint8Array(0))));
const u4 = (src: string, dst: string, sport: number, dport: number, from = SERVER): Bytes =>
  ethernet({ src: from, dst: from === SERVER ? CLIENT : SERVER, type: 0x0800 }, ipv4({ src, dst, proto: 17 }, udp({ sport, dport }, new Uint8Array(4))));

t.test('the sender of a SYN+ACK serves on its source port; SYN, ACK and SYN+ACK+RST prove nothing', async (t) => {
  const h = harness();
  h.feed(t4('10.0.0.2', '10.0.0.1', 50000, 443, TCP_FLAGS.SYN, CLIENT));
  h.feed(t4('10.0.0.1', '10.0.0.2', 443, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  h.feed(t4('10.0.0.1', '10.0.0.2', 104, 50001, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  h.feed(t4('10.0.0.1', '10.0.0.2', 104, 50001, TCP_FLAGS.SYN | TCP_FLAGS.ACK), ); // a repeat costs no slot
  h.feed(t4('10.0.0.1', '10.0.0.2', 8080, 50002, TCP_FLAGS.ACK));
  h.feed(t4('10.0.0.1', '10.0.0.2', 8443, 50003, TCP_FLAGS.SYN | TCP_FLAGS.ACK | TCP_FLAGS.RST));
  h.feed(t4('10.0.0.1', '10.0.0.2', 2575, 50004, TCP_FLAGS.SYN));
  t.same(h.facts(SERVER), ['tcp/443', 'tcp/104']);
  t.same(h.facts(CLIENT), [], 'the client that sent the SYN serves nothing');
});

t.test('a SYN+ACK from a remote address (through the router) is no fact of the router', async (t) => {
  const h = harness();
  h.feed(t4('93.184.216.34', '10.0.0.2', 443, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  t.same(h.facts(SERVER), []);
  const h2 = harness(['93.184.216.0/24']);
  h2.feed(t4('93.184.216.34', '10.0.0.2', 443, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  t.same(h2.facts(SERVER), ['tcp/443'], 'site_networks decide what is local');
  const h3 = harness();
  h3.feed(ethernet({ src: SERVER, dst: CLIENT, type: 0x86dd }, ipv6({ src: 'fe80::1', dst: 'fe80::2', next: 6 }, tcp({ sport: 22, dport: 40000, flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK }, new Uint8Array(0)))));
  h3.feed(ethernet({ src: SERVER, dst: CLIENT, type: 0x86dd }, ipv6({ src: '2001:db8::1', dst: 'fe80::2', next: 6 }, tcp({ sport: 23, dport: 40000, flags: TCP_FLAGS.SYN | TCP_FLAGS.ACK }, new Uint8Array(0)))));
  t.same(h3.facts(SERVER), ['tcp/22'], 'IPv6: link-local is local, a global address outside the sites is not');
});

t.test('UDP responses: from a service port to a client port, DHCP and DHCPv6 pairs; peer protocols prove nothing', async (t) => {
  const cases: Array<[number, number, boolean]> = [
    [53, 40000, true], [161, 50000, true], [123, 40000, true], [1900, 40000, true], [3702, 40000, true], [5683, 40000, true],
    [67, 68, true], [547, 546, true], [67, 67, false], [547, 547, false], [68, 67, false],
    [123, 123, false], [5353, 5353, false], [40000, 53, false], [53, 161, false], [40000, 1900, false], [53, 1812, false],
    [0, 40000, false], [53, 0, false], [5000, 40000, false],
  ];
  for (const [s, d, want] of cases) t.equal(udpResponse(s, d), want, `${s} -> ${d}`);
  t.ok(UDP_SERVICE_PORTS.has(1812) && !UDP_SERVICE_PORTS.has(5353));
  const h = harness();
  h.feed(u4('10.0.0.1', '10.0.0.2', 161, 50000));
  h.feed(u4('10.0.0.1', '10.0.0.2', 67, 68));
  h.feed(u4('10.0.0.1', '10.0.0.2', 123, 123));
  h.feed(u4('10.0.0.2', '10.0.0.1', 50000, 161, CLIENT));
  t.same(h.facts(SERVER), ['udp/161', 'udp/67']);
  t.same(h.facts(CLIENT), []);
});

t.test('port facts per device are bounded by the inventory', async (t) => {
  const h = harness();
  for (let p = 1; p <= 200; p++) h.feed(t4('10.0.0.1', '10.0.0.2', p, 50000, TCP_FLAGS.SYN | TCP_FLAGS.ACK));
  const f = h.facts(SERVER);
  t.equal(f.length, MAX_VALUES_PER_FACT_KEY, 'one key keeps at most MAX_VALUES_PER_FACT_KEY values');
  t.equal(f[f.length - 1], 'tcp/200', 'the newest kept, the oldest gone');
});
