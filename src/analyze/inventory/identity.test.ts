/**
 * The identity model's pieces as tables: evidence rules for attributes,
 * site networks, and identifier text/bytes conversions.
 */
import t from 'tap';
import { observe, Confidence, type Attribute, type Observation } from './identity.js';
import { SiteNetworks, parseCidr } from './sites.js';
import { identifierBytes, identifierKey, identifierText, parseIpv6Text, type Identifier } from '../../telemetry/ident.js';
import { ipv6String } from '../../decode/bytes.js';

const obs = (value: string, confidence: number, time: number, proto = 'p'): Observation => ({ value, proto, field: 'f', time, confidence, source: 's' });

t.test('evidence rules: stronger wins, later wins among equals, conflicts stay visible', async (t) => {
  const cur: Attribute = { name: 'vendor', ...obs('Baxter', Confidence.medium, 100) };
  type Row = [name: string, cur: Attribute | undefined, o: Observation, want: Partial<Attribute> | undefined];
  const rows: Row[] = [
    ['first observation', undefined, obs('Baxter', 2, 100), { value: 'Baxter', confidence: 2 }],
    ['same value, same strength: nothing new', cur, obs('Baxter', 2, 200), undefined],
    ['same value, weaker: nothing new', cur, obs('Baxter', 1, 200), undefined],
    ['same value, stronger: evidence upgraded', cur, obs('Baxter', 3, 200, 'dhcp'), { value: 'Baxter', confidence: 3, proto: 'dhcp', conflict: undefined }],
    ['other value, stronger: replaces, old kept as conflict', cur, obs('Philips', 3, 50), { value: 'Philips', confidence: 3, conflict: obs('Baxter', 2, 100) }],
    ['other value, same strength, later: replaces', cur, obs('Philips', 2, 101), { value: 'Philips', conflict: obs('Baxter', 2, 100) }],
    ['other value, same strength, at the same time: the newer observation wins', cur, obs('Philips', 2, 100), { value: 'Philips' }],
    ['other value, same strength, older: kept, shown as conflict', cur, obs('Philips', 2, 99), { value: 'Baxter', conflict: obs('Philips', 2, 99) }],
    ['other value, weaker: kept, shown as conflict', cur, obs('Philips', 1, 500), { value: 'Baxter', conflict: obs('Philips', 1, 500) }],
    ['a repeated weaker conflict: nothing new', { ...cur, conflict: obs('Philips', 1, 500) }, obs('Philips', 1, 600), undefined],
    ['a stronger conflicting value than the recorded conflict: shown', { ...cur, conflict: obs('Philips', 1, 500) }, obs('Philips', 2, 10), { value: 'Baxter', conflict: obs('Philips', 2, 10) }],
  ];
  for (const [name, c, o, want] of rows) {
    const got = observe('vendor', c, o);
    if (want === undefined) t.equal(got, undefined, name);
    else t.match(got, want, name);
    if (want !== undefined && 'conflict' in want && want.conflict === undefined) t.equal(got?.conflict, undefined, `${name}: no conflict`);
  }
});

t.test('site networks: configured CIDRs, or private ranges; link-local always', async (t) => {
  const ip4 = (s: string): number => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const v6 = (s: string): boolean[] => [new SiteNetworks(undefined).isLocal6(parseIpv6Text(s)!, 0), new SiteNetworks(['10.30.0.0/16', '2001:db8:30::/48']).isLocal6(parseIpv6Text(s)!, 0)];
  const rows: [string, boolean, boolean][] = [
    // address, local by default, local with site_networks [10.30.0.0/16, 2001:db8:30::/48]
    ['10.30.1.1', true, true],
    ['10.31.1.1', true, false],
    ['172.16.0.1', true, false],
    ['172.31.255.255', true, false],
    ['172.32.0.1', false, false],
    ['192.168.1.1', true, false],
    ['169.254.3.4', true, true],
    ['8.8.8.8', false, false],
    ['192.0.2.1', false, false],
  ];
  const def = new SiteNetworks(undefined);
  const conf = new SiteNetworks(['10.30.0.0/16', '2001:db8:30::/48']);
  for (const [a, d, c] of rows) t.same([def.isLocal4(ip4(a)), conf.isLocal4(ip4(a))], [d, c], a);
  t.same(v6('fe80::1'), [true, true], 'link-local');
  t.same(v6('fd12::1'), [true, false], 'unique local');
  t.same(v6('2001:db8:30:1::1'), [false, true], 'configured prefix');
  t.same(v6('2001:db8:31::1'), [false, false]);
  t.equal(def.configured, false);
  t.equal(conf.configured, true);
  t.equal(new SiteNetworks([]).configured, false, 'an empty list means the defaults');
  t.throws(() => new SiteNetworks(['10.0.0.0']), /not a CIDR/);
  const cidrs: [string, boolean][] = [
    ['10.0.0.0/8', true], ['0.0.0.0/0', true], ['10.0.0.0/33', false], ['10.0.0/8', false], ['10.0.0.256/8', false],
    ['fd00::/8', true], ['::/0', true], ['fd00::/129', false], ['fd00:::1/64', false], ['10.0.0.0/-1', false], ['x/8', false],
  ];
  for (const [c, ok] of cidrs) t.equal(parseCidr(c) !== undefined, ok, c);
  t.same(parseCidr('10.1.2.3/8'), { v: 4, net: { net: 0x0a000000, mask: 0xff000000 } }, 'host bits are masked off');
});

t.test('IPv6 text: parse and print agree (RFC 4291 §2.2, RFC 5952)', async (t) => {
  const rows = ['::', '::1', 'fe80::1', '2001:db8::7', '2001:db8:0:1:2:3:4:5', 'fd00:1:2:3:4:5:6:7', '::ffff:192.0.2.1', '1::', '2001:db8::1:0:0:1'];
  for (const s of rows) t.equal(ipv6String(parseIpv6Text(s)!, 0), s, s);
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7', '::ffff:300.1.1.1', '']) t.equal(parseIpv6Text(bad), undefined, `refuses ${JSON.stringify(bad)}`);
  t.same([...parseIpv6Text('2001:DB8::A')!], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a], 'upper case accepted');
});

t.test('identifiers: text to wire bytes and back, per kind', async (t) => {
  const rows: [Identifier, number[] | undefined][] = [
    [{ kind: 'mac', value: '00:11:22:aa:bb:cc' }, [0, 0x11, 0x22, 0xaa, 0xbb, 0xcc]],
    [{ kind: 'ipv4', value: '10.0.0.255' }, [10, 0, 0, 255]],
    [{ kind: 'ipv6', value: 'fe80::1' }, [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    [{ kind: 'ble', value: 'c0:01:02:03:04:05', extra: 1 }, [0xc0, 1, 2, 3, 4, 5]],
    [{ kind: 'ieee802154', value: '00124b0001020304' }, [0, 0x12, 0x4b, 0, 1, 2, 3, 4]],
    [{ kind: 'ieee802154Short', value: '0x1a62', extra: 0xabcd }, [0x1a, 0x62]],
    [{ kind: 'bssid', value: 'f0:9f:c2:00:00:01' }, [0xf0, 0x9f, 0xc2, 0, 0, 1]],
    [{ kind: 'mac', value: '00:11:22:AA:BB:CC' }, undefined],
    [{ kind: 'mac', value: '00:11:22:aa:bb' }, undefined],
    [{ kind: 'ipv4', value: '10.0.0.256' }, undefined],
    [{ kind: 'ieee802154Short', value: '1a62' }, undefined],
    [{ kind: 'ieee802154', value: '00124b00010203' }, undefined],
  ];
  for (const [id, want] of rows) {
    const b = identifierBytes(id);
    t.same(b === undefined ? undefined : [...b], want, `${identifierKey(id)} bytes`);
    if (b !== undefined) t.equal(identifierText(id.kind, b), id.value, `${identifierKey(id)} text again`);
  }
  t.equal(identifierText('mac', new Uint8Array(5)), undefined, 'wrong length');
  t.equal(identifierKey({ kind: 'ieee802154Short', value: '0x1a62', extra: 43981 }), 'ieee802154Short:0x1a62@43981');
});
