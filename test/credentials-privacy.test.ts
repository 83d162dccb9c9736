/**
 * No credential is kept, published or stored (DESIGN.md non-negotiable 2,
 * issue 7 "What it must show"). The real agent (`iomt-sensor run`, a
 * pcap-file source, a LevelDB state directory, a Mosquitto this test starts)
 * replays every shared capture that carries a credential: the SNMP
 * community, FTP PASS, the Telnet password (line mode and one character per
 * packet), and, because no shared capture has one, an HTTP Basic
 * Authorization in a capture the frame builders make.
 *
 * For each: first tshark must show that the secret really is in the capture
 * (a test that looks for a secret that was never there proves nothing);
 * then the secret's bytes must be absent from every payload the broker
 * delivered and from every file under the state directory after the agent
 * has closed it; and the agent must have raised the credentials alert, so
 * the frames did go through the decoders that saw the secret.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { pcapFile } from '../src/capture/pcap/writer.js';
import { decodeTelemetry } from '../src/telemetry/index.js';
import { tcpFrame, text } from './builders/app.js';
import { filesUnder, replayThroughAgent } from './support/privacy.js';
import { capturesDir } from './support/captures.js';
import { startMosquitto } from './support/mosquitto.js';

const tshark = (file: string, filter: string, ...fields: string[]): string[][] =>
  execFileSync('tshark', ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l !== '').map((l) => l.split('\t'));

/** The Telnet password: what the client sends after the server's "Password:" prompt, up to its CR (either mode). */
function telnetPassword(file: string): string {
  const rows = tshark(file, 'telnet.data', 'tcp.srcport', 'telnet.data');
  const unescape = (s: string): string => s.replace(/\\r/g, '\r').replace(/\\n/g, '\n').replace(/,/g, '');
  let after = false;
  let pw = '';
  for (const [sport, data] of rows) {
    const d = unescape(data ?? '');
    if (sport === '23') {
      if (/Password:/.test(d)) after = true;
      continue;
    }
    if (!after) continue;
    pw += d;
    if (/[\r\n]/.test(d)) break;
  }
  return pw.replace(/[\r\n\0]+$/g, '');
}

interface Case {
  readonly name: string;
  readonly file: () => string;
  /** The secret, as tshark reads it from the capture. */
  readonly secret: (file: string) => string;
  readonly alert: string;
  /**
   * A value the sensor does publish and store from the same capture (an
   * attribute): the scans below must find it, which shows they can find a
   * string in these payloads and files at all.
   */
  readonly visible?: string;
}

const caps = capturesDir();
const fp = (f: string): string => join(caps, 'ethernet_fingerprint', f);
const BASIC_TOKEN = 'bnVyc2UuamFuZTpIdW50ZXIyLVdhcmQz'; // nurse.jane:Hunter2-Ward3
let builtDir: string | undefined;

const CASES: Case[] = [
  { name: 'SNMP community', file: () => fp('zeek_snmpv1_get.pcap'), secret: (f) => tshark(f, 'snmp.community', 'snmp.community')[0]![0]!, alert: 'credentials.default', visible: 'B6300' },
  { name: 'FTP PASS', file: () => fp('zeek_ftp_ipv4.pcap'), secret: (f) => tshark(f, 'ftp.request.command == "PASS"', 'ftp.request.arg')[0]![0]!, alert: 'credentials.cleartext' },
  { name: 'Telnet password, line mode', file: () => fp('wireshark-wiki_telnet-cooked.pcap'), secret: telnetPassword, alert: 'credentials.cleartext' },
  { name: 'Telnet password, one character per packet', file: () => fp('wireshark-wiki_telnet-raw.pcap'), secret: telnetPassword, alert: 'credentials.cleartext' },
  {
    name: 'HTTP Basic Authorization (built: no shared capture has one)',
    file: () => {
      builtDir ??= mkdtempSync(join(tmpdir(), 'priv-http-'));
      const f = join(builtDir, 'basic.pcap');
      const e = { client: '192.168.10.20', server: '192.168.10.5', clientMac: '00:1b:21:aa:00:01', serverMac: '00:0d:2b:bb:00:02' };
      const frames = [
        tcpFrame(51000, 80, text(`GET /config HTTP/1.1\r\nHost: 192.168.10.5\r\nUser-Agent: Biomed-Tool/2.1\r\nAuthorization: Basic ${BASIC_TOKEN}\r\n\r\n`), false, e),
        tcpFrame(51000, 80, text('HTTP/1.1 200 OK\r\nServer: GoAhead-Webs\r\n\r\n'), true, e),
      ];
      writeFileSync(f, pcapFile(1, frames.map((bytes, i) => ({ tsSec: 1_767_600_000 + i, tsNsec: 0, bytes }))));
      return f;
    },
    // tshark shows the header as "Basic <token>"; the token is the secret (and its decoded password too).
    secret: (f) => tshark(f, 'http.authorization', 'http.authorization')[0]![0]!.split(' ')[1]!,
    alert: 'credentials.cleartext',
    visible: 'GoAhead-Webs',
  },
];

t.test('no credential seen in the captures is published or stored', async (t) => {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'iomt-priv-'));
  t.teardown(async () => {
    await broker.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (builtDir !== undefined) rmSync(builtDir, { recursive: true, force: true });
  });
  for (const [i, c] of CASES.entries()) {
    await t.test(c.name, async (t) => {
      const file = c.file();
      const secret = c.secret(file);
      t.ok(secret.length >= 4, `tshark finds the secret in ${file} (${secret.length} characters)`);
      const raw = readFileSync(file);
      const inOnePacket = raw.includes(Buffer.from(secret, 'latin1'));
      t.comment(`the secret's bytes ${inOnePacket ? 'are' : 'are not'} contiguous in the capture file`);
      const needles = [Buffer.from(secret, 'latin1')];
      if (c.name.startsWith('HTTP')) needles.push(Buffer.from(Buffer.from(secret, 'base64').toString('latin1').split(':')[1]!, 'latin1'));

      const { code, out, state, payloads: got, lastSeq } = await replayThroughAgent({ dir, id: `priv-${i}`, file, brokerUrl: broker.url });
      t.equal(code, 0, `the agent replays the capture and exits cleanly\n${out.slice(-2000)}`);
      t.ok(got.length >= lastSeq && lastSeq > 0, `${got.length} payloads for ${lastSeq} messages`);

      const alerts = got.map((p) => decodeTelemetry(p)).flatMap((m) => (m.ok && m.kindName === 'alert' ? [m.body] : []));
      t.ok(alerts.some((a) => a.code === c.alert), `${c.alert} was published (${alerts.map((a) => a.code).join(', ')})`);

      if (c.visible !== undefined) {
        const v = Buffer.from(c.visible, 'latin1');
        t.ok(got.some((p) => p.includes(v)), `positive control: ${c.visible} (an attribute) is found in a payload`);
        t.ok(filesUnder(state).some((f) => readFileSync(f).includes(v)), `positive control: ${c.visible} is found in a state file`);
      }
      for (const needle of needles) {
        const leaks = got.filter((p) => p.includes(needle)).length;
        t.equal(leaks, 0, `no payload of ${got.length} holds the secret (${needle.length} bytes)`);
        const files = filesUnder(state);
        t.ok(files.length > 0, `${files.length} files under the LevelDB state directory`);
        const stored = files.filter((f) => readFileSync(f).includes(needle));
        t.same(stored, [], 'no file under the state directory holds the secret');
      }
    });
  }
});
