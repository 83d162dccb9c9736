/**
 * Content detection on TCP ports without a row (routes.ts CONTENT_KEY), and
 * hostile input for every application decoder: well-formed seeds, every
 * prefix of them, and random mutations (fast-check) never throw, never give
 * decoder.bug, and give only documented anomaly codes; every getter of
 * every view they return can be read without throwing.
 */
import fc from 'fast-check';
import t from 'tap';
import { certificateMsg, clientHello, derCertificate, derName, ext, serverHello, snmpMessage, snmpValue, tcpFrame, text, tlsRecord, udpFrame } from '../../../test/builders/app.js';
import { concat } from '../../../test/builders/frames.js';
import { DECODE_ANOMALY_CODES, defaultFrameDecoder } from '../index.js';
import { CONTENT_KEY, DEFAULT_ROUTES } from '../routes.js';
import { OID_SYS_DESCR, OID_SYS_OBJECT_ID, SNMP_PDU } from '../snmp/consts.js';
import { decodeBytes, runCases, type Case } from '../testing.js';

const L = ['ethernet', 'ipv4', 'tcp'];
const cases: Case[] = [
  ['TLS on 9443', tcpFrame(50000, 9443, tlsRecord(22, clientHello({ ciphers: [0x1301], exts: [ext.sni('a.example')] }))), { layers: [...L, 'tls'], layer: 'tls', fields: { sni: 'a.example' } }],
  ['SSH on 2222, from the server', tcpFrame(50000, 2222, text('SSH-2.0-OpenSSH_9.2\r\n'), true), { layers: [...L, 'ssh'], layer: 'ssh', fields: { software: 'OpenSSH_9.2' } }],
  ['HTTP on 8008', tcpFrame(50000, 8008, text('HEAD / HTTP/1.1\r\n\r\n')), { layers: [...L, 'http'], layer: 'http', fields: { method: 'HEAD' } }],
  ['S that is not SSH', tcpFrame(50000, 9000, text('SSH?')), { layers: L }],
  ['upper-case text that is not HTTP', tcpFrame(50000, 9000, text('MSH|^~\\&|')), { layers: L }],
  ['binary', tcpFrame(50000, 9000, Uint8Array.of(0, 1, 2, 3, 4, 5)), { layers: L }],
  ['an empty segment is not sniffed', tcpFrame(50000, 9000, new Uint8Array(0)), { layers: L }],
  ['a port row wins over content: SSH text on 80 is not HTTP, and not sniffed', tcpFrame(50000, 80, text('SSH-2.0-x\r\n')), { layers: L }],
];
runCases(t, 'content', cases);

t.test('one content row, on tcp, with a key no port can have', async (t) => {
  const rows = DEFAULT_ROUTES.filter((r) => r.key === CONTENT_KEY);
  t.same(rows.map((r) => `${r.parent}/${r.child.name}`), ['tcp/content']);
  t.ok(CONTENT_KEY > 0xffff);
});

const cert = derCertificate(derName('host.example', 'Org'), derName('CA', 'CA Org'));
const SEEDS: Uint8Array[] = [
  tcpFrame(50000, 443, tlsRecord(22, clientHello({ ciphers: [0x0a0a, 0x1301, 0xc02f], exts: [ext.sni('x.example'), ext.alpn('h2'), ext.versionsClient(0x0304), ext.sigAlgs(0x0403), ext.empty(0x17)] }))),
  tcpFrame(50000, 443, concat(tlsRecord(22, serverHello({ ciphers: [0xc02f], exts: [ext.empty(0xff01), ext.alpn('h2')] })), tlsRecord(22, certificateMsg(cert))), true),
  tcpFrame(50000, 80, text('GET /a HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\nAuthorization: Basic eA==\r\n\r\n')),
  tcpFrame(50000, 80, text('HTTP/1.1 200 OK\r\nServer: s\r\n\r\n'), true),
  udpFrame(40000, 161, snmpMessage({ version: 1, community: 'public', pdu: SNMP_PDU.response, requestId: 300, varbinds: [[OID_SYS_DESCR, snmpValue.octets('d')], [OID_SYS_OBJECT_ID, snmpValue.oid(Uint8Array.of(0x2b, 6, 1))]] }), true),
  tcpFrame(50000, 22, text('SSH-2.0-OpenSSH_8.4p1 Debian-5\r\n'), true),
  tcpFrame(50000, 21, text('220 ftpd ready\r\n'), true),
  tcpFrame(50000, 21, text('USER anonymous\r\n')),
  tcpFrame(50000, 23, Uint8Array.of(255, 251, 1, 255, 250, 24, 1, 255, 240, 0x41, 0x0d, 0x0a, 0x50, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x3a), true),
];
const CODES = new Set(DECODE_ANOMALY_CODES);
const APP = new Set(['http', 'tls', 'snmp', 'ssh', 'ftp', 'telnet']);

/** Decodes, and reads every getter of every application view; false on anything wrong. */
function survives(bytes: Uint8Array, origLen = bytes.length): boolean {
  const dec = defaultFrameDecoder();
  const f = dec.decode({ tsSec: 0, tsNsec: 0, source: 't', linkType: 1, bytes, origLen, meta: {} });
  if (dec.counters.bugs !== 0) return false;
  if (f.anomaly !== undefined && !CODES.has(f.anomaly.code)) return false;
  for (const l of f.layers) {
    if (!APP.has(l.name)) continue;
    for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(l) as object)) {
      if (k === 'constructor') continue;
      try {
        void (l as unknown as Record<string, unknown>)[k];
      } catch {
        return false;
      }
    }
  }
  return true;
}

t.test('every prefix of every seed decodes without a bug, snapped or not', async (t) => {
  let n = 0;
  for (const s of SEEDS) {
    for (let i = 0; i <= s.length; i++) {
      if (!survives(s.subarray(0, i), s.length) || !survives(s.subarray(0, i))) t.fail(`prefix ${i} of a ${s.length}-byte seed`);
      n++;
    }
  }
  t.ok(n > 1000, `${n} prefixes`);
  // The seeds themselves decode to their application layer.
  t.same(SEEDS.map((s) => decodeBytes(s).layers.at(-1)?.name), ['tls', 'tls', 'http', 'http', 'snmp', 'ssh', 'ftp', 'ftp', 'telnet']);
});

t.test('random mutations of the seeds never throw or give undocumented codes', async (t) => {
  fc.assert(
    fc.property(fc.nat(SEEDS.length - 1), fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { minLength: 1, maxLength: 12 }), (i, muts) => {
      const b = SEEDS[i]!.slice();
      for (const [at, v] of muts) if (at >= 54 && at < b.length) b[at] = v;
      return survives(b);
    }),
    { numRuns: 4000 },
  );
  t.pass('4000 mutated frames');
});

t.test('fast-check counterexample: a certificate name that becomes an odd-length BMPString', async (t) => {
  const b = SEEDS[1]!.slice();
  b[295] = 30; // the tag of the subject's O value ("Org", 3 octets) becomes BMPString
  t.ok(survives(b), 'every getter answers');
  const tls = decodeBytes(b).layers.at(-1) as unknown as { certificate?: { subjectO?: string } };
  t.equal(tls.certificate?.subjectO, '\u4f72', 'one UCS-2 character ("Or"), the odd octet dropped');
});

t.test('random payloads on every application port and on an unrouted port', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom(80, 443, 22, 21, 23, 8443), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (port, payload, back) => survives(tcpFrame(50000, port, payload, back))),
    { numRuns: 3000 },
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (p) => survives(udpFrame(40000, 161, p))), { numRuns: 2000 });
  t.pass('5000 random payloads');
});

