/**
 * SSDP (UPnP Device Architecture 2.0 §1): NOTIFY, M-SEARCH, search responses.
 */
import t from 'tap';
import { ssdp, udp4Frame } from '../../../test/builders/discovery.js';
import { decodeBytes, runCases, type Case } from '../testing.js';
import type { SsdpView } from './index.js';

const L = ['ethernet', 'ipv4', 'udp', 'ssdp'];
const notify = ssdp('NOTIFY * HTTP/1.1', [
  ['HOST', '239.255.255.250:1900'], ['CACHE-CONTROL', 'max-age=1800'], ['LOCATION', 'http://10.30.1.7:49152/desc.xml'],
  ['NT', 'urn:schemas-upnp-org:device:MediaRenderer:1'], ['NTS', 'ssdp:alive'], ['SERVER', 'Linux/4.9 UPnP/1.0 Philips-IntelliVue/1.2'],
  ['USN', 'uuid:2fac1234-31f8-11b4-a222-08002b34c003::urn:schemas-upnp-org:device:MediaRenderer:1'],
]);
const search = ssdp('M-SEARCH * HTTP/1.1', [['Host', '239.255.255.250:1900'], ['Man', '"ssdp:discover"'], ['MX', '1'], ['ST', 'urn:dial-multiscreen-org:service:dial:1'], ['user-agent', '  Google Chrome/99.0.4844.74 Mac OS X  ']]);
const reply = ssdp('HTTP/1.1 200 OK', [['ST', 'upnp:rootdevice'], ['USN', 'uuid:abc::upnp:rootdevice'], ['Server', 'Windows/10 UPnP/1.0']]);

const cases: Case[] = [
  ['NOTIFY with every header', udp4Frame(1900, 1900, notify), {
    layers: L, fields: {
      kind: 'NOTIFY', statusCode: -1, startLine: 'NOTIFY * HTTP/1.1', nt: 'urn:schemas-upnp-org:device:MediaRenderer:1', nts: 'ssdp:alive',
      server: 'Linux/4.9 UPnP/1.0 Philips-IntelliVue/1.2', location: 'http://10.30.1.7:49152/desc.xml', st: undefined, userAgent: undefined,
      usn: 'uuid:2fac1234-31f8-11b4-a222-08002b34c003::urn:schemas-upnp-org:device:MediaRenderer:1',
      headerNames: ['host', 'cache-control', 'location', 'nt', 'nts', 'server', 'usn'],
    },
  }],
  ['M-SEARCH: header names in any case, values trimmed', udp4Frame(50000, 1900, search), {
    layers: L, fields: { kind: 'M-SEARCH', st: 'urn:dial-multiscreen-org:service:dial:1', userAgent: 'Google Chrome/99.0.4844.74 Mac OS X', server: undefined },
  }],
  ['a search response to an ephemeral port', udp4Frame(1900, 50000, reply), {
    layers: L, fields: { kind: 'RESPONSE', statusCode: 200, st: 'upnp:rootdevice', server: 'Windows/10 UPnP/1.0', usn: 'uuid:abc::upnp:rootdevice' },
  }],
  ['bare LF line endings', udp4Frame(1900, 1900, new TextEncoder().encode('NOTIFY * HTTP/1.1\nNT: upnp:rootdevice\n\nSERVER: after-the-end\n')), {
    layers: L, fields: { nt: 'upnp:rootdevice', server: undefined, headerNames: ['nt'] },
  }],
  ['a line without a colon is skipped', udp4Frame(1900, 1900, new TextEncoder().encode('NOTIFY * HTTP/1.1\r\ngarbage\r\nNT: a\r\n')), {
    layers: L, fields: { nt: 'a', headerNames: ['nt'] },
  }],
  ['not SSDP', udp4Frame(1900, 1900, new TextEncoder().encode('GET / HTTP/1.1\r\n')), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'ssdp.bad_start_line' }],
  ['empty datagram', udp4Frame(1900, 1900, new Uint8Array(0)), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'ssdp.truncated_header' }],
  ['six bytes', udp4Frame(1900, 1900, new TextEncoder().encode('NOTIFY')), { layers: ['ethernet', 'ipv4', 'udp'], anomaly: 'ssdp.truncated_header' }],
];

runCases(t, 'ssdp', cases);

t.test('headers past SSDP_MAX_HEADERS are not read', async (t) => {
  const many = ssdp('NOTIFY * HTTP/1.1', [...Array.from({ length: 70 }, (_, i) => [`X-${i}`, 'y'] as const), ['NT', 'late']]);
  const v = decodeBytes(udp4Frame(1900, 1900, many)).layers[3] as SsdpView;
  t.equal(v.nt, undefined);
  t.equal(v.headerNames.length, 64);
  t.equal(v.header('x-0'), 'y');
});
