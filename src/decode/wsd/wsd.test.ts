/**
 * WS-Discovery (OASIS WS-Discovery 1.1): the bounded scanner and the
 * elements a fingerprint reads, on messages like an SDC device's.
 */
import t from 'tap';
import { udp4Frame, wsd } from '../../../test/builders/discovery.js';
import { decodeBytes, runCases, type Case } from '../testing.js';
import type { WsdView } from './index.js';

const L = ['ethernet', 'ipv4', 'udp', 'wsd'];
const hello = wsd({
  action: 'Hello',
  body: '<wsd:Hello><wsa:EndpointReference><wsa:Address>urn:uuid:5e1f0000-0000-4000-8000-00000000a11c</wsa:Address></wsa:EndpointReference>' +
    '<wsd:Types>dpws:Device  mdpws:MedicalDevice\n</wsd:Types><wsd:Scopes>sdc.ctxt.loc:/sdc.ctxt.loc.detail/ICU%2F3 http://ward&amp;bed</wsd:Scopes>' +
    '<wsd:XAddrs>https://10.30.1.9:6464/ https://[fe80::9]:6464/</wsd:XAddrs><wsd:MetadataVersion>7</wsd:MetadataVersion></wsd:Hello>',
});
const matches = wsd({
  action: 'ProbeMatches', prefix: 's12',
  body: '<d:ProbeMatches><d:ProbeMatch><d:Types>wsdp:Device</d:Types><d:XAddrs>http://10.0.0.1/</d:XAddrs></d:ProbeMatch>' +
    '<d:ProbeMatch><d:Types>pub:Computer</d:Types><d:Scopes/></d:ProbeMatch></d:ProbeMatches>',
});

const cases: Case[] = [
  ['Hello from an SDC device', udp4Frame(3702, 3702, hello), {
    layers: L, fields: {
      action: 'Hello', actionUri: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello', types: ['dpws:Device', 'mdpws:MedicalDevice'],
      scopes: ['sdc.ctxt.loc:/sdc.ctxt.loc.detail/ICU%2F3', 'http://ward&bed'], xaddrs: ['https://10.30.1.9:6464/', 'https://[fe80::9]:6464/'],
      addresses: ['urn:uuid:5e1f0000-0000-4000-8000-00000000a11c'], metadataVersion: 7, messageId: 'urn:uuid:0b0e8c1c-0000-4000-8000-000000000001',
    },
  }],
  ['ProbeMatches with two matches and another prefix', udp4Frame(3702, 50000, matches), {
    layers: L, fields: { action: 'ProbeMatches', types: ['wsdp:Device', 'pub:Computer'], xaddrs: ['http://10.0.0.1/'], scopes: [], metadataVersion: -1 },
  }],
  ['Probe and Bye and an unknown action', udp4Frame(1, 3702, wsd({ action: 'Probe', body: '<wsd:Probe><wsd:Types>dpws:Device</wsd:Types></wsd:Probe>' })), {
    layers: L, fields: { action: 'Probe', types: ['dpws:Device'] },
  }],
  ['an action outside WS-Discovery', udp4Frame(1, 3702, wsd({ action: 'Other', body: '' })), { layers: L, fields: { action: undefined } }],
  ['not SOAP', udp4Frame(3702, 3702, new TextEncoder().encode('<html><body/></html>')), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'wsd.not_soap' }],
  ['no tags at all', udp4Frame(3702, 3702, new TextEncoder().encode('hello')), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'wsd.not_soap' }],
  ['an envelope cut inside its first tag', udp4Frame(3702, 3702, hello.subarray(0, 60)), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'wsd.not_soap' }],
];

runCases(t, 'wsd', cases);

t.test('the scanner stops after WSD_MAX_TAGS tags', async (t) => {
  const body = '<a/>'.repeat(600) + '<wsd:Types>late:Type</wsd:Types>';
  const v = decodeBytes(udp4Frame(3702, 3702, wsd({ action: 'Hello', body }))).layers[3] as WsdView;
  t.equal(v.warning?.code, 'wsd.too_many_tags');
  t.same(v.types, []);
  t.equal(v.action, 'Hello');
});

t.test('character references and a message cut mid-way', async (t) => {
  const v = decodeBytes(udp4Frame(3702, 3702, wsd({ action: 'Hello', body: '<wsd:Scopes>a&#x41;&#66;&bogus;&#0;</wsd:Scopes>' }))).layers[3] as WsdView;
  t.same(v.scopes, ['aAB&bogus;&#0;']);
  const cut = decodeBytes(udp4Frame(3702, 3702, hello.subarray(0, hello.length - 200))).layers[3] as WsdView;
  t.equal(cut.action, 'Hello');
});
