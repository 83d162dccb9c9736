/**
 * A BLE capture helper process for tests: `iomt-sensor ble-capture`'s core
 * (bleCapture, the real ble-hci source) over a fake controller at the binding
 * boundary, which plays the recorded advertising report events once the scan
 * runs, with the scan settings of the environment (CHANNEL, INTERVAL, WINDOW,
 * RESET: what the unit reads from the agent's hci<N>.env). Its stdout is whatever the test connected (the agent's socket, as
 * systemd's StandardOutput=file: does). SIGTERM stops it as it stops the
 * real helper. Every HCI packet it wrote is printed on stderr at exit.
 */
import { bleCapture } from '../../src/capture/ble-hci/capture.js';
import { bleHciSource } from '../../src/capture/ble-hci/index.js';
import { Controller, recordedAdverts } from '../../src/capture/ble-hci/testing.js';

const ac = new AbortController();
process.once('SIGTERM', () => ac.abort());
const rec = recordedAdverts();
const source = bleHciSource({
  // The settings as the unit passes them from the agent's EnvironmentFile=.
  name: 'hci0', device: 0, channel: process.env['CHANNEL'] === 'user' ? 'user' : 'raw', extended: 'auto', reset: process.env['RESET'] === '--reset',
  interval: Number(process.env['INTERVAL'] ?? 0x10), window: Number(process.env['WINDOW'] ?? 0x10), answerTimeoutMs: 1000,
  backoff: { initialMs: 1000, maxMs: 1000 }, load: async () => ({ ok: true as const, module: { default: Controller } }),
});
const r = await bleCapture(source, process.stdout, {
  signal: ac.signal,
  log: (line) => {
    process.stderr.write(`${line}\n`);
    if (line.startsWith('running')) setImmediate(() => { for (const f of rec) Controller.last!.emit('data', Buffer.from(f.bytes.subarray(4))); });
  },
});
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
process.stderr.write(`written ${Controller.last?.written.map(hex).join(' ')}\nexit ${r.code} ${r.reason} ${r.frames}\n`);
process.exitCode = r.code;
