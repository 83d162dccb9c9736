import t from 'tap';
import { certificateMsg, clientHello, der, derCertificate, derName, ext, serverHello, tcpFrame, text, tlsRecord } from '../../../test/builders/app.js';
import { concat } from '../../../test/builders/frames.js';
import { decodeBytes, runCases, type Case } from '../testing.js';
import type { TlsView } from './index.js';
import { hash12, ja4Alpn } from './ja4.js';

/**
 * The worked example of FoxIO's JA4 specification (technical_details/JA4.md
 * "Example" and "Raw Output"): 15 ciphers, 16 extensions in this order, the
 * listed signature algorithms, ALPN h2, TLS 1.3 via supported_versions. GREASE
 * values are added at the front of each list: JA4 must ignore them.
 */
const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
const SPEC_SIGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const SPEC_EXTS = [
  ext.empty(0x1a1a),
  ext.empty(0x001b), ext.sni('www.example.org'), ext.empty(0x0033), ext.alpn('h2', 'http/1.1'), ext.empty(0x4469), ext.empty(0x0017),
  ext.empty(0x002d), ext.sigAlgs(0x2a2a, ...SPEC_SIGS), ext.empty(0x0005), ext.empty(0x0023), ext.empty(0x0012),
  ext.versionsClient(0xdada, 0x0304, 0x0303), ext.empty(0xff01), ext.empty(0x000b), ext.empty(0x000a), ext.empty(0x0015),
];
const specHello = clientHello({ ciphers: [0x0a0a, ...SPEC_CIPHERS], exts: SPEC_EXTS });

function tlsOf(bytes: Uint8Array, origLen = bytes.length): TlsView {
  const f = decodeBytes(bytes, 1, origLen);
  const l = f.layers[f.layers.length - 1];
  if (l?.name !== 'tls') throw new Error(`no tls layer: ${f.layers.map((x) => x.name).join('/')} ${f.anomaly?.code}`);
  return l as TlsView;
}

t.test('JA4 of the specification example', async (t) => {
  const v = tlsOf(tcpFrame(50000, 443, tlsRecord(22, specHello)));
  t.equal(v.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1', 'JA4.md "Example"');
  t.equal(v.sni, 'www.example.org');
  t.same(v.alpn, ['h2', 'http/1.1']);
  t.equal(v.version, 0x0304, 'highest non-GREASE supported_versions entry');
  t.equal(v.helloVersion, 0x0303);
  t.same(v.supportedVersions, [0xdada, 0x0304, 0x0303]);
  t.same(v.cipherSuites.slice(1), SPEC_CIPHERS);
  t.same(v.signatureAlgorithms, [0x2a2a, ...SPEC_SIGS]);
  t.equal(v.extensions.length, 17);
  t.equal(v.ja4s, undefined, 'a ClientHello has no JA4S');
});

t.test('JA4 hash parts: the spec strings hash to the spec values', async (t) => {
  t.equal(hash12('002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9'), '8daaf6152771');
  t.equal(hash12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601'), 'e5627efa2ab1');
  t.equal(hash12('0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01'), '6d807ffa2a79', 'no signature algorithms: no underscore');
  t.equal(hash12('0005,0017,ff01,0000'), '4e8089b08790', 'JA4S.md');
});

t.test('JA4 ALPN characters (JA4.md "ALPN Extension Value")', async (t) => {
  t.equal(ja4Alpn(undefined), '00');
  t.equal(ja4Alpn(new Uint8Array(0)), '00');
  t.equal(ja4Alpn(text('h2')), 'h2');
  t.equal(ja4Alpn(text('http/1.1')), 'h1');
  t.equal(ja4Alpn(text('x')), 'xx', 'one character is first and last');
  t.equal(ja4Alpn(Uint8Array.of(0xab)), 'ab');
  t.equal(ja4Alpn(Uint8Array.of(0xab, 0xcd)), 'ad');
  t.equal(ja4Alpn(Uint8Array.of(0x30, 0xab)), '3b');
  t.equal(ja4Alpn(Uint8Array.of(0x30, 0x31, 0xab, 0xcd)), '3d');
  t.equal(ja4Alpn(Uint8Array.of(0x30, 0xab, 0xcd, 0x31)), '01');
});

t.test('JA4 without SNI, ALPN, extensions or ciphers', async (t) => {
  const noExt = tlsOf(tcpFrame(50000, 443, tlsRecord(22, clientHello({ version: 0x0301, ciphers: [0x0035, 0x002f] }))));
  t.equal(noExt.ja4, `t10i020000_${hash12('002f,0035')}_000000000000`, 'no extensions block: TLS 1.0 from legacy_version, "i", "00"');
  const onlySni = tlsOf(tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: [], exts: [ext.sni('a.b')] }))));
  t.equal(onlySni.ja4, 't12d000100_000000000000_000000000000', 'only SNI: the sorted list is empty once SNI is removed');
  const sig = tlsOf(tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: [0x00ff], exts: [ext.empty(0x000a), ext.sigAlgs(0x0401)] }))));
  t.equal(sig.ja4, `t12i010200_${hash12('00ff')}_${hash12('000a,000d_0401')}`, 'SCSV counts as a cipher');
  const many = tlsOf(tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: Array.from({ length: 120 }, (_, i) => 0x0100 + i) }))));
  t.match(many.ja4, /^t12i9900/, 'counts are capped at 99');
});

t.test('JA4S of the specification example, and of a TLS 1.3 ServerHello', async (t) => {
  const sh = serverHello({ ciphers: [0xc030], exts: [ext.empty(0x0005), ext.empty(0x0017), ext.empty(0xff01), ext.empty(0x0000)] });
  const v = tlsOf(tcpFrame(50000, 443, tlsRecord(22, sh), true));
  t.equal(v.ja4s, 't120400_c030_4e8089b08790', 'JA4S.md example');
  t.equal(v.ja4, undefined);
  t.same(v.cipherSuites, [0xc030]);
  const sh13 = serverHello({ ciphers: [0x1301], exts: [ext.versionServer(0x0304), ext.empty(0x0033), ext.alpn('h2')] });
  const v13 = tlsOf(tcpFrame(50000, 443, tlsRecord(22, sh13), true));
  t.equal(v13.version, 0x0304);
  t.equal(v13.ja4s, `t1303h2_1301_${hash12('002b,0033,0010')}`);
});

t.test('certificate subject and issuer from a TLS 1.2 Certificate message after the ServerHello', async (t) => {
  const cert = derCertificate(derName('pump-42.ward.example', 'B. Example Medical'), derName('Example Issuing CA', 'Example Trust'));
  const sh = serverHello({ ciphers: [0xc02f], exts: [ext.empty(0xff01)] });
  const v = tlsOf(tcpFrame(50000, 8443, concat(tlsRecord(22, sh, 0x0303), tlsRecord(22, certificateMsg(cert), 0x0303)), true));
  t.same(v.handshakeTypes, [2, 11]);
  t.match(v.certificate, { subjectCn: 'pump-42.ward.example', issuerO: 'Example Trust', subject: 'CN=pump-42.ward.example,O=B. Example Medical', issuer: 'CN=Example Issuing CA,O=Example Trust' });
  // One record holding both messages, BMPString CN.
  const bmp = derCertificate(derName(undefined, 'Only O'), der(0x30, der(0x31, der(0x30, der(0x06, Uint8Array.of(0x55, 4, 3)), der(0x1e, Uint8Array.of(0, 0x41, 0, 0x42))))));
  const one = tlsOf(tcpFrame(50000, 443, tlsRecord(22, concat(sh, certificateMsg(bmp)), 0x0303), true));
  t.same(one.certificate, { subject: 'O=Only O', issuer: 'CN=AB', subjectO: 'Only O', issuerCn: 'AB' });
  // The segment ends inside the certificate: the issuer is whole, the subject is not.
  const full = tcpFrame(50000, 443, tlsRecord(22, certificateMsg(cert), 0x0303), true);
  const cutAt = full.length - cert.length + 140;
  const cut = tlsOf(full.subarray(0, cutAt), full.length);
  t.same(cut.certificate, { subject: undefined, issuer: 'CN=Example Issuing CA,O=Example Trust', issuerCn: 'Example Issuing CA', issuerO: 'Example Trust' }, 'cut: names that are whole only');
  t.equal(tlsOf(full.subarray(0, full.length - cert.length + 20), full.length).certificate, undefined, 'cut before any name');
});

t.test('a hello cut by the segment end is incomplete, not malformed', async (t) => {
  const full = tcpFrame(50000, 443, tlsRecord(22, specHello));
  const f = decodeBytes(full.subarray(0, full.length - 30));
  t.equal(f.anomaly, undefined);
  const v = f.layers[3] as TlsView;
  t.equal(v.name, 'tls');
  t.equal(v.helloIncomplete, true);
  t.equal(v.ja4, undefined);
  t.equal(v.sni, undefined);
  t.same(v.handshakeTypes, [1]);
});

t.test('application data and alerts are TLS records without a handshake', async (t) => {
  const v = tlsOf(tcpFrame(50000, 443, tlsRecord(23, new Uint8Array(40), 0x0303)));
  t.equal(v.contentType, 23);
  t.equal(v.recordVersion, 0x0303);
  t.same(v.handshakeTypes, []);
  t.equal(v.helloIncomplete, false);
  t.same(v.alpn, []);
  t.same(v.extensions, []);
  t.equal(v.certificate, undefined);
  t.equal(v.version, undefined);
});

const hello = (exts: ReturnType<typeof ext.empty>[]): Uint8Array => tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: [0x1301], exts })));
const raw = (b: Uint8Array): Uint8Array => tcpFrame(50000, 443, b);
const cases: Case[] = [
  ['not TLS on 443: not mine, no anomaly', raw(text('GET / HTTP/1.1\r\n\r\n')), { layers: ['ethernet', 'ipv4', 'tcp'] }],
  ['four bytes: too short to tell', raw(Uint8Array.of(0x16, 3, 1, 0)), { layers: ['ethernet', 'ipv4', 'tcp'] }],
  ['record version 4.x is not TLS', raw(Uint8Array.of(0x16, 4, 1, 0, 0)), { layers: ['ethernet', 'ipv4', 'tcp'] }],
  ['record longer than 2^14+2048', raw(Uint8Array.of(0x17, 3, 3, 0x48, 0x01)), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_record_length' }],
  ['session id longer than 32', raw(tlsRecord(22, clientHello({ ciphers: [1], sessionId: new Uint8Array(33) }))), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_hello' }],
  ['odd cipher_suites length', raw(tlsRecord(22, (() => { const h = clientHello({ ciphers: [1, 2] }); h[4 + 2 + 32 + 1 + 32 + 1] = 3; return h; })())), {
    layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_hello',
  }],
  ['extension longer than the block', hello([{ type: 5, data: new Uint8Array(4) }]).map((x, i, a) => (i === a.length - 5 ? 9 : x)), {
    layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_extension',
  }],
  ['SNI list length that disagrees', hello([{ type: 0, data: Uint8Array.of(0, 9, 0, 0, 1, 0x61) }]), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_extension' }],
  ['ALPN too short', hello([{ type: 16, data: Uint8Array.of(0) }]), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_extension' }],
  ['client supported_versions with odd length', hello([{ type: 43, data: Uint8Array.of(3, 3, 4, 3) }]), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_extension' }],
  ['signature_algorithms length that disagrees', hello([{ type: 13, data: Uint8Array.of(0, 4, 4, 3) }]), { layers: ['ethernet', 'ipv4', 'tcp'], anomaly: 'tls.bad_extension' }],
  ['an empty server_name (a server\'s acknowledgement) is fine', hello([ext.empty(0)]), { layers: ['ethernet', 'ipv4', 'tcp', 'tls'], fields: { sni: undefined, isClientHello: true } }],
  ['TLS found by content on port 8443', tcpFrame(50001, 8443, tlsRecord(22, specHello)), { layers: ['ethernet', 'ipv4', 'tcp', 'tls'], fields: { sni: 'www.example.org' } }],
  ['application data on an odd port is not sniffed', tcpFrame(50001, 8443, tlsRecord(23, new Uint8Array(8))), { layers: ['ethernet', 'ipv4', 'tcp'] }],
];

runCases(t, 'tls', cases);
