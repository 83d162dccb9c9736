/**
 * What lives on the synthetic ward: device classes, their vendors and how
 * each class behaves on the network. Data, not code: the simulator walks
 * these rows.
 *
 * Every OUI below was checked against the IEEE MA-L registry as shipped by
 * Debian's ieee-data package (/usr/share/ieee-data/oui.csv, read 2026-01);
 * the registry's organisation name is quoted in the comment beside it.
 */

export type DeviceClass =
  | 'gateway'
  | 'central-station'
  | 'pacs-server'
  | 'hl7-engine'
  | 'infusion-server'
  | 'nms-server'
  | 'patient-monitor'
  | 'infusion-pump'
  | 'ventilator'
  | 'imaging-modality'
  | 'nurse-workstation'
  | 'label-printer'
  | 'ward-phone'
  | 'smart-bed'
  | 'rogue-laptop'
  | 'unknown-sbc';

export interface Vendor {
  readonly name: string;
  /** IEEE MA-L prefix, or '' for a locally administered random address. */
  readonly oui: string;
  readonly model: string;
  /** DHCP option 60 (vendor class identifier), when the device sends one. */
  readonly vendorClass?: string;
  /** Host name prefix for DHCP option 12; a serial-like number is appended. */
  readonly host: string;
}

/** Where a behaviour sends its traffic. */
export type Target = DeviceClass | 'external';

export type BehaviourKind =
  /** ARP request for a peer (gateway or server) and its reply. */
  | 'arp'
  /** ARP requests for a run of consecutive addresses (a sweep); few get replies. */
  | 'arp-sweep'
  /** DHCP lease renewal (REQUEST/ACK, unicast to the server). */
  | 'dhcp-renew'
  | 'dns'
  | 'ntp'
  /** IPv6 link-local neighbour discovery: router solicitation and NS/NA with a peer. */
  | 'nd6'
  /** RFC 3164 syslog line to the collector, udp/514. */
  | 'syslog'
  /** SNMPv2c GetRequest to an agent of a target class and its response, udp/161. */
  | 'snmp-poll'
  /** Vendor monitoring stream to the central station (opaque UDP datagrams). */
  | 'stream'
  /** HL7 v2 over MLLP to the interface engine, tcp/2575, opaque payload. */
  | 'hl7'
  /** DICOM association and C-STORE to the PACS, tcp/104. */
  | 'dicom'
  /** TLS 1.3 session, tcp/443. */
  | 'https'
  /** Raw print job (ZPL) to a label printer, tcp/9100. */
  | 'print'
  // Wired fingerprints (fingerprints.ts), flows-bench:
  /** mDNS/DNS-SD announcement of the device's service, udp/5353 multicast. */
  | 'mdns'
  /** SSDP NOTIFY or M-SEARCH, udp/1900 multicast. */
  | 'ssdp'
  /** HTTP/1.1 GET to a target's web server, tcp/80: the client's User-Agent, the server's Server header. */
  | 'http'
  /** SSH to a target, tcp/22: both identification strings, then the client leaves. */
  | 'ssh';

export interface Behaviour {
  readonly kind: BehaviourKind;
  /** Mean seconds between occurrences (exponentially distributed). */
  readonly everyS: number;
  readonly target?: Target;
  /** Application bytes per occurrence, [min, max]. */
  readonly bytes?: readonly [number, number];
}

export interface DeviceProfile {
  readonly cls: DeviceClass;
  readonly label: string;
  /** 0: the untagged ward LAN; 1: the monitoring network on VLAN 110. */
  readonly segment: 0 | 1;
  readonly dhcp: boolean;
  /** Initial IPv4 TTL of the device's stack. */
  readonly ttl: number;
  /** Takes part in IPv6 link-local neighbour discovery. */
  readonly ipv6: boolean;
  /** DHCP option 55, in the order the device's client sends it. */
  readonly paramList: readonly number[];
  readonly vendors: readonly Vendor[];
  readonly behaviours: readonly Behaviour[];
}

// Registry names (oui.csv, MA-L) for the prefixes used below:
//   F4:BD:9E "Cisco Systems, Inc"            00:09:5C "Philips Medical Systems - Cardiac and Monitoring Systems (CM"
//   44:4B:5D "GE Healthcare"                 F0:E5:C3 "Drägerwerk AG & Co. KG aA"
//   00:12:21 "B.Braun Melsungen AG"          58:46:E1 "Baxter International Inc"
//   F8:C6:78 "Carefusion"                    00:0F:14 "Mindray Co., Ltd."
//   00:A0:9A "NIHON KOHDEN AMERICA"          00:03:B1 "ICU Medical, Inc."
//   00:A0:AA "SPACELABS MEDICAL"             00:1A:FA "Welch Allyn, Inc."
//   08:09:B6 "Masimo Corp"                   00:14:B8 "Hill-Rom"
//   00:13:38 "FRESENIUS-VIAL"                00:0B:92 "Ascom Danmark A/S"
//   00:07:4D "Zebra Technologies Corp."      98:E7:43 "Dell Inc."
//   9C:7B:EF "Hewlett Packard"               B8:27:EB "Raspberry Pi Foundation"
const CISCO = 'F4:BD:9E';
const PHILIPS = '00:09:5C';
const GE = '44:4B:5D';
const DRAEGER = 'F0:E5:C3';
const BBRAUN = '00:12:21';
const BAXTER = '58:46:E1';
const CAREFUSION = 'F8:C6:78';
const MINDRAY = '00:0F:14';
const NIHON_KOHDEN = '00:A0:9A';
const ICU_MEDICAL = '00:03:B1';
const SPACELABS = '00:A0:AA';
const WELCH_ALLYN = '00:1A:FA';
const MASIMO = '08:09:B6';
const HILL_ROM = '00:14:B8';
const FRESENIUS = '00:13:38';
const ASCOM = '00:0B:92';
const ZEBRA = '00:07:4D';
const DELL = '98:E7:43';
const HP = '9C:7B:EF';
const RASPBERRY_PI = 'B8:27:EB';

/** Option 55 lists as the real clients send them (embedded RTOS, Linux dhcpcd/udhcpc, Windows). */
const PRL_EMBEDDED = [1, 3, 6, 15, 42] as const;
const PRL_UDHCPC = [1, 3, 6, 12, 15, 28, 42] as const;
const PRL_DHCPCD = [1, 121, 33, 3, 6, 12, 15, 26, 28, 42, 51, 54, 58, 59, 119] as const;
const PRL_WINDOWS = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] as const;

const COMMON: readonly Behaviour[] = [
  { kind: 'arp', everyS: 240 },
  { kind: 'ntp', everyS: 300, target: 'gateway' },
  { kind: 'dns', everyS: 180, target: 'gateway' },
];

export const PROFILES: readonly DeviceProfile[] = [
  {
    cls: 'gateway', label: 'access switch / gateway', segment: 0, dhcp: false, ttl: 255, ipv6: false, paramList: [],
    vendors: [{ name: 'Cisco', oui: CISCO, model: 'Catalyst 9300', host: 'WARD-SW' }],
    behaviours: [{ kind: 'syslog', everyS: 45, target: 'nms-server' }, { kind: 'arp', everyS: 120 }],
  },
  {
    cls: 'central-station', label: 'central monitoring station', segment: 1, dhcp: false, ttl: 128, ipv6: true, paramList: [],
    vendors: [
      { name: 'Philips', oui: PHILIPS, model: 'IntelliVue PIC iX', host: 'PICIX' },
      { name: 'GE Healthcare', oui: GE, model: 'CARESCAPE Central Station', host: 'CSCS' },
      { name: 'Mindray', oui: MINDRAY, model: 'BeneVision CMS', host: 'CMS' },
      { name: 'Nihon Kohden', oui: NIHON_KOHDEN, model: 'CNS-6201', host: 'CNS' },
      { name: 'Spacelabs', oui: SPACELABS, model: 'XprezzNet', host: 'XPZ' },
    ],
    behaviours: [
      ...COMMON,
      { kind: 'hl7', everyS: 20, target: 'hl7-engine', bytes: [300, 1800] },
      { kind: 'https', everyS: 240, target: 'pacs-server', bytes: [2000, 40000] },
      { kind: 'syslog', everyS: 90, target: 'nms-server' },
    ],
  },
  {
    cls: 'pacs-server', label: 'PACS server', segment: 0, dhcp: false, ttl: 64, ipv6: false, paramList: [],
    vendors: [{ name: 'Dell', oui: DELL, model: 'PowerEdge R750', host: 'PACS' }],
    behaviours: [...COMMON, { kind: 'syslog', everyS: 60, target: 'nms-server' }],
  },
  {
    cls: 'hl7-engine', label: 'HL7 interface engine', segment: 0, dhcp: false, ttl: 128, ipv6: false, paramList: [],
    vendors: [{ name: 'HP', oui: HP, model: 'ProLiant DL360', host: 'HL7IE' }],
    behaviours: [...COMMON, { kind: 'syslog', everyS: 60, target: 'nms-server' }],
  },
  {
    cls: 'infusion-server', label: 'infusion management server', segment: 0, dhcp: false, ttl: 128, ipv6: false, paramList: [],
    vendors: [{ name: 'Dell', oui: DELL, model: 'PowerEdge R650', host: 'PUMPSRV' }],
    behaviours: [
      ...COMMON,
      { kind: 'hl7', everyS: 60, target: 'hl7-engine', bytes: [200, 900] },
      { kind: 'http', everyS: 30, target: 'infusion-pump', bytes: [200, 1200] },
    ],
  },
  {
    cls: 'nms-server', label: 'network management / syslog server', segment: 0, dhcp: false, ttl: 64, ipv6: true, paramList: [],
    vendors: [{ name: 'HP', oui: HP, model: 'ProLiant DL20', host: 'NMS' }],
    behaviours: [
      ...COMMON,
      { kind: 'snmp-poll', everyS: 8, target: 'label-printer' },
      { kind: 'snmp-poll', everyS: 10, target: 'gateway' },
      { kind: 'snmp-poll', everyS: 15, target: 'ward-phone' },
      { kind: 'nd6', everyS: 600 },
      { kind: 'ssh', everyS: 300, target: 'gateway' },
      { kind: 'ssh', everyS: 900, target: 'pacs-server' },
    ],
  },
  {
    cls: 'patient-monitor', label: 'bedside patient monitor', segment: 1, dhcp: true, ttl: 64, ipv6: false,
    paramList: PRL_EMBEDDED,
    vendors: [
      { name: 'Philips', oui: PHILIPS, model: 'IntelliVue MX800', host: 'MX800', vendorClass: 'Philips IntelliVue' },
      { name: 'GE Healthcare', oui: GE, model: 'CARESCAPE B650', host: 'B650', vendorClass: 'GE Healthcare B650' },
      { name: 'Mindray', oui: MINDRAY, model: 'BeneVision N17', host: 'N17', vendorClass: 'Mindray N-Series' },
      { name: 'Nihon Kohden', oui: NIHON_KOHDEN, model: 'Life Scope G9', host: 'G9', vendorClass: 'NK LifeScope' },
      { name: 'Spacelabs', oui: SPACELABS, model: 'Xprezzon 91393', host: 'XPRZ', vendorClass: 'Spacelabs Xprezzon' },
      { name: 'Welch Allyn', oui: WELCH_ALLYN, model: 'Connex VSM 6000', host: 'CVSM', vendorClass: 'WelchAllyn CVSM' },
      { name: 'Masimo', oui: MASIMO, model: 'Root', host: 'ROOT', vendorClass: 'udhcp 1.30.1' },
    ],
    behaviours: [
      { kind: 'stream', everyS: 0.5, target: 'central-station', bytes: [180, 720] },
      { kind: 'arp', everyS: 300 },
      { kind: 'ntp', everyS: 600, target: 'gateway' },
      { kind: 'dhcp-renew', everyS: 1800 },
      { kind: 'syslog', everyS: 300, target: 'nms-server' },
    ],
  },
  {
    cls: 'infusion-pump', label: 'infusion pump', segment: 0, dhcp: true, ttl: 64, ipv6: false, paramList: PRL_UDHCPC,
    vendors: [
      { name: 'B.Braun', oui: BBRAUN, model: 'Space Infusomat', host: 'SPACE', vendorClass: 'BBraun SpaceStation' },
      { name: 'Baxter', oui: BAXTER, model: 'Novum IQ', host: 'NOVUM', vendorClass: 'Baxter Novum' },
      { name: 'CareFusion', oui: CAREFUSION, model: 'Alaris 8015 PC Unit', host: 'ALARIS', vendorClass: 'CareFusion Alaris' },
      { name: 'ICU Medical', oui: ICU_MEDICAL, model: 'Plum 360', host: 'PLUM360', vendorClass: 'ICU Medical Plum' },
      { name: 'Fresenius Kabi', oui: FRESENIUS, model: 'Agilia Connect', host: 'AGILIA', vendorClass: 'Fresenius Agilia' },
    ],
    behaviours: [
      { kind: 'https', everyS: 90, target: 'infusion-server', bytes: [400, 4000] },
      { kind: 'hl7', everyS: 120, target: 'hl7-engine', bytes: [200, 800] },
      { kind: 'dns', everyS: 600, target: 'gateway' },
      { kind: 'arp', everyS: 300 },
      { kind: 'ntp', everyS: 900, target: 'gateway' },
      { kind: 'dhcp-renew', everyS: 1800 },
    ],
  },
  {
    cls: 'ventilator', label: 'ventilator', segment: 1, dhcp: true, ttl: 64, ipv6: false, paramList: PRL_EMBEDDED,
    vendors: [
      { name: 'Dräger', oui: DRAEGER, model: 'Evita V800', host: 'EVITA', vendorClass: 'Draeger Evita' },
      { name: 'GE Healthcare', oui: GE, model: 'CARESCAPE R860', host: 'R860', vendorClass: 'GE Healthcare R860' },
    ],
    behaviours: [
      { kind: 'stream', everyS: 1, target: 'central-station', bytes: [120, 480] },
      { kind: 'arp', everyS: 300 },
      { kind: 'ntp', everyS: 600, target: 'gateway' },
      { kind: 'syslog', everyS: 200, target: 'nms-server' },
      { kind: 'dhcp-renew', everyS: 1800 },
    ],
  },
  {
    cls: 'imaging-modality', label: 'imaging modality', segment: 0, dhcp: false, ttl: 128, ipv6: false, paramList: [],
    vendors: [
      { name: 'GE Healthcare', oui: GE, model: 'LOGIQ E10 ultrasound', host: 'LOGIQ' },
      { name: 'Mindray', oui: MINDRAY, model: 'DC-80 ultrasound', host: 'DC80' },
    ],
    behaviours: [...COMMON, { kind: 'dicom', everyS: 150, target: 'pacs-server', bytes: [60_000, 600_000] }],
  },
  {
    cls: 'nurse-workstation', label: 'nurse workstation', segment: 0, dhcp: true, ttl: 128, ipv6: true, paramList: PRL_WINDOWS,
    vendors: [
      { name: 'Dell', oui: DELL, model: 'OptiPlex 7010', host: 'NURSE', vendorClass: 'MSFT 5.0' },
      { name: 'HP', oui: HP, model: 'EliteDesk 800', host: 'NURSE', vendorClass: 'MSFT 5.0' },
    ],
    behaviours: [
      ...COMMON,
      { kind: 'https', everyS: 30, target: 'pacs-server', bytes: [3000, 120000] },
      { kind: 'https', everyS: 45, target: 'infusion-server', bytes: [1000, 20000] },
      { kind: 'print', everyS: 120, target: 'label-printer', bytes: [120, 600] },
      { kind: 'nd6', everyS: 400 },
      { kind: 'dhcp-renew', everyS: 1800 },
      { kind: 'http', everyS: 120, target: 'label-printer', bytes: [300, 3000] },
      { kind: 'http', everyS: 180, target: 'infusion-server', bytes: [500, 8000] },
      { kind: 'ssdp', everyS: 300 },
    ],
  },
  {
    cls: 'label-printer', label: 'label printer', segment: 0, dhcp: true, ttl: 64, ipv6: true, paramList: PRL_EMBEDDED,
    vendors: [{ name: 'Zebra', oui: ZEBRA, model: 'ZD621', host: 'ZD621', vendorClass: 'Zebra ZD621' }],
    behaviours: [
      { kind: 'arp', everyS: 300 }, { kind: 'nd6', everyS: 900 }, { kind: 'dhcp-renew', everyS: 1800 },
      { kind: 'mdns', everyS: 120 },
    ],
  },
  {
    cls: 'ward-phone', label: 'VoIP ward phone', segment: 0, dhcp: true, ttl: 64, ipv6: true, paramList: PRL_UDHCPC,
    vendors: [
      { name: 'Ascom', oui: ASCOM, model: 'Myco 3', host: 'MYCO', vendorClass: 'Ascom Myco' },
      { name: 'Cisco', oui: CISCO, model: 'IP Phone 8865', host: 'SEP', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8865' },
    ],
    behaviours: [
      { kind: 'https', everyS: 120, target: 'nms-server', bytes: [300, 3000] },
      { kind: 'dns', everyS: 300, target: 'gateway' },
      { kind: 'arp', everyS: 300 },
      { kind: 'nd6', everyS: 600 },
      { kind: 'dhcp-renew', everyS: 1800 },
      { kind: 'http', everyS: 240, target: 'nms-server', bytes: [200, 1500] },
    ],
  },
  {
    cls: 'smart-bed', label: 'smart bed', segment: 0, dhcp: true, ttl: 64, ipv6: false, paramList: PRL_UDHCPC,
    vendors: [{ name: 'Hill-Rom', oui: HILL_ROM, model: 'Centrella', host: 'CENTRELLA', vendorClass: 'Hill-Rom Centrella' }],
    behaviours: [
      { kind: 'hl7', everyS: 180, target: 'hl7-engine', bytes: [150, 500] },
      { kind: 'syslog', everyS: 240, target: 'nms-server' },
      { kind: 'arp', everyS: 300 },
      { kind: 'dhcp-renew', everyS: 1800 },
    ],
  },
  {
    cls: 'rogue-laptop', label: 'unmanaged laptop (random MAC)', segment: 0, dhcp: true, ttl: 128, ipv6: true,
    paramList: PRL_WINDOWS,
    vendors: [{ name: '(locally administered)', oui: '', model: 'laptop', host: 'LAPTOP', vendorClass: 'MSFT 5.0' }],
    behaviours: [
      { kind: 'dns', everyS: 8, target: 'gateway' },
      { kind: 'https', everyS: 6, target: 'external', bytes: [2000, 60000] },
      { kind: 'nd6', everyS: 120 },
      { kind: 'ssdp', everyS: 60 },
    ],
  },
  {
    cls: 'unknown-sbc', label: 'unknown single-board computer', segment: 0, dhcp: true, ttl: 64, ipv6: true,
    paramList: PRL_DHCPCD,
    vendors: [{
      name: 'Raspberry Pi', oui: RASPBERRY_PI, model: 'Raspberry Pi', host: 'raspberrypi',
      vendorClass: 'dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835',
    }],
    behaviours: [
      { kind: 'arp-sweep', everyS: 20 },
      { kind: 'dns', everyS: 30, target: 'gateway' },
      { kind: 'https', everyS: 25, target: 'external', bytes: [500, 8000] },
      { kind: 'mdns', everyS: 60 },
      { kind: 'ssdp', everyS: 90 },
      { kind: 'http', everyS: 40, target: 'external', bytes: [300, 4000] },
    ],
  },
];

export function profileOf(cls: DeviceClass): DeviceProfile {
  const p = PROFILES.find((x) => x.cls === cls);
  if (p === undefined) throw new Error(`no profile ${cls}`);
  return p;
}

/** Always present once, whatever the device count. */
export const CORE_CLASSES: readonly DeviceClass[] = [
  'gateway', 'central-station', 'pacs-server', 'hl7-engine', 'infusion-server', 'nms-server',
];

/** Join after three quarters of the frames, so inventory.new_device fires after a learning period. */
export const LATE_CLASSES: readonly DeviceClass[] = ['rogue-laptop', 'unknown-sbc'];

/**
 * The bedside mix, repeated to fill the remaining device count: roughly
 * 30 % monitors, 30 % pumps, then phones, workstations, ventilators,
 * printers, beds and imaging.
 */
export const FILL_PATTERN: readonly DeviceClass[] = [
  'patient-monitor', 'infusion-pump', 'infusion-pump', 'patient-monitor', 'ward-phone',
  'nurse-workstation', 'infusion-pump', 'patient-monitor', 'ventilator', 'label-printer',
  'infusion-pump', 'patient-monitor', 'ward-phone', 'smart-bed', 'imaging-modality',
  'nurse-workstation', 'infusion-pump', 'patient-monitor', 'ventilator', 'ward-phone',
];

/** Fewest devices: the core, the late joiners and two bedside devices. */
export const MIN_DEVICES = CORE_CLASSES.length + LATE_CLASSES.length + 2;
