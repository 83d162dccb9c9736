/**
 * Clinical communication and ward logistics: Ascom, Vocera/Stryker,
 * Hillrom, Zebra. Nurse call, handsets and badges, smart beds, label
 * printers and mobile computers.
 */
import { fact, hostname, port, vendor, type ClassRule } from './types.js';

export const COMMUNICATION_RULES: readonly ClassRule[] = [
  // Ascom (registry: "Ascom Danmark A/S" among others): handsets (i62, Myco) and Telligence/teleCARE nurse call.
  {
    name: 'ascom.oui', class: 'mobile', confidence: 1, all: [vendor('^Ascom\\b')],
    source: 'IEEE registry: Ascom prefixes; on wards mostly the i62 and Myco handsets that carry nurse-call alarms.',
  },
  {
    name: 'ascom.handset.vendor_class', class: 'mobile', confidence: 2, all: [fact('dhcp.vendor_class', '^Ascom[ _-]?(Myco ?\\d*|i6\\d|d6\\d)')],
    model: 'Ascom $1',
    source: 'assumption: product name in option 60 (ward generator value); Ascom Myco (Android) and i62/d62 handsets.',
  },
  {
    name: 'ascom.nursecall.hostname', class: 'nurse-call', confidence: 2, all: [vendor('^Ascom\\b'), hostname('(TELLIGENCE|TELECARE|UNITE)')],
    source: 'assumption: Ascom Telligence/teleCARE nurse-call controllers and Unite messaging named after the product, with the Ascom OUI.',
  },
  // Vocera (registry: "Vocera Communications"), now Stryker (registry: "Stryker Corporation").
  {
    name: 'vocera.oui', class: 'mobile', confidence: 2, all: [vendor('^Vocera')],
    source: 'IEEE registry: Vocera Communications; the prefix is on Vocera badges (B3000n, V5000) and smartbadges, which are all it makes; an OUI that names the product line.',
  },
  {
    name: 'vocera.badge.vendor_class', class: 'mobile', confidence: 2, all: [fact('dhcp.vendor_class', '^Vocera[ _-]?(B\\d{4}n?|V\\d{4}|Smartbadge)?')],
    model: 'Vocera $1',
    source: 'assumption: product name in option 60.',
  },
  {
    name: 'stryker.oui', class: 'nurse-call', confidence: 1, all: [vendor('^Stryker')],
    source: 'IEEE registry: Stryker Corporation; networked ward products are connected beds (iBed) reporting bed exit to nurse call.',
  },
  // Hillrom (registry: "Hill-Rom"): smart beds (Centrella) and NaviCare nurse call.
  {
    name: 'hillrom.oui', class: 'nurse-call', confidence: 1, all: [vendor('^Hill-?Rom')],
    source: 'IEEE registry: Hill-Rom; connected beds and NaviCare nurse call (the class covers bed-exit sensors, classes.ts).',
  },
  {
    name: 'hillrom.bed.vendor_class', class: 'nurse-call', confidence: 2, all: [fact('dhcp.vendor_class', '^Hill-?Rom[ _-]?(Centrella|Progressa|VersaCare|NaviCare)')],
    model: 'Hillrom $1',
    source: 'assumption: product name in option 60 (ward generator value).',
  },
  // Zebra (registry: "Zebra Technologies Corp."): label printers and Android mobile computers.
  {
    name: 'zebra.printer.vendor_class', class: 'printer', confidence: 2, all: [fact('dhcp.vendor_class', '^Zebra[ _-]?((?:ZD|ZT|ZQ|GK|GX|QLn)\\d+\\w*)')],
    model: 'Zebra $1',
    source: 'assumption: printer model in option 60 (ward generator value); Zebra printer models ZD/ZT/ZQ/GK.',
  },
  {
    name: 'zebra.printer.snmp', class: 'printer', confidence: 3, all: [{ key: 'snmp.sys_object_id', prefix: '1.3.6.1.4.1.10642' }],
    source: 'IANA Private Enterprise Numbers: 10642 is Zebra Technologies; Zebra printers report sysObjectID under it (ZEBRA-QL-MIB).',
  },
  {
    name: 'zebra.printer.oui_port', class: 'printer', confidence: 2, all: [vendor('^Zebra Technologies'), port('tcp/9100', 'tcp/6101')],
    source: 'Zebra ZPL programming guide: raw ZPL on TCP 9100 (and 6101 on older print servers); OUI + service pattern.',
  },
  {
    name: 'zebra.mobile.android', class: 'mobile', confidence: 3, all: [vendor('^Zebra Technologies'), fact('dhcp.vendor_class', '^android-dhcp-')],
    model: 'Zebra mobile computer',
    source: 'Zebra TC-series mobile computers run Android, whose DHCP client sends "android-dhcp-<release>" (AOSP DhcpPacket.java).',
  },
  {
    name: 'nursecall.rauland.oui', class: 'nurse-call', confidence: 2, all: [vendor('^RAULAND')],
    source: 'IEEE registry: Rauland-Borg (Responder nurse call); an OUI that names the product line.',
  },
];
