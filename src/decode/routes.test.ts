import t from 'tap';
import { ethernet, ipv4, rawFrame, udp } from '../../test/builders/frames.js';
import { FrameDecoder } from './index.js';
import { buildRouteTable, DEFAULT_ROUTES, RouteTable, type RouteRow } from './routes.js';
import { anomaly, type Decoder, type Layer } from './types.js';
import { tcpDecoder } from './tcp/index.js';

/** A decoder that claims its whole input as one opaque layer. */
function marker(name: string): Decoder {
  return {
    name,
    decode(_b, offset, end): Layer {
      return { name, offset, payloadOffset: end, payloadEnd: end, nextKey: -1, altKey: -1 };
    },
  };
}

t.test('the default rows build', async (t) => {
  const table = new RouteTable(DEFAULT_ROUTES);
  t.equal(table.get('linktype', 1)?.name, 'ethernet');
  t.equal(table.get('linktype', 101)?.name, 'raw');
  t.equal(table.get('linktype', 276)?.name, 'sll2');
  t.equal(table.get('ethernet', 0x86dd)?.name, 'ipv6');
  t.equal(table.get('vlan', 0x8100)?.name, 'vlan');
  t.equal(table.get('ipv4', 1)?.name, 'icmp');
  t.equal(table.get('ipv6', 58)?.name, 'icmpv6');
  t.equal(table.get('ipv6', 1), undefined, 'no ICMPv4 under IPv6');
  t.equal(table.get('nosuch', 1), undefined);
  t.ok(Object.isFrozen(DEFAULT_ROUTES));
});

t.test('a duplicate parent/key is rejected at construction', async (t) => {
  t.throws(() => buildRouteTable([{ parent: 'ipv4', key: 6, child: marker('tcp2') }]), /duplicate route ipv4\/6 .*tcp and tcp2/);
  t.throws(() => new RouteTable([
    { parent: 'udp', key: 67, child: marker('dhcp') },
    { parent: 'udp', key: 67, child: marker('dhcp') },
  ]), /duplicate route udp\/67/);
  t.doesNotThrow(() => new RouteTable([
    { parent: 'udp', key: 67, child: marker('dhcp') },
    { parent: 'tcp', key: 67, child: marker('dhcp') },
  ]), 'same key under another parent is fine');
});

t.test('a bad key is rejected', async (t) => {
  t.throws(() => new RouteTable([{ parent: 'udp', key: -1, child: tcpDecoder }]), /non-negative integer/);
  t.throws(() => new RouteTable([{ parent: 'udp', key: 1.5, child: tcpDecoder }]), /non-negative integer/);
});

t.test('the destination port is tried first, then the source port (alt key)', async (t) => {
  const rows: RouteRow[] = [
    { parent: 'udp', key: 9, child: marker('discard') },
    { parent: 'udp', key: 7, child: marker('echo') },
  ];
  const dec = new FrameDecoder(buildRouteTable(rows));
  const frame = (sport: number, dport: number): Uint8Array => ethernet(
    { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 },
    ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport, dport }, new Uint8Array(4))),
  );
  const names = (b: Uint8Array): string[] => dec.decode(rawFrame(b)).layers.map((l) => l.name);
  t.same(names(frame(40000, 9)), ['ethernet', 'ipv4', 'udp', 'discard'], 'by destination');
  t.same(names(frame(9, 40000)), ['ethernet', 'ipv4', 'udp', 'discard'], 'by source when the destination has no route');
  t.same(names(frame(9, 7)), ['ethernet', 'ipv4', 'udp', 'echo'], 'destination wins when both have routes');
  t.same(names(frame(1, 2)), ['ethernet', 'ipv4', 'udp'], 'neither');
});

t.test('rows are data: a table can replace a default decoder', async (t) => {
  const rows = DEFAULT_ROUTES.filter((r) => !(r.parent === 'ipv4' && r.key === 17));
  const dec = new FrameDecoder(new RouteTable([...rows, { parent: 'ipv4', key: 17, child: marker('myudp') }]));
  const b = ethernet({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', type: 0x0800 },
    ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17 }, udp({ sport: 1, dport: 2 }, new Uint8Array(0))));
  t.same(dec.decode(rawFrame(b)).layers.map((l) => l.name), ['ethernet', 'ipv4', 'myudp']);
  t.equal(anomaly('x.y', 'x', 1).need, 0);
});
