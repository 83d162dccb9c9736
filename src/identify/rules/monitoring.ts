/**
 * Patient monitoring and ventilation: Philips, GE HealthCare, Dräger,
 * Mindray, Nihon Kohden, Masimo, Medtronic, Welch Allyn/Hillrom, Spacelabs,
 * and IEEE 11073 SDC providers.
 *
 * Philips and GE make monitors, imaging and servers alike, and Dräger makes
 * monitors and ventilators, so their OUI alone names no class here: only a
 * product-specific fact does. See infusion.ts for how `assumption:` rules
 * are held to lower confidence.
 */
import { fact, hostname, port, vendor, type ClassRule } from './types.js';
import { SDC_KNOWN_MDS } from './medical-protocols.js'; // medical (issue 11): an SDC MDS type names the device kind

const PHILIPS = vendor('^Philips (Medical|Healthcare)');
const GE = vendor('^GE (Healthcare|Medical)');
const DRAEGER = vendor('^Dr(ä|ae|a)gerwerk');

export const MONITORING_RULES: readonly ClassRule[] = [
  // Philips (registry: "Philips Medical Systems - Cardiac and Monitoring Systems (CM", "Philips Healthcare PCCI").
  {
    name: 'philips.intellivue.data_export', class: 'patient-monitor', confidence: 3, all: [PHILIPS, port('udp/24105')],
    model: 'IntelliVue',
    source: 'Philips IntelliVue Data Export Interface Programming Guide: monitors accept the Data Export association on UDP port 24105; OUI + the protocol port.',
  },
  {
    name: 'philips.intellivue.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^Philips[ _-]?IntelliVue(?:[ _-](MX\\d+|MP\\d+|X\\d+))?')],
    model: 'IntelliVue $1',
    source: 'assumption: product name in option 60 (ward generator value); Philips "Networking IntelliVue Patient Monitors" technical data sheet describes monitors on the customer network with DHCP.',
  },
  {
    name: 'philips.intellivue.hostname', class: 'patient-monitor', confidence: 2, all: [PHILIPS, hostname('^(MX|MP|X)\\d{1,3}\\b|^INTELLIVUE')],
    model: 'IntelliVue',
    source: 'assumption: hostnames after the IntelliVue model (MX800, MP70, X3), with the Philips OUI.',
  },
  {
    name: 'philips.picix.hostname', class: 'patient-monitor', confidence: 3, all: [PHILIPS, hostname('^(PIC ?iX|PIIC|IIC)')],
    model: 'IntelliVue Information Center',
    source: 'assumption: hostnames of Philips IntelliVue Information Center (PIIC / PIC iX) central stations, with the Philips OUI; the class covers central monitors (classes.ts).',
  },
  // GE HealthCare (registry: "GE Healthcare", "GE Medical System(China) Co., Ltd.").
  {
    name: 'ge.carescape.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^GE(?: ?Healthcare)?[ _-]?(B[1-9]\\d{2}|CARESCAPE[ _-]?B\\d+|Dash ?\\d+)')],
    model: 'CARESCAPE $1',
    source: 'assumption: model in option 60 (ward generator value); GE CARESCAPE B450/B650/B850 and Dash monitors.',
  },
  {
    name: 'ge.ventilator.vendor_class', class: 'ventilator', confidence: 2, all: [fact('dhcp.vendor_class', '^GE(?: ?Healthcare)?[ _-]?(R860|CARESCAPE[ _-]?R860|Aisys|Avance|Carestation)')],
    model: 'GE $1',
    source: 'assumption: model in option 60; CARESCAPE R860 ventilator and Aisys/Avance anaesthesia carestations.',
  },
  {
    name: 'ge.monitor.hostname', class: 'patient-monitor', confidence: 2, all: [GE, hostname('^(B[4-8]50|DASH|CARESCAPE)')],
    source: 'assumption: hostnames after the CARESCAPE model, with the GE OUI.',
  },
  {
    name: 'ge.central.services', class: 'patient-monitor', confidence: 2, all: [GE, port('tcp/5900', 'tcp/10000')],
    model: 'CARESCAPE central station / CIC',
    source: 'CISA ICSMA-20-023-01 (MDhex): CARESCAPE Central Station and Clinical Information Center expose VNC and Webmin; OUI + service pattern.',
  },
  // Dräger (registry: "Drägerwerk AG & Co. KG aA").
  {
    name: 'draeger.ventilator.vendor_class', class: 'ventilator', confidence: 2, all: [fact('dhcp.vendor_class', '^Dr(?:ä|ae|a)ger[ _-]?(Evita(?:[ _-]?V?\\d+)?|Savina|Babylog|Perseus|Primus|Atlan|Fabius|Zeus)')],
    model: 'Dräger $1',
    source: 'assumption: product name in option 60 (ward generator value); Evita, Savina, Babylog ventilators and Perseus, Primus, Atlan, Fabius, Zeus anaesthesia workstations.',
  },
  {
    name: 'draeger.ventilator.hostname', class: 'ventilator', confidence: 2, all: [DRAEGER, hostname('^(EVITA|SAVINA|BABYLOG|PERSEUS|PRIMUS|ATLAN|FABIUS)')],
    source: 'assumption: hostnames after the product, with the Dräger OUI.',
  },
  {
    name: 'draeger.monitor.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^Dr(?:ä|ae|a)ger[ _-]?(Infinity(?:[ _-]?\\w+)?|Delta|Vista|M540)')],
    model: 'Dräger $1',
    source: 'assumption: product name in option 60; Infinity Delta/Vista and M540 patient monitors.',
  },
  // IEEE 11073 SDC: MDPWS devices announce themselves over WS-Discovery.
  {
    name: 'sdc.medical_device', class: 'medical-device', confidence: 3, all: [{ key: 'wsd.type', regex: '(^|:)MedicalDevice$' }], none: [SDC_KNOWN_MDS],
    source: 'IEEE 11073-20702 (MDPWS) §9: an SDC provider lists the type mdpws:MedicalDevice in its WS-Discovery Hello and ProbeMatch Types.',
  },
  // Mindray (registry: "Mindray Co., Ltd.", "Mindray DS USA, Inc.").
  {
    name: 'mindray.oui', class: 'patient-monitor', confidence: 1, all: [vendor('^Mindray')],
    source: 'IEEE registry: Mindray prefixes; on a ward mostly BeneVision/ePM monitors (Mindray also makes ultrasound and anaesthesia systems, so the OUI is weak).',
  },
  {
    name: 'mindray.monitor.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^Mindray[ _-]?(N-?Series|BeneVision(?:[ _-]?N\\d+)?|ePM ?\\d*|iPM ?\\d*|uMEC ?\\d*)')],
    model: 'Mindray $1',
    source: 'assumption: product name in option 60 (ward generator value).',
  },
  {
    name: 'mindray.monitor.hostname', class: 'patient-monitor', confidence: 2, all: [vendor('^Mindray'), hostname('^(N1[2579]|N22|ePM|iPM|BeneVision)')],
    source: 'assumption: hostnames after the BeneVision N / ePM model, with the Mindray OUI.',
  },
  // Nihon Kohden (registry: "NIHON KOHDEN AMERICA").
  {
    name: 'nihonkohden.oui', class: 'patient-monitor', confidence: 1, all: [vendor('^NIHON KOHDEN')],
    source: 'IEEE registry: Nihon Kohden America; its networked ward products are Life Scope monitors and CNS central stations.',
  },
  {
    name: 'nihonkohden.monitor.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:NK|Nihon ?Kohden)[ _-]?(Life ?Scope(?:[ _-]?\\w+)?|CNS-?\\d+|BSM-?\\d+)')],
    model: 'Nihon Kohden $1',
    source: 'assumption: product name in option 60 (ward generator value).',
  },
  // Masimo (registry: "Masimo Corp", "Masimo Corporation").
  {
    name: 'masimo.oui', class: 'patient-monitor', confidence: 1, all: [vendor('^Masimo')],
    source: 'IEEE registry: Masimo prefixes (Root, Radical-7, Patient SafetyNet).',
  },
  {
    name: 'masimo.root.hostname', class: 'patient-monitor', confidence: 2, all: [vendor('^Masimo'), hostname('^(ROOT|RAD-?\\d+|RADICAL)')],
    model: 'Masimo $1',
    source: 'assumption: hostnames after the product, with the Masimo OUI.',
  },
  // Medtronic (registry: "Medtronic", "Medtronic Diabetes"): ventilators, monitors and insulin pumps, so no OUI rule.
  {
    name: 'medtronic.pb.vendor_class', class: 'ventilator', confidence: 2, all: [fact('dhcp.vendor_class', '(Puritan[ _-]?Bennett[ _-]?(\\d+)|PB ?(980|840))')],
    model: 'Puritan Bennett $2$3',
    source: 'assumption: product name in option 60; Puritan Bennett 840/980 ventilators.',
  },
  {
    name: 'medtronic.capnostream.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '(Capnostream ?\\d*|Vital ?Sync)')],
    model: 'Medtronic $1',
    source: 'assumption: product name in option 60; Capnostream monitors and the Vital Sync gateway.',
  },
  // Welch Allyn (registry: "Welch Allyn, Inc.").
  {
    name: 'welchallyn.oui', class: 'patient-monitor', confidence: 1, all: [vendor('^Welch Allyn')],
    source: 'IEEE registry: Welch Allyn; its networked ward products are Connex vital signs and spot monitors.',
  },
  {
    name: 'welchallyn.connex.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^(?:Welch ?Allyn|WA)[ _-]?(CVSM|CSM|Connex(?:[ _-]?\\w+)?|VSM ?\\d*)')],
    model: 'Welch Allyn $1',
    source: 'assumption: product name in option 60 (ward generator value); Welch Allyn Connex network installation best-practices guide describes DHCP on wired and 802.11 radios.',
  },
  // Spacelabs (registry: "SPACELABS MEDICAL").
  {
    name: 'spacelabs.oui', class: 'patient-monitor', confidence: 1, all: [vendor('^SPACELABS')],
    source: 'IEEE registry: Spacelabs Medical (Xprezzon, Qube monitors; XprezzNet central).',
  },
  {
    name: 'spacelabs.monitor.vendor_class', class: 'patient-monitor', confidence: 2, all: [fact('dhcp.vendor_class', '^Spacelabs[ _-]?(Xprezzon(?:[ _-]?\\d+)?|Qube(?:[ _-]?\\w+)?|XprezzNet)')],
    model: 'Spacelabs $1',
    source: 'assumption: product name in option 60 (ward generator value).',
  },
];
