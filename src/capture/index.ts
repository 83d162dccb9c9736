/**
 * The sources list: one line per source type, from config to a CaptureSource.
 * A new source type is a new folder under src/capture/ and a case here.
 */
import type { SourceConfig } from '../config/index.js';
import type { CaptureSource } from './types.js';
import { PcapFileSource } from './pcap-file/index.js';
import { PcapLiveSource, validateBpf } from './pcap-live/index.js';
import { PcapHelperSource } from './pcap-live/helper.js';
import { nrf802154Source } from './nrf802154-serial/index.js';
import { tiSnifferSource } from './ti-sniffer-serial/index.js';
import { nrfBleSource } from './nrf-ble-serial/index.js';
import { bleHciSource, bleHelperEnv, bleUnit } from './ble-hci/index.js';
import type { DongleOptions } from './serial/dongle.js';

type DongleConfig = Extract<SourceConfig, { type: 'nrf802154-serial' | 'ti-sniffer-serial' | 'nrf-ble-serial' }>;

/** The keys every serial dongle shares, config to options. */
function dongleOptions(c: DongleConfig, hopMs: number): DongleOptions {
  return {
    name: c.name, path: c.path, driver: c.driver, probeAfterMs: c.probe_after_ms, probeTimeoutMs: c.probe_timeout_ms,
    answerTimeoutMs: c.answer_timeout_ms, hopMs, backoff: { initialMs: c.backoff.initial_ms, maxMs: c.backoff.max_ms },
  };
}

export function createSource(c: SourceConfig): CaptureSource {
  switch (c.type) {
    case 'pcap-file':
      return new PcapFileSource({ name: c.name, path: c.path, realtime: c.realtime, ...(c.fcs_format === undefined ? {} : { fcsFormat: c.fcs_format }) });
    case 'pcap-live':
      if (c.via === 'helper') {
        // Capture runs in iomt-sensor-capture@<iface>.service; the agent only listens.
        return new PcapHelperSource({
          name: c.name,
          iface: c.iface,
          filter: c.filter,
          snaplen: c.snaplen,
          monitor: c.monitor,
          ...(c.runtime_dir === undefined ? {} : { runtimeDir: c.runtime_dir }),
          backoff: { initialMs: c.backoff.initial_ms, maxMs: c.backoff.max_ms },
        });
      }
      return new PcapLiveSource({
        name: c.name,
        iface: c.iface,
        filter: c.filter,
        snaplen: c.snaplen,
        monitor: c.monitor,
        immediate: c.immediate,
        ...(c.buffer_kib === undefined ? {} : { bufferKib: c.buffer_kib }),
        tool: c.tool,
        ...(c.tool_path === undefined ? {} : { toolPath: c.tool_path }),
        backoff: { initialMs: c.backoff.initial_ms, maxMs: c.backoff.max_ms },
      });
    case 'nrf802154-serial':
      return nrf802154Source({ ...dongleOptions(c, c.hop === undefined ? 0 : c.hop_ms), channel: c.channel, hop: c.hop ?? [], answerTimeoutMs: c.answer_timeout_ms });
    case 'ti-sniffer-serial':
      return tiSnifferSource({
        ...dongleOptions(c, c.hop === undefined ? 0 : c.hop_ms), channel: c.channel, hop: c.hop ?? [], phy: c.phy,
        ...(c.baud === 'auto' ? {} : { bauds: [c.baud] }), answerTimeoutMs: c.answer_timeout_ms,
      });
    case 'nrf-ble-serial':
      return nrfBleSource({
        ...dongleOptions(c, 0), advChannels: c.adv_channels, follow: c.follow.map((f) => ({ address: f.address.toUpperCase(), random: f.random })),
        ...(c.baud === 'auto' ? {} : { bauds: [c.baud] }), answerTimeoutMs: c.answer_timeout_ms,
      });
    case 'ble-hci': {
      const scan = { channel: c.channel, extended: c.extended, reset: c.reset, interval: c.interval, window: c.window ?? c.interval };
      const backoff = { initialMs: c.backoff.initial_ms, maxMs: c.backoff.max_ms };
      if (c.via === 'helper') {
        // The scan runs in iomt-sensor-ble@hciN.service (`iomt-sensor ble-capture`); the agent only listens.
        return new PcapHelperSource({
          name: c.name, iface: `hci${c.device}`, unit: bleUnit(c.device), env: bleHelperEnv(scan),
          ...(c.runtime_dir === undefined ? {} : { runtimeDir: c.runtime_dir }), backoff,
        });
      }
      return bleHciSource({ name: c.name, device: c.device, ...scan, answerTimeoutMs: c.answer_timeout_ms, backoff });
    }
  }
}

/**
 * Start-up checks a source needs beyond the schema (a BPF filter that
 * compiles); returns problems as `key = value: what is wrong` lines.
 */
export async function checkSources(sources: readonly SourceConfig[]): Promise<string[]> {
  const problems: string[] = [];
  const names = new Set<string>();
  const helperIfaces = new Set<string>();
  for (const [i, s] of sources.entries()) {
    if (names.has(s.name)) problems.push(`sources[${i}].name = ${JSON.stringify(s.name)}: used by another source; names must be unique`);
    names.add(s.name);
    if (s.type === 'pcap-live' && s.via === 'helper') {
      if (s.tool !== 'tcpdump') problems.push(`sources[${i}].tool = ${JSON.stringify(s.tool)}: with via: helper the capture unit runs tcpdump; ${s.tool} works with via: child only`);
      if (helperIfaces.has(s.iface)) problems.push(`sources[${i}].iface = ${JSON.stringify(s.iface)}: another source with via: helper uses this interface; one helper socket per interface`);
      helperIfaces.add(s.iface);
    }
    if (s.type === 'ble-hci' && s.via === 'helper') {
      // Both helper kinds hand over in <runtime>/capture/<name>.sock.
      if (helperIfaces.has(`hci${s.device}`)) problems.push(`sources[${i}].device = ${s.device}: a pcap-live source with via: helper captures on hci${s.device}; one helper socket per name`);
      helperIfaces.add(`hci${s.device}`);
    }
    if (s.type === 'nrf802154-serial' || s.type === 'ti-sniffer-serial' || s.type === 'nrf-ble-serial') {
      // Two sources on one serial port would steal each other's bytes.
      const other = sources.findIndex((o, j) => j < i && 'path' in o && o.type !== 'pcap-file' && o.path === s.path);
      if (other >= 0) problems.push(`sources[${i}].path = ${JSON.stringify(s.path)}: sources[${other}] uses this serial port already; one source per dongle`);
    }
    if (s.type === 'ble-hci') {
      const other = sources.findIndex((o, j) => j < i && o.type === 'ble-hci' && o.device === s.device);
      if (other >= 0) problems.push(`sources[${i}].device = ${s.device}: sources[${other}] scans on hci${s.device} already; one source per adapter`);
    }
    if (s.type === 'pcap-live' && s.filter !== '') {
      // The filter is compiled by the tcpdump that will capture, when the config names one.
      // wifi: a monitor source captures radiotap (127), so `type mgt` compiles there and not on Ethernet.
      const linkType = s.monitor ? 127 : 1;
      const err = await validateBpf(s.filter, s.tool === 'tcpdump' && s.tool_path !== undefined ? { tcpdumpPath: s.tool_path, linkType } : { linkType });
      if (err !== undefined) problems.push(`sources[${i}].filter = ${JSON.stringify(s.filter)}: not a valid BPF filter (${err})`);
    }
  }
  return problems;
}
