/**
 * credentials.default and credentials.cleartext: raised for the device that
 * accepts the credential, with protocol and port, never with the secret.
 */
import t from 'tap';
import { snmpMessage, snmpValue, tcpFrame, text, udpFrame } from '../../../test/builders/app.js';
import { AlertCatalogue } from '../../alerts/catalogue.js';
import { AlertGate } from '../../alerts/gate.js';
import { OID_SYS_NAME, SNMP_PDU } from '../../decode/snmp/consts.js';
import { decodeBytes } from '../../decode/testing.js';
import { BatchSink } from '../sink.js';
import { TelnetBannerSource } from '../wired-app/sources.js';
import { CredentialsAnalyzer } from './index.js';

function feed(frames: Uint8Array[]): { alerts: Array<{ code: string; device: string; facts: Record<string, unknown> }>; counters: Map<string, number>; a: CredentialsAnalyzer } {
  const sink = new BatchSink(new AlertGate(new AlertCatalogue(), { suppressS: 0, maxPerMinute: 100_000 }));
  const a = new CredentialsAnalyzer(new TelnetBannerSource(16));
  for (const b of frames) a.onFrame(decodeBytes(b), sink);
  const alerts = sink.drain().alerts.map((g) => ({ code: g.input.code, device: g.input.device, facts: { ...(g.input.facts ?? {}) } }));
  return { alerts, counters: sink.counters, a };
}

t.test('SNMP default community: the agent is named, from a response or a request', async (t) => {
  const rsp = snmpMessage({ version: 0, community: 'public', pdu: SNMP_PDU.response, requestId: 1, varbinds: [[OID_SYS_NAME, snmpValue.octets('x')]] });
  const r = feed([udpFrame(40000, 161, rsp, true)]);
  t.equal(r.alerts.length, 1);
  t.match(r.alerts[0], { code: 'credentials.default', device: 'ipv4:10.0.0.2', facts: { protocol: 'snmp', port: 161, community: 'default', list: 'generic-read', version: 'v1', answered: true, peer: '10.0.0.1' } });
  t.notMatch(JSON.stringify(r.alerts), /public/);
  const q = feed([udpFrame(40000, 161, snmpMessage({ version: 1, community: 'private', pdu: SNMP_PDU.setRequest, requestId: 1, varbinds: [] }))]);
  t.match(q.alerts[0], { code: 'credentials.default', device: 'ipv4:10.0.0.2', facts: { answered: false, list: 'generic-write', version: 'v2c' } });
  t.notMatch(JSON.stringify(q.alerts), /private/);
  t.same(feed([udpFrame(40000, 161, snmpMessage({ version: 1, community: 'Zq7-ward3', pdu: SNMP_PDU.getRequest, requestId: 1, varbinds: [] }))]).alerts, [], 'a site community raises nothing');
});

t.test('FTP PASS is a cleartext login on the server', async (t) => {
  const r = feed([tcpFrame(50000, 21, text('USER biomed\r\n')), tcpFrame(50000, 21, text('PASS Sup3rSecret\r\n'))]);
  t.equal(r.alerts.length, 1);
  t.match(r.alerts[0], { code: 'credentials.cleartext', device: 'ipv4:10.0.0.2', facts: { protocol: 'ftp', port: 21, transport: 'tcp', peer: '10.0.0.1' } });
  t.notMatch(JSON.stringify(r.alerts), /Sup3rSecret|biomed/);
  t.equal(r.counters.get('credentials.cleartext.ftp'), 1);
  t.same(feed([tcpFrame(50000, 21, text('PASS\r\n'))]).alerts, [], 'an empty PASS carries nothing');
});

t.test('Telnet: a password prompt from the server', async (t) => {
  const r = feed([tcpFrame(50000, 23, text('Password:'), true), tcpFrame(50000, 23, text('s3cr3t\r\n'))]);
  t.equal(r.alerts.length, 1);
  t.match(r.alerts[0], { code: 'credentials.cleartext', device: 'ipv4:10.0.0.2', facts: { protocol: 'telnet', port: 23 } });
  t.same(feed([tcpFrame(50000, 23, text('Password:'))]).alerts, [], 'the prompt must come from the server side');
  t.same(r.a.gauges(), { telnet_sessions: 0, telnet_sessions_evicted: 0 });
});

t.test('HTTP Basic and Bearer outside TLS; Digest and NTLM are not cleartext', async (t) => {
  const basic = feed([tcpFrame(50000, 8080, text('GET / HTTP/1.1\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n'))]);
  t.match(basic.alerts[0], { code: 'credentials.cleartext', device: 'ipv4:10.0.0.2', facts: { protocol: 'http', port: 8080, scheme: 'basic' } });
  t.notMatch(JSON.stringify(basic.alerts), /YWRtaW46YWRtaW4/);
  t.match(feed([tcpFrame(50000, 80, text('GET / HTTP/1.1\r\nAuthorization: Bearer eyJx\r\n\r\n'))]).alerts[0], { facts: { scheme: 'bearer' } });
  t.same(feed([tcpFrame(50000, 80, text('GET / HTTP/1.1\r\nAuthorization: Digest username="a"\r\n\r\n'))]).alerts, []);
  t.same(feed([tcpFrame(50000, 80, text('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))]).alerts, []);
});

t.test('every code raised is in the catalogue', async (t) => {
  const c = new AlertCatalogue();
  t.ok(c.find('credentials.default'));
  t.ok(c.find('credentials.cleartext'));
  t.ok(c.get('credentials.default').id >= 1100 && c.get('credentials.cleartext').id <= 1199);
});
