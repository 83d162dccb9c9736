/**
 * DHCPv4 (RFC 2131/2132): header fields, options in order, and every
 * anomaly, from frames the builders make.
 */
import t from 'tap';
import { dhcp, dhcpFqdn, udp4Frame } from '../../../test/builders/discovery.js';
import { runCases, decodeBytes, type Case } from '../testing.js';
import type { DhcpView } from './index.js';

const MAC = '00:50:ba:12:47:cb';
const windows = dhcp({
  xid: 0xfe089c15, chaddr: MAC, options: [
    [53, new Uint8Array([3])], [61, new Uint8Array([1, 0, 0x50, 0xba, 0x12, 0x47, 0xcb])], [50, new Uint8Array([192, 168, 0, 10])],
    [12, 'academy04'], [81, dhcpFqdn(0, 'academy04.')], [60, 'MSFT 5.0'], [55, new Uint8Array([1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43])],
    [57, new Uint8Array([0x05, 0xdc])], [77, new Uint8Array([3, 0x61, 0x62, 0x63, 2, 0x78, 0x79])],
  ],
});
const frame = (p: Uint8Array): Uint8Array => udp4Frame(68, 67, p);
const L = ['ethernet', 'ipv4', 'udp', 'dhcp'];

const cases: Case[] = [
  ['Windows REQUEST: every option a fingerprint reads', frame(windows), {
    layers: L, fields: {
      op: 1, xid: 0xfe089c15, chaddr: MAC, chaddrIsMac: true, messageType: 3, hostname: 'academy04', requestedIp: '192.168.0.10',
      parameterRequestList: [1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43], vendorClass: 'MSFT 5.0', clientId: '010050ba1247cb',
      maxMessageSize: 1500, userClass: 'abc,xy', fqdn: 'academy04.', fqdnFlags: 0, optionCodes: [53, 61, 50, 12, 81, 60, 55, 57, 77],
      giaddr: '0.0.0.0', ciaddr: '0.0.0.0', yiaddr: '0.0.0.0',
    },
  }],
  ['server reply from port 67 to 68 (routed on the destination port)', udp4Frame(67, 68, dhcp({ op: 2, chaddr: MAC, yiaddr: '10.0.0.9', options: [[53, new Uint8Array([5])]] })), {
    layers: L, fields: { op: 2, messageType: 5, yiaddr: '10.0.0.9', hostname: undefined, parameterRequestList: undefined, vendorClass: undefined, fqdn: undefined },
  }],
  ['FQDN in wire format (E flag), relay address kept', frame(dhcp({ chaddr: MAC, giaddr: '10.1.1.1', options: [[81, dhcpFqdn(5, 'pump7.ward.example')]] })), {
    layers: L, fields: { fqdn: 'pump7.ward.example.', fqdnFlags: 5, giaddr: '10.1.1.1' },
  }],
  ['a hostname sent as a C string stops at the NUL', frame(dhcp({ chaddr: MAC, options: [[12, 'pump\0junk']] })), { layers: L, fields: { hostname: 'pump' } }],
  ['pad options are skipped, no end option is fine', frame(dhcp({ chaddr: MAC, options: [[0x35, new Uint8Array([1])]], noEnd: true })), {
    layers: L, fields: { messageType: 1, optionCodes: [53] },
  }],
  ['user class that is one bare string (pre-RFC 3004)', frame(dhcp({ chaddr: MAC, options: [[77, 'RRAS.Microsoft']] })), { layers: L, fields: { userClass: 'RRAS.Microsoft' } }],
  ['option 57 of the wrong length is absent; option 53 empty is -1', frame(dhcp({ chaddr: MAC, options: [[57, new Uint8Array([1])], [53, new Uint8Array(0)]] })), {
    layers: L, fields: { maxMessageSize: -1, messageType: -1, requestedIp: undefined },
  }],
  ['a truncated option ends the walk with a warning, the ones before stay', frame(concat2(dhcp({ chaddr: MAC, options: [[53, new Uint8Array([1])]], noEnd: true }), new Uint8Array([12, 10, 0x61]))), {
    layers: L, warnings: ['dhcp.truncated_option'], fields: { messageType: 1, optionCodes: [53], hostname: undefined },
  }],
  ['an option code with no length byte', frame(concat2(dhcp({ chaddr: MAC, options: [], noEnd: true }), new Uint8Array([12]))), {
    layers: L, warnings: ['dhcp.truncated_option'], fields: { optionCodes: [] },
  }],
  ['239 bytes: truncated header', frame(windows.subarray(0, 239)), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'dhcp.truncated_header' }],
  ['op 3 is not BOOTP', frame(Object.assign(windows.slice(), { 0: 3 })), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'dhcp.bad_op' }],
  ['no magic cookie (plain BOOTP)', frame(dhcp({ chaddr: MAC, cookie: 0, options: [] })), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'dhcp.bad_cookie' }],
];

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}

runCases(t, 'dhcp', cases);

t.test('a snapped capture cut inside an option is not malformed', async (t) => {
  const bytes = frame(windows);
  const f = decodeBytes(bytes.subarray(0, bytes.length - 5), 1, bytes.length);
  const d = f.layers[3] as DhcpView;
  t.equal(d.warning, undefined);
  t.equal(d.hostname, 'academy04', 'options before the cut are read');
});

t.test('too many options stop the walk', async (t) => {
  const opts: Array<[number, Uint8Array]> = Array.from({ length: 300 }, () => [200, new Uint8Array(0)]);
  const f = decodeBytes(frame(dhcp({ chaddr: MAC, options: [[12, 'a'], ...opts] })));
  const d = f.layers[3] as DhcpView;
  t.equal(d.warning?.code, 'dhcp.too_many_options');
  t.equal(d.hostname, 'a');
  t.equal(d.optionCodes.length, 255);
});

t.test('chaddr that is not a MAC is hex of hlen bytes', async (t) => {
  const b = dhcp({ chaddr: MAC, options: [] });
  b[1] = 6; // IEEE 802 token ring
  b[2] = 3;
  const d = decodeBytes(frame(b)).layers[3] as DhcpView;
  t.equal(d.chaddrIsMac, false);
  t.equal(d.chaddr, '00:50:ba');
});
