/**
 * Wired fingerprints of the ward's devices, and the payloads that carry
 * them: what a passive sensor reads to tell a pump from a printer (issue 7).
 * Values are what such products send (vendor documentation, public
 * captures, fingerprint databases) or, where nothing public shows the exact
 * string, plausible values in the product's own naming, marked
 * `assumption`. Medical devices carry values the class rules of
 * src/identify/rules/ recognise; the rule is named beside each value.
 *
 * No value here is, or imitates, patient data or a credential.
 */
import { concat, parseIpv4 } from '../../test/builders/frames.js';
import type { Vendor } from './profiles.js';

type Bytes = Uint8Array;
const enc = new TextEncoder();

export interface Fingerprint {
  /** SNMP sysDescr (RFC 3418 §2) the device's agent answers with. */
  readonly sysDescr?: string;
  /** HTTP/1.1 User-Agent it sends as a client (RFC 9110 §10.1.5). */
  readonly userAgent?: string;
  /** HTTP/1.1 Server header it answers with (RFC 9110 §10.2.4). */
  readonly httpServer?: string;
  /** DNS-SD service it announces over mDNS (RFC 6763 §7), and its TXT keys (§6). */
  readonly mdns?: { readonly service: string; readonly txt: Readonly<Record<string, string>> };
  /** SSDP: NOTIFY SERVER and NT, or M-SEARCH USER-AGENT and ST (UPnP Device Architecture 2.0 §1.2, §1.3). */
  readonly ssdp?: { readonly method: 'NOTIFY' | 'M-SEARCH'; readonly agent: string; readonly type: string };
  /** SSH identification string of its server (RFC 4253 §4.2). */
  readonly sshServer?: string;
}

/** By `<vendor name>/<model>` of profiles.ts. */
const FINGERPRINTS: Readonly<Record<string, Fingerprint>> = {
  // Cisco IOS XE sysDescr format as `show version` prints it (rule infra.snmp.sysdescr); SSH "Cisco-1.25" is IOS's server string.
  'Cisco/Catalyst 9300': {
    sysDescr: 'Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)',
    sshServer: 'SSH-2.0-Cisco-1.25',
  },
  'Dell/PowerEdge R750': { sshServer: 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6', httpServer: 'Apache/2.4.52 (Ubuntu)' },
  'HP/ProLiant DL360': { httpServer: 'Microsoft-IIS/10.0' },
  // assumption: the ICU Medical MedNet server names itself (rule icumedical.mednet.http_server), on a Windows server.
  'Dell/PowerEdge R650': { httpServer: 'Microsoft-IIS/10.0 MedNet', userAgent: 'Apache-HttpClient/4.5.13 (Java/1.8.0_382)' },
  'HP/ProLiant DL20': { sshServer: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', userAgent: 'Zabbix 6.4' },
  // Embedded web servers of pump communication modules (assumption: the product families' typical embedded servers).
  'B.Braun/Space Infusomat': { httpServer: 'lighttpd/1.4.59' }, // with the OUI: rule bbraun.spacecom.web (tcp/80)
  'Baxter/Novum IQ': { httpServer: 'nginx' },
  'CareFusion/Alaris 8015 PC Unit': { httpServer: 'Allegro-Software-RomPager/4.61' },
  'ICU Medical/Plum 360': { httpServer: 'GoAhead-Webs' },
  'Fresenius Kabi/Agilia Connect': { httpServer: 'Agilia Link+ web server' },
  // Windows 10/11 workstations: Edge's User-Agent, and the SSDP search Windows' discovery service sends.
  'Dell/OptiPlex 7010': {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    ssdp: { method: 'M-SEARCH', agent: 'Microsoft-Windows/10.0 UPnP/1.0', type: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1' },
  },
  'HP/EliteDesk 800': {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    ssdp: { method: 'M-SEARCH', agent: 'Microsoft-Windows/10.0 UPnP/1.0', type: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1' },
  },
  // Zebra Link-OS printers announce IPP and raw printing over mDNS with the printer TXT keys (rule printer.ipp.mdns).
  'Zebra/ZD621': {
    sysDescr: 'Zebra Technologies ZTC ZD621-203dpi ZPL',
    httpServer: 'Zebra Link-OS Web Server',
    mdns: { service: '_pdl-datastream._tcp', txt: { ty: 'Zebra ZD621-203dpi ZPL', usb_MFG: 'Zebra Technologies', usb_MDL: 'ZD621-203dpi ZPL', product: '(ZD621)' } },
  },
  'Ascom/Myco 3': { userAgent: 'Dalvik/2.1.0 (Linux; U; Android 9; Myco 3 Build/PKQ1.190118.001)', sysDescr: 'Ascom Myco 3 Android 9' },
  'Cisco/IP Phone 8865': { userAgent: 'Cisco-CP8865/14.2.1', sysDescr: 'Cisco IP Phone CP-8865', httpServer: 'Allegro-Software-RomPager/4.34' },
  'Hill-Rom/Centrella': { httpServer: 'Hill-Rom Centrella' },
  '(locally administered)/laptop': {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
    ssdp: { method: 'M-SEARCH', agent: 'Microsoft-Windows/10.0 UPnP/1.0', type: 'urn:dial-multiscreen-org:service:dial:1' },
  },
  // Raspberry Pi OS: avahi announces the workstation service; a miniupnpd NOTIFY and curl as a client (rule sbc.raspberry_pi is by OUI).
  'Raspberry Pi/Raspberry Pi': {
    userAgent: 'curl/7.88.1',
    sshServer: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2',
    mdns: { service: '_workstation._tcp', txt: {} },
    ssdp: { method: 'NOTIFY', agent: 'Linux/6.1.21-v8+ UPnP/1.1 miniupnpd/2.3.3', type: 'upnp:rootdevice' },
  },
};

export function fingerprintOf(v: Vendor): Fingerprint {
  return FINGERPRINTS[`${v.name}/${v.model}`] ?? {};
}

/** Every vendor/model with a fingerprint, for tests. */
export function fingerprintKeys(): string[] {
  return Object.keys(FINGERPRINTS);
}

function u16(v: number): Bytes {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}
function u32(v: number): Bytes {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
function name(n: string): Bytes {
  const parts: Bytes[] = [];
  for (const label of n.split('.')) {
    const b = enc.encode(label);
    parts.push(Uint8Array.of(b.length), b);
  }
  parts.push(Uint8Array.of(0));
  return concat(...parts);
}
function rr(owner: string, type: number, cacheFlush: boolean, ttl: number, data: Bytes): Bytes {
  return concat(name(owner), u16(type), u16(cacheFlush ? 0x8001 : 1), u32(ttl), u16(data.length), data);
}

/**
 * An unsolicited mDNS announcement (RFC 6762 §8.3): PTR service -> instance,
 * SRV instance -> host and port, TXT keys, A host -> address; names in full
 * (no compression), so every record reads on its own.
 */
export function mdnsAnnounce(host: string, instance: string, service: string, port: number, txt: Readonly<Record<string, string>>, ip: string): Bytes {
  const svc = `${service}.local`;
  const inst = `${instance}.${svc}`;
  const fqdn = `${host}.local`;
  const txtData = Object.keys(txt).length === 0
    ? Uint8Array.of(0)
    : concat(...Object.entries(txt).map(([k, v]) => {
      const b = enc.encode(`${k}=${v}`);
      return concat(Uint8Array.of(b.length), b);
    }));
  const answers = [
    rr(svc, 12, false, 4500, name(inst)),
    rr(inst, 33, true, 120, concat(u16(0), u16(0), u16(port), name(fqdn))),
    rr(inst, 16, true, 4500, txtData),
    rr(fqdn, 1, true, 120, parseIpv4(ip)),
  ];
  return concat(u16(0), u16(0x8400), u16(0), u16(answers.length), u16(0), u16(0), ...answers);
}

/** SSDP NOTIFY ssdp:alive (UPnP Device Architecture 2.0 §1.2.2). */
export function ssdpNotify(ip: string, uuid: string, server: string, nt: string): Bytes {
  return enc.encode(
    'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n'
    + `LOCATION: http://${ip}:5000/rootDesc.xml\r\nNT: ${nt}\r\nNTS: ssdp:alive\r\nSERVER: ${server}\r\nUSN: uuid:${uuid}::${nt}\r\n\r\n`,
  );
}

/** SSDP M-SEARCH (UPnP Device Architecture 2.0 §1.3.2). */
export function ssdpSearch(agent: string, st: string): Bytes {
  return enc.encode(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: ${st}\r\nUSER-AGENT: ${agent}\r\n\r\n`);
}

/** An HTTP/1.1 GET (RFC 9112 §3) with Host and User-Agent. */
export function httpGet(host: string, path: string, userAgent: string): Bytes {
  return enc.encode(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${userAgent}\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
}

/** Its 200 answer with a Server header and a small JSON status body (device state, no patient data). */
export function httpOk(server: string, bodyBytes: number): Bytes {
  const body = `{"status":"ok","pad":"${'x'.repeat(Math.max(0, bodyBytes - 24))}"}`;
  return enc.encode(`HTTP/1.1 200 OK\r\nServer: ${server}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
}

/** An SSH identification line (RFC 4253 §4.2). */
export function sshIdent(s: string): Bytes {
  return enc.encode(`${s}\r\n`);
}
