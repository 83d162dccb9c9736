/**
 * The application-protocol sighting sources: which facts and attributes a
 * frame yields, for which device, and that client secrets never appear.
 */
import t from 'tap';
import { certificateMsg, clientHello, derCertificate, derName, ext, serverHello, snmpMessage, snmpValue, tcpFrame, text, tlsRecord, udpFrame } from '../../../test/builders/app.js';
import { concat } from '../../../test/builders/frames.js';
import { decodeBytes } from '../../decode/testing.js';
import { OID_SYS_DESCR, OID_SYS_NAME, OID_SYS_OBJECT_ID, SNMP_PDU } from '../../decode/snmp/consts.js';
import type { Sighting, SightingSource } from '../inventory/sighting.js';
import { ftpSource, httpSource, snmpSource, sshSource, TelnetBannerSource, tlsSource, wiredAppSources } from './sources.js';

function run(src: SightingSource, bytes: Uint8Array): Sighting[] {
  const f = decodeBytes(bytes);
  const out: Sighting[] = [];
  for (const l of f.layers) if (src.layers.includes(l.name)) src.extract(l, f, (s) => out.push(s));
  return out;
}
const facts = (s: Sighting[]): Record<string, string> => Object.fromEntries(s.flatMap((x) => x.facts ?? []).map((f) => [f.key, f.value]));
const attrs = (s: Sighting[]): Record<string, string> => Object.fromEntries(s.flatMap((x) => x.attrs ?? []).map(([n, o]) => [n, `${o.value}|${o.proto}|${o.field}|${o.confidence}`]));

t.test('HTTP: the client\'s User-Agent and Host, the server\'s Server; never the credential or the path', async (t) => {
  const req = run(httpSource, tcpFrame(50000, 80, text('GET /pid/778899 HTTP/1.1\r\nHost: lab.ward\r\nUser-Agent: AlarisGateway/1.2\r\nAuthorization: Basic bnVyc2U6cHc=\r\n\r\n')));
  t.same(facts(req), { 'http.user_agent': 'AlarisGateway/1.2', 'http.host': 'lab.ward' });
  t.equal(req[0]?.subject, 'sender');
  t.notMatch(JSON.stringify(req), /bnVyc2U6cHc|778899/);
  const rsp = run(httpSource, tcpFrame(50000, 80, text('HTTP/1.1 200 OK\r\nServer: Boa/0.94.14rc21\r\n\r\n'), true));
  t.same(facts(rsp), { 'http.server': 'Boa/0.94.14rc21' });
  t.same(attrs(rsp), { software: 'Boa/0.94.14rc21|http|Server|2' });
  t.same(run(httpSource, tcpFrame(50000, 80, text('HTTP/1.1 304 Not Modified\r\n\r\n'), true)), [], 'nothing to say: no sighting');
});

t.test('TLS: SNI, ALPN, JA4 for the client; JA4S and certificate names for the server', async (t) => {
  const ch = run(tlsSource, tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: [0x1301], exts: [ext.sni('api.pump.example'), ext.alpn('h2', 'http/1.1'), ext.versionsClient(0x0304)] }))));
  const f = facts(ch);
  t.equal(f['tls.sni'], 'api.pump.example');
  t.equal(f['tls.alpn'], 'h2,http/1.1');
  t.match(f['tls.ja4'], /^t13d0103h2_[0-9a-f]{12}_[0-9a-f]{12}$/);
  const cert = derCertificate(derName('monitor.ward', 'Example Medical'), derName('Ward CA', undefined));
  const sh = run(tlsSource, tcpFrame(50000, 443, concat(tlsRecord(22, serverHello({ ciphers: [0xc02f], exts: [ext.empty(0xff01)] }), 0x0303), tlsRecord(22, certificateMsg(cert), 0x0303)), true));
  t.same(facts(sh), { 'tls.ja4s': 't120100_c02f_' + (facts(sh)['tls.ja4s'] ?? '').slice(-12), 'tls.cert_subject': 'CN=monitor.ward,O=Example Medical', 'tls.cert_issuer': 'CN=Ward CA' });
  t.same(run(tlsSource, tcpFrame(50000, 443, tlsRecord(23, new Uint8Array(9)))), [], 'application data says nothing');
});

t.test('SNMP: the agent\'s system group from responses; requests say nothing', async (t) => {
  const vb: Array<[Uint8Array, Uint8Array]> = [[OID_SYS_DESCR, snmpValue.octets('Linux infusion-gw 4.19.0 armv7l')], [OID_SYS_OBJECT_ID, snmpValue.oid(Uint8Array.of(0x2b, 6, 1, 4, 1, 8072, 3, 2, 10).map((x) => x & 0x7f))], [OID_SYS_NAME, snmpValue.octets('infusion-gw')]];
  const rsp = run(snmpSource, udpFrame(40000, 161, snmpMessage({ version: 1, community: 'public', pdu: SNMP_PDU.response, requestId: 9, varbinds: vb }), true));
  const f = facts(rsp);
  t.equal(f['snmp.sys_descr'], 'Linux infusion-gw 4.19.0 armv7l');
  t.equal(f['snmp.sys_name'], 'infusion-gw');
  t.ok(f['snmp.sys_object_id']?.startsWith('1.3.6.1.4.1.'));
  t.same(attrs(rsp), { os: 'Linux|snmp|sysDescr|2', hostname: 'infusion-gw|snmp|sysName|3' });
  t.notMatch(JSON.stringify(rsp), /public/, 'the community is not in any sighting');
  t.same(run(snmpSource, udpFrame(40000, 161, snmpMessage({ version: 1, community: 'public', pdu: SNMP_PDU.getRequest, requestId: 9, varbinds: vb }))), []);
});

t.test('SSH: software and OS from the identification of the sender', async (t) => {
  const s = run(sshSource, tcpFrame(50000, 22, text('SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n'), true));
  t.same(facts(s), { 'banner.ssh': 'OpenSSH_8.4p1 Debian-5' });
  t.same(attrs(s), { software: 'OpenSSH_8.4p1|ssh|softwareversion|3', os: 'Debian|ssh|comments|2' });
  const c = run(sshSource, tcpFrame(50000, 22, text('SSH-2.0-PuTTY_Release_0.78\r\n')));
  t.same(attrs(c), { software: 'PuTTY_Release_0.78|ssh|softwareversion|3' }, 'no OS hint: no os attribute');
});

t.test('FTP: the 220 greeting only; USER and PASS give nothing', async (t) => {
  t.same(facts(run(ftpSource, tcpFrame(50000, 21, text('220 (vsFTPd 3.0.3)\r\n'), true))), { 'banner.ftp': '(vsFTPd 3.0.3)' });
  t.same(run(ftpSource, tcpFrame(50000, 21, text('USER biomed\r\n'))), []);
  t.same(run(ftpSource, tcpFrame(50000, 21, text('PASS hunter2\r\n'))), []);
  t.same(run(ftpSource, tcpFrame(50000, 21, text('331 Password required\r\n'), true)), []);
});

t.test('Telnet: the server\'s first printable line, once per connection, bounded; never client bytes', async (t) => {
  const src = new TelnetBannerSource(16);
  const srv = (s: string, cport = 50000): Uint8Array => tcpFrame(cport, 23, concat(Uint8Array.of(255, 251, 1), text(s)), true);
  t.same(run(src, tcpFrame(50000, 23, Uint8Array.of(255, 253, 24), true)), [], 'negotiation only: nothing yet');
  t.same(facts(run(src, srv('\r\nOpenBSD/i386 (oof) (ttyp1)\r\n'))), { 'banner.telnet': 'OpenBSD/i386 (oof) (ttyp1)' });
  t.same(run(src, srv('Last login: Thu Dec 2 from bam\r\n')), [], 'later lines of the same connection are not banners');
  t.same(run(src, tcpFrame(50000, 23, text('fake\r\n'))), [], 'client bytes are never read');
  t.same(run(src, srv('login: ', 50001)), [], 'a bare prompt is not a banner');
  t.same(run(src, srv('Banner two\r\n', 50001)), [], 'and it used the connection\'s turn');
  for (let p = 51000; p < 51020; p++) run(src, srv('x\r\n', p));
  t.equal(src.sessions, 16, 'capped');
  t.equal(src.evicted, 6, 'evictions counted');
  t.same(facts(run(src, srv('again\r\n'))), { 'banner.telnet': 'again' }, 'an evicted connection may give a line again');
});

t.test('the area registers one source per protocol layer', async (t) => {
  const s = wiredAppSources(64);
  t.same(s.map((x) => x.layers.join()).sort(), ['ftp', 'http', 'snmp', 'ssh', 'telnet', 'tls']);
});
