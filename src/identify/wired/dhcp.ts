/**
 * DHCPv4 and DHCPv6 as a sighting source.
 *
 * DHCPv4: only client messages (op BOOTREQUEST) describe the client. The
 * client is chaddr (RFC 2131 §2), named directly as a `mac` subject: behind
 * a relay (giaddr set) the Ethernet sender is the relay, not the client.
 * Host name from option 12 (RFC 2132 §3.14), else the first label of option
 * 81 (RFC 4702); facts with the shared keys (dhcp.prl in order, vendor
 * class, user class, host name, FQDN).
 *
 * DHCPv6: client messages (RFC 8415 §7.3 types 1, 3-6, 8, 9, 11). Sent
 * directly, the sender is the client; relayed, the client is named by a
 * DUID-LLT/LL MAC when there is one, and otherwise not at all (a DUID-EN or
 * UUID names no interface the inventory knows).
 */
import type { DhcpView } from '../../decode/dhcp/index.js';
import type { Dhcpv6View } from '../../decode/dhcpv6/index.js';
import type { DecodedFrame, Layer } from '../../decode/types.js';
import { Confidence } from '../../analyze/inventory/identity.js';
import type { Sighting, SightingSource } from '../../analyze/inventory/sighting.js';
import type { AttributeName, Observation } from '../../telemetry/kinds.js';
import { attr, FactList, hostLabel } from './common.js';

const BOOTREQUEST = 1;
const V6_CLIENT_TYPES: ReadonlySet<number> = new Set([1, 3, 4, 5, 6, 8, 9, 11]);

function fromDhcp(d: DhcpView, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  if (d.op !== BOOTREQUEST) return;
  const facts = new FactList();
  const prl = d.parameterRequestList;
  if (prl !== undefined) facts.add('dhcp.prl', prl.join(','));
  facts.add('dhcp.vendor_class', d.vendorClass);
  facts.add('dhcp.user_class', d.userClass);
  const h12 = d.hostname;
  const fqdn = d.fqdn;
  facts.add('dhcp.hostname', h12);
  facts.add('dhcp.fqdn', fqdn);
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const host = hostLabel(h12);
  const hostFromFqdn = hostLabel(fqdn);
  // The client chose this name for itself: strong, but a name, not an identity.
  if (host !== undefined) attrs.push(attr(frame, 'hostname', host, 'dhcp', 'option 12', Confidence.strong));
  else if (hostFromFqdn !== undefined) attrs.push(attr(frame, 'hostname', hostFromFqdn, 'dhcp', 'option 81', Confidence.strong));
  if (facts.facts.length === 0 && attrs.length === 0) return;
  if (d.chaddrIsMac && d.chaddrKey !== 0) {
    // counts: false: the frame is the relay's or the sender's, already counted there.
    emit({ subject: { kind: 'mac', value: d.chaddr }, attrs, facts: facts.facts, counts: false });
  } else {
    emit({ subject: 'sender', attrs, facts: facts.facts });
  }
}

function fromDhcpv6(d: Dhcpv6View, frame: DecodedFrame, emit: (s: Sighting) => void): void {
  if (!V6_CLIENT_TYPES.has(d.messageType)) return;
  const facts = new FactList();
  const ent = d.vendorEnterprise;
  if (ent >= 0) facts.add('dhcpv6.vendor_class', `${ent}:${(d.vendorClassData ?? []).join(',')}`);
  const fqdn = d.fqdn;
  facts.add('dhcpv6.fqdn', fqdn);
  const attrs: Array<readonly [AttributeName, Observation]> = [];
  const host = hostLabel(fqdn);
  if (host !== undefined) attrs.push(attr(frame, 'hostname', host, 'dhcpv6', 'option 39', Confidence.strong));
  if (facts.facts.length === 0 && attrs.length === 0) return;
  if (d.relayDepth === 0) {
    emit({ subject: 'sender', attrs, facts: facts.facts });
    return;
  }
  const mac = d.duidMac;
  if (mac !== undefined) emit({ subject: { kind: 'mac', value: mac }, attrs, facts: facts.facts, counts: false });
}

export const dhcpSightings: SightingSource = {
  name: 'dhcp',
  layers: ['dhcp', 'dhcpv6'],
  extract(layer: Layer, frame: DecodedFrame, emit: (s: Sighting) => void): void {
    if (layer.name === 'dhcp') fromDhcp(layer as DhcpView, frame, emit);
    else fromDhcpv6(layer as Dhcpv6View, frame, emit);
  },
};
