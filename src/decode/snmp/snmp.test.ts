import t from 'tap';
import { der, snmpMessage, snmpValue, udpFrame } from '../../../test/builders/app.js';
import { concat } from '../../../test/builders/frames.js';
import { runCases, type Case } from '../testing.js';
import { OID_SYS_DESCR, OID_SYS_NAME, OID_SYS_OBJECT_ID, SNMP_PDU } from './consts.js';

const L = ['ethernet', 'ipv4', 'udp'];
const toAgent = (b: Uint8Array, port = 161): Uint8Array => udpFrame(40000, port, b);
const fromAgent = (b: Uint8Array): Uint8Array => udpFrame(40000, 161, b, true);
const CISCO = Uint8Array.of(0x2b, 6, 1, 4, 1, 9, 1, 0x85, 0x3c); // 1.3.6.1.4.1.9.1.700

const response = snmpMessage({
  version: 1, community: 'private', pdu: SNMP_PDU.response, requestId: 0x1234,
  varbinds: [[OID_SYS_DESCR, snmpValue.octets('Linux monitor 5.10.0 #1 SMP armv7l\r\n')], [OID_SYS_OBJECT_ID, snmpValue.oid(CISCO)], [OID_SYS_NAME, snmpValue.octets('icu-mon-07')]],
});

const cases: Case[] = [
  ['v2c response with the system group', fromAgent(response), {
    layers: [...L, 'snmp'],
    fields: {
      version: 1, pduType: 'response', isResponse: true, requestId: 0x1234, errorStatus: 0, varbindCount: 3,
      varbindOids: ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.5.0'],
      sysDescr: 'Linux monitor 5.10.0 #1 SMP armv7l', sysObjectId: '1.3.6.1.4.1.9.1.700', sysName: 'icu-mon-07',
      community: { kind: 'default', id: 'generic-write' },
    },
  }],
  ['v1 get with "public": a default, judged not kept', toAgent(snmpMessage({ version: 0, community: 'public', pdu: SNMP_PDU.getRequest, requestId: 1, varbinds: [[OID_SYS_DESCR, snmpValue.null()]] })), {
    layers: [...L, 'snmp'], fields: { version: 0, pduType: 'getRequest', community: { kind: 'default', id: 'generic-read' }, sysDescr: undefined, isResponse: false },
  }],
  ['a site community is "other", with its length only', toAgent(snmpMessage({ version: 1, community: 'Wq9!ward', pdu: SNMP_PDU.getNextRequest, requestId: 2, varbinds: [] })), {
    layers: [...L, 'snmp'], fields: { community: { kind: 'other', length: 8 }, varbindCount: 0, pduType: 'getNextRequest' },
  }],
  ['case matters: "Public" is not the default', toAgent(snmpMessage({ version: 1, community: 'Public', pdu: SNMP_PDU.getRequest, requestId: 3, varbinds: [] })), {
    layers: [...L, 'snmp'], fields: { community: { kind: 'other', length: 6 } },
  }],
  ['an empty community', toAgent(snmpMessage({ version: 1, community: '', pdu: SNMP_PDU.getRequest, requestId: 3, varbinds: [] })), {
    layers: [...L, 'snmp'], fields: { community: { kind: 'empty' } },
  }],
  ['a v2 trap on 162', toAgent(snmpMessage({ version: 1, community: 'public', pdu: SNMP_PDU.trapV2, requestId: 200, varbinds: [] }), 162), {
    layers: [...L, 'snmp'], fields: { pduType: 'trapV2', requestId: 200 },
  }],
  ['a v1 trap (RFC 1157 §4.1.6)', toAgent(der(0x30, der(2, Uint8Array.of(0)), der(4, Uint8Array.of(0x70)), der(0xa4, der(6, CISCO), der(0x40, Uint8Array.of(10, 0, 0, 9)), der(2, Uint8Array.of(6)), der(2, Uint8Array.of(1)), der(0x43, Uint8Array.of(1)), der(0x30, der(0x30, der(6, OID_SYS_NAME), snmpValue.octets('x'))))), 162), {
    layers: [...L, 'snmp'], fields: { pduType: 'trapV1', requestId: undefined, errorStatus: undefined, varbindCount: 1, community: { kind: 'other', length: 1 } },
  }],
  ['a negative request id', toAgent(der(0x30, der(2, Uint8Array.of(1)), der(4, Uint8Array.of(0x61)), der(0xa0, der(2, Uint8Array.of(0xff, 0xfe)), der(2, Uint8Array.of(0)), der(2, Uint8Array.of(0)), der(0x30)))), {
    layers: [...L, 'snmp'], fields: { requestId: -2 },
  }],
  ['SNMPv3 is recognised, not read', toAgent(der(0x30, der(2, Uint8Array.of(3)), der(0x30, der(2, Uint8Array.of(1))))), {
    layers: [...L, 'snmp'], fields: { version: 3, pduType: undefined, community: { kind: 'none' }, varbindCount: 0, requestId: undefined },
  }],
  ['version 2 does not exist', toAgent(der(0x30, der(2, Uint8Array.of(2)), der(4))), { layers: L, anomaly: 'snmp.unknown_version' }],
  ['a two-byte version', toAgent(der(0x30, der(2, Uint8Array.of(0, 1)), der(4))), { layers: L, anomaly: 'snmp.unknown_version' }],
  ['not a SEQUENCE', toAgent(Uint8Array.of(0x31, 0)), { layers: L, anomaly: 'snmp.bad_ber' }],
  ['indefinite length', toAgent(Uint8Array.of(0x30, 0x80, 2, 1, 0, 0, 0)), { layers: L, anomaly: 'snmp.bad_ber' }],
  ['a length beyond the datagram', toAgent(Uint8Array.of(0x30, 0x20, 2, 1, 0)), { layers: L, anomaly: 'snmp.truncated' }],
  ['an empty datagram', toAgent(new Uint8Array(0)), { layers: L, anomaly: 'snmp.truncated' }],
  ['an unknown PDU tag', toAgent(der(0x30, der(2, Uint8Array.of(1)), der(4, Uint8Array.of(0x61)), der(0xa9))), { layers: L, anomaly: 'snmp.bad_pdu' }],
  ['a varbind whose name is not an OID', toAgent(der(0x30, der(2, Uint8Array.of(1)), der(4), der(0xa2, der(2, Uint8Array.of(1)), der(2, Uint8Array.of(0)), der(2, Uint8Array.of(0)), der(0x30, der(0x30, der(4, Uint8Array.of(1)), snmpValue.null()))))), {
    layers: L, anomaly: 'snmp.bad_ber',
  }],
  ['a request id of five bytes', toAgent(der(0x30, der(2, Uint8Array.of(1)), der(4), der(0xa0, der(2, new Uint8Array(5)), der(2, Uint8Array.of(0)), der(2, Uint8Array.of(0)), der(0x30)))), {
    layers: L, anomaly: 'snmp.bad_ber',
  }],
  ['a snapped message is truncated, not malformed', concat(fromAgent(response)).subarray(0, 60), {
    layers: L, anomaly: 'snmp.truncated', origLen: fromAgent(response).length, truncated: true,
  }],
];

runCases(t, 'snmp', cases);

t.test('every listed default community is recognised as itself, and only exactly', async (t) => {
  const { DEFAULT_COMMUNITIES } = await import('./consts.js');
  const { decodeBytes } = await import('../testing.js');
  t.equal(new Set(DEFAULT_COMMUNITIES.map((c) => c.id)).size, DEFAULT_COMMUNITIES.length, 'ids are unique');
  for (const c of DEFAULT_COMMUNITIES) {
    t.ok(c.source.length > 10, `${c.id} cites its source`);
    const v = (s: string): unknown => (decodeBytes(toAgent(snmpMessage({ version: 1, community: s, pdu: SNMP_PDU.getRequest, requestId: 1, varbinds: [] }))).layers[3] as unknown as { community: unknown }).community;
    t.same(v(c.value), { kind: 'default', id: c.id }, `${c.id}`);
    t.same(v(`${c.value}x`), { kind: 'other', length: c.value.length + 1 }, `${c.id} plus a byte is not it`);
    t.same(v(c.value.slice(0, -1)), { kind: 'other', length: c.value.length - 1 }, `${c.id} less a byte is not it`);
  }
});
