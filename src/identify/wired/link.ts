/**
 * LLDP and CDP as a sighting source: the sender (the Ethernet source
 * address, a switch port's MAC or an end station's) is the device the
 * frame describes.
 *
 * Who sent it is decided from the capabilities (IEEE 802.1AB-2016 §8.5.8;
 * CDP's capability bits): a bridge, router, WLAN AP, repeater or VLAN
 * bridge describes one of its own ports, so the sender is that switch port
 * and its `location` is "switch <system name> port <port id>". An end
 * station (a phone, a PC, a monitor with LLDP-MED) describes itself: its
 * port id is its own interface, which says nothing about where it sits, so
 * no location is given. Both give the system name as `hostname` and the
 * shared lldp./cdp. facts.
 */
import { capabilityNames } from '../../decode/lldp/index.js';
import type { CdpView } from '../../decode/cdp/index.js';
import type { LldpView } from '../../decode/lldp/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { Confidence } from '../../analyze/inventory/identity.js';
import type { Sighting, SightingSource } from '../../analyze/inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { attr, FactList, hostLabel } from './common.js';

function fromLldp(v: LldpView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  const facts = new FactList();
  const name = v.systemName;
  facts.add('lldp.sys_name', name);
  facts.add('lldp.sys_descr', v.systemDescription);
  const en = v.enabledCapabilities;
  const caps = en > 0 ? en : v.systemCapabilities;
  if (caps > 0) facts.add('lldp.capabilities', capabilityNames(caps));
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const host = hostLabel(name);
  if (host !== undefined) attrs.push(attr(frame, 'hostname', host, 'lldp', 'system name', Confidence.strong));
  const port = v.portId;
  if (v.fromNetworkDevice && port !== undefined) {
    const sw = name ?? v.chassisId ?? '?';
    attrs.push(attr(frame, 'location', `switch ${sw} port ${port}`, 'lldp', 'system name + port id', Confidence.strong));
  }
  if (facts.facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

function fromCdp(v: CdpView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  const facts = new FactList();
  facts.add('cdp.platform', v.platform);
  // The first line carries the product and version ("Cisco IOS Software, C2960X Software, Version 15.2(7)E").
  facts.add('cdp.software', v.softwareVersion?.split('\n')[0]);
  const id = v.deviceId;
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const host = hostLabel(id);
  if (host !== undefined) attrs.push(attr(frame, 'hostname', host, 'cdp', 'device id', Confidence.strong));
  const port = v.portId;
  if (v.fromNetworkDevice && port !== undefined && id !== undefined) {
    attrs.push(attr(frame, 'location', `switch ${id} port ${port}`, 'cdp', 'device id + port id', Confidence.strong));
  }
  if (facts.facts.length > 0 || attrs.length > 0) emit({ subject: 'sender', attrs, facts: facts.facts });
}

export const linkSightings: SightingSource = {
  name: 'lldp-cdp',
  layers: ['lldp', 'cdp'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    if (layer.name === 'lldp') fromLldp(layer as LldpView, frame, emit);
    else fromCdp(layer as CdpView, frame, emit);
  },
};
