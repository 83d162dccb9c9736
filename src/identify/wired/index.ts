/**
 * The wired discovery sighting sources (issue 7 part A), all in this
 * folder: DHCP/DHCPv6, DNS/mDNS/NBNS, SSDP/WS-Discovery, LLDP/CDP. They
 * read the views of src/decode/<proto>/ and emit sightings through the
 * inventory seam (src/analyze/inventory/sighting.ts).
 */
import type { SightingSource } from '../../analyze/inventory/sighting.js';
import { dhcpSightings } from './dhcp.js';
import { linkSightings } from './link.js';
import { nameSightings } from './names.js';
import { upnpSightings } from './upnp.js';

export { dhcpSightings, linkSightings, nameSightings, upnpSightings };

export function wiredDiscoverySources(): SightingSource[] {
  return [dhcpSightings, nameSightings, upnpSightings, linkSightings];
}
