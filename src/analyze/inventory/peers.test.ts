/**
 * Local devices versus remote peers, routers and merged identities, on
 * frames built for the purpose: a ward with a gateway to the internet, a
 * router between two ward subnets, a device first seen over a raw-IP link.
 */
import t from 'tap';
import { InventoryAnalyzer, type InventoryOptions } from './index.js';
import { BatchSink } from '../sink.js';
import { AlertGate } from '../../alerts/gate.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { OuiRegistry } from '../../identify/oui.js';
import { defaultFrameDecoder } from '../../decode/index.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../decode/routes.js';
import { deviceAddresses, deviceAttr, deviceId } from '../../telemetry/device.js';
import { identifierKey } from '../../telemetry/ident.js';
import type { InventoryDeltaBody } from '../../telemetry/kinds.js';
import { arp, ethernet, ipv4, ipv6, rawFrame, tcp, udp, type Bytes } from '../../../test/builders/frames.js';

const OUI = new OuiRegistry();

function harness(opts: Partial<InventoryOptions> = {}) {
  const inv = new InventoryAnalyzer({ maxDevices: 1000, learningPeriodS: 0, deltaIntervalS: 0, maxIpsPerDevice: 8, maxPeersPerDevice: 4, ...opts }, OUI);
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const dec = defaultFrameDecoder();
  let ts = 1_700_000_000;
  const feed = (bytes: Bytes, linkType = LINKTYPE_ETHERNET): void => inv.onFrame(dec.decode({ ...rawFrame(bytes, linkType), tsSec: ts++ }), sink);
  const view = (): Record<string, { ips: string[]; peers: string[]; role: string | undefined; frames: number }> => {
    const out: Record<string, { ips: string[]; peers: string[]; role: string | undefined; frames: number }> = {};
    for (const r of inv.records()) out[deviceId(r)] = { ips: deviceAddresses(r), peers: (r.peers ?? []).map(identifierKey), role: deviceAttr(r, 'role'), frames: r.frames };
    return out;
  };
  return { inv, sink, feed, view };
}

const GW = '00:00:0c:07:ac:01'; // Cisco
const PUMP = '00:40:9d:11:22:33';
const MON = '00:09:fb:44:55:66';
const v4 = (src: string, dst: string): Bytes => ipv4({ src, dst, proto: 6 }, tcp({ sport: 443, dport: 50000 }, new Uint8Array(8)));
const eth = (src: string, dst: string, payload: Bytes, type = 0x0800): Bytes => ethernet({ src, dst, type }, payload);
const arpFrom = (mac: string, ip: string): Bytes => eth(mac, 'ff:ff:ff:ff:ff:ff', arp({ op: 2, senderMac: mac, senderIp: ip, targetMac: '00:00:00:00:00:00', targetIp: '10.30.0.9' }), 0x0806);

t.test('a gateway to the internet: remote addresses are peers, the gateway a router with only its own address', async (t) => {
  const h = harness();
  h.feed(arpFrom(GW, '10.30.0.1'));
  h.feed(eth(PUMP, GW, v4('10.30.0.20', '52.1.2.3'))); // the pump calls its cloud
  h.feed(eth(GW, PUMP, v4('52.1.2.3', '10.30.0.20'))); // the answer arrives through the gateway
  h.feed(eth(MON, GW, v4('10.30.0.21', '8.8.8.8')));
  h.feed(eth(GW, MON, v4('8.8.8.8', '10.30.0.21')));
  h.feed(eth(GW, MON, v4('142.250.1.1', '10.30.0.21')));
  t.same(h.view(), {
    [`mac:${GW}`]: { ips: ['10.30.0.1'], peers: [], role: 'router', frames: 4 },
    [`mac:${PUMP}`]: { ips: ['10.30.0.20'], peers: ['ipv4:52.1.2.3'], role: undefined, frames: 1 },
    [`mac:${MON}`]: { ips: ['10.30.0.21'], peers: ['ipv4:8.8.8.8', 'ipv4:142.250.1.1'], role: undefined, frames: 1 },
  });
  t.equal(h.sink.counters.get('inventory.routers'), 1);
  const gw = h.inv.records().find((r) => deviceId(r) === `mac:${GW}`)!;
  t.equal(deviceAttr(gw, 'class'), 'network-infrastructure');
  t.match(gw.attrs.find((a) => a.name === 'role'), { proto: 'ip', field: 'forwarded source address', confidence: 3 }, 'the role carries its evidence');
});

t.test('a router between two ward subnets loses the addresses it forwards', async (t) => {
  const h = harness();
  h.feed(arpFrom(GW, '10.30.0.1'));
  // Hosts of the other subnet arrive behind the router's MAC: local, but not its own.
  for (let i = 1; i <= 6; i++) h.feed(eth(GW, PUMP, v4(`10.40.0.${i}`, '10.30.0.20')));
  const v = h.view()[`mac:${GW}`]!;
  t.same(v.ips, ['10.30.0.1'], 'only the ARP-proven address stays');
  t.equal(v.role, 'router', 'more than four unproven local sources make a router');
  t.same(Object.keys(h.view()), [`mac:${GW}`], 'the forwarded hosts are not devices');
});

t.test('a host with a few addresses is not a router', async (t) => {
  const h = harness();
  for (const ip of ['10.30.0.5', '10.30.0.6', '10.30.0.7', '10.30.0.8']) h.feed(eth(PUMP, GW, v4(ip, '10.30.0.1')));
  t.same(h.view()[`mac:${PUMP}`], { ips: ['10.30.0.5', '10.30.0.6', '10.30.0.7', '10.30.0.8'], peers: [], role: undefined, frames: 4 });
});

t.test('raw IP: local sources are devices, remote ones peers of the local device they reach', async (t) => {
  const h = harness();
  h.feed(v4('10.30.0.20', '52.1.2.3'), LINKTYPE_RAW);
  h.feed(v4('52.1.2.3', '10.30.0.20'), LINKTYPE_RAW);
  h.feed(v4('52.1.2.4', '10.30.0.99'), LINKTYPE_RAW); // to a local address never heard: nobody's peer
  h.feed(ipv6({ src: 'fd00::20', dst: '2001:db8::1', next: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(1))), LINKTYPE_RAW);
  h.feed(ipv6({ src: '2001:db8::2', dst: 'fd00::20', next: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(1))), LINKTYPE_RAW);
  t.same(h.view(), {
    'ipv4:10.30.0.20': { ips: ['10.30.0.20'], peers: ['ipv4:52.1.2.3'], role: undefined, frames: 1 },
    'ipv6:fd00::20': { ips: ['fd00::20'], peers: ['ipv6:2001:db8::1', 'ipv6:2001:db8::2'], role: undefined, frames: 1 },
  });
  t.equal(h.sink.counters.get('inventory.remote_sender_frames'), 3, 'frames from remote senders are counted, not dropped silently');
});

t.test('site_networks from the configuration decide what is local', async (t) => {
  const h = harness({ siteNetworks: ['192.0.2.0/24'] });
  h.feed(v4('192.0.2.10', '10.1.1.1'), LINKTYPE_RAW);
  t.same(Object.keys(h.view()), ['ipv4:192.0.2.10']);
  t.same(h.view()['ipv4:192.0.2.10']!.peers, ['ipv4:10.1.1.1'], 'with site networks configured, a private address outside them is remote');
});

t.test('a device known by IP merges into the MAC that ARP ties it to', async (t) => {
  const h = harness();
  h.feed(v4('10.30.0.20', '52.1.2.3'), LINKTYPE_RAW); // first heard with no link layer (a cooked tunnel, another source)
  t.same(Object.keys(h.view()), ['ipv4:10.30.0.20']);
  h.inv.flush(h.sink);
  h.sink.drain();
  h.feed(arpFrom(PUMP, '10.30.0.20'));
  const v = h.view();
  t.same(Object.keys(v), [`mac:${PUMP}`], 'one device');
  t.same(v[`mac:${PUMP}`], { ips: ['10.30.0.20'], peers: ['ipv4:52.1.2.3'], role: undefined, frames: 2 }, 'frames and peers carried over');
  h.inv.flush(h.sink);
  const d = h.sink.drain();
  const delta = d.messages.find((m) => m.kind === 'inventory-delta')!.body as InventoryDeltaBody;
  t.same(delta.removed.map(identifierKey), ['ipv4:10.30.0.20'], 'subscribers are told the IP-only device is gone');
  t.same(d.ops.filter((o) => o.type === 'del').map((o) => o.key), ['ipv4:10.30.0.20'], 'and the store drops it');
  t.equal(h.inv.counters.devices_merged, 1);
});

t.test('ARP moves an address to the MAC that now proves it', async (t) => {
  const h = harness();
  h.feed(arpFrom(PUMP, '10.30.0.20'));
  h.feed(arpFrom(MON, '10.30.0.20'));
  t.same(h.view()[`mac:${PUMP}`]!.ips, []);
  t.same(h.view()[`mac:${MON}`]!.ips, ['10.30.0.20']);
  t.equal(h.sink.counters.get('inventory.ip_moved'), 1);
  // An unproven claim of a proven address changes nothing.
  h.feed(eth(PUMP, GW, v4('10.30.0.20', '10.30.0.1')));
  t.same(h.view()[`mac:${MON}`]!.ips, ['10.30.0.20']);
});

t.test('peers per device are bounded and the overflow counted', async (t) => {
  const h = harness({ maxPeersPerDevice: 4 });
  for (let i = 1; i <= 10; i++) h.feed(eth(PUMP, GW, v4('10.30.0.20', `52.0.0.${i}`)));
  t.equal(h.view()[`mac:${PUMP}`]!.peers.length, 4);
  t.equal(h.sink.counters.get('inventory.peers_not_kept'), 6);
});
