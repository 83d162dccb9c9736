/**
 * The one list of analyzers, built from the configuration. `iomt-sensor run`
 * (src/agent.ts) and `iomt-sensor replay` (src/analyze/replay.ts) both call
 * it, so an offline replay applies the same caps and options as the agent.
 *
 * Adding an analyzer: its folder, one line below, and its telemetry kinds.
 */
import type { Config } from '../config/index.js';
import type { OuiRegistry } from '../identify/oui.js';
import { wiredDiscoverySources } from '../identify/wired/index.js';
import type { Analyzer } from './types.js';
import { InventoryAnalyzer, inventoryOptions, type SightingSource } from './inventory/index.js';
import { CredentialsAnalyzer } from './credentials/index.js';
import { TelnetBannerSource, wiredAppSources } from './wired-app/sources.js';
// flows-bench: the flow table and server-port facts.
import { FlowsAnalyzer, flowOptions } from './flows/index.js';
import { ServerPortSource } from './flows/server-port.js';
import { VulnsAnalyzer, vulnsOptions } from './vulns/index.js';
// Wi-Fi (issue 8).
import { WifiAnalyzer, WifiSightingSource, wifiOptions } from './wifi/index.js';
import { deviceClass } from '../identify/classes.js';
// BLE (issue 9).
import { BleSightingSource } from './ble/sighting.js';
import { resolverFromConfig } from './ble/options.js';
import { BleAnalyzer, bleAnalyzerOptions } from './ble/index.js';
// zigbee (issue 10): 802.15.4 / Zigbee nodes, PANs, keys and alerts.
import { ZigbeeAnalyzer, ZigbeeContext, ZigbeeSightingSource, zigbeeOptions } from './zigbee/index.js';
// medical (issue 11): DICOM, HL7 over MLLP and POCT1-A from reassembled TCP streams.
import { MedicalContext, streamOptions } from './medical/context.js';
import { MedicalAnalyzer, medicalOptions } from './medical/index.js';
import { MedicalSightingSource } from './medical/sighting.js';
import { SdcSightingSource } from './medical/sdc.js';
import { SiteNetworks } from './inventory/sites.js';

/** Shared reference data the analyzers need; loaded once by the caller. */
export interface AnalyzerDeps {
  readonly oui: OuiRegistry;
}

/**
 * What protocols and media tell the inventory about devices beyond their
 * addresses (inventory/sighting.ts): one line per source.
 */
export function sightingSources(config: Config, deps?: AnalyzerDeps, zigbee: ZigbeeContext = new ZigbeeContext(config), medical: MedicalContext = new MedicalContext(streamOptions(config))): SightingSource[] {
  return [
    // Wired discovery (issue 7 part A: wired-disc): DHCP, DNS/mDNS/NBNS, SSDP/WS-Discovery, LLDP/CDP.
    ...wiredDiscoverySources(),
    // wired-app (issue 7 part B): HTTP, TLS, SNMP, SSH, FTP, Telnet.
    ...wiredAppSources(config.wired_app.max_telnet_sessions),
    new ServerPortSource(config.inventory.site_networks), // flows-bench: port.server from SYN+ACK and UDP responses
    new WifiSightingSource(), // wifi: access points and stations from 802.11 management and data frames
    // BLE (issue 9): advertisers, Device Information, battery, pairing.
    new BleSightingSource({ maxConnections: config.ble.max_connections, maxRandom: config.ble.max_random_shapes, randomAgeS: config.ble.random_age_s, resolver: resolverFromConfig(config), ...(deps ? { oui: deps.oui } : {}) }),
    new ZigbeeSightingSource(zigbee, deps?.oui), // zigbee: 802.15.4 nodes, ZDO and ZCL Basic attributes
    new MedicalSightingSource(medical, new SiteNetworks(config.inventory.site_networks)), // medical: DICOM/HL7/POCT1-A software, AE titles, roles
    new SdcSightingSource(), // medical: IEEE 11073 SDC providers/consumers (WS-Discovery) and DPWS metadata
  ];
}

export function buildAnalyzers(config: Config, deps: AnalyzerDeps): Analyzer[] {
  const zigbee = new ZigbeeContext(config); // zigbee: one keyring and opener for its sighting source and analyzer
  const medical = new MedicalContext(streamOptions(config)); // medical: one reassembler for its sighting source and analyzer
  const sources = sightingSources(config, deps, zigbee, medical);
  const inventory = new InventoryAnalyzer(inventoryOptions(config), deps.oui, sources);
  return [
    inventory,
    // wired-app (issue 7 part B): credential verdicts; reports the Telnet source's session table.
    new CredentialsAnalyzer(sources.find((s): s is TelnetBannerSource => s instanceof TelnetBannerSource)),
    new FlowsAnalyzer(flowOptions(config)), // flows-bench: the bounded flow table
    // vulns (issue 12): follows the inventory's deltas; the agent hands it the feed (setFeed).
    new VulnsAnalyzer(vulnsOptions(config), inventory),
    // wifi: reads device classes from the inventory (read-only) for the medical-device alerts.
    new WifiAnalyzer(wifiOptions(config), (mac) => deviceClass(inventory.attributeOfMac(mac, 'class') ?? '')?.medical === true),
    // BLE (issue 9): floods, spoofing, malformed advertising, weak pairing, cleartext health data, silence.
    new BleAnalyzer(bleAnalyzerOptions(config)),
    new ZigbeeAnalyzer(zigbeeOptions(config), zigbee), // zigbee: PANs and alerts 4000-4099
    new MedicalAnalyzer(medicalOptions(config), medical), // medical: alerts 5000-5099
  ];
}
