#!/usr/bin/env node
/**
 * The `iomt-sensor` command: run, replay, inventory, vulns, watch, decode, ble-capture.
 * Exit codes: 0 done, 1 runtime failure, 2 bad usage or configuration,
 * 3 a replay in which nothing could be read.
 */
import { deviceId } from './telemetry/device.js';
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { VERSION } from './version.js';
import { describeLinktype } from './capture/pcap/linktypes.js';
import type { MqttConnectSecrets } from './config/secrets.js';
import type { FileResult, ReplaySummary } from './analyze/replay.js';
import type { Store } from './store/store.js';
import type { DeviceRecord } from './analyze/inventory/record.js';
// Each subcommand loads what it needs when it runs (dynamic import below):
// `--version` loads nothing heavy, `replay` no MQTT and no LevelDB, `decode`
// no agent; only small modules (device.ts, linktypes.ts) stay static.
// Loading everything eagerly cost every command about 0.2 s and 35 MB of
// RSS (issue 7; scripts/bench/startup.ts measures it).
const config = () => import('./config/index.js');
// Tables of devices and their classes; loads the class engine and its rules.
type InventoryViews = typeof import('./cli/inventory.js');
const inventoryViews = (): Promise<InventoryViews> => import('./cli/inventory.js');

/**
 * Each subcommand's usage, as data: the top-level help is all of them, and
 * `iomt-sensor CMD --help` prints its own.
 */
const COMMANDS = {
  run: `iomt-sensor run --config FILE [--exit-when-done] [--stats-file FILE]
      Run the agent: capture, analyse, keep state, publish telemetry over MQTT.`,
  replay: `iomt-sensor replay [--json] [--config FILE] [--learning-period S] FILE...
      Offline analysis of pcap/pcapng files: nothing stored, nothing published.
      Says per file which link types it holds and which are not supported yet.
      Exits 3 when nothing in any file could be read.`,
  inventory: `iomt-sensor inventory (--config FILE | --state DIR) [--json] [--explain DEVICE]
      Print the device inventory kept in the state directory (the agent must be stopped).
      --explain DEVICE (id, MAC, IP or hostname): why it has its class, the rules and facts.`,
  vulns: `iomt-sensor vulns (--config FILE | --state DIR) [--feed DIR] [--json]
      The patch priority list: devices in the state directory ranked by risk, with the
      factors, advisories and remediation. With a feed (--feed, or vulns.feed_dir) the
      inventory is matched afresh; without, the agent's last results are shown.`,
  watch: `iomt-sensor watch [--url URL | --config FILE] [--topic FILTER] [--json] [--count N] [--mqtt3]
      Subscribe to telemetry and print each message as a line (or JSON).`,
  decode: `iomt-sensor decode [--json] [FILE|-]
      Decode one CBOR telemetry payload.`,
  'ble-capture': `iomt-sensor ble-capture --device N [--channel raw|user] [--extended auto|true|false]
                           [--interval N] [--window N] [--reset]
      The BLE capture helper (systemd/iomt-sensor-ble@.service): a passive LE scan on
      hciN, written to stdout as pcap (LINKTYPE 201) for a ble-hci source with
      via: helper. Exits 1 with the reason when the scan cannot start or stops;
      on SIGTERM it disables the scan and exits 0.`,
} as const satisfies Record<string, string>;

type Command = keyof typeof COMMANDS;

const EXIT_CODES = 'exit codes: 0 done, 1 runtime failure, 2 bad usage or configuration, 3 nothing could be read (replay)';

const USAGE = `iomt-sensor ${VERSION}: passive security sensor for hospital wards

usage:
${Object.values(COMMANDS).map((u) => `  ${u}`).join('\n')}
  iomt-sensor --version
  iomt-sensor [CMD] --help

${EXIT_CODES}
`;

function commandUsage(cmd: Command): string {
  return `usage: ${COMMANDS[cmd]}\n\n${EXIT_CODES}\n`;
}

/** True when `--help` or `-h` stands before any `--` in argv. */
function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** Exit code of a replay in which no frame of any file decoded. */
const EXIT_NOTHING_READ = 3;

class UsageError extends Error {
  /** The subcommand whose usage to print with the message; the whole usage when undefined. */
  command: Command | undefined;
}

function isCommand(cmd: string | undefined): cmd is Command {
  return cmd !== undefined && Object.hasOwn(COMMANDS, cmd);
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (isCommand(cmd)) {
    if (wantsHelp(rest)) {
      process.stdout.write(commandUsage(cmd));
      return 0;
    }
    try {
      return await dispatch(cmd, rest);
    } catch (err) {
      if (err instanceof UsageError) err.command ??= cmd;
      throw err;
    }
  }
  if (cmd === 'help' && isCommand(rest[0])) {
    process.stdout.write(commandUsage(rest[0]));
    return 0;
  }
  return dispatch(cmd, rest);
}

async function dispatch(cmd: string | undefined, rest: string[]): Promise<number> {
  switch (cmd) {
    case 'run':
      return cmdRun(rest);
    case 'replay':
      return cmdReplay(rest);
    case 'inventory':
      return cmdInventory(rest);
    case 'vulns':
      return cmdVulns(rest);
    case 'watch':
      return cmdWatch(rest);
    case 'decode':
      return cmdDecode(rest);
    case 'ble-capture':
      return cmdBleCapture(rest);
    case '--version':
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  }
}

/** Runs parseArgs, turning its complaints into usage errors. */
function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function cmdRun(argv: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, 'exit-when-done': { type: 'boolean' }, 'stats-file': { type: 'string' } }, allowPositionals: false, strict: true }));
  if (values.config === undefined) throw new UsageError('run needs --config FILE');
  const [{ loadConfig, ConfigError }, { checkSources }, { Agent }, { LineLogger }] = await Promise.all([
    config(), import('./capture/index.js'), import('./agent.js'), import('./log.js'),
  ]);
  const { config: cfg, hash } = loadConfig(values.config);
  const problems = await checkSources(cfg.sources);
  if (problems.length > 0) throw new ConfigError(values.config, problems);
  const log = new LineLogger();
  const agent = await Agent.start({
    config: cfg,
    configHash: hash,
    log,
    exitWhenDone: values['exit-when-done'] === true,
    ...(values['stats-file'] === undefined ? {} : { statsFile: values['stats-file'] }),
  });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void agent.stop(sig));
  // SIGHUP (systemctl reload): a bad new file is reported and the running configuration kept.
  const configFile = values.config;
  process.on('SIGHUP', () => {
    void (async () => {
      try {
        const next = loadConfig(configFile);
        const more = await checkSources(next.config.sources);
        if (more.length > 0) throw new ConfigError(configFile, more);
        await agent.notifyReload(() => agent.reload(next.config, next.hash));
      } catch (err) {
        log.log('error', 'reload refused; keeping the running configuration', { error: err instanceof ConfigError ? err.problems.join('; ') : String(err) });
      }
    })();
  });
  await agent.done;
  return 0;
}

async function cmdReplay(argv: string[]): Promise<number> {
  const { values, positionals } = parsed(() => parseArgs({ args: argv, options: { json: { type: 'boolean' }, 'learning-period': { type: 'string' }, config: { type: 'string', short: 'c' } }, allowPositionals: true, strict: true }));
  if (positionals.length === 0) throw new UsageError('replay needs at least one capture file');
  const [{ replayFiles }, { replayDefaults }] = await Promise.all([import('./analyze/replay.js'), import('./config/defaults.js')]);
  // The agent's configuration when given, so a replay applies the same caps and limits as the ward.
  let config = values.config !== undefined ? (await import('./config/index.js')).loadConfig(values.config).config : replayDefaults();
  if (values['learning-period'] !== undefined) {
    const learning = Number(values['learning-period']);
    if (!Number.isInteger(learning) || learning < 0) throw new UsageError(`--learning-period = ${values['learning-period']}: expected whole seconds >= 0`);
    config = { ...config, inventory: { ...config.inventory, learning_period_s: learning } };
  }
  const tty = process.stderr.isTTY === true && values.json !== true;
  let lastDraw = 0;
  const summary = await replayFiles({
    files: positionals,
    config,
    progress: tty
      ? (done, total, frames) => {
          const now = Date.now();
          if (now - lastDraw < 100) return;
          lastDraw = now;
          const pct = total > 0 ? Math.min(1, done / total) : 0;
          const width = 30;
          const bar = '#'.repeat(Math.round(pct * width)).padEnd(width, '.');
          process.stderr.write(`\r[${bar}] ${(pct * 100).toFixed(0).padStart(3)}% ${frames} frames`);
        }
      : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json === true) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stdout.write(renderSummary(summary, await inventoryViews()));
  if (summary.unread !== undefined) {
    process.stderr.write(`iomt-sensor: ${summary.unread}\n`);
    return EXIT_NOTHING_READ;
  }
  return summary.files.some((f) => f.state === 'failed') ? 1 : 0;
}

/** What one file held: its link types with frame counts, or why nothing in it was read. */
function fileResult(f: FileResult): string {
  const kinds = f.linkTypes.map((l) => `${describeLinktype(l.linkType)} (${l.frames} frames)${l.supported ? '' : ': not supported yet'}`).join(', ');
  if (f.frames === 0) return f.state === 'ended' ? f.unread ?? f.detail ?? 'no frames' : `${f.state}: ${f.detail ?? ''}`;
  return `${f.detail ?? f.state}: ${kinds}${f.state === 'ended' ? '' : ` (${f.state})`}`;
}

function renderSummary(s: ReplaySummary, { table, renderDevices }: InventoryViews): string {
  let out = '';
  out += table([['FILE', 'FRAMES', 'DECODED', 'RESULT'], ...s.files.map((f) => [f.file, String(f.frames), String(f.decoded), fileResult(f)])]);
  const perFile: string[][] = [];
  for (const f of s.files) {
    for (const [code, n] of [...Object.entries(f.anomalies), ...Object.entries(f.decodeAnomalies)]) perFile.push([f.file, code, String(n)]);
  }
  if (perFile.length > 0) out += `\n${table([['FILE', 'ANOMALY', 'COUNT'], ...perFile])}`;
  out += `\n${s.frames} frames, ${s.decoded} decoded, ${s.bytes} bytes in ${s.seconds.toFixed(2)} s (${Math.round(s.frames / Math.max(s.seconds, 1e-9))} frames/s); ${s.devices.length} devices; ${s.alerts.length} alerts\n`;
  if (s.devices.length > 0) out += `\n${renderDevices(s.devices)}`;
  const anomalies = Object.entries(s.decodeAnomalies).filter(([k, v]) => v > 0 && k.includes('.'));
  if (anomalies.length > 0 && s.files.length > 1) out += `\n${table([['DECODE ANOMALY (ALL FILES)', 'COUNT'], ...anomalies.map(([k, v]) => [k, String(v)])])}`;
  // Frames the inventory cannot key a device on (all-zero MAC, 240/4 ...): why a capture full of frames may show few devices.
  const notes = s.files.flatMap((f) => Object.entries(f.notes).map(([k, v]) => [f.file, k, String(v)]));
  if (notes.length > 0) out += `\n${table([['FILE', 'SENDER NOTE (not in the inventory)', 'FRAMES'], ...notes])}`;
  if (s.alerts.length > 0) out += `\n${table([['ALERT', 'DEVICE', 'TIME'], ...s.alerts.map((a) => [a.def.code, a.input.device, new Date(a.input.time * 1000).toISOString()])])}`;
  return out;
}

async function cmdInventory(argv: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, state: { type: 'string' }, json: { type: 'boolean' }, explain: { type: 'string' } }, allowPositionals: false, strict: true }));
  const dir = values.state ?? (values.config !== undefined ? (await config()).loadConfig(values.config).config.state.dir : undefined);
  if (dir === undefined) throw new UsageError('inventory needs --config FILE or --state DIR');
  if (!existsSync(dir)) throw new Error(`no state in ${dir}: the agent has not run with this state directory`);
  const [{ Store, StoreVersionError }, { isDeviceRecord }] = await Promise.all([import('./store/store.js'), import('./analyze/inventory/record.js')]);
  let store: Store;
  try {
    store = await Store.open(dir);
  } catch (err) {
    if (err instanceof StoreVersionError) throw err;
    const cause = String((err as { cause?: unknown }).cause ?? (err as Error).message);
    if (/lock/i.test(cause)) throw new Error(`state in ${dir} is locked: the agent is running (stop it, or watch the inventory stream instead)`);
    throw new Error(`cannot open the state in ${dir}: ${cause}`);
  }
  try {
    const devices = (await store.all('devices')).map(([, v]) => v).filter(isDeviceRecord);
    const views = await inventoryViews();
    if (values.explain !== undefined) return explain(views, devices, values.explain, values.json === true);
    if (values.json === true) process.stdout.write(JSON.stringify(devices, null, 2) + '\n');
    else process.stdout.write(`${devices.length} devices in ${dir}\n\n${views.renderDevices(devices)}`);
  } finally {
    await store.close();
  }
  return 0;
}

/** `inventory --explain DEVICE`: exits 1 when no device (or more than one) answers to the name. */
function explain(views: InventoryViews, devices: readonly DeviceRecord[], name: string, json: boolean): number {
  const found = views.findDevices(devices, name);
  if (found.length !== 1) {
    process.stderr.write(found.length === 0 ? `iomt-sensor: no device ${JSON.stringify(name)} in the inventory\n` : `iomt-sensor: ${found.length} devices answer to ${JSON.stringify(name)}: ${found.map((d) => deviceId(d)).join(', ')}\n`);
    return 1;
  }
  const d = found[0]!;
  if (json) process.stdout.write(JSON.stringify({ device: d, classification: views.explainDevice(d) }, null, 2) + '\n');
  else process.stdout.write(views.renderExplain(d));
  return 0;
}

/** `iomt-sensor vulns` (issue 12): the rendering is src/analyze/vulns/render.ts. */
async function cmdVulns(argv: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, state: { type: 'string' }, feed: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false, strict: true }));
  const cfg = values.config !== undefined ? (await config()).loadConfig(values.config).config : undefined;
  const dir = values.state ?? cfg?.state.dir;
  if (dir === undefined) throw new UsageError('vulns needs --config FILE or --state DIR');
  if (!existsSync(dir)) throw new Error(`no state in ${dir}: the agent has not run with this state directory`);
  const feedDir = values.feed ?? cfg?.vulns.feed_dir;
  const { vulnsFromState } = await import('./analyze/vulns/offline.js');
  const list = await vulnsFromState(dir, feedDir, cfg?.vulns);
  if (values.json === true) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else {
    const { renderPriorityList } = await import('./analyze/vulns/render.js');
    process.stdout.write(renderPriorityList(list));
  }
  return 0;
}

async function cmdWatch(argv: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: { url: { type: 'string' }, config: { type: 'string', short: 'c' }, topic: { type: 'string' }, json: { type: 'boolean' }, count: { type: 'string' }, mqtt3: { type: 'boolean' } }, allowPositionals: false, strict: true }));
  let url = values.url;
  let pv: 4 | 5 = values.mqtt3 === true ? 4 : 5;
  let connectOptions: MqttConnectSecrets | undefined;
  if (url === undefined && values.config !== undefined) {
    const [{ loadConfig }, { loadMqttSecrets }] = await Promise.all([config(), import('./config/secrets.js')]);
    const { config: cfg } = loadConfig(values.config);
    connectOptions = loadMqttSecrets(cfg.mqtt, { file: values.config }).connectOptions;
    url = cfg.mqtt.url ?? `mqtt://${cfg.mqtt.embedded.host}:${cfg.mqtt.embedded.port}`;
    if (cfg.mqtt.url === undefined) pv = 4;
  }
  url ??= 'mqtt://127.0.0.1:1883';
  const count = values.count === undefined ? 0 : Number(values.count);
  if (!Number.isInteger(count) || count < 0) throw new UsageError(`--count = ${values.count}: expected a whole number >= 0`);
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
  const { watch } = await import('./telemetry/watch.js');
  await watch({ url, ...(connectOptions === undefined ? {} : { connectOptions }), ...(values.topic === undefined ? {} : { topic: values.topic }), json: values.json === true, count, protocolVersion: pv, signal: ac.signal });
  return 0;
}

async function cmdDecode(argv: string[]): Promise<number> {
  const { values, positionals } = parsed(() => parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true }));
  const file = positionals[0] ?? '-';
  const bytes = readFileSync(file === '-' ? 0 : file);
  const [{ decodeTelemetry, toJson }, { describe }] = await Promise.all([import('./telemetry/index.js'), import('./telemetry/watch.js')]);
  const m = decodeTelemetry(bytes);
  process.stdout.write((values.json === true ? JSON.stringify(toJson(m), null, 2) : describe(file, m)) + '\n');
  return m.ok ? 0 : 1;
}

/** A whole number in [min, max], or a usage error naming the option. */
function intOption(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} = ${v}: expected a whole number from ${min} to ${max}`);
  return n;
}

async function cmdBleCapture(argv: string[]): Promise<number> {
  const { values } = parsed(() => parseArgs({ args: argv, options: { device: { type: 'string' }, channel: { type: 'string' }, extended: { type: 'string' }, interval: { type: 'string' }, window: { type: 'string' }, reset: { type: 'boolean' } }, allowPositionals: false, strict: true }));
  if (values.device === undefined) throw new UsageError('ble-capture needs --device N (hciN)');
  // The same bounds as the ble-hci source's config (src/config/radio-sources.ts).
  const device = intOption('device', values.device.replace(/^hci/, ''), 0, 0, 63);
  const channel = values.channel ?? 'raw';
  if (channel !== 'raw' && channel !== 'user') throw new UsageError(`--channel = ${channel}: expected raw or user`);
  const ext = values.extended ?? 'auto';
  if (ext !== 'auto' && ext !== 'true' && ext !== 'false') throw new UsageError(`--extended = ${ext}: expected auto, true or false`);
  const interval = intOption('interval', values.interval, 0x10, 4, 0x4000);
  const window = intOption('window', values.window, interval, 4, interval);
  const [{ bleHciSource }, { bleCapture }] = await Promise.all([import('./capture/ble-hci/index.js'), import('./capture/ble-hci/capture.js')]);
  const source = bleHciSource({
    name: `hci${device}`, device, channel, extended: ext === 'auto' ? 'auto' : ext === 'true', reset: values.reset === true, interval, window,
    answerTimeoutMs: 1000, backoff: { initialMs: 1000, maxMs: 1000 },
  });
  const ac = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => ac.abort());
  const r = await bleCapture(source, process.stdout, { signal: ac.signal, log: (line) => process.stderr.write(`iomt-sensor ble-capture: ${line}\n`) });
  const anomalies = Object.entries(r.anomalies).map(([k, v]) => `${k} ${v}`).join(', ');
  process.stderr.write(`iomt-sensor ble-capture: ${r.code === 0 ? 'stopped' : `failed: ${r.reason}`}; ${r.frames} frames${anomalies === '' ? '' : `; anomalies: ${anomalies}`}\n`);
  return r.code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`iomt-sensor: ${err.message}\n\n${err.command === undefined ? USAGE : commandUsage(err.command)}`);
      process.exitCode = 2;
    } else if ((err as Error | undefined)?.name === 'ConfigError') {
      // By name: importing ConfigError would load zod and yaml for every command.
      process.stderr.write(`iomt-sensor: ${(err as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`iomt-sensor: ${(err as Error).message}\n`);
      if (process.env.IOMT_DEBUG !== undefined) process.stderr.write(`${(err as Error).stack}\n`);
      process.exitCode = 1;
    }
  },
);
