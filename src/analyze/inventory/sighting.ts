/**
 * The seam through which protocols and media feed the one inventory.
 *
 * The inventory itself finds wired devices from link and IP addresses
 * (attribution.ts). Everything else a frame says about a device comes from
 * a `SightingSource`: a small extractor that reads one or more decoded
 * layers and emits `Sighting`s. Examples:
 *   - DHCP: the sender (`subject: 'sender'`) has hostname X, and the fact
 *     `dhcp.prl` = "1,3,6,15" for the class engine;
 *   - Wi-Fi: station `{kind: 'mac', ...}` probed for an SSID; access point
 *     `{kind: 'bssid', ...}` also known as `{kind: 'mac', ...}`;
 *   - BLE: advertiser `{kind: 'ble', value, extra: addressType}` named
 *     "Polar H10", `ephemeral` when the address is a resolvable private one;
 *   - 802.15.4: node `{kind: 'ieee802154', ...}` also known as
 *     `{kind: 'ieee802154Short', value: '0x1a2b', extra: panId}`.
 *
 * Sources are registered in analyzers.ts and handed to the inventory, which
 * calls a source only for frames that carry one of its `layers`, after it
 * has resolved the frame's wired sender. Sources are synchronous, keep no
 * views, and own no device state: the inventory applies what they emit
 * under its caps (identity.ts rules for attributes, table.ts bounds).
 */
import type { DecodedFrame, Layer } from '../../decode/types.js';
import type { Identifier } from '../../telemetry/ident.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';

/**
 * A fingerprint fact for the class engine: which protocol field said what.
 * `key` is `<proto>.<field>` (`dhcp.prl`, `http.user_agent`, `tls.sni`,
 * `ble.service`, ...); `value` is bounded text (MAX_FACT_LENGTH), never a
 * credential or patient data.
 */
export interface Fact {
  readonly key: string;
  readonly value: string;
}

/** Longest fact value kept; longer ones are cut (and counted). */
export const MAX_FACT_LENGTH = 128;
/** Distinct facts one device keeps (the oldest of its most repeated key goes first). */
export const MAX_FACTS_PER_DEVICE = 32;
/**
 * Values one fact key keeps on a device (the oldest of that key goes first),
 * so a chatty key (`dns.query`, `port.server`) cannot push a device's DHCP
 * or NetBIOS fingerprint out of its facts.
 */
export const MAX_VALUES_PER_FACT_KEY = 8;
/** Secondary identifiers one device keeps beyond its MAC and IP addresses. */
export const MAX_OTHER_IDS = 8;

export interface Sighting {
  /**
   * Which device: `'sender'` is whatever the inventory attributed the frame
   * to (its source MAC, or local source IP); an identifier names the device
   * directly (a BLE advertiser, a Wi-Fi station, a DHCP client's chaddr).
   * A device named directly is created when it is new.
   */
  readonly subject: 'sender' | Identifier;
  /** More identifiers of the same device (an AP's BSSID and MAC, a node's short address on its PAN). */
  readonly also?: readonly Identifier[];
  /** Attribute observations, with their evidence. */
  readonly attrs?: ReadonlyArray<readonly [AttributeName, Observation]>;
  /** Fingerprint facts for the class engine. */
  readonly facts?: readonly Fact[];
  /**
   * The address is short-lived (a randomised Wi-Fi MAC, a BLE private
   * address): the device is tracked in a separately capped pool, and its
   * creation is counted, never alerted one by one.
   */
  readonly ephemeral?: boolean;
  /** The frame counts towards this device's frames, bytes and last seen (default true for a directly named subject). */
  readonly counts?: boolean;
}

export interface SightingSource {
  /** Shown in counters (`inventory.sightings.<name>`). */
  readonly name: string;
  /** Layer names (as in routes.ts) this source reads. */
  readonly layers: readonly string[];
  /** Reads `layer` of `frame` and emits what it proves. Must not keep the layer or the frame. */
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void;
  /** The source's own tables (sizes, evictions), shown in the inventory's gauges as `<name>.<key>`. */
  gauges?(): Readonly<Record<string, number>>;
}
