/**
 * Everything else a ward network carries: operating systems (Windows,
 * Android, Apple, Linux), printers, switches and access points, cameras,
 * building IoT, single-board computers. DHCP option 55 orders are exact
 * (`equals`): a client sends its own order every time, and a different
 * order is a different client.
 */
import { fact, hostname, port, vendor, type ClassRule, type Condition } from './types.js';

const mdns = (service: string): Condition => ({ key: 'mdns.service', oneOf: [service] });

export const GENERIC_RULES: readonly ClassRule[] = [
  // Windows: MS-DHCPE and the public fingerprint databases.
  {
    name: 'windows.vendor_class', class: 'workstation', confidence: 2, os: 'Windows', all: [{ key: 'dhcp.vendor_class', prefix: 'MSFT 5.0' }],
    source: 'PRADS etc/dhcp.fp (gamelinux/prads): Windows 2000 and later DHCP clients send option 60 "MSFT 5.0"; most such hosts on a ward are PCs.',
  },
  {
    name: 'windows.prl.10', os: 'Windows 10/11', confidence: 3, all: [{ key: 'dhcp.prl', equals: '1,3,6,15,31,33,43,44,46,47,119,121,249,252' }],
    source: 'Fingerbank DHCP fingerprint for Windows 10/11 (option 55 order); the ward generator uses the same order (PRL_WINDOWS).',
  },
  {
    name: 'windows.prl.7', os: 'Windows 7', confidence: 3, all: [{ key: 'dhcp.prl', equals: '1,15,3,6,44,46,47,31,33,121,249,43' }],
    source: 'PRADS etc/dhcp.fp: Windows 7 DISCOVER option 55 order.',
  },
  {
    name: 'windows.prl.xp', os: 'Windows XP', confidence: 3, all: [{ key: 'dhcp.prl', equals: '1,15,3,6,44,46,47,31,33,249,43' }],
    source: 'PRADS etc/dhcp.fp: Windows XP SP3 REQUEST option 55 order (end-of-life, common on old modality consoles).',
  },
  {
    name: 'windows.netbios', os: 'Windows', confidence: 1, all: [port('tcp/445', 'tcp/139')],
    source: 'SMB/NetBIOS session service answering: usually Windows (Samba also answers), so weak.',
  },
  // Android: AOSP's DHCP client.
  {
    name: 'android.vendor_class', class: 'mobile', confidence: 3, os: 'Android $1', all: [fact('dhcp.vendor_class', '^android-dhcp-(\\d+(?:\\.\\d+)?)')],
    source: 'AOSP frameworks/base DhcpPacket.java: option 60 is "android-dhcp-" + Build.VERSION.RELEASE.',
  },
  {
    name: 'android.hostname', class: 'mobile', confidence: 2, os: 'Android', all: [hostname('^(android-[0-9a-f]{8,}|Galaxy-|Pixel-|OnePlus-)')],
    source: 'AOSP (before Android 8) sets the DHCP hostname "android-<16 hex digits>"; later releases use the device name (Galaxy-S21, Pixel-7).',
  },
  // Apple: iOS and macOS.
  {
    name: 'apple.prl', os: 'Apple iOS/macOS', confidence: 2, all: [{ key: 'dhcp.prl', equals: '1,121,3,6,15,119,252,95,44,46' }],
    source: 'Fingerbank DHCP fingerprint shared by iOS 10+ and macOS 10.12+ (option 55 order).',
  },
  {
    name: 'apple.companion_link', os: 'Apple iOS/macOS', confidence: 2, all: [mdns('_companion-link._tcp')],
    source: 'Apple devices advertise _companion-link._tcp (Continuity) over Bonjour/mDNS.',
  },
  {
    name: 'apple.mobile.mdns', class: 'mobile', confidence: 3, os: 'iOS', all: [{ key: 'mdns.service', oneOf: ['_apple-mobdev2._tcp', '_apple-mobdev._tcp'] }],
    source: 'iOS/iPadOS advertise _apple-mobdev2._tcp for Wi-Fi sync (Bonjour service type registry, RFC 6763 §7).',
  },
  {
    name: 'apple.mobile.model', class: 'mobile', confidence: 3, os: 'iOS', model: '$1', all: [fact('mdns.model', '^((?:iPhone|iPad|iPod)\\d+,\\d+)$')],
    source: 'Apple device-info TXT records carry the hardware model identifier (model=iPhone14,2).',
  },
  {
    name: 'apple.mac.model', class: 'workstation', confidence: 3, os: 'macOS', model: '$1', all: [fact('mdns.model', '^((?:MacBook(?:Pro|Air)?|iMac(?:Pro)?|Macmini|MacPro|Mac)\\d+,\\d+)$')],
    source: 'Apple device-info TXT records carry the hardware model identifier (model=MacBookPro18,1).',
  },
  {
    name: 'apple.mobile.hostname', class: 'mobile', confidence: 2, os: 'iOS', all: [hostname('(^|-)(iPhone|iPad)(-\\d+)?$')],
    source: 'iOS default device names ("Anna\'s iPhone") become DHCP hostnames such as Annas-iPhone.',
  },
  // Linux and embedded stacks.
  {
    name: 'linux.udhcpc', os: 'Linux (BusyBox udhcpc $1)', confidence: 3, all: [fact('dhcp.vendor_class', '^udhcp (\\d[\\d.]*)$')],
    source: 'BusyBox networking/udhcp/dhcpc.c: udhcpc sends option 60 "udhcp <BusyBox version>" unless told otherwise.',
  },
  {
    name: 'linux.dhcpcd', os: 'Linux (dhcpcd $1)', confidence: 3, all: [fact('dhcp.vendor_class', '^dhcpcd-(\\d[\\d.]*)')],
    source: 'dhcpcd(8): the default vendor class is "dhcpcd-<version>:<os>:<release>:<machine>".',
  },
  {
    name: 'linux.ssh_banner', os: '$1 Linux', confidence: 2, all: [fact('banner.ssh', '^SSH-2\\.0-OpenSSH_[\\w.]+ (Debian|Ubuntu|Raspbian)')],
    source: 'Debian and Ubuntu patch OpenSSH to append the distribution to the version banner (RFC 4253 §4.2 comments field).',
  },
  // Printers.
  {
    name: 'printer.ipp.mdns', class: 'printer', confidence: 3, all: [{ key: 'mdns.service', oneOf: ['_ipp._tcp', '_ipps._tcp', '_pdl-datastream._tcp', '_printer._tcp'] }],
    source: 'PWG 5100.14 (IPP Everywhere) §4.2 and RFC 6763: printers advertise _ipp._tcp / _ipps._tcp (and _pdl-datastream._tcp for raw, _printer._tcp for LPD).',
  },
  {
    name: 'printer.ipp.port', class: 'printer', confidence: 2, all: [port('tcp/631')],
    source: 'RFC 8011 §4.2 (IPP) port 631; CUPS servers also answer on it, so medium.',
  },
  {
    name: 'printer.jetdirect.port', class: 'printer', confidence: 1, all: [port('tcp/9100')],
    source: 'HP JetDirect raw printing on TCP 9100; weak alone (Prometheus node exporters use 9100 too).',
  },
  {
    name: 'printer.snmp', class: 'printer', confidence: 3, model: '$1', all: [fact('snmp.sys_descr', '((?:HP |Hewlett-Packard )?(?:LaserJet|OfficeJet|PageWide)[\\w -]*|Lexmark \\w+|Xerox \\w+|RICOH [\\w -]+|Brother [\\w-]+|KYOCERA [\\w -]+|ECOSYS \\w+|ZTC [\\w-]+|Canon iR[\\w -]*)')],
    source: 'RFC 1213 sysDescr as printers fill it (HP, Lexmark, Xerox, Ricoh, Brother, Kyocera, Zebra ZTC, Canon imageRUNNER).',
  },
  {
    name: 'printer.ssdp', class: 'printer', confidence: 3, all: [fact('ssdp.type', '^urn:schemas-upnp-org:device:Printer:\\d')],
    source: 'UPnP Printer:1 device template: printers announce urn:schemas-upnp-org:device:Printer:1 in NT/ST.',
  },
  // Switches and access points.
  {
    name: 'infra.lldp.router', class: 'network-infrastructure', confidence: 3, all: [{ key: 'lldp.capabilities', contains: ['router'] }],
    source: 'IEEE 802.1AB-2016 §8.5.8 system capabilities, enabled: router.',
  },
  {
    name: 'infra.lldp.bridge', class: 'network-infrastructure', confidence: 3, all: [{ key: 'lldp.capabilities', contains: ['bridge'] }],
    none: [{ key: 'lldp.capabilities', regex: '(^|,)(telephone|station-only)(,|$)' }],
    source: 'IEEE 802.1AB-2016 §8.5.8: MAC bridge enabled; an IP phone also says bridge (its PC port) but adds telephone, so it is excluded.',
  },
  {
    name: 'infra.lldp.ap', class: 'network-infrastructure', confidence: 3, all: [{ key: 'lldp.capabilities', regex: '(^|,)wlan(-access-point)?(,|$)' }],
    source: 'IEEE 802.1AB-2016 §8.5.8: WLAN access point enabled.',
  },
  {
    name: 'infra.cdp.platform', class: 'network-infrastructure', confidence: 3, model: '$1', all: [fact('cdp.platform', '^(?:cisco )?((?:WS-C|C9|C3|C2|IE-|ISR|N[3579]K|AIR-|C91|CW9)[\\w-]+)')],
    source: 'Cisco CDP platform TLV: switch, router and AP model numbers (Catalyst WS-C/C9xxx, ISR, Nexus, Aironet AIR-).',
  },
  {
    name: 'infra.snmp.sysdescr', class: 'network-infrastructure', confidence: 3, all: [fact('snmp.sys_descr', '(Cisco IOS|Cisco NX-OS|ArubaOS|Aruba|JUNOS|HP(E)? ?(Comware|ProCurve)|ExtremeXOS|RouterOS|FortiGate)')],
    os: '$1',
    source: 'RFC 1213 sysDescr as network operating systems fill it (Cisco IOS, NX-OS, ArubaOS, JUNOS, Comware, ExtremeXOS, RouterOS).',
  },
  // Cameras and building IoT.
  {
    name: 'camera.onvif', class: 'iot', confidence: 3, all: [{ key: 'wsd.type', regex: '(^|:)NetworkVideoTransmitter$' }],
    source: 'ONVIF Core Specification §7.3.1: a video device announces the discovery type tdn:NetworkVideoTransmitter.',
  },
  {
    name: 'camera.rtsp', class: 'iot', confidence: 2, all: [port('tcp/554')],
    source: 'RFC 7826 (RTSP 2.0) §19 port 554: a device that serves RTSP is a camera or video encoder on a ward.',
  },
  {
    name: 'camera.oui', class: 'iot', confidence: 2, all: [vendor('(Hikvision|AXIS COMMUNICATIONS|Axis Communications|Dahua|Hanwha|Mobotix|Vivotek)')],
    source: 'IEEE registry: camera makers whose prefixes are on cameras and video encoders only; an OUI that names the product line.',
  },
  {
    name: 'iot.bacnet', class: 'iot', confidence: 3, all: [port('udp/47808')],
    source: 'ASHRAE 135 Annex J: BACnet/IP on UDP 47808 (0xBAC0); building automation.',
  },
  {
    name: 'iot.modbus', class: 'iot', confidence: 2, all: [port('tcp/502')],
    source: 'Modbus TCP (Modbus Application Protocol v1.1b3, port 502): building and facility controllers.',
  },
  {
    name: 'iot.ssdp.server', class: 'iot', confidence: 1, all: [fact('ssdp.server', '(UPnP/1\\.[01]).*(miniupnpd|lwIP|Embedded|IpBridge|Sonos)')],
    source: 'UPnP Device Architecture 1.1 §1.1.3 SERVER header: embedded stacks name themselves; weak alone.',
  },
  // Single-board computers.
  {
    name: 'sbc.raspberry_pi', class: 'single-board-computer', confidence: 2, model: 'Raspberry Pi', all: [vendor('^Raspberry Pi')],
    source: 'IEEE registry: Raspberry Pi Foundation / Raspberry Pi Trading prefixes are on the boards\' own network interfaces; an OUI that names the product.',
  },
];
