/**
 * DHCPv6 (RFC 8415): message type, DUID, vendor class, FQDN, relays.
 */
import t from 'tap';
import { dhcpv6, dhcpv6Relay, dnsName, duidLlt, udp6Frame, vendorClass6 } from '../../../test/builders/discovery.js';
import { runCases, type Case } from '../testing.js';

const MAC = '00:1b:21:3a:4f:01';
const fqdn = new Uint8Array([1, ...dnsName('monitor-3.ward.example')]);
const solicit = dhcpv6(1, 0xabcdef, [
  [1, duidLlt(MAC)], [6, new Uint8Array([0, 23, 0, 24, 0, 39])], [16, vendorClass6(311, 'MSFT 5.0')], [39, fqdn], [15, new Uint8Array([0, 3, 0x61, 0x62, 0x63])],
]);
const frame = (p: Uint8Array): Uint8Array => udp6Frame(546, 547, p);
const L = ['ethernet', 'ipv6', 'udp', 'dhcpv6'];

const cases: Case[] = [
  ['Solicit with DUID-LLT, ORO, vendor class, FQDN, user class', frame(solicit), {
    layers: L, fields: {
      messageType: 1, transactionId: 0xabcdef, relayDepth: 0, duidType: 1, duidMac: MAC, clientDuid: '000100012a2b2c2d001b213a4f01',
      optionRequest: [23, 24, 39], vendorEnterprise: 311, vendorClassData: ['MSFT 5.0'], fqdn: 'monitor-3.ward.example.', userClass: ['abc'],
      optionCodes: [1, 6, 16, 39, 15], outerType: 1,
    },
  }],
  ['Relay-forward is followed to the client message', udp6Frame(547, 547, dhcpv6Relay(12, dhcpv6Relay(12, solicit))), {
    layers: L, fields: { outerType: 12, messageType: 1, relayDepth: 2, duidMac: MAC, vendorEnterprise: 311 },
  }],
  ['no options: everything absent', frame(dhcpv6(11, 1, [])), {
    layers: L, fields: { messageType: 11, clientDuid: undefined, duidType: -1, duidMac: undefined, vendorEnterprise: -1, vendorClassData: undefined, fqdn: undefined, optionRequest: undefined },
  }],
  ['DUID-LL (type 3) gives its MAC; DUID-EN gives none', frame(dhcpv6(1, 1, [[1, new Uint8Array([0, 3, 0, 1, 0, 0x1b, 0x21, 0x3a, 0x4f, 0x01])]])), {
    layers: L, fields: { duidType: 3, duidMac: MAC },
  }],
  ['an option past the end is a warning', frame(new Uint8Array([...dhcpv6(1, 1, [[1, duidLlt(MAC)]]), 0, 16, 0, 40, 1])), {
    layers: L, warnings: ['dhcpv6.truncated_option'], fields: { duidMac: MAC, optionCodes: [1] },
  }],
  ['three bytes: truncated header', frame(new Uint8Array([1, 0, 0])), { layers: ['ethernet', 'ipv6', 'udp'], anomaly: 'dhcpv6.truncated_header' }],
  ['a relay header cut short', frame(new Uint8Array([12, 0, 0, 0, 0])), { layers: ['ethernet', 'ipv6', 'udp'], anomaly: 'dhcpv6.truncated_header' }],
  ['a relayed message too short: the relay stays readable', frame(dhcpv6Relay(12, new Uint8Array([1, 0]))), {
    layers: L, warnings: ['dhcpv6.truncated_header'], fields: { messageType: 12, relayDepth: 0, transactionId: -1 },
  }],
];

runCases(t, 'dhcpv6', cases);

t.test('relays nested past HOP_COUNT_LIMIT stop with a warning', async (t) => {
  let m = solicit;
  for (let i = 0; i < 10; i++) m = dhcpv6Relay(12, m);
  const { decodeBytes } = await import('../testing.js');
  const f = decodeBytes(frame(m));
  const v = f.layers[3] as unknown as { warning?: { code: string }; relayDepth: number };
  t.equal(v.warning?.code, 'dhcpv6.relay_too_deep');
  t.equal(v.relayDepth, 8);
});
