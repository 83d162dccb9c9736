/**
 * systemd/iomt-sensor-ble@.service, the BLE capture helper (verify and the
 * offline security review are in test/systemd-unit.test.ts's loops).
 *
 * Its settings: one capability, AF_BLUETOOTH only, the agent's user, stdout
 * connected to the agent's hciN.sock. Then its ExecStart=, expanded as
 * systemd would with the env file the agent's `ble-hci` source with
 * `via: helper` wrote, run under the unit's credentials (setpriv: a non-root
 * user, CAP_NET_RAW ambient and bounding, no_new_privs) and strace, stdout a
 * stream socket connected to the agent's source. This kernel has no
 * AF_BLUETOOTH, so the helper cannot scan: it must exit 1 with the reason
 * before writing a byte, the source must say so, and every system call and
 * socket family it used must be allowed by the unit. A scan itself is tested
 * in src/capture/ble-hci (fake controller at the binding boundary).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSource } from '../src/capture/index.js';
import type { PcapHelperSource } from '../src/capture/pcap-live/helper.js';
import { EventLog } from '../src/capture/pcap/testing.js';
import { sourceSchema } from '../src/config/schema.js';
import { allowedSyscalls, envOf, settings, tracedCalls, tracedFamilies, unitArgv } from './support/units.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BLE_UNIT = join(ROOT, 'systemd', 'iomt-sensor-ble@.service');
const ble = settings(BLE_UNIT);
const b = (k: string) => ble.get(k)?.at(-1);
const root = process.getuid?.() === 0;
const haveStrace = existsSync('/usr/bin/strace');

t.test('the BLE capture helper unit', async (t) => {
  t.equal(b('CapabilityBoundingSet'), 'CAP_NET_RAW', 'bounding set: the raw channel\'s one capability');
  t.equal(b('AmbientCapabilities'), 'CAP_NET_RAW', 'ambient, to survive no_new_privs');
  t.equal(ble.get('CapabilityBoundingSet')?.length, 1);
  t.equal(ble.get('AmbientCapabilities')?.length, 1);
  t.match(readFileSync(BLE_UNIT, 'utf8'), /^#   CapabilityBoundingSet=CAP_NET_ADMIN$/m, 'the header says how to switch to CAP_NET_ADMIN for channel user');
  t.equal(b('RestrictAddressFamilies'), 'AF_BLUETOOTH', 'only the HCI socket\'s family');
  t.equal(b('NoNewPrivileges'), 'yes');
  t.equal(b('User'), 'iomt-sensor');
  t.equal(b('Type'), 'exec');
  t.equal(b('Restart'), 'always');
  t.equal(b('StartLimitIntervalSec'), '0');
  t.equal(b('PartOf'), 'iomt-sensor.service');
  t.match(b('After'), /\biomt-sensor\.service\b/);
  t.equal(b('StandardOutput'), 'file:/run/iomt-sensor/capture/%I.sock');
  t.equal(b('EnvironmentFile'), '-/run/iomt-sensor/capture/%I.env');
  t.match(b('ExecStart'), /^\/bin\/sh -c 'test -S \/proc\/self\/fd\/1 .*exec "\$\$@"' iomt-sensor-ble \/usr\/bin\/node \/usr\/lib\/iomt-sensor\/dist\/src\/cli\.js ble-capture --device %I /, 'ble-capture, only when stdout is a socket');
  t.equal(b('RuntimeDirectory'), undefined);
  t.equal(b('PrivateNetwork'), undefined, 'Bluetooth sockets exist only in the initial network namespace');
  t.equal(b('SystemCallErrorNumber'), 'EPERM');
  t.match(b('WantedBy'), /^iomt-sensor\.service$/);
});

t.test("the BLE unit's command, as systemd runs it, reaches the agent's socket and fails cleanly without Bluetooth",
  { skip: !haveStrace || !root ? 'needs root and strace' : false }, async (t) => {
    const rt = mkdtempSync(join(tmpdir(), 'iomt-ble-unit-'));
    const ac = new AbortController();
    t.teardown(() => {
      ac.abort();
      rmSync(rt, { recursive: true, force: true });
    });
    const src = createSource(sourceSchema.parse({ type: 'ble-hci', name: 'bt', device: 0, via: 'helper', runtime_dir: rt, interval: 0x40, window: 0x20 })) as PcapHelperSource;
    const events = new EventLog();
    let frames = 0;
    const done = (async () => {
      for await (const batch of src.open(ac.signal, events)) frames += batch.length;
    })();
    while (events.states.at(-1)?.state !== 'retrying') await new Promise((r) => setTimeout(r, 20));
    for (const p of [rt, src.paths.dir]) chownSync(p, 65534, 65534);

    const env = { ...envOf(b('Environment') ?? '', /\s+/), ...envOf(readFileSync(src.paths.env, 'utf8'), /\n/) };
    t.same(env, { CHANNEL: 'raw', EXTENDED: 'auto', INTERVAL: '64', WINDOW: '32', RESET: '' }, 'Environment= defaults overridden by the agent\'s env file');
    const argv = unitArgv(b('ExecStart') ?? '', 'hci0', env, src.paths.dir)
      .map((w) => (w === '/usr/bin/node' ? process.execPath : w.replace('/usr/lib/iomt-sensor/', ROOT)));
    t.same(argv.slice(argv.indexOf('ble-capture')), ['ble-capture', '--device', 'hci0', '--channel', 'raw', '--extended', 'auto', '--interval', '64', '--window', '32'], 'expanded like systemd; an empty $RESET is no word');

    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(src.paths.socket, () => resolve(s));
      s.once('error', reject);
    });
    const log = join(rt, 'ble.strace');
    const creds = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw', '--bounding-set=-all,+net_raw', '--no-new-privs'];
    const child = spawn('strace', ['-f', '-qq', '-o', log, ...creds, ...argv], { stdio: ['ignore', sock, 'pipe'] });
    sock.destroy();
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    t.equal(code, 1, `exit 1, systemd restarts it:\n${stderr}`);
    t.match(stderr, /iomt-sensor ble-capture: failed: hci0: Address family not supported by protocol: this kernel has no Bluetooth sockets/, 'the reason in the journal');
    const deadline = Date.now() + 10_000;
    while (!/disconnected/.test(events.states.at(-1)?.detail ?? '') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    t.match(events.states.at(-1)?.detail, /^iomt-sensor-ble@hci0\.service disconnected before sending anything; waiting for /, 'the agent says the helper sent nothing');
    t.equal(frames, 0);
    ac.abort();
    await done;

    const traced = readFileSync(log, 'utf8');
    const allowed = await allowedSyscalls(ble);
    // V8 probes memory protection keys with pkey_alloc and carries on without them (as in the agent's test).
    const tolerated = new Set(['pkey_alloc']);
    t.same([...tracedCalls(traced, '/bin/sh')].filter((c) => !allowed.has(c) && !tolerated.has(c)), [], 'every call sh and node made is allowed by the unit');
    t.same([...tracedFamilies(traced, '/bin/sh')].filter((f) => f !== 'AF_BLUETOOTH'), [], 'no socket family but AF_BLUETOOTH');
    t.ok(tracedFamilies(traced, '/bin/sh').has('AF_BLUETOOTH'), 'the trace saw the HCI socket attempt');
  });
