/**
 * DNS and mDNS/DNS-SD (RFC 1035, RFC 6762/6763): header, questions,
 * records with compression, SRV/TXT/PTR, and the bounded name walk.
 */
import t from 'tap';
import { concat } from '../../../test/builders/frames.js';
import { dns, dnsName, srvRdata, txtRdata, udp4Frame } from '../../../test/builders/discovery.js';
import { decodeBytes, runCases, type Case } from '../testing.js';
import type { DnsMessageView } from './index.js';
import { decodeWireName, skipName } from './names.js';

const L = ['ethernet', 'ipv4', 'udp', 'dns'];
const M = ['ethernet', 'ipv4', 'udp', 'mdns'];
const q = (name: string, type = 1) => ({ name, type });

const query = dns({ id: 0x1234, flags: 0x0100, questions: [q('www.example.com')] });
// The answer's name points at the question's (offset 12 of the message).
const response = dns({
  id: 0x1234, flags: 0x8180, questions: [q('www.example.com')],
  answers: [{ name: new Uint8Array([0xc0, 12]), type: 1, rdata: new Uint8Array([93, 184, 216, 34]) }],
});

// An mDNS announcement of a printer: PTR to the instance, SRV, TXT, A.
const inst = 'Ward 3 Printer._ipp._tcp.local';
const announce = dns({
  flags: 0x8400,
  answers: [
    { name: '_ipp._tcp.local', type: 12, rdata: dnsName(inst) },
    { name: inst, type: 33, cls: 0x8001, rdata: srvRdata(0, 0, 631, 'printer-3.local') },
    { name: inst, type: 16, cls: 0x8001, rdata: txtRdata('txtvers=1', 'ty=HP LaserJet M507', 'usb_MFG=HP', '') },
    { name: 'printer-3.local', type: 1, cls: 0x8001, rdata: new Uint8Array([10, 30, 1, 5]) },
    { name: 'printer-3.local', type: 28, cls: 0x8001, rdata: new Uint8Array([0xfe, 0x80, ...new Uint8Array(13), 5]) },
  ],
});

const cases: Case[] = [
  ['a query', udp4Frame(50000, 53, query), {
    layers: L, fields: { id: 0x1234, isResponse: false, opcode: 0, qdcount: 1, ancount: 0, recordCount: 1 },
  }],
  ['a response from port 53 (routed on the source port)', udp4Frame(53, 50000, response), {
    layers: L, fields: { isResponse: true, rcode: 0, ancount: 1, recordCount: 2, flags: 0x8180 },
  }],
  ['mDNS on 5353 is its own layer', udp4Frame(5353, 5353, announce, '10.30.1.5', '224.0.0.251'), {
    layers: M, layer: 'mdns', fields: { isResponse: true, recordCount: 5, nscount: 0, arcount: 0 },
  }],
  ['11 bytes: truncated header', udp4Frame(1, 53, query.subarray(0, 11)), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'dns.truncated_header' }],
  ['counts promise more than there is', udp4Frame(1, 53, dns({ questions: [q('a.b')], counts: [2, 0, 0, 0] })), {
    layers: L, warnings: ['dns.truncated_name'], fields: { recordCount: 1 },
  }],
  ['a record whose RDATA runs past the end', udp4Frame(1, 53, response.subarray(0, response.length - 2)), {
    layers: L, warnings: ['dns.truncated_record'], fields: { recordCount: 1 },
  }],
  ['a question cut in its type/class', udp4Frame(1, 53, query.subarray(0, query.length - 1)), {
    layers: L, warnings: ['dns.truncated_record'], fields: { recordCount: 0 },
  }],
  ['a pointer to itself', udp4Frame(1, 53, dns({ questions: [{ name: new Uint8Array([0xc0, 12]), type: 1 }] })), {
    layers: L, warnings: ['dns.bad_pointer'], fields: { recordCount: 0 },
  }],
  ['a pointer forward', udp4Frame(1, 53, dns({ questions: [{ name: new Uint8Array([0xc0, 40]), type: 1 }] })), { layers: L, warnings: ['dns.bad_pointer'] }],
  ['a label type 01 (retired extended label)', udp4Frame(1, 53, dns({ questions: [{ name: new Uint8Array([0x41, 0]), type: 1 }] })), { layers: L, warnings: ['dns.bad_label'] }],
  ['a name over 255 bytes', udp4Frame(1, 53, dns({ questions: [q(Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.'))] })), { layers: L, warnings: ['dns.name_too_long'] }],
];

runCases(t, 'dns', cases);

t.test('mDNS records: PTR, SRV, TXT, A, AAAA and the cache-flush bit', async (t) => {
  const v = decodeBytes(udp4Frame(5353, 5353, announce)).layers[3] as DnsMessageView;
  const rs = v.resources;
  t.same(rs.map((r) => [r.name, r.type, r.topBit]), [
    ['_ipp._tcp.local', 12, false], [inst, 33, true], [inst, 16, true], ['printer-3.local', 1, true], ['printer-3.local', 28, true],
  ]);
  t.equal(v.rdataText(rs[0]!), inst);
  t.same(v.srv(rs[1]!), { priority: 0, weight: 0, port: 631, target: 'printer-3.local' });
  t.equal(v.rdataText(rs[1]!), 'printer-3.local');
  t.same(v.txt(rs[2]!), ['txtvers=1', 'ty=HP LaserJet M507', 'usb_MFG=HP'], 'empty strings are skipped');
  t.equal(v.rdataText(rs[3]!), '10.30.1.5');
  t.equal(v.rdataText(rs[4]!), 'fe80::5');
  t.same(v.txt(rs[0]!), [], 'TXT of a PTR is empty');
  t.equal(v.srv(rs[0]!), undefined);
  t.equal(v.rdataText(rs[2]!), undefined, 'no text for TXT rdata');
  t.equal(rs[0]!.ttl, 120);
  t.equal(rs[0]!.rrClass, 1);
});

t.test('compressed answer names and wrong-length RDATA', async (t) => {
  const v = decodeBytes(udp4Frame(53, 1, response)).layers[3] as DnsMessageView;
  t.same(v.records.map((r) => [r.section, r.name]), [['question', 'www.example.com'], ['answer', 'www.example.com']]);
  t.same(v.questions.map((r) => r.name), ['www.example.com']);
  const bad = dns({ answers: [{ name: 'a', type: 1, rdata: new Uint8Array(3) }, { name: 'b', type: 12, rdata: new Uint8Array([5, 0x61]) }, { name: 'c', type: 33, rdata: new Uint8Array(4) }] });
  const w = decodeBytes(udp4Frame(53, 1, bad)).layers[3] as DnsMessageView;
  t.same(w.resources.map((r) => w.rdataText(r)), [undefined, undefined, undefined]);
});

t.test('a TXT string longer than its RDATA ends the list', async (t) => {
  const m = dns({ answers: [{ name: 'x', type: 16, rdata: concat(txtRdata('a=1'), new Uint8Array([9, 0x62])) }] });
  const v = decodeBytes(udp4Frame(5353, 5353, m)).layers[3] as DnsMessageView;
  t.same(v.txt(v.resources[0]!), ['a=1']);
});

t.test('names: a chain of pointers is bounded, wire names for DHCP', async (t) => {
  // 40 pointers each to the one before: longer than MAX_POINTERS.
  const b = new Uint8Array(12 + 2 + 2 * 40);
  b[12] = 0;
  for (let i = 0; i < 40; i++) {
    const at = 13 + 2 * i;
    const target = at - (i === 0 ? 1 : 2);
    b[at] = 0xc0 | (target >>> 8);
    b[at + 1] = target & 0xff;
  }
  t.equal(skipName(b, 0, 13 + 2 * 39, b.length), 'name_loop');
  t.equal(skipName(b, 0, 13 + 2 * 5, b.length), 13 + 2 * 5 + 2);
  t.equal(decodeWireName(dnsName('a.b'), 0, 5), 'a.b.');
  t.equal(decodeWireName(dnsName('a.b').subarray(0, 4), 0, 4), 'a.b', 'a partial name has no trailing dot');
  t.equal(decodeWireName(new Uint8Array([5, 0x61]), 0, 2), 'truncated_name');
  t.equal(decodeWireName(new Uint8Array([0xc0, 0]), 0, 2), 'bad_label');
  t.equal(skipName(new Uint8Array([0xc0]), 0, 0, 1), 'truncated_name');
});

t.test('a snapped capture cut inside a record is not malformed', async (t) => {
  const bytes = udp4Frame(53, 1, response);
  const f = decodeBytes(bytes.subarray(0, bytes.length - 2), 1, bytes.length);
  const v = f.layers[3] as DnsMessageView;
  t.equal(v.warning, undefined);
  t.equal(v.recordCount, 1);
});

t.test('more records than DNS_MAX_RECORDS stop the walk', async (t) => {
  const m = dns({ questions: Array.from({ length: 300 }, () => ({ name: new Uint8Array([0]), type: 1 })) });
  const v = decodeBytes(udp4Frame(1, 53, m)).layers[3] as DnsMessageView;
  t.equal(v.warning?.code, 'dns.too_many_records');
  t.equal(v.recordCount, 256);
});
