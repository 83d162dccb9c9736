/**
 * Telemetry kinds as data: the integer id of each kind, the stream it goes
 * out on, how it is queued, and the integer-keyed layout of its body. The
 * generic walker in `record-codec.ts` turns named-field objects into CBOR
 * maps and back using these tables; `docs/telemetry.cddl` is the normative
 * schema and `test/telemetry-cddl.test.ts` checks real payloads against it.
 *
 * Ids 1–5 are assigned. 6–31 are kept for the other streams (vulns,
 * baseline, policy, utilization, command replies); 32 and up are for
 * experiments and must not be relied on by subscribers.
 */
import type { SourceState as CaptureSourceState, SourceStatus } from '../capture/types.js';

/** Telemetry streams (the last topic level). */
export type Stream = 'status' | 'inventory' | 'alerts' | 'vulns' | 'baseline' | 'policy' | 'utilization' | 'health';

/** [epoch seconds, nanoseconds]; both parts stay below 2^32 so cbor-x keeps them integers. */
export type Time = readonly [sec: number, nsec: number];

export type FieldType =
  | { readonly t: 'uint' }
  | { readonly t: 'tstr' }
  | { readonly t: 'bool' }
  | { readonly t: 'time' }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  | { readonly t: 'range'; readonly min: number; readonly max: number }
  | { readonly t: 'array'; readonly of: FieldType }
  | { readonly t: 'record'; readonly name: string; readonly fields: RecordSpec }
  /** {* tstr => uint} */
  | { readonly t: 'counters' }
  /** {* tstr => tstr / int / bool} */
  | { readonly t: 'facts' }
  /** A string sent once per message: a uint index into the envelope's string table (key 6). */
  | { readonly t: 'sref' }
  /** Epoch seconds, sent as an int: the envelope's seconds minus this time. */
  | { readonly t: 'reltime' }
  /** A device identifier, `[kind, bstr, ?extra]` (src/telemetry/ident.ts). */
  | { readonly t: 'ident' }
  /** One of a fixed list of names, sent as its index. */
  | { readonly t: 'code'; readonly values: readonly string[] };

export interface FieldSpec {
  readonly key: number;
  readonly name: string;
  readonly type: FieldType;
  readonly optional?: true;
}
export type RecordSpec = readonly FieldSpec[];

import type { Identifier } from './ident.js';

/** Attribute names, in wire order (the wire carries the index). */
/**
 * Attribute names; the index is the wire code (never reorder, only append).
 * software: a named program and version (DICOM implementation, SSH banner);
 * serial: the device's own serial number (WPS, BLE Device Information);
 * ssid: an access point's network name, or the networks a station probes for;
 * security: a network's protection (open, WEP, WPA2-PSK, WPA3-SAE ..., MFP);
 * associated: the BSSID or PAN a node is joined to; channel: radio channel;
 * battery: level in percent; pairing: the BLE or Zigbee pairing/joining method.
 */
export const ATTRIBUTE_NAMES = [
  'vendor', 'model', 'class', 'os', 'firmware', 'hostname', 'services', 'location', 'role',
  'software', 'serial', 'ssid', 'security', 'associated', 'channel', 'battery', 'pairing',
] as const;
export type AttributeName = (typeof ATTRIBUTE_NAMES)[number];

const uint: FieldType = { t: 'uint' };
const tstr: FieldType = { t: 'tstr' };
const time: FieldType = { t: 'time' };

/** The states of `capture/types.ts` `SourceState`; the type check below keeps the two in step. */
export const SOURCE_STATES = ['starting', 'running', 'retrying', 'ended', 'failed'] as const;
export const SENSOR_STATES = ['online', 'offline', 'starting'] as const;

export const SOURCE_STATUS: FieldType = {
  t: 'record',
  name: 'source-status',
  fields: [
    { key: 0, name: 'name', type: tstr },
    { key: 1, name: 'state', type: { t: 'enum', values: SOURCE_STATES } },
    { key: 2, name: 'detail', type: tstr, optional: true },
    { key: 3, name: 'received', type: uint, optional: true },
    { key: 4, name: 'droppedKernel', type: uint, optional: true },
    { key: 5, name: 'droppedIface', type: uint, optional: true },
  ],
};

const sref: FieldType = { t: 'sref' };
const reltime: FieldType = { t: 'reltime' };
const ident: FieldType = { t: 'ident' };

/** What an attribute value rests on (src/analyze/inventory/identity.ts). */
const OBSERVATION_FIELDS: RecordSpec = [
  { key: 1, name: 'value', type: sref },
  { key: 2, name: 'proto', type: sref },
  { key: 3, name: 'field', type: sref },
  { key: 4, name: 'time', type: reltime },
  { key: 5, name: 'confidence', type: { t: 'range', min: 1, max: 4 } },
  { key: 6, name: 'source', type: sref },
];

export const ATTRIBUTE: FieldType = {
  t: 'record',
  name: 'attribute',
  fields: [
    { key: 0, name: 'name', type: { t: 'code', values: ATTRIBUTE_NAMES } },
    ...OBSERVATION_FIELDS,
    { key: 7, name: 'conflict', type: { t: 'record', name: 'observation', fields: OBSERVATION_FIELDS }, optional: true },
  ],
};

/** A fingerprint fact kept for the class engine's explanations (src/analyze/inventory/sighting.ts `Fact`). */
export const FACT: FieldType = {
  t: 'record',
  name: 'fact',
  fields: [
    { key: 0, name: 'key', type: sref },
    { key: 1, name: 'value', type: tstr },
  ],
};

export const DEVICE: FieldType = {
  t: 'record',
  name: 'device',
  fields: [
    { key: 0, name: 'ids', type: { t: 'array', of: ident } },
    { key: 1, name: 'attrs', type: { t: 'array', of: ATTRIBUTE } },
    { key: 2, name: 'firstSeen', type: reltime },
    { key: 3, name: 'lastSeen', type: reltime },
    { key: 4, name: 'frames', type: uint },
    { key: 5, name: 'bytes', type: uint },
    { key: 6, name: 'sources', type: { t: 'array', of: sref } },
    { key: 7, name: 'peers', type: { t: 'array', of: ident }, optional: true },
    // Device-class engine (issue 7): the facts its class rests on, so `inventory --explain` works after a restart.
    { key: 8, name: 'facts', type: { t: 'array', of: FACT }, optional: true },
  ],
};

// --- vulns (issue 12): advisory matches, risk and the patch priority list (src/analyze/vulns/) ---

export type VulnsKindName = 'vulns-delta' | 'vulns-ranking';
export const MATCH_CONFIDENCES = ['vendor', 'product', 'range', 'exact'] as const;
export const REMEDIATION_CATEGORY_NAMES = ['mitigation', 'no_fix_planned', 'none_available', 'vendor_fix', 'workaround'] as const;

const VULN_MATCH: FieldType = {
  t: 'record',
  name: 'vuln-match',
  fields: [
    { key: 0, name: 'advisory', type: tstr },
    { key: 1, name: 'product', type: tstr },
    { key: 2, name: 'confidence', type: { t: 'enum', values: MATCH_CONFIDENCES } },
    { key: 3, name: 'cves', type: { t: 'array', of: tstr } },
    { key: 4, name: 'cvss10', type: { t: 'range', min: 0, max: 100 } },
    { key: 5, name: 'advisoryEvidence', type: tstr },
    { key: 6, name: 'deviceEvidence', type: { t: 'array', of: tstr } },
    { key: 7, name: 'remediation', type: { t: 'enum', values: REMEDIATION_CATEGORY_NAMES }, optional: true },
    { key: 8, name: 'remediationText', type: tstr, optional: true },
    { key: 9, name: 'indicator', type: tstr, optional: true },
  ],
};

const RISK_FACTOR: FieldType = {
  t: 'record',
  name: 'risk-factor',
  fields: [
    { key: 0, name: 'name', type: { t: 'enum', values: ['severity', 'exposure', 'criticality'] } },
    { key: 1, name: 'value100', type: { t: 'range', min: 0, max: 100 } },
    { key: 2, name: 'weight', type: { t: 'range', min: 0, max: 100 } },
    { key: 3, name: 'points', type: { t: 'range', min: 0, max: 100 } },
    { key: 4, name: 'detail', type: tstr },
  ],
};

const DEVICE_VULNS: FieldType = {
  t: 'record',
  name: 'device-vulns',
  fields: [
    { key: 0, name: 'device', type: tstr },
    { key: 1, name: 'score', type: { t: 'range', min: 0, max: 100 } },
    { key: 2, name: 'factors', type: { t: 'array', of: RISK_FACTOR } },
    { key: 3, name: 'matches', type: { t: 'array', of: VULN_MATCH } },
  ],
};

const RANKING_ENTRY: FieldType = {
  t: 'record',
  name: 'ranking-entry',
  fields: [
    { key: 0, name: 'rank', type: uint },
    { key: 1, name: 'device', type: tstr },
    { key: 2, name: 'score', type: { t: 'range', min: 0, max: 100 } },
    { key: 3, name: 'reasons', type: { t: 'array', of: tstr } },
    { key: 4, name: 'remediation', type: tstr, optional: true },
  ],
};

const VULNS_KINDS: readonly KindSpec[] = [
  {
    id: 6,
    name: 'vulns-delta',
    stream: 'vulns',
    priority: 'normal',
    body: [
      { key: 0, name: 'devices', type: { t: 'array', of: DEVICE_VULNS } },
      { key: 1, name: 'cleared', type: { t: 'array', of: tstr } },
      { key: 2, name: 'feed', type: tstr },
    ],
  },
  {
    id: 7,
    name: 'vulns-ranking',
    stream: 'vulns',
    priority: 'normal',
    expirySec: 86_400,
    body: [
      { key: 0, name: 'feed', type: tstr },
      { key: 1, name: 'entries', type: { t: 'array', of: RANKING_ENTRY } },
      { key: 2, name: 'devices', type: uint },
    ],
  },
];

export interface VulnMatchBody {
  readonly advisory: string;
  readonly product: string;
  readonly confidence: (typeof MATCH_CONFIDENCES)[number];
  readonly cves: readonly string[];
  /** Highest CVSS base score × 10. */
  readonly cvss10: number;
  readonly advisoryEvidence: string;
  readonly deviceEvidence: readonly string[];
  readonly remediation?: (typeof REMEDIATION_CATEGORY_NAMES)[number];
  readonly remediationText?: string;
  /** The alert code of the passive indicator behind this match, when it is one. */
  readonly indicator?: string;
}

export interface RiskFactorBody {
  readonly name: 'severity' | 'exposure' | 'criticality';
  /** The factor's value 0..1, × 100. */
  readonly value100: number;
  readonly weight: number;
  readonly points: number;
  readonly detail: string;
}

export interface DeviceVulnsBody {
  readonly device: string;
  readonly score: number;
  readonly factors: readonly RiskFactorBody[];
  readonly matches: readonly VulnMatchBody[];
}

export interface VulnsDeltaBody {
  /** Devices whose matches or score changed. */
  readonly devices: readonly DeviceVulnsBody[];
  /** Devices that no longer match anything. */
  readonly cleared: readonly string[];
  /** The feed digest the results rest on. */
  readonly feed: string;
}

export interface RankingEntryBody {
  readonly rank: number;
  readonly device: string;
  readonly score: number;
  readonly reasons: readonly string[];
  readonly remediation?: string;
}

export interface VulnsRankingBody {
  readonly feed: string;
  /** The top of the patch priority list. */
  readonly entries: readonly RankingEntryBody[];
  /** Devices with at least one match, listed or not. */
  readonly devices: number;
}

export interface KindSpec {
  readonly id: number;
  readonly name: KindName;
  readonly stream: Stream;
  /** Outbox priority: alerts are the last thing the outbox drops. */
  readonly priority: 'alert' | 'normal';
  /** MQTT v5 message expiry for low-value streams; absent means the message never expires. */
  readonly expirySec?: number;
  readonly body: RecordSpec;
}

export type KindName = 'status' | 'health' | 'inventory-delta' | 'inventory-snapshot' | 'alert' | VulnsKindName;

export const Kind = {
  status: 1,
  health: 2,
  inventoryDelta: 3,
  inventorySnapshot: 4,
  alert: 5,
  // vulns (issue 12): the vulnerability stream.
  vulnsDelta: 6,
  vulnsRanking: 7,
} as const;
export type KindId = (typeof Kind)[keyof typeof Kind];

export const KINDS: readonly KindSpec[] = [
  {
    id: Kind.status,
    name: 'status',
    stream: 'status',
    priority: 'normal',
    body: [
      { key: 0, name: 'state', type: { t: 'enum', values: SENSOR_STATES } },
      { key: 1, name: 'version', type: tstr },
      { key: 2, name: 'uptimeSec', type: uint },
      { key: 3, name: 'configHash', type: tstr },
      { key: 4, name: 'sources', type: { t: 'array', of: SOURCE_STATUS } },
      { key: 5, name: 'feeds', type: { t: 'facts' }, optional: true },
    ],
  },
  {
    id: Kind.health,
    name: 'health',
    stream: 'health',
    priority: 'normal',
    expirySec: 900,
    body: [
      { key: 0, name: 'counters', type: { t: 'counters' } },
      { key: 1, name: 'outboxDepth', type: uint },
      { key: 2, name: 'outboxDropped', type: uint },
      { key: 3, name: 'rssBytes', type: uint },
      { key: 4, name: 'sources', type: { t: 'array', of: SOURCE_STATUS } },
      { key: 5, name: 'outboxBytes', type: uint, optional: true },
      { key: 6, name: 'uptimeSec', type: uint, optional: true },
    ],
  },
  {
    id: Kind.inventoryDelta,
    name: 'inventory-delta',
    stream: 'inventory',
    priority: 'normal',
    // Deltas expire only after a day: a subscriber that misses one repairs
    // itself at the next full snapshot, but a long gap is worse than late data.
    expirySec: 86_400,
    body: [
      { key: 0, name: 'devices', type: { t: 'array', of: DEVICE } },
      { key: 1, name: 'removed', type: { t: 'array', of: ident } },
      { key: 2, name: 'removedUnlisted', type: uint, optional: true },
    ],
  },
  {
    id: Kind.inventorySnapshot,
    name: 'inventory-snapshot',
    stream: 'inventory',
    priority: 'normal',
    expirySec: 86_400,
    body: [
      { key: 0, name: 'devices', type: { t: 'array', of: DEVICE } },
      { key: 1, name: 'part', type: uint },
      { key: 2, name: 'parts', type: uint },
    ],
  },
  {
    id: Kind.alert,
    name: 'alert',
    stream: 'alerts',
    priority: 'alert',
    body: [
      { key: 0, name: 'code', type: tstr },
      { key: 1, name: 'severity', type: { t: 'range', min: 0, max: 4 } },
      { key: 2, name: 'device', type: tstr },
      { key: 3, name: 'time', type: time },
      { key: 4, name: 'title', type: tstr },
      { key: 5, name: 'facts', type: { t: 'facts' } },
      { key: 6, name: 'count', type: uint },
    ],
  },
  ...VULNS_KINDS,
];

/** Severity scale of alert bodies (key 1): the alert catalogue's. */
export { Severity } from '../alerts/catalogue.js';

export function kindById(id: number): KindSpec | undefined {
  return KINDS.find((k) => k.id === id);
}

export function kindByName(name: string): KindSpec {
  const k = KINDS.find((s) => s.name === name);
  if (k === undefined) {
    throw new RangeError(`unknown telemetry kind ${JSON.stringify(name)}; valid: ${KINDS.map((s) => s.name).join(', ')}`);
  }
  return k;
}

// Owned-data shapes of each body, named as in the tables above.

export type SensorState = (typeof SENSOR_STATES)[number];
export type SourceState = (typeof SOURCE_STATES)[number];
// Compile-time check that the table lists exactly the capture layer's source states.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const SOURCE_STATES_MATCH_CAPTURE: Same<SourceState, CaptureSourceState> = true;

/** The capture layer's own type: the table above is its wire layout. */
export type { SourceStatus } from '../capture/types.js';

export interface StatusBody {
  readonly state: SensorState;
  readonly version: string;
  readonly uptimeSec: number;
  readonly configHash: string;
  readonly sources: readonly SourceStatus[];
  /** Reference data in use, name → version (e.g. `oui` → `ieee-data 2026-11-01, 46524 prefixes`). */
  readonly feeds?: Readonly<Record<string, string>>;
}

export interface HealthBody {
  readonly counters: Readonly<Record<string, number>>;
  readonly outboxDepth: number;
  readonly outboxDropped: number;
  readonly rssBytes: number;
  readonly sources: readonly SourceStatus[];
  readonly outboxBytes?: number;
  readonly uptimeSec?: number;
}

export interface Observation {
  readonly value: string;
  /** Protocol and field that carried it, e.g. `oui`/`mac`, `dhcp`/`option 60`. */
  readonly proto: string;
  readonly field: string;
  /** Epoch seconds of the frame (capture time). */
  readonly time: number;
  /** 1 weak .. 4 certain (src/analyze/inventory/identity.ts `Confidence`). */
  readonly confidence: number;
  /** Capture source that heard it. */
  readonly source: string;
}

export interface DeviceAttribute extends Observation {
  readonly name: AttributeName;
  /** The other value, where two disagree: the one that lost, or the one this replaced. */
  readonly conflict?: Observation;
}

/** A device as published and stored: identifiers (the first is its id), attributes with evidence, activity. */
export interface InventoryDevice {
  readonly ids: readonly Identifier[];
  readonly attrs: readonly DeviceAttribute[];
  /** Epoch seconds. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly frames: number;
  readonly bytes: number;
  readonly sources: readonly string[];
  /** Remote peers it talked to (addresses outside the site networks), at most inventory.max_peers_per_device. */
  readonly peers?: readonly Identifier[];
  /**
   * Fingerprint facts (`dhcp.prl`, `http.user_agent` ...), at most 32 of at
   * most 128 characters: fields of fingerprints, never a credential or
   * patient data. The class engine's input, kept so its explanation survives
   * a restart.
   */
  readonly facts?: readonly DeviceFact[];
}

export interface DeviceFact {
  readonly key: string;
  readonly value: string;
}

export interface InventoryDeltaBody {
  readonly devices: readonly InventoryDevice[];
  /** Devices removed (evicted, or merged into another), by id. */
  readonly removed: readonly Identifier[];
  /** Removals beyond what one delta lists (a flood); the next snapshot repairs the subscriber's table. */
  readonly removedUnlisted?: number;
}

export interface InventorySnapshotBody {
  readonly devices: readonly InventoryDevice[];
  /** 0-based part number of a snapshot split across messages. */
  readonly part: number;
  readonly parts: number;
}

export type Fact = string | number | boolean;

export interface AlertBody {
  readonly code: string;
  readonly severity: number;
  readonly device: string;
  readonly time: Time;
  readonly title: string;
  readonly facts: Readonly<Record<string, Fact>>;
  /** Occurrences folded into this alert by rate limiting (1 for a single event). */
  readonly count: number;
}

export interface KindBodies {
  status: StatusBody;
  health: HealthBody;
  'inventory-delta': InventoryDeltaBody;
  'inventory-snapshot': InventorySnapshotBody;
  alert: AlertBody;
  'vulns-delta': VulnsDeltaBody;
  'vulns-ranking': VulnsRankingBody;
}
