/**
 * The configuration schema: every key, its default and what is allowed.
 * `docs/sample-config.yaml` documents the same keys in prose; a test checks
 * that the sample parses and names every key this schema knows.
 */
import { z } from 'zod';
import { parseCidr } from '../analyze/inventory/sites.js';
import { backoff, segment } from './primitives.js';
import { bleHciSource, nrf802154Source, nrfBleSource, tiSnifferSource } from './radio-sources.js';

const sourceName = segment;

/** An IPv4 or IPv6 network in CIDR notation, e.g. 10.30.0.0/16 or fd00:12::/48. */
const cidr = z.string().refine((s) => parseCidr(s) !== undefined, 'expected a CIDR such as 10.30.0.0/16 or fd00::/8');

/** A file with key material or a password: an absolute path, or `credential:NAME` (systemd LoadCredential=). */
const secretPath = z
  .string()
  .regex(/^(\/.+|credential:[A-Za-z0-9_][A-Za-z0-9._-]{0,254})$/, 'expected an absolute path or credential:NAME (systemd LoadCredential=)');

/** A 128-bit Zigbee key (zigbee: issue 10). */
const zigbeeKey = z.string().regex(/^[0-9a-fA-F]{32}$/, 'expected a 128-bit key: 32 hex digits');

const pcapFileSource = z.strictObject({
  type: z.literal('pcap-file'),
  name: sourceName,
  /** A pcap or pcapng file, or "-" for standard input. */
  path: z.string().min(1),
  /** Replay at capture speed (true) or as fast as possible (false). */
  realtime: z.boolean().default(false),
  /** 802.15.4 (issue 10): what ends a LINKTYPE 195 frame, the CRC-16 FCS or TI CC24xx sniffer metadata. */
  fcs_format: z.enum(['crc16', 'ti-cc24xx']).optional(),
});

const pcapLiveSource = z.strictObject({
  type: z.literal('pcap-live'),
  name: sourceName,
  iface: z.string().regex(/^[A-Za-z0-9._:@-]{1,15}$/, 'expected a Linux interface name (1-15 characters)'),
  /** BPF capture filter, checked with `tcpdump -d` at start-up. */
  filter: z.string().max(4096).default(''),
  snaplen: z.number().int().min(64).max(262_144).default(262_144),
  tool: z.enum(['tcpdump', 'dumpcap']).default('tcpdump'),
  /** Absolute path of the capture tool; `tool` looked up in PATH when absent. */
  tool_path: z.string().regex(/^\/[^\0]*$/, 'expected an absolute path').max(4096).optional(),
  /** 802.11 monitor mode (tcpdump -I); the interface must support it. */
  monitor: z.boolean().default(false),
  /**
   * tcpdump --immediate-mode: frames (and so alerts) leave libpcap at once
   * instead of up to 1 s later, at the price of more loss in bursts. Not with
   * dumpcap or `via: helper` yet.
   */
  immediate: z.boolean().default(false),
  /** libpcap's capture buffer in KiB (-B); libpcap's default, 2 MiB, when absent. */
  buffer_kib: z.number().int().min(256).max(1_048_576).optional(),
  backoff: backoff.default({ initial_ms: 1000, max_ms: 60_000 }),
  /**
   * `child`: the agent spawns the capture tool (needs the capabilities itself).
   * `helper`: iomt-sensor-capture@<iface>.service captures and connects to a
   * socket the agent listens on (src/capture/pcap-live/helper.ts).
   */
  via: z.enum(['child', 'helper']).default('child'),
  /** `via: helper`: directory holding capture/<iface>.sock; $RUNTIME_DIRECTORY (first entry), else /run/iomt-sensor, when absent. */
  runtime_dir: z.string().regex(/^\/[^\0]*$/, 'expected an absolute path').max(4000).optional(),
});

export const sourceSchema = z.discriminatedUnion('type', [pcapFileSource, pcapLiveSource, nrf802154Source, tiSnifferSource, nrfBleSource, bleHciSource]);

export const configSchema = z.strictObject({
  sensor: z.strictObject({
    /** Unique per sensor; the MQTT client id and a topic level. */
    id: segment,
    site: segment,
    ward: segment,
  }),
  state: z
    .strictObject({
      /** LevelDB state directory (systemd StateDirectory). */
      dir: z.string().min(1).default('/var/lib/iomt-sensor'),
    })
    .default({ dir: '/var/lib/iomt-sensor' }),
  sources: z.array(sourceSchema).min(1, 'expected at least one source').max(32),
  mqtt: z
    .strictObject({
      /** mqtt://host:1883 or mqtts://host:8883. Absent: an embedded broker on `embedded`. */
      url: z
        .string()
        .regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'expected mqtt://host[:port] or mqtts://host[:port]')
        .optional(),
      protocol_version: z.union([z.literal(4), z.literal(5)]).default(5),
      keepalive_s: z.number().int().min(5).max(3600).default(30),
      inflight: z.number().int().min(1).max(1024).default(64),
      reconnect: backoff.default({ initial_ms: 1000, max_ms: 60_000 }),
      /** MQTT user name; with a client certificate the broker may take the certificate's CN instead. */
      username: z.string().min(1).max(256).optional(),
      /** A file holding the password (one line); never the password itself. Checked by src/config/secrets.ts. */
      password_file: secretPath.optional(),
      /** PEM files for mqtts://; absent `ca_file` means Node's built-in CA list. Checked by src/config/secrets.ts. */
      tls: z
        .strictObject({
          ca_file: secretPath.optional(),
          cert_file: secretPath.optional(),
          key_file: secretPath.optional(),
          /** Name to verify the broker's certificate against (and SNI) when it differs from the URL's host. */
          server_name: z
            .string()
            .regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, 'expected a DNS host name')
            .optional(),
        })
        .optional(),
      embedded: z
        .strictObject({
          host: z.string().default('127.0.0.1'),
          port: z.number().int().min(1).max(65_535).default(1884),
        })
        .default({ host: '127.0.0.1', port: 1884 }),
    })
    .default({
      protocol_version: 5,
      keepalive_s: 30,
      inflight: 64,
      reconnect: { initial_ms: 1000, max_ms: 60_000 },
      embedded: { host: '127.0.0.1', port: 1884 },
    }),
  outbox: z
    .strictObject({
      max_messages: z.number().int().min(100).max(10_000_000).default(200_000),
      max_bytes: z.number().int().min(65_536).max(4_294_967_295).default(64 * 1024 * 1024),
    })
    .default({ max_messages: 200_000, max_bytes: 64 * 1024 * 1024 }),
  inventory: z
    .strictObject({
      /** Cap on devices kept; the least recently seen is evicted, counted and reported. */
      max_devices: z.number().int().min(16).max(1_000_000).default(4096),
      /** Seconds after first start during which new devices are learnt without alerts. */
      learning_period_s: z.number().int().min(0).max(31_536_000).default(3600),
      /** Seconds between inventory delta messages. */
      delta_interval_s: z.number().int().min(1).max(86_400).default(10),
      /** Cron expression (node-cron, 5 or 6 fields) for the full inventory snapshot. */
      snapshot_cron: z.string().default('0 */6 * * *'),
      /** IP addresses remembered per device. */
      max_ips_per_device: z.number().int().min(1).max(256).default(16),
      /** Remote peers (addresses outside the site networks) remembered per device. */
      max_peers_per_device: z.number().int().min(0).max(1024).default(16),
      /** The ward's networks as CIDRs; absent, the private ranges (RFC 1918, RFC 4193) and link-local. */
      site_networks: z.array(cidr).max(256).optional(),
      /**
       * Devices known only by a short-lived address (randomised Wi-Fi MACs,
       * BLE private addresses) kept at once, inside max_devices; the oldest
       * is evicted first, and their arrival is counted, never alerted.
       */
      max_ephemeral_devices: z.number().int().min(1).max(1_000_000).default(512),
    })
    .default({ max_devices: 4096, learning_period_s: 3600, delta_interval_s: 10, snapshot_cron: '0 */6 * * *', max_ips_per_device: 16, max_peers_per_device: 16, max_ephemeral_devices: 512 }),
  capture: z
    .strictObject({
      /**
       * Share of offered frames a live source may lose (libpcap's kernel and
       * interface drops) between two health messages before it raises
       * `capture.loss`; 0 alerts on any loss, 1 never.
       */
      loss_alert_share: z.number().min(0).max(1).default(0.001),
    })
    .default({ loss_alert_share: 0.001 }),
  alerts: z
    .strictObject({
      /** Seconds during which repeats of one code for one device are folded into a count. */
      suppress_s: z.number().int().min(0).max(604_800).default(3600),
      /** Most alerts published per minute over all devices; the rest are counted. */
      max_per_minute: z.number().int().min(1).max(100_000).default(120),
    })
    .default({ suppress_s: 3600, max_per_minute: 120 }),
  runtime: z
    .strictObject({
      /**
       * Store operations and messages that may wait for a commit. When the
       * analyzers have produced this many, the runtime commits at once and the
       * sources wait for it: memory stays bounded however fast the input.
       */
      commit_pending: z.number().int().min(64).max(1_000_000).default(4096),
      /**
       * Frames that made an analyzer throw, kept in <state>/quarantine/ for a bug
       * report: `headers` cuts each after its last decoded header (no payload, so
       * no patient data), `full` keeps whole frames (a lab only), `off` none.
       */
      quarantine: z.enum(['headers', 'full', 'off']).default('headers'),
    })
    .default({ commit_pending: 4096, quarantine: 'headers' }),
  health: z
    .strictObject({
      interval_s: z.number().int().min(5).max(86_400).default(60),
    })
    .default({ interval_s: 60 }),
  // wired-app (issue 7 part B): application-protocol fingerprints and credential alerts.
  wired_app: z
    .strictObject({
      /**
       * Telnet connections remembered as "banner already taken", so only the
       * server's first line becomes a fact; the oldest is forgotten (counted
       * in health as credentials.telnet_sessions_evicted).
       */
      max_telnet_sessions: z.number().int().min(16).max(1_000_000).default(1024),
    })
    .default({ max_telnet_sessions: 1024 }),
  // medical (issue 11): TCP reassembly for DICOM, HL7 over MLLP and POCT1-A, and the medical alerts.
  medical: z
    .strictObject({
      /** TCP stream directions reassembled at once (only streams a medical parser claimed hold bytes); the least recently used goes first, counted as streams.evicted.streams. */
      max_streams: z.number().int().min(16).max(1_000_000).default(4096),
      /** Bytes one direction may buffer (unparsed plus out-of-order); must hold the largest DICOM association request (PS3.8 §9.3.2). Overflow is counted as streams.evicted.stream_bytes and the parser resynchronises. */
      max_bytes_per_stream: z.number().int().min(32_768).max(16_777_216).default(262_144),
      /** Bytes all streams may buffer together; over it the least recently used stream is dropped (streams.evicted.total_bytes). */
      max_bytes_total: z.number().int().min(65_536).max(1_073_741_824).default(33_554_432),
      /** A-ASSOCIATE-RJ answers from one server within `reject_window_s` that make a probing burst (medical.dicom_reject_burst). */
      reject_burst: z.number().int().min(2).max(10_000).default(5),
      reject_window_s: z.number().int().min(1).max(86_400).default(60),
      /** AE titles, HL7 applications and DICOM peers remembered for the "never seen before" alerts; the oldest is forgotten first (counted). */
      max_known: z.number().int().min(16).max(1_000_000).default(4096),
      /** Seconds after start during which new AE titles and HL7 applications are learnt without an alert. */
      learning_s: z.number().int().min(0).max(31_536_000).default(0),
    })
    .default({ max_streams: 4096, max_bytes_per_stream: 262_144, max_bytes_total: 33_554_432, reject_burst: 5, reject_window_s: 60, max_known: 4096, learning_s: 0 }),
  // flows-bench: the flow table (src/analyze/flows/).
  flows: z
    .strictObject({
      /** Flows kept at once; a new one recycles an idle flow or evicts the least recently seen (counted). */
      max_flows: z.number().int().min(16).max(4_000_000).default(16_384),
      /** Seconds without a packet after which a flow leaves the table (counted as flows.expired). */
      idle_timeout_s: z.number().int().min(1).max(86_400).default(300),
      /** Seconds between writes of the changed flows to the store. */
      snapshot_interval_s: z.number().int().min(10).max(86_400).default(300),
    })
    .default({ max_flows: 16_384, idle_timeout_s: 300, snapshot_interval_s: 300 }),
  // vulns (issue 12): the offline advisory feed and the patch priority list.
  vulns: z
    .strictObject({
      /** Directory of CSAF 2.0 advisories, KEV JSON and EPSS CSV (src/identify/advisories/feed.ts); absent: no correlation. */
      feed_dir: z.string().regex(/^\/[^\0]*$/, 'expected an absolute path').max(4096).optional(),
      /** Seconds between checks of the feed directory's listing; a change (or SIGHUP) re-reads it. */
      feed_check_s: z.number().int().min(1).max(86_400).default(60),
      /**
       * Also take feed files the central side publishes, retained, on
       * `iomt/v1/<site>/feeds/<file>` (identify/advisories/inbox.ts); they are
       * kept in `<state.dir>/feed-inbox` and read after `feed_dir`.
       */
      feed_topic: z.boolean().default(false),
      /** Files kept in the feed inbox; a new one beyond this is refused and counted. */
      feed_topic_max_files: z.number().int().min(1).max(100_000).default(1024),
      /** Most advisories kept from the feed; the rest are rejected and counted. */
      max_advisories: z.number().int().min(1).max(100_000).default(4096),
      /** Largest feed file read, bytes. */
      max_file_bytes: z.number().int().min(1024).max(268_435_456).default(16 * 1024 * 1024),
      /** Devices in the published patch priority list. */
      ranking_size: z.number().int().min(1).max(1000).default(20),
      /** Advisory matches kept per device (highest CVSS first). */
      max_matches_per_device: z.number().int().min(1).max(256).default(16),
    })
    .default({ feed_check_s: 60, feed_topic: false, feed_topic_max_files: 1024, max_advisories: 4096, max_file_bytes: 16 * 1024 * 1024, ranking_size: 20, max_matches_per_device: 16 }),
  // Wi-Fi analyzer (issue 8): src/analyze/wifi/.
  wifi: z
    .strictObject({
      /** Access points (BSSIDs) tracked at once; the least recently heard is evicted and counted. */
      max_aps: z.number().int().min(16).max(1_000_000).default(1024),
      /** SSIDs whose BSSIDs and best security are remembered; the oldest is evicted and counted. */
      max_ssids: z.number().int().min(16).max(100_000).default(256),
      /** Stations tracked for signal, handshakes and floods; the least recently heard is evicted and counted. */
      max_stations: z.number().int().min(16).max(1_000_000).default(4096),
      /** Deauthentication/disassociation frames on one network within window_s that make a flood. */
      deauth_threshold: z.number().int().min(2).max(1_000_000).default(30),
      /** Seconds of the sliding window for floods and handshake activity. */
      window_s: z.number().int().min(1).max(3600).default(10),
      /** EAPOL message 1s to one station set with no completed handshake within window_s that raise wifi.handshake_capture. */
      eapol_msg1_threshold: z.number().int().min(2).max(100_000).default(10),
      /** Weight of a new signal sample in the smoothed signal per station and sensor (exponential moving average). */
      signal_alpha: z.number().min(0.01).max(1).default(0.2),
      /**
       * The ward's own networks: an SSID listed here heard from a BSSID not in
       * its list raises wifi.rogue_ap. An empty bssids list accepts any BSSID
       * (only a weaker security raises wifi.evil_twin).
       */
      known_networks: z
        .array(z.strictObject({ ssid: z.string().min(1).max(32), bssids: z.array(z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/)).max(256).default([]) }))
        .max(64)
        .default([]),
    })
    .default({ max_aps: 1024, max_ssids: 256, max_stations: 4096, deauth_threshold: 30, window_s: 10, eapol_msg1_threshold: 10, signal_alpha: 0.2, known_networks: [] }),
  // BLE (issue 9): connection following, private-address merging, identity keys, alert thresholds.
  ble: z
    .strictObject({
      /** Connections followed at once (GATT handles, pending reads, pairing); the oldest is forgotten first. */
      max_connections: z.number().int().min(1).max(4096).default(64),
      /** Payload shapes remembered to merge rotating private addresses; the least recently seen goes first. */
      max_random_shapes: z.number().int().min(16).max(1_000_000).default(4096),
      /** Seconds after which a shape unseen is forgotten (addresses rotate about every 15 minutes). */
      random_age_s: z.number().int().min(10).max(86_400).default(900),
      /** Identity resolving keys of known devices: resolvable private addresses become their identity. */
      irks: z
        .array(z.strictObject({
          identity: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'expected a lowercase address aa:bb:cc:dd:ee:ff'),
          identity_type: z.enum(['public', 'random-static']).default('public'),
          irk: z.string().regex(/^[0-9a-fA-F]{32}$/, 'expected 32 hex digits (the IRK, most significant octet first)'),
        }))
        .max(256)
        .default([]),
      /** Advertisers tracked for the alerts (floods, spoofing, silence); the least recently seen goes first. */
      max_tracked: z.number().int().min(16).max(1_000_000).default(2048),
      /** New advertiser addresses per minute above which ble.advertising_flood is raised. */
      flood_new_per_minute: z.number().int().min(10).max(1_000_000).default(600),
      /** Seconds without a frame after which an advertising medical device raises ble.medical_silent. */
      silent_after_s: z.number().int().min(30).max(604_800).default(600),
    })
    .default({ max_connections: 64, max_random_shapes: 4096, random_age_s: 900, irks: [], max_tracked: 2048, flood_new_per_minute: 600, silent_after_s: 600 }),
  // zigbee (issue 10): keys, tables and alert thresholds of the 802.15.4 / Zigbee analyzer.
  zigbee: z
    .strictObject({
      /** Network keys to decrypt with, 32 hex digits each. Held in memory only; never published. */
      network_keys: z.array(zigbeeKey).max(16).default([]),
      /** Trust Center or application link keys, 32 hex digits each. */
      link_keys: z.array(zigbeeKey).max(16).default([]),
      /** Install codes with their CRC (6, 8, 12 or 16 bytes + 2, as hex); each stands for a link key. */
      install_codes: z.array(z.string().regex(/^([0-9a-fA-F]{16}|[0-9a-fA-F]{20}|[0-9a-fA-F]{28}|[0-9a-fA-F]{36})$/, 'expected an install code with its CRC: 16, 20, 28 or 36 hex digits')).max(64).default([]),
      /** Try the well-known Trust Center link key "ZigBeeAlliance09" (as any attacker does). */
      default_tc_link_key: z.boolean().default(true),
      /** Keys held at once (configured plus recovered); a recovered key beyond it evicts the oldest recovered one. */
      max_keys: z.number().int().min(4).max(1024).default(64),
      /** Short-to-IEEE address pairs remembered for nonces. */
      max_addresses: z.number().int().min(16).max(1_000_000).default(4096),
      /** PANs tracked. */
      max_pans: z.number().int().min(1).max(10_000).default(64),
      /** Nodes tracked for frame counters and joins. */
      max_nodes: z.number().int().min(16).max(1_000_000).default(4096),
      /** Rejoins or association requests on one PAN within a minute that make a storm. */
      storm_per_minute: z.number().int().min(2).max(100_000).default(30),
      /** Seconds a network stays open after a beacon with Association Permit or a Mgmt_Permit_Joining_req. */
      join_window_s: z.number().int().min(0).max(3600).default(254),
      /** IEEE addresses (16 hex digits) allowed to start Touchlink commissioning. */
      touchlink_initiators: z.array(z.string().regex(/^[0-9a-fA-F]{16}$/, 'expected an IEEE address: 16 hex digits')).max(256).default([]),
    })
    .default({
      network_keys: [], link_keys: [], install_codes: [], default_tc_link_key: true, max_keys: 64, max_addresses: 4096,
      max_pans: 64, max_nodes: 4096, storm_per_minute: 30, join_window_s: 254, touchlink_initiators: [],
    }),
}).superRefine((c, ctx) => {
  c.sources.forEach((s, i) => {
    if (s.type === 'pcap-live' && s.immediate && (s.tool !== 'tcpdump' || s.via !== 'child')) {
      ctx.addIssue({ code: 'custom', path: ['sources', i, 'immediate'], input: true, message: 'immediate works only with tool: tcpdump and via: child' });
    }
  });
});

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
