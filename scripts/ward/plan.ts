/**
 * The ward's devices and addresses, decided from the seed before any frame
 * is written: which classes, which vendor, MAC, IPv4 and link-local IPv6
 * address, host name.
 *
 * Addressing: the untagged ward LAN is 10.30.0.0/16 and the monitoring
 * network on VLAN 110 is 10.31.0.0/16; the gateway is .0.1 on both (one
 * switch SVI per VLAN, one MAC). Static hosts sit in x.x.0.2+, DHCP leases
 * in x.x.1.0+. Hosts beyond the ward (reached through the gateway) use
 * TEST-NET-3, 203.0.113.0/24 (RFC 5737).
 */
import { parseMac } from '../../test/builders/frames.js';
import { Prng } from './prng.js';
import {
  CORE_CLASSES, FILL_PATTERN, LATE_CLASSES, MIN_DEVICES, profileOf,
  type DeviceClass, type DeviceProfile, type Vendor,
} from './profiles.js';

export const MAX_DEVICES = 4000;
export const VLAN_ID = 110;
export const DOMAIN = 'ward.hosp.example';

export interface WardDevice {
  readonly idx: number;
  readonly cls: DeviceClass;
  readonly profile: DeviceProfile;
  readonly vendor: Vendor;
  readonly mac: string;
  readonly ip: string;
  /** Link-local address (modified EUI-64, RFC 4291 §2.5.6) for IPv6-capable devices. */
  readonly ip6: string | undefined;
  readonly host: string;
  /** 0 untagged ward LAN, 1 VLAN 110; -1 for hosts beyond the gateway. */
  readonly segment: number;
  /** Joins after three quarters of the frames. */
  readonly late: boolean;
}

export interface WardPlan {
  readonly devices: readonly WardDevice[];
  readonly gateway: WardDevice;
  readonly external: readonly WardDevice[];
  /** The monitoring vendor of the ward: central station and most monitors. */
  readonly byClass: ReadonlyMap<DeviceClass, readonly WardDevice[]>;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function gatewayIp(segment: number): string {
  return segment === 1 ? '10.31.0.1' : '10.30.0.1';
}

function addr(segment: number, n: number): string {
  return `10.${30 + segment}.${n >> 8}.${n & 0xff}`;
}

function linkLocal(mac: string): string {
  const m = parseMac(mac);
  const w = (a: number, b: number): string => ((a << 8) | b).toString(16);
  return `fe80::${w(m[0]! ^ 0x02, m[1]!)}:${w(m[2]!, 0xff)}:${w(0xfe, m[3]!)}:${w(m[4]!, m[5]!)}`;
}

export function planWard(seed: number, count: number): WardPlan {
  if (!Number.isInteger(count) || count < MIN_DEVICES || count > MAX_DEVICES) {
    throw new RangeError(`devices must be an integer from ${MIN_DEVICES} to ${MAX_DEVICES}, got ${count}`);
  }
  // A separate stream from the traffic's, so the plan does not shift when traffic code changes.
  const rng = new Prng(seed ^ 0x5eed_d0c5);
  const classes: DeviceClass[] = [...CORE_CLASSES];
  const fill = count - CORE_CLASSES.length - LATE_CLASSES.length;
  for (let i = 0; i < fill; i++) classes.push(FILL_PATTERN[i % FILL_PATTERN.length]!);
  classes.push(...LATE_CLASSES);

  const centralVendor = rng.int(0, profileOf('central-station').vendors.length - 1);
  const macs = new Set<string>();
  const nextStatic = [2, 2];
  const nextLease = [256, 256];
  const serial = new Map<string, number>();
  const devices: WardDevice[] = [];
  for (const cls of classes) {
    const profile = profileOf(cls);
    let vendor: Vendor;
    if (cls === 'central-station') vendor = profile.vendors[centralVendor]!;
    else if (cls === 'patient-monitor' && rng.chance(0.75)) {
      // Wards buy monitors from the central station's vendor; a few spot-check monitors differ.
      const name = profileOf('central-station').vendors[centralVendor]!.name;
      vendor = profile.vendors.find((v) => v.name === name) ?? rng.pick(profile.vendors);
    } else vendor = rng.pick(profile.vendors);
    let mac: string;
    do {
      const tail = [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)].map(hex2).join(':');
      if (vendor.oui === '') {
        // Locally administered, unicast: bit 1 of the first octet set, bit 0 clear (IEEE 802 §8.2.2).
        const head = [(rng.int(0, 255) & 0xfc) | 0x02, rng.int(0, 255), rng.int(0, 255)].map(hex2).join(':');
        mac = `${head}:${tail}`;
      } else mac = `${vendor.oui.toLowerCase()}:${tail}`;
    } while (macs.has(mac));
    macs.add(mac);
    const seg = profile.segment;
    let ip: string;
    if (cls === 'gateway') ip = gatewayIp(0);
    else if (profile.dhcp) ip = addr(seg, nextLease[seg]!++);
    else ip = addr(seg, nextStatic[seg]!++);
    const n = (serial.get(vendor.host) ?? 0) + 1;
    serial.set(vendor.host, n);
    const host = vendor.host === 'raspberrypi' ? vendor.host
      : vendor.host === 'SEP' ? `SEP${mac.replace(/:/g, '').toUpperCase()}`
        : `${vendor.host}-${String(n).padStart(4, '0')}`;
    devices.push({
      idx: devices.length, cls, profile, vendor, mac, ip, host,
      ip6: profile.ipv6 ? linkLocal(mac) : undefined,
      segment: seg, late: LATE_CLASSES.includes(cls),
    });
  }
  const byClass = new Map<DeviceClass, WardDevice[]>();
  for (const d of devices) {
    const list = byClass.get(d.cls) ?? [];
    list.push(d);
    byClass.set(d.cls, list);
  }
  const extVendor: Vendor = { name: 'external', oui: '', model: 'internet host', host: 'ext' };
  const external = [10, 25, 77, 140].map((n, i): WardDevice => ({
    idx: -1 - i, cls: 'gateway', profile: profileOf('gateway'), vendor: extVendor, mac: '', ip: `203.0.113.${n}`,
    ip6: undefined, host: ['cdn.example.com', 'telemetry.example.net', 'updates.example.org', 'api.example.com'][i]!,
    segment: -1, late: false,
  }));
  return { devices, gateway: devices[0]!, external, byClass };
}
