/**
 * The shared serial-dongle layer without a dongle: config to source, the
 * bounded config keys and their messages, the firmware recogniser, the
 * firmware clock, and every parser fed hostile bytes (they count, never throw).
 */
import t from 'tap';
import fc from 'fast-check';
import { ConfigError, validateConfig } from '../../config/index.js';
import { checkSources, createSource } from '../index.js';
import { DongleSource, explainFailure } from './dongle.js';
import { FirmwareClock } from './clock.js';
import { recognise } from './recognise.js';
import { sttyArgs } from './port.js';
import { LineParser } from '../nrf802154-serial/index.js';
import { TiParser } from '../ti-sniffer-serial/index.js';
import { SlipParser } from '../nrf-ble-serial/index.js';
import { hostPacket, Id, slipEncode } from '../nrf-ble-serial/consts.js';
import { commandFrame, Cmd } from '../ti-sniffer-serial/consts.js';

const sensor = { id: 's1', site: 'h', ward: 'w' };

function problems(sources: unknown[]): string[] {
  try {
    validateConfig({ sensor, sources }, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

t.test('bad dongle config names the key, the value and what is allowed', async (t) => {
  const rows: Array<[unknown, RegExp]> = [
    [{ type: 'ti-sniffer-serial', name: 'a', path: '/dev/ttyACM0', baud: 115200 }, /^sources\[0\]\.baud = 115200: expected auto, 921600 or 3000000/],
    [{ type: 'nrf-ble-serial', name: 'a', path: '/dev/ttyACM0', baud: 921600 }, /^sources\[0\]\.baud = 921600: expected auto, 1000000 or 460800/],
    [{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', channel: 27 }, /^sources\[0\]\.channel = 27: .*<=26/],
    [{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', hop: [11, 30] }, /^sources\[0\]\.hop\[1\] = 30: .*<=26/],
    [{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', hop: [11] }, /^sources\[0\]\.hop = \[11\]: .*>=2/],
    [{ type: 'ti-sniffer-serial', name: 'a', path: '/dev/ttyACM0', phy: 64 }, /^sources\[0\]\.phy = 64: .*<=63/],
    [{ type: 'nrf-ble-serial', name: 'a', path: '/dev/ttyACM0', adv_channels: [36] }, /^sources\[0\]\.adv_channels\[0\] = 36: .*>=37/],
    [{ type: 'nrf-ble-serial', name: 'a', path: '/dev/ttyACM0', adv_channels: [37, 37] }, /^sources\[0\]\.adv_channels = \[37,37\]: expected each of 37, 38, 39 at most once/],
    [{ type: 'nrf-ble-serial', name: 'a', path: '/dev/ttyACM0', follow: [{ address: 'zz' }] }, /^sources\[0\]\.follow\[0\]\.address = "zz": expected a Bluetooth address/],
    [{ type: 'nrf-ble-serial', name: 'a', path: 'ttyACM0' }, /^sources\[0\]\.path = "ttyACM0": expected an absolute path/],
    [{ type: 'nrf-ble-serial', name: 'a', path: '/dev/ttyACM0', driver: 'usb' }, /^sources\[0\]\.driver = "usb": .*"tty"\|"serialport"/],
    [{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', probe_after_ms: 10 }, /^sources\[0\]\.probe_after_ms = 10: .*>=200/],
    [{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', transmit: true }, /transmit/],
  ];
  for (const [src, re] of rows) {
    const p = problems([src]);
    t.ok(p.some((l) => re.test(l)), p.join(' | '));
  }
  t.same(problems([{ type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0' }, { type: 'ti-sniffer-serial', name: 'b', path: '/dev/ttyACM1' }, { type: 'nrf-ble-serial', name: 'c', path: '/dev/ttyACM2' }]), []);
});

t.test('config becomes a dongle source; two sources on one port are refused', async (t) => {
  const c = validateConfig({ sensor, sources: [
    { type: 'nrf802154-serial', name: 'a', path: '/dev/ttyACM0', hop: [11, 15] },
    { type: 'ti-sniffer-serial', name: 'b', path: '/dev/ttyACM1', baud: 921600 },
    { type: 'nrf-ble-serial', name: 'c', path: '/dev/ttyACM0', follow: [{ address: 'd8:da:d3:27:03:fd', random: true }] },
  ] });
  for (const s of c.sources) t.ok(createSource(s) instanceof DongleSource, s.type);
  t.same(await checkSources(c.sources), ['sources[2].path = "/dev/ttyACM0": sources[0] uses this serial port already; one source per dongle']);
});

t.test('what a byte stream looks like', async (t) => {
  const rows: Array<[string, Uint8Array, string | undefined]> = [
    ['nothing', new Uint8Array(0), undefined],
    ['TI frames', commandFrame(Cmd.PING), 'TI Packet Sniffer 2 frames'],
    ['Nordic SLIP', hostPacket(0, Id.PING_REQ), 'nRF Sniffer for Bluetooth LE SLIP frames'],
    ['nRF 802.15.4 shell', Buffer.from('received: 0200aa5050 power: -40 lqi: 200 time: 5\r\n'), 'the nRF Sniffer for 802.15.4 text shell'],
    ['Sniffle base64', Buffer.from('ARhA\r\nBBAl1r6JjgBVVVUA\r\n'), 'text lines (base64, as Sniffle firmware writes)'],
    ['noise', Uint8Array.from([0xf3, 0x07, 0x99, 0x00, 0x81]), undefined],
  ];
  for (const [name, b, want] of rows) t.equal(recognise(b), want, name);
  t.match(explainFailure('X', '/dev/x', [{ baud: 1, bytes: 0, units: 0, skipped: 0, head: [], error: '' }]), /no answer from \/dev\/x at 1 baud/);
});

t.test('stty sets a raw 8N1 line with or without RTS/CTS', async (t) => {
  t.same(sttyArgs('/dev/x', 921600, false).slice(-2), ['-crtscts', '921600']);
  t.ok(sttyArgs('/dev/x', 1000000, true).includes('crtscts'));
  t.ok(sttyArgs('/dev/x', 1, true).includes('hupcl'), 'DTR drops on close');
});

t.test('firmware clock: spacing kept, 32-bit wrap unwrapped, a jump re-anchors', async (t) => {
  const c = new FirmwareClock(2 ** 32);
  const a = c.at(2 ** 32 - 1000);
  const b = c.at(500); // wrapped: 1500 µs later
  const us = (x: { tsSec: number; tsNsec: number }): number => x.tsSec * 1e6 + x.tsNsec / 1000;
  t.equal(Math.round(us(b) - us(a)), 1500);
  c.at(500 + 3_600_000_000 % 2 ** 32);
  t.equal(c.reanchors, 1, 'an hour ahead of the host clock is a reboot, not time');
});

t.test('parsers count hostile bytes and never throw', async (t) => {
  const good = [Buffer.from('received: 0200aa5050 power: -40 lqi: 200 time: 5\r\n'), commandFrame(Cmd.PING), slipEncode([4, 0, 3, 0, 0, 0x0e, 1, 2, 3, 4])];
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.integer({ min: 0, max: 2 }), (chunks, k) => {
    const ps = [new LineParser(), new TiParser(), new SlipParser()];
    for (const p of ps) for (const c of chunks) p.push(c);
    // After garbage, a good unit still parses once the stream has resynchronised.
    const p = [new LineParser(), new TiParser(), new SlipParser()][k]!;
    for (const c of chunks) p.push(c);
    p.push(Uint8Array.from([0x0a, 0xbc, 0xbc, 0x40, 0x45]));
    const before = p.units;
    p.push(good[k]!);
    return p.units >= before; // never throws; counting is monotone
  }), { numRuns: 300 });
  const lp = new LineParser();
  lp.push(Buffer.alloc(5000, 0x41));
  lp.push(Buffer.from('\r\n7\r\n'));
  t.ok(lp.skipped >= 5000, 'an endless line is dropped and counted');
  t.equal(lp.units, 1, 'the next line parses');
  const sp = new SlipParser();
  t.same(sp.push(slipEncode([6, 1, 1, 0, 0, 0x0d])), [], 'a PLEN that does not match the length is refused');
  t.equal(sp.push(slipEncode([2, 0, 3, 0, 0, 0x0e, 0xab, 0xbc])).length, 1, 'escaped AB and BC decode');
  const tp = new TiParser();
  const bad = Uint8Array.from(commandFrame(Cmd.PING));
  bad[5] ^= 0xff;
  t.equal(tp.push(bad)[0]?.fcsOk, false, 'a bad FCS is marked');
});
