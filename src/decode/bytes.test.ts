import t from 'tap';
import { parseIpv6 } from '../../test/builders/frames.js';
import { ByteView, has, ipv4Number, ipv4String, ipv6String, macKey, macString, u16be, u16le, u32be, u32le } from './bytes.js';

const b = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0xfd, 0xfc]);

t.test('integer reads', async (t) => {
  t.equal(u16be(b, 0), 0x0102);
  t.equal(u16le(b, 0), 0x0201);
  t.equal(u32be(b, 0), 0x01020304);
  t.equal(u32le(b, 0), 0x04030201);
  t.equal(u32be(b, 4), 0xfffefdfc, 'unsigned above 2^31');
  t.equal(u32le(b, 4), 0xfcfdfeff, 'unsigned above 2^31');
  t.equal(has(8, 4, 4), true);
  t.equal(has(8, 5, 4), false);
  t.equal(has(8, -1, 1), false);
});

t.test('ByteView checks every read', async (t) => {
  const v = new ByteView(b, 2, 6);
  t.equal(v.length, 4);
  t.equal(v.u8(2), 3);
  t.equal(v.u16be(4), 0xfffe);
  t.equal(v.u16le(4), 0xfeff);
  t.equal(v.u32be(2), 0x0304fffe);
  t.equal(v.u32le(2), 0xfeff0403);
  t.same([...v.sub(3, 2)], [4, 0xff]);
  t.equal(v.sub(3, 2).buffer, b.buffer, 'zero-copy');
  t.ok(v.has(2, 4));
  t.notOk(v.has(1, 1));
  t.throws(() => v.u8(6), RangeError);
  t.throws(() => v.u16be(5), RangeError);
  t.throws(() => v.u32be(1), RangeError);
  t.throws(() => new ByteView(b, 4, 9), RangeError);
});

t.test('MAC keys are exact numbers and round-trip', async (t) => {
  const mac = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x01, 0x80, 0, 0, 0, 0, 1]);
  t.equal(macKey(mac, 0), 2 ** 48 - 1);
  t.equal(macKey(mac, 6), 0x001b213a4f01);
  t.equal(macKey(mac, 12), 0x800000000001);
  t.equal(macString(macKey(mac, 0)), 'ff:ff:ff:ff:ff:ff');
  t.equal(macString(macKey(mac, 6)), '00:1b:21:3a:4f:01');
  t.equal(macString(macKey(mac, 12)), '80:00:00:00:00:01');
  t.equal(macString(0), '00:00:00:00:00:00');
});

t.test('IPv4', async (t) => {
  t.equal(ipv4Number(Uint8Array.from([192, 168, 1, 254]), 0), 0xc0a801fe);
  t.equal(ipv4String(0xc0a801fe), '192.168.1.254');
  t.equal(ipv4String(0xffffffff), '255.255.255.255');
  t.equal(ipv4String(0), '0.0.0.0');
});

// Expected strings are what RFC 5952 §4 and glibc inet_ntop (used by tshark) print.
const v6: [string, string][] = [
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['2001:db8::1', '2001:db8::1'],
  ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group is not compressed (§4.2.2)
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of equal runs (§4.2.3)
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // longest run (§4.2.3)
  ['FE80::21B:21FF:FE3A:4F01', 'fe80::21b:21ff:fe3a:4f01'], // lowercase (§4.3)
  ['ff02::c', 'ff02::c'],
  ['::ffff:10.0.0.1', '::ffff:10.0.0.1'], // IPv4-mapped (§5)
  ['::10.0.0.1', '::10.0.0.1'], // IPv4-compatible, as glibc prints it
  ['0:0:0:0:0:1:0:0', '::1:0:0'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
];

t.test('IPv6 canonical text', async (t) => {
  for (const [input, want] of v6) {
    const bytes = new Uint8Array([0xaa, ...parseIpv6(input)]);
    t.equal(ipv6String(bytes, 1), want, input);
  }
});
