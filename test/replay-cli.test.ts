/**
 * `iomt-sensor replay` as a new user meets it: real radio captures from
 * ../shared/captures (BLE, 802.15.4, 802.11, btsnoop, Daintree) and files
 * made here (gzip, empty, garbage, missing), run through the built command.
 * Each file must be named with what it holds (link type number and name,
 * frame count) or what it is instead, and a replay in which nothing could
 * be read must exit 3 with one line on stderr.
 *
 * Frame counts come from tshark and link types from the files' own headers,
 * not from this code. The test fails, never skips, when the captures or
 * tshark are missing.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI } from './support/agent.js';
import { ethernet, ipv4, tcp, udp } from './builders/frames.js';
import { pcapFile } from '../src/capture/pcap/writer.js';
import type { ReplaySummary } from '../src/analyze/replay.js';

const CAPTURES = new URL('../../../shared/captures/', import.meta.url).pathname;
const BLE = join(CAPTURES, 'ble_ll/iotsec-medical_fitbit-inspire2_adv_3.pcap');
const ZIGBEE = join(CAPTURES, 'zigbee_802154/killerbee_control4-sample.pcap');
const WIFI = join(CAPTURES, 'wifi_80211/aircrack-ng_wpa3-psk.pcap');
const BTSNOOP = join(CAPTURES, 'ble_hci/dsd6-tracker_btsnoop_hci.log');
const DCF = join(CAPTURES, 'zigbee_802154/killerbee_zigbee-network-key-ota.dcf');
const DICOM = join(CAPTURES, 'ethernet_medical/profuzzbench_dicom_echo.pcap');
const DHCP = join(CAPTURES, 'ethernet_fingerprint/zeek_dhcp.pcap');

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function json(r: Run): ReplaySummary {
  return JSON.parse(r.out) as ReplaySummary;
}

const tsharkCounts = new Map<string, number>();

/** Frames tshark reads in a file (each file and filter asked once: tshark takes a second to start). */
function tsharkFrames(file: string, filter?: string): number {
  const key = `${file}\0${filter ?? ''}`;
  const known = tsharkCounts.get(key);
  if (known !== undefined) return known;
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number', ...(filter === undefined ? [] : ['-Y', filter])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark -r ${file}: ${r.stderr}`);
  const n = r.stdout.split('\n').filter((l) => l.trim() !== '').length;
  tsharkCounts.set(key, n);
  return n;
}

/** The LinkType field of a little-endian classic pcap header (draft-ietf-opsawg-pcap §4). */
function pcapLinktype(file: string): number {
  const b = readFileSync(file);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error(`${file} is not a little-endian µs pcap`);
  return b.readUInt32LE(20) & 0x03ffffff;
}

t.test('the shared captures and tshark are there', async (t) => {
  for (const f of [BLE, ZIGBEE, WIFI, BTSNOOP, DCF, DICOM, DHCP]) t.ok(existsSync(f), `${f} exists (see ../shared/captures/PROVENANCE.md)`);
  t.equal(spawnSync('tshark', ['--version']).status, 0, 'tshark runs');
});

t.test('802.11 radiotap is read now (issue 8): every frame decodes, exit 0', async (t) => {
  const r = cli('replay', '--json', WIFI);
  t.equal(r.code, 0, r.err);
  const s = json(r);
  t.same(s.files[0]!.linkTypes, [{ linkType: 127, name: 'IEEE802_11_RADIOTAP', frames: tsharkFrames(WIFI), supported: true }]);
  t.equal(s.decoded, tsharkFrames(WIFI));
});

t.test('802.15.4 is read now (issue 10): every frame decodes, exit 0', async (t) => {
  const r = cli('replay', '--json', ZIGBEE);
  t.equal(r.code, 0, r.err);
  const s = json(r);
  t.same(s.files[0]!.linkTypes, [{ linkType: 195, name: 'IEEE802_15_4_WITHFCS', frames: tsharkFrames(ZIGBEE), supported: true }]);
  t.equal(s.decoded, tsharkFrames(ZIGBEE));
});

/**
 * A capture of a link type nothing decodes. Every medium of the shared
 * captures is read now, so the file is built: three frames of DLT_USER1
 * (148), which tshark reads as opaque user data.
 */
function unsupportedFile(dir: string): string {
  const file = join(dir, 'user1.pcap');
  const frame = (i: number) => ({ tsSec: 1_700_000_000 + i, tsNsec: 0, bytes: Uint8Array.from([0xde, 0xad, i]) });
  writeFileSync(file, pcapFile(148, [frame(1), frame(2), frame(3)]));
  return file;
}

t.test('a link type nothing reads: named per file, and the replay exits 3', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, name] of [[unsupportedFile(dir), 'USER_1']] as const) {
    const lt = pcapLinktype(file);
    const frames = tsharkFrames(file);
    const r = cli('replay', file);
    t.equal(r.code, 3, `${basename(file)} exits 3\n${r.err}`);
    t.match(r.out, `${lt} ${name} (${frames} frames): not supported yet`, `${basename(file)}: stdout names the link type`);
    t.equal(r.err, `iomt-sensor: nothing could be read from ${basename(file)}: link type ${lt} ${name}: not supported yet\n`, 'one line on stderr');
    const s = json(cli('replay', '--json', file));
    t.same(s.files[0]!.linkTypes, [{ linkType: lt, name, frames, supported: false }]);
    t.same(s.files[0]!.decodeAnomalies, { 'linktype.unsupported': frames }, 'per-file anomalies');
    t.equal(s.decoded, 0);
  }
});

t.test('BLE captures (Nordic 272, btsnoop H4) are read: exit 0, every frame decoded', async (t) => {
  for (const [file, lt, name] of [[BLE, 272, 'NORDIC_BLE'], [BTSNOOP, 201, 'BLUETOOTH_HCI_H4_WITH_PHDR']] as const) {
    const frames = tsharkFrames(file);
    const r = cli('replay', '--json', file);
    t.equal(r.code, 0, `${basename(file)} exits 0\n${r.err}`);
    const s = json(r);
    t.same(s.files[0]!.linkTypes, [{ linkType: lt, name, frames, supported: true }]);
    t.equal(s.decoded, frames, 'every frame decoded');
  }
});

t.test('Daintree files are named, not "ended (no data)"', async (t) => {
  for (const [file, what] of [[DCF, 'Daintree SNA text capture (.dcf): not supported yet']] as const) {
    const r = cli('replay', file);
    t.equal(r.code, 3, r.err);
    t.match(r.out, what);
    t.notMatch(r.out, 'no data');
    t.equal(r.err, `iomt-sensor: nothing could be read from ${basename(file)}: ${what}\n`);
    const s = json(cli('replay', '--json', file));
    t.same(s.files[0]!.anomalies, { 'pcap.bad_magic': 1 }, 'still the stable code pcap.bad_magic');
    t.equal(s.files[0]!.unread, what);
  }
});

t.test('generated files: gzip, empty, garbage, missing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const gz = join(dir, 'dhcp.pcap.gz');
  writeFileSync(gz, gzipSync(readFileSync(DHCP)));
  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, new Uint8Array(0));
  const garbage = join(dir, 'garbage.pcap');
  writeFileSync(garbage, Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 0x9d) & 0xff));
  const headerOnly = join(dir, 'header-only.pcap');
  writeFileSync(headerOnly, pcapFile(1, []));
  const missing = join(dir, 'missing.pcap');
  const cases: [string, string][] = [
    [gz, 'gzip-compressed file: compressed: gunzip it first'],
    [empty, 'empty file'],
    [garbage, 'not a pcap or pcapng file'],
    [headerOnly, 'pcap with no frames'],
  ];
  for (const [file, what] of cases) {
    const r = cli('replay', file);
    t.equal(r.code, 3, `${basename(file)} exits 3`);
    t.match(r.out, what, `${basename(file)}: stdout`);
    t.equal(r.err, `iomt-sensor: nothing could be read from ${basename(file)}: ${what}\n`, `${basename(file)}: stderr`);
  }
  const m = cli('replay', missing);
  t.equal(m.code, 3);
  t.match(m.err, /^iomt-sensor: nothing could be read from missing\.pcap: .*ENOENT.*\n$/);
  // Every file unreadable: one line naming each reason once.
  const all = cli('replay', gz, empty, DCF, unsupportedFile(dir));
  t.equal(all.code, 3);
  t.equal(all.err.split('\n').length, 2, 'one line');
  t.match(all.err, /from any of 4 files: gzip-compressed file: compressed: gunzip it first; empty file; Daintree SNA text capture \(\.dcf\): not supported yet; link type 148 USER_1: not supported yet/);
});

t.test('one readable file among unreadable ones: exit 0, per-file link types and anomalies', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'h6-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const UNREAD = unsupportedFile(dir);
  const r = cli('replay', '--json', UNREAD, DHCP);
  t.equal(r.code, 0, r.err);
  t.equal(r.err, '');
  const s = json(r);
  const [unread, dhcp] = s.files;
  t.same(unread!.linkTypes, [{ linkType: 148, name: 'USER_1', frames: tsharkFrames(UNREAD), supported: false }]);
  t.same(dhcp!.linkTypes, [{ linkType: 1, name: 'ETHERNET', frames: tsharkFrames(DHCP), supported: true }]);
  t.same(unread!.decodeAnomalies, { 'linktype.unsupported': tsharkFrames(UNREAD) });
  t.same(dhcp!.decodeAnomalies, {});
  t.equal(dhcp!.decoded, tsharkFrames(DHCP));
  t.equal(dhcp!.unread, undefined);
  t.equal(s.unread, undefined);
  t.equal(s.decodeAnomalies['linktype.unsupported'], tsharkFrames(UNREAD), 'and in total');
  const text = cli('replay', UNREAD, DHCP).out;
  t.match(text, `1 ETHERNET (${tsharkFrames(DHCP)} frames)`);
  t.match(text, new RegExp(`FILE\\s+ANOMALY\\s+COUNT\\n\\S*user1\\S+\\s+linktype\\.unsupported\\s+${tsharkFrames(UNREAD)}\\n`));
});

t.test('all-zero source MACs and 240/4 senders are counted where the user sees them', async (t) => {
  const zero = tsharkFrames(DICOM, 'eth.src == 00:00:00:00:00:00');
  t.ok(zero > 0, `tshark sees ${zero} frames from 00:00:00:00:00:00`);
  const s = json(cli('replay', '--json', DICOM));
  t.same(s.decodeNotes, { 'ethernet.zero_source': zero });
  t.same(s.files[0]!.notes, { 'ethernet.zero_source': zero });
  t.match(cli('replay', DICOM).out, new RegExp(`profuzzbench_dicom_echo\\.pcap\\s+ethernet\\.zero_source\\s+${zero}\\n`));

  const dir = mkdtempSync(join(tmpdir(), 'h6-replay-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mac = { src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x0800 };
  const frame = (src: string, body: Uint8Array, proto: number) => ({ tsSec: 1_700_000_000, tsNsec: 0, bytes: ethernet(mac, ipv4({ src, dst: '10.0.0.255', proto }, body)) });
  const file = join(dir, 'senders.pcap');
  writeFileSync(file, pcapFile(1, [
    frame('240.0.0.7', udp({ sport: 9, dport: 9 }, new Uint8Array(4)), 17),
    frame('250.1.2.3', udp({ sport: 9, dport: 9 }, new Uint8Array(4)), 17),
    frame('0.0.0.0', tcp({ sport: 9, dport: 9 }, new Uint8Array(0)), 6),
    frame('0.0.0.0', udp({ sport: 68, dport: 67 }, new Uint8Array(4)), 17),
    frame('10.0.0.1', udp({ sport: 9, dport: 9 }, new Uint8Array(4)), 17),
  ]));
  t.equal(tsharkFrames(file, 'ip.src >= 240.0.0.0 && ip.src != 255.255.255.255'), 2, 'tshark agrees on the 240/4 frames');
  const g = json(cli('replay', '--json', file));
  t.same(g.decodeNotes, { 'ipv4.reserved_source': 2, 'ipv4.zero_source': 1 });
  t.equal(g.decoded, 5);
});

t.test('--help works on every subcommand and exits 0', async (t) => {
  const top = cli('--help');
  t.equal(top.code, 0);
  for (const cmd of ['run', 'replay', 'inventory', 'watch', 'decode']) {
    for (const args of [[cmd, '--help'], [cmd, '--json', '-h']]) {
      const r = cli(...args);
      t.equal(r.code, 0, `${args.join(' ')} exits 0\n${r.err}`);
      t.match(r.out, new RegExp(`^usage: iomt-sensor ${cmd} `), `${args.join(' ')} prints its usage`);
      t.equal(r.err, '');
    }
    t.match(top.out, `iomt-sensor ${cmd} `, `top-level help lists ${cmd}`);
  }
  const bare = cli();
  t.equal(bare.code, 2, 'no command at all is bad usage');
  const help = cli('help', 'replay');
  t.equal(help.code, 0);
  t.match(help.out, /^usage: iomt-sensor replay /);
  const noFile = cli('replay');
  t.equal(noFile.code, 2, 'replay without a file is bad usage');
  t.match(noFile.err, /^iomt-sensor: replay needs at least one capture file\n\nusage: iomt-sensor replay /, 'with replay\'s usage, not all of them');
  t.notMatch(noFile.err, 'iomt-sensor watch');
});
