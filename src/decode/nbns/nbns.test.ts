/**
 * NetBIOS name service (RFC 1002 §4.2): first-level decoded names and suffixes.
 */
import t from 'tap';
import { concat } from '../../../test/builders/frames.js';
import { dns, nbName, udp4Frame } from '../../../test/builders/discovery.js';
import { decodeBytes, runCases, type Case } from '../testing.js';
import type { NbnsView } from './index.js';

const L = ['ethernet', 'ipv4', 'udp', 'nbns'];
// A registration: question ACADEMY04<00>, additional record pointing back to it.
const reg = dns({
  id: 0x8001, flags: 0x2910, questions: [{ name: nbName('academy04', 0), type: 32 }],
  additionals: [{ name: new Uint8Array([0xc0, 12]), type: 32, rdata: new Uint8Array([0, 0, 192, 168, 0, 10]) }],
});

const cases: Case[] = [
  ['a registration with a compressed additional record', udp4Frame(137, 137, reg), {
    layers: L, fields: { netbiosNames: ['ACADEMY04<00>', 'ACADEMY04<00>'], queryName: { name: 'ACADEMY04', suffix: 0 }, flags: 0x2910 },
  }],
  ['a browser election name with suffix 1e and a scope', udp4Frame(137, 137, dns({ questions: [{ name: nbName('WORKGROUP', 0x1e, 'ward.example'), type: 32 }] })), {
    layers: L, fields: { netbiosNames: ['WORKGROUP<1e>'] },
  }],
  ['a first label that is not 32 bytes is no NetBIOS name', udp4Frame(137, 137, dns({ questions: [{ name: 'abc', type: 32 }] })), {
    layers: L, fields: { netbiosNames: [], queryName: undefined },
  }],
  ['a header cut short', udp4Frame(137, 137, reg.subarray(0, 6)), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'nbns.truncated_header' }],
  ['a name cut short', udp4Frame(137, 137, reg.subarray(0, 30)), { layers: L, warnings: ['nbns.truncated_name'], fields: { netbiosNames: [] } }],
];

runCases(t, 'nbns', cases);

t.test('letters outside A..P are not a first-level encoding', async (t) => {
  const n = nbName('pump', 0x20);
  n[1] = 0x5a; // 'Z'
  const v = decodeBytes(udp4Frame(137, 137, dns({ questions: [{ name: n, type: 32 }] }))).layers[3] as NbnsView;
  t.same(v.netbiosNames, []);
  const ok = decodeBytes(udp4Frame(137, 137, dns({ questions: [{ name: concat(nbName('pump', 0x20)), type: 32 }] }))).layers[3] as NbnsView;
  t.same(ok.netbiosNames, ['PUMP<20>']);
});
