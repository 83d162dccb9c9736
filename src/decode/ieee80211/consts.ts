/**
 * IEEE 802.11 tables as data (IEEE Std 802.11-2020). Frame types and
 * subtypes (§9.2.4.1.3 Table 9-1), element ids with their allowed lengths
 * (§9.4.2.1 Table 9-92), cipher and AKM suites (§9.4.2.24.2 Table 9-149,
 * §9.4.2.24.3 Table 9-151) and reason codes (§9.4.1.7 Table 9-49).
 */

export const TYPE_MGMT = 0;
export const TYPE_CTRL = 1;
export const TYPE_DATA = 2;
export const TYPE_EXT = 3;

/** Management subtypes (Table 9-1). */
export const MGMT = {
  assocReq: 0, assocResp: 1, reassocReq: 2, reassocResp: 3, probeReq: 4, probeResp: 5, timingAdv: 6,
  beacon: 8, atim: 9, disassoc: 10, auth: 11, deauth: 12, action: 13, actionNoAck: 14,
} as const;

/** Names by `type << 4 | subtype`, as tshark's wlan.fc.type_subtype values. */
export const SUBTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'assoc_req'], [0x01, 'assoc_resp'], [0x02, 'reassoc_req'], [0x03, 'reassoc_resp'],
  [0x04, 'probe_req'], [0x05, 'probe_resp'], [0x06, 'timing_adv'], [0x08, 'beacon'], [0x09, 'atim'],
  [0x0a, 'disassoc'], [0x0b, 'auth'], [0x0c, 'deauth'], [0x0d, 'action'], [0x0e, 'action_noack'],
  [0x12, 'trigger'], [0x14, 'vht_ndp_announce'], [0x17, 'control_wrapper'], [0x18, 'block_ack_req'], [0x19, 'block_ack'],
  [0x1a, 'ps_poll'], [0x1b, 'rts'], [0x1c, 'cts'], [0x1d, 'ack'], [0x1e, 'cf_end'], [0x1f, 'cf_end_ack'],
  [0x20, 'data'], [0x24, 'null'], [0x28, 'qos_data'], [0x2c, 'qos_null'],
]);

/**
 * Fixed fields before the elements of a management frame body, by subtype
 * (§9.3.3): capability, listen interval, status, AID, timestamp, beacon
 * interval, current AP, reason. -1: the body is not a list of elements
 * (authentication carries SAE fields after its fixed part; action frames
 * their own layouts), so elements are not walked.
 */
export const MGMT_FIXED_LEN: readonly number[] = [
  4, // assoc req: capability, listen interval
  6, // assoc resp: capability, status, AID
  10, // reassoc req: capability, listen interval, current AP
  6, // reassoc resp
  0, // probe req
  12, // probe resp: timestamp, beacon interval, capability
  10, // timing advertisement: timestamp, capability
  -1,
  12, // beacon
  0, // ATIM
  2, // disassoc: reason
  6, // auth: algorithm, sequence, status (elements only for open/shared key, see index.ts)
  2, // deauth: reason
  -1, // action
  -1, // action no ack
  -1,
];

/** Element ids (Table 9-92). */
export const EID = {
  ssid: 0, rates: 1, dsParams: 3, tim: 5, country: 7, erp: 42, htCaps: 45, rsn: 48, extRates: 50,
  htOperation: 61, extCaps: 127, vhtCaps: 191, vhtOperation: 192, vendor: 221, extension: 255,
} as const;

/** Element id extensions (Table 9-92, id 255). */
export const EID_EXT = { heCaps: 35, heOperation: 36 } as const;

export interface ElementSpec {
  readonly id: number;
  readonly name: string;
  /** Allowed length of the element's body, inclusive. */
  readonly min: number;
  readonly max: number;
}

/**
 * The elements the sensor reads, with the lengths the standard allows. A
 * body outside them is malformed (the Kismet checks: an SSID over 32
 * octets, a DS Parameter Set that is not one octet, an HT Capabilities
 * element that is not 26).
 */
export const ELEMENTS: readonly ElementSpec[] = Object.freeze([
  { id: 0, name: 'ssid', min: 0, max: 32 },
  { id: 1, name: 'supported_rates', min: 1, max: 8 },
  { id: 3, name: 'ds_parameter_set', min: 1, max: 1 },
  { id: 5, name: 'tim', min: 4, max: 254 },
  { id: 7, name: 'country', min: 3, max: 255 },
  { id: 42, name: 'erp', min: 1, max: 1 },
  { id: 45, name: 'ht_capabilities', min: 26, max: 26 },
  { id: 48, name: 'rsn', min: 2, max: 255 },
  { id: 50, name: 'extended_supported_rates', min: 1, max: 255 },
  { id: 61, name: 'ht_operation', min: 22, max: 22 },
  { id: 191, name: 'vht_capabilities', min: 12, max: 12 },
  { id: 192, name: 'vht_operation', min: 5, max: 5 },
  { id: 221, name: 'vendor_specific', min: 3, max: 255 },
  { id: 255, name: 'extension', min: 1, max: 255 },
]);

/** [min, max] body length by element id; [0, 255] for ids not in ELEMENTS. */
export const ELEMENT_MIN: readonly number[] = Array.from({ length: 256 }, (_, i) => ELEMENTS.find((e) => e.id === i)?.min ?? 0);
export const ELEMENT_MAX: readonly number[] = Array.from({ length: 256 }, (_, i) => ELEMENTS.find((e) => e.id === i)?.max ?? 255);

/** OUIs of the suites and vendor elements read here, as 24-bit numbers. */
export const OUI_IEEE80211 = 0x000fac;
export const OUI_MICROSOFT = 0x0050f2;
export const OUI_WFA = 0x506f9a;
/** Microsoft vendor element types: WPA (1), WMM/WME (2), WPS (4). */
export const MS_WPA = 1;
export const MS_WMM = 2;
export const MS_WPS = 4;
/** Wi-Fi Alliance type 0x1c: the OWE transition mode element. */
export const WFA_OWE_TRANSITION = 0x1c;

/** Cipher suite types (Table 9-149). */
export const CIPHERS: ReadonlyMap<number, string> = new Map([
  [0, 'group'], [1, 'WEP-40'], [2, 'TKIP'], [4, 'CCMP-128'], [5, 'WEP-104'], [6, 'BIP-CMAC-128'],
  [7, 'no-group'], [8, 'GCMP-128'], [9, 'GCMP-256'], [10, 'CCMP-256'], [11, 'BIP-GMAC-128'],
  [12, 'BIP-GMAC-256'], [13, 'BIP-CMAC-256'],
]);

/** AKM suite types (Table 9-151). */
export const AKMS: ReadonlyMap<number, string> = new Map([
  [1, '802.1X'], [2, 'PSK'], [3, 'FT-802.1X'], [4, 'FT-PSK'], [5, '802.1X-SHA256'], [6, 'PSK-SHA256'],
  [7, 'TDLS'], [8, 'SAE'], [9, 'FT-SAE'], [10, 'AP-PeerKey'], [11, '802.1X-SuiteB'], [12, '802.1X-SuiteB-192'],
  [13, 'FT-802.1X-SHA384'], [14, 'FILS-SHA256'], [15, 'FILS-SHA384'], [16, 'FT-FILS-SHA256'],
  [17, 'FT-FILS-SHA384'], [18, 'OWE'], [19, 'FT-PSK-SHA384'], [20, 'PSK-SHA384'], [24, 'SAE-EXT-KEY'],
  [25, 'FT-SAE-EXT-KEY'],
]);

/** AKMs that authenticate with a server (WPA-Enterprise). */
export const AKM_ENTERPRISE: ReadonlySet<number> = new Set([1, 3, 5, 11, 12, 13, 14, 15, 16, 17]);
/** AKMs of WPA3-Personal. */
export const AKM_SAE: ReadonlySet<number> = new Set([8, 9, 24, 25]);
export const AKM_OWE = 18;

/** RSN Capabilities bits (§9.4.2.24.4): management frame protection required and capable. */
export const RSN_CAP_MFPR = 0x0040;
export const RSN_CAP_MFPC = 0x0080;

/** Capability Information bit 4: Privacy (§9.4.1.4): WEP when no RSN or WPA element says more. */
export const CAP_PRIVACY = 0x0010;

/** WPS attribute types (Wi-Fi Simple Configuration Technical Specification v2.0.7 §12). */
export const WPS_ATTR = {
  manufacturer: 0x1021, modelName: 0x1023, modelNumber: 0x1024, serialNumber: 0x1042, deviceName: 0x1011,
} as const;

/** Reason codes (Table 9-49), the ones seen in attacks and on wards. */
export const REASONS: ReadonlyMap<number, string> = new Map([
  [1, 'unspecified'], [2, 'prev_auth_not_valid'], [3, 'deauth_leaving'], [4, 'disassoc_inactivity'],
  [5, 'disassoc_ap_busy'], [6, 'class2_frame_from_nonauth_sta'], [7, 'class3_frame_from_nonassoc_sta'],
  [8, 'disassoc_sta_has_left'], [9, 'sta_req_assoc_without_auth'], [14, 'mic_failure'],
  [15, '4way_handshake_timeout'], [16, 'group_key_update_timeout'], [23, 'ieee8021x_failed'],
]);
