/**
 * Conformance of the application decoders (HTTP, TLS, SNMP, FTP, SSH,
 * Telnet) with tshark, field by field, on every capture of
 * ../shared/captures that carries them (read in place, never copied), and on
 * a corpus the frame builders make for what those captures lack (SSH, an
 * SNMP sysDescr, HTTP Basic, the JA4 specification's ClientHello).
 *
 * tshark 4.0 prints no JA4, so JA4/JA4S are checked two ways: against the
 * published example values (src/decode/tls/tls.test.ts), and here by
 * computing them from tshark's own cipher, extension, signature-algorithm,
 * version and ALPN lists and comparing with this decoder's.
 *
 * A missing captures folder, too few protocol frames, or a missing tshark
 * fails: a comparison over nothing proves nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PcapReader } from '../src/capture/pcap/reader.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import type { RawFrame, SourceEvents } from '../src/capture/types.js';
import type { FtpView } from '../src/decode/ftp/index.js';
import type { HttpView } from '../src/decode/http/index.js';
import { defaultFrameDecoder } from '../src/decode/index.js';
import { OID_SYS_DESCR, OID_SYS_NAME, SNMP_PDU } from '../src/decode/snmp/consts.js';
import type { SnmpView } from '../src/decode/snmp/index.js';
import type { SshView } from '../src/decode/ssh/index.js';
import type { TelnetView } from '../src/decode/telnet/index.js';
import type { TlsView } from '../src/decode/tls/index.js';
import { ja4, ja4s } from '../src/decode/tls/ja4.js';
import type { DecodedFrame, Layer } from '../src/decode/types.js';
import { clientHello, ext, snmpMessage, snmpValue, tcpFrame, text, tlsRecord, udpFrame } from './builders/app.js';
import { capturesDir, capturesIn, tsharkVersion } from './support/captures.js';
import { tsharkAppRows, tsharkCertStrings, type AppRow } from './support/tshark-app.js';

const DIRS = ['ethernet_fingerprint', 'iomt_app_traffic', 'ethernet_medical'];

/** Protocol frames compared in the real captures today; a little below, so losing a file fails. */
const MIN_REAL: Readonly<Record<string, number>> = { http: 45, clientHello: 12, serverHello: 20, snmp: 60, ftp: 33, telnet: 80, cert: 2 };

const events: SourceEvents = { anomaly() {}, state() {} };

function frames(file: string): RawFrame[] {
  const r = new PcapReader('conf', events);
  return [...r.push(readFileSync(file)), ...r.end()];
}

const layer = <T extends Layer>(f: DecodedFrame, name: string): T | undefined => f.layers.find((l) => l.name === name) as T | undefined;
const num = (s: string): number => (s.startsWith('0x') ? parseInt(s, 16) : Number(s));
const hexOf = (s: string): string => Buffer.from(s, 'latin1').toString('hex');
const isTcp = (w: AppRow): boolean => w['tcp.srcport'].length > 0;

interface Tally {
  [k: string]: number;
}

/** Compares one frame; pushes a line per disagreement. */
function compareFrame(n: number, f: DecodedFrame, w: AppRow, diffs: string[], tally: Tally, certs: Set<string> | undefined): void {
  const eq = (what: string, ours: unknown, theirs: unknown): void => {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) diffs.push(`frame ${n} ${what}: ours ${JSON.stringify(ours)} tshark ${JSON.stringify(theirs)}`);
  };
  // HTTP over TCP (tshark also reads SSDP over UDP as HTTP; that is the discovery decoders').
  const http = layer<HttpView>(f, 'http');
  const tsHttp = isTcp(w) && (w['http.request.method'].length > 0 || w['http.response.code'].length > 0);
  eq('http present', http !== undefined, tsHttp);
  if (http !== undefined && tsHttp) {
    tally.http = (tally.http ?? 0) + 1;
    eq('http.request.method', http.method, w['http.request.method'][0]);
    eq('http.response.code', http.isRequest ? undefined : http.status, w['http.response.code'][0] === undefined ? undefined : Number(w['http.response.code'][0]));
    eq('http.user_agent', http.userAgent, w['http.user_agent'][0]?.slice(0, 256));
    eq('http.host', http.host, w['http.host'][0]);
    eq('http.server', http.server, w['http.server'][0]);
    eq('http.authorization scheme', http.authScheme, w['http.authorization'][0]?.split(' ')[0]!.toLowerCase());
  }
  // TLS hellos.
  const tls = layer<TlsView>(f, 'tls');
  const types = w['tls.handshake.type'].map(Number);
  const versions = w['tls.handshake.version'].map(num);
  if (types[0] === 1 || types[0] === 2) {
    if (tls?.isClientHello !== true && tls?.isServerHello !== true) {
      diffs.push(`frame ${n}: tshark reads a hello (type ${types[0]}), ours ${tls === undefined ? 'no tls layer' : tls.helloIncomplete ? 'incomplete' : 'no hello'}`);
      return;
    }
    const exts = w['tls.handshake.extension.type'].map(num);
    const sigs = w['tls.handshake.sig_hash_alg'].map(num);
    const sv = w['tls.handshake.extensions.supported_version'].map(num);
    const ciphers = w['tls.handshake.ciphersuite'].map(num);
    const alpn = w['tls.handshake.extensions_alpn_str'];
    eq('tls.handshake.ciphersuite', tls.cipherSuites, ciphers);
    eq('tls.handshake.extension.type', tls.extensions, exts);
    eq('tls.handshake.version', tls.helloVersion, versions[0]);
    eq('tls.handshake.extensions.supported_version', tls.supportedVersions, sv);
    eq('tls.handshake.extensions_alpn_str', tls.alpn, alpn);
    const best = sv.filter((v) => (v & 0x0f0f) !== 0x0a0a).reduce((a, b) => Math.max(a, b), -1);
    const fields = {
      version: best >= 0 ? best : versions[0], cipherSuites: ciphers, extensions: exts, signatureAlgorithms: sigs,
      alpnFirstBytes: alpn[0] === undefined ? undefined : Buffer.from(alpn[0], 'latin1'),
    };
    if (types[0] === 1) {
      tally.clientHello = (tally.clientHello ?? 0) + 1;
      eq('tls.handshake.extensions_server_name', tls.sni, w['tls.handshake.extensions_server_name'][0]);
      eq('tls.handshake.sig_hash_alg', tls.signatureAlgorithms, sigs);
      eq('JA4 from tshark\'s lists', tls.ja4, ja4(fields, 't'));
    } else {
      tally.serverHello = (tally.serverHello ?? 0) + 1;
      eq('JA4S from tshark\'s lists', tls.ja4s, ja4s(fields, 't'));
    }
  }
  const cert = tls?.certificate;
  if (cert !== undefined && certs !== undefined) {
    tally.cert = (tally.cert ?? 0) + 1;
    for (const part of [cert.subjectCn, cert.subjectO, cert.issuerCn, cert.issuerO]) {
      if (part !== undefined && !certs.has(part)) diffs.push(`frame ${n}: certificate name ${part} is not among tshark's x509sat strings`);
    }
  }
  // SNMP.
  const snmp = layer<SnmpView>(f, 'snmp');
  // tshark names the SNMPv3 version field msgVersion (RFC 3412 §6).
  const tsVersion = w['snmp.version'][0] ?? w['snmp.msgVersion'][0];
  eq('snmp present', snmp !== undefined, tsVersion !== undefined);
  if (snmp !== undefined && tsVersion !== undefined) {
    tally.snmp = (tally.snmp ?? 0) + 1;
    eq('snmp.version', snmp.version, Number(tsVersion));
    if (snmp.version !== 3) {
      eq('snmp.request_id', snmp.requestId, w['snmp.request_id'][0] === undefined ? undefined : Number(w['snmp.request_id'][0]));
      eq('snmp.name', snmp.varbindOids, w['snmp.name']);
      const octets = new Set(w['snmp.value.octets']);
      for (const [what, v] of [['sysDescr', snmp.sysDescr], ['sysName', snmp.sysName]] as const) {
        if (v !== undefined && !octets.has(hexOf(v))) diffs.push(`frame ${n}: ${what} ${v} not in snmp.value.octets`);
      }
      const oid = snmp.sysObjectId;
      if (oid !== undefined && !w['snmp.value.oid'].includes(oid)) diffs.push(`frame ${n}: sysObjectID ${oid} not in snmp.value.oid`);
      // The community is judged, not kept: the verdict must agree with tshark's reading of the string.
      const c = snmp.community;
      eq('snmp.community is a listed default', c.kind === 'default', ['public', 'private'].includes(w['snmp.community'][0] ?? ''));
    }
  }
  // FTP.
  const ftp = layer<FtpView>(f, 'ftp');
  const tsFtp = w['ftp.response.code'].length > 0 || w['ftp.request.command'].length > 0;
  eq('ftp present', ftp !== undefined, tsFtp);
  if (ftp !== undefined && tsFtp) {
    tally.ftp = (tally.ftp ?? 0) + 1;
    if (ftp.isReply) {
      eq('ftp.response.code', ftp.replyCode, Number(w['ftp.response.code'][0]));
      eq('ftp.response.arg', ftp.replyText, (w['ftp.response.arg'][0] ?? '').trim());
    } else {
      const cmd = w['ftp.request.command'][0]!.toUpperCase();
      eq('ftp.request.command', ftp.verb, ['USER', 'PASS', 'ACCT', 'AUTH', 'SYST', 'FEAT', 'QUIT'].includes(cmd) ? cmd : 'OTHER');
    }
  }
  // SSH identification.
  const ssh = layer<SshView>(f, 'ssh');
  eq('ssh.protocol', ssh?.identification, w['ssh.protocol'][0]);
  // Telnet: the server's first printable line, as tshark splits telnet.data into lines.
  const telnet = layer<TelnetView>(f, 'telnet');
  if (telnet !== undefined && w['tcp.srcport'][0] === '23' && w['telnet.data'].length > 0) {
    tally.telnet = (tally.telnet ?? 0) + 1;
    const first = w['telnet.data'].map((s) => s.replace(/\\r/g, '').replace(/\\n/g, '').replace(/\\t/g, '\t').trim()).find((s) => s !== '');
    // tshark prints a non-printable byte as an escape or a multi-byte replacement: compare runs of '?' as one.
    const norm = (x: string | undefined): string | undefined => x?.replace(/[\x00-\x1f\x7f-\xff]/g, '?').replace(/\?+/g, '?');
    eq('telnet first line', norm(telnet.firstLine), norm(first));
  }
}

function compareFile(t: Test, file: string, tally: Tally): void {
  const want = tsharkAppRows(file);
  const raws = frames(file);
  t.equal(raws.length, want.length, 'frame count');
  const dec = defaultFrameDecoder();
  const certs = raws.length > 0 ? tsharkCertStrings(file) : undefined;
  const diffs: string[] = [];
  raws.forEach((raw, i) => {
    const w = want[i];
    if (w !== undefined) compareFrame(i + 1, dec.decode(raw), w, diffs, tally, certs);
  });
  t.same(diffs.slice(0, 20), [], `field disagreements (${diffs.length})`);
  t.equal(dec.counters.bugs, 0, 'no decoder.bug');
}

const TSHARK = tsharkVersion();

t.test('the application decoders agree with tshark on the real captures', async (t) => {
  t.ok(TSHARK, `tshark: ${TSHARK ?? 'missing'}`);
  if (TSHARK === undefined) return;
  const root = capturesDir();
  const files = capturesIn(root, DIRS);
  t.ok(files.length >= 28, `${files.length} capture files in ${root}`);
  const tally: Tally = {};
  for (const file of files) await t.test(file.slice(root.length + 1), async (t) => compareFile(t, file, tally));
  for (const [k, min] of Object.entries(MIN_REAL)) t.ok((tally[k] ?? 0) >= min, `${k}: ${tally[k] ?? 0} frames compared (at least ${min})`);
  t.comment(`compared: ${JSON.stringify(tally)}`);
});

t.test('and on a built corpus: SSH, sysDescr, HTTP Basic, the JA4 example hello', async (t) => {
  t.ok(TSHARK, 'tshark runs');
  if (TSHARK === undefined) return;
  const spec = clientHello({
    ciphers: [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    exts: [ext.sni('ehr.example.org'), ext.alpn('h2', 'http/1.1'), ext.versionsClient(0x3a3a, 0x0304, 0x0303), ext.sigAlgs(0x0403, 0x0804), ext.empty(0x0017)],
  });
  const built = [
    tcpFrame(50000, 22, text('SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n'), true),
    tcpFrame(50000, 22, text('SSH-2.0-PuTTY_Release_0.78\r\n')),
    tcpFrame(50001, 80, text('GET /cgi-bin/status HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: Wget/1.21\r\nAuthorization: Basic YmlvbWVkOmJpb21lZA==\r\n\r\n')),
    tcpFrame(50001, 80, text('HTTP/1.1 401 Unauthorized\r\nServer: GoAhead-Webs\r\n\r\n'), true),
    tcpFrame(50002, 443, tlsRecord(22, spec)),
    udpFrame(40000, 161, snmpMessage({ version: 1, community: 'private', pdu: SNMP_PDU.response, requestId: 4660, varbinds: [[OID_SYS_DESCR, snmpValue.octets('Linux pump-gw 5.10.0-21-armmp #1 SMP Debian armv7l')], [OID_SYS_NAME, snmpValue.octets('pump-gw')]] }), true),
    tcpFrame(50003, 21, text('220-Welcome\r\n220 FileZilla Server 1.7.0\r\n'), true),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'app-corpus-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'corpus.pcap');
  writeFileSync(file, pcapFile(1, built.map((bytes, i) => ({ tsSec: 1_767_600_000 + i, tsNsec: 0, bytes }))));
  const tally: Tally = {};
  compareFile(t, file, tally);
  t.same(tally, { http: 2, clientHello: 1, snmp: 1, ftp: 1 }, 'every built protocol frame was compared');
});
