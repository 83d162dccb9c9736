/**
 * The classification table: fingerprints as the inventory sees them (the
 * OUI vendor, the hostname attribute and the fingerprint facts of the
 * shared vocabulary), the class the engine must give, and the rules that
 * must fire. Values are real where a public source shows them (Windows and
 * Apple option 55 orders, AOSP and BusyBox vendor classes, IANA enterprise
 * numbers, LLDP capabilities) and realistic otherwise (the ward generator's
 * medical vendor classes). Devices that must stay `unknown` are listed too.
 */
import t from 'tap';
import { ClassEngine, MIN_CONFIDENCE, type ClassifyInput } from './engine.js';
import { DEVICE_CLASSES, type DeviceClassName } from './classes.js';
import { CLASS_RULES } from './rules/index.js';

const engine = new ClassEngine();

const WIN10 = '1,3,6,15,31,33,43,44,46,47,119,121,249,252';
const UDHCPC = '1,3,6,12,15,28,42';
const EMBEDDED = '1,3,6,15,42';
const APPLE = '1,121,3,6,15,119,252,95,44,46';
const PHILIPS = 'Philips Medical Systems - Cardiac and Monitoring Systems (CM';

interface Case {
  readonly name: string;
  readonly vendor?: string;
  readonly hostname?: string;
  readonly facts: Record<string, string | string[]>;
  readonly cls: DeviceClassName;
  readonly fire: readonly string[];
  readonly confidence?: number;
  readonly model?: string;
  readonly os?: string;
  readonly firmware?: string;
}

const CASES: readonly Case[] = [
  // Infusion
  { name: 'BD Alaris PC unit', vendor: 'Carefusion', hostname: 'ALARIS-0412', facts: { 'dhcp.vendor_class': 'CareFusion Alaris', 'dhcp.prl': UDHCPC }, cls: 'infusion-pump', fire: ['bd.oui', 'bd.alaris.vendor_class', 'bd.alaris.hostname'], confidence: 3, model: 'Alaris' },
  { name: 'Baxter Novum IQ', vendor: 'Baxter International Inc', hostname: 'NOVUM-12', facts: { 'dhcp.vendor_class': 'Baxter Novum', 'dhcp.prl': UDHCPC }, cls: 'infusion-pump', fire: ['baxter.oui', 'baxter.pump.vendor_class', 'baxter.pump.hostname'], confidence: 3, model: 'Baxter Novum' },
  { name: 'Sigma Spectrum behind a radio module OUI', vendor: 'Lantronix', facts: { 'dhcp.vendor_class': 'Sigma Spectrum' }, cls: 'infusion-pump', fire: ['baxter.pump.vendor_class'], confidence: 2, model: 'Baxter Sigma Spectrum' },
  { name: 'B. Braun SpaceStation', vendor: 'B.Braun Melsungen AG', facts: { 'dhcp.vendor_class': 'BBraun SpaceStation', 'port.server': 'tcp/443' }, cls: 'infusion-pump', fire: ['bbraun.oui', 'bbraun.space.vendor_class', 'bbraun.spacecom.web'], confidence: 3, model: 'B. Braun SpaceStation' },
  { name: 'Fresenius Kabi Agilia', vendor: 'FRESENIUS-VIAL', facts: { 'dhcp.vendor_class': 'Fresenius Agilia' }, cls: 'infusion-pump', fire: ['fresenius.oui', 'fresenius.agilia.vendor_class'], confidence: 3, model: 'Fresenius Kabi Agilia' },
  { name: 'ICU Medical Plum 360', vendor: 'ICU Medical, Inc.', facts: { 'dhcp.vendor_class': 'ICU Medical Plum 360' }, cls: 'infusion-pump', fire: ['icumedical.oui', 'icumedical.pump.vendor_class'], model: 'Plum 360' },
  { name: 'Hospira LifeCare PCA answering Telnet', vendor: 'ICU Medical, Inc.', facts: { 'port.server': ['tcp/80', 'tcp/23'] }, cls: 'infusion-pump', fire: ['icumedical.oui', 'icumedical.hospira.telnet'], confidence: 3 },
  // Monitoring and ventilation
  { name: 'Philips IntelliVue MX800', vendor: PHILIPS, hostname: 'MX800-BED12', facts: { 'dhcp.vendor_class': 'Philips IntelliVue MX800', 'port.server': 'udp/24105', 'dhcp.prl': EMBEDDED }, cls: 'patient-monitor', fire: ['philips.intellivue.data_export', 'philips.intellivue.vendor_class', 'philips.intellivue.hostname'], confidence: 4, model: 'IntelliVue' },
  { name: 'Philips PIC iX central station on Windows', vendor: PHILIPS, hostname: 'PICIX-01', facts: { 'dhcp.vendor_class': 'MSFT 5.0', 'dhcp.prl': WIN10 }, cls: 'patient-monitor', fire: ['philips.picix.hostname', 'windows.vendor_class', 'windows.prl.10'], confidence: 3, os: 'Windows 10/11', model: 'IntelliVue Information Center' },
  { name: 'GE CARESCAPE B650', vendor: 'GE Healthcare', hostname: 'B650-03', facts: { 'dhcp.vendor_class': 'GE Healthcare B650' }, cls: 'patient-monitor', fire: ['ge.carescape.vendor_class', 'ge.monitor.hostname'], confidence: 3, model: 'CARESCAPE B650' },
  { name: 'GE CARESCAPE R860 ventilator', vendor: 'GE Healthcare', hostname: 'R860', facts: { 'dhcp.vendor_class': 'GE Healthcare R860' }, cls: 'ventilator', fire: ['ge.ventilator.vendor_class'], confidence: 2, model: 'GE R860' },
  { name: 'GE CIC central (MDhex services)', vendor: 'GE Healthcare', facts: { 'port.server': ['tcp/5900', 'tcp/10000'] }, cls: 'patient-monitor', fire: ['ge.central.services'], confidence: 2 },
  { name: 'Dräger Evita V800', vendor: 'Drägerwerk AG & Co. KG aA', hostname: 'EVITA-7', facts: { 'dhcp.vendor_class': 'Draeger Evita V800' }, cls: 'ventilator', fire: ['draeger.ventilator.vendor_class', 'draeger.ventilator.hostname'], confidence: 3, model: 'Dräger Evita V800' },
  { name: 'Dräger SDC provider', vendor: 'Drägerwerk AG & Co. KG aA', facts: { 'wsd.type': ['dpws:Device', 'mdpws:MedicalDevice'] }, cls: 'medical-device', fire: ['sdc.medical_device'], confidence: 3 },
  { name: 'Mindray BeneVision N17', vendor: 'Mindray Co., Ltd.', hostname: 'N17-BED3', facts: { 'dhcp.vendor_class': 'Mindray N-Series' }, cls: 'patient-monitor', fire: ['mindray.oui', 'mindray.monitor.vendor_class', 'mindray.monitor.hostname'], confidence: 3 },
  { name: 'Nihon Kohden Life Scope', vendor: 'NIHON KOHDEN AMERICA', facts: { 'dhcp.vendor_class': 'NK LifeScope' }, cls: 'patient-monitor', fire: ['nihonkohden.oui', 'nihonkohden.monitor.vendor_class'], confidence: 3 },
  { name: 'Masimo Root on BusyBox', vendor: 'Masimo Corp', hostname: 'ROOT-22', facts: { 'dhcp.vendor_class': 'udhcp 1.30.1', 'dhcp.prl': EMBEDDED }, cls: 'patient-monitor', fire: ['masimo.oui', 'masimo.root.hostname', 'linux.udhcpc'], confidence: 3, os: 'Linux (BusyBox udhcpc 1.30.1)', model: 'Masimo ROOT' },
  { name: 'Medtronic Puritan Bennett 980', vendor: 'Medtronic', facts: { 'dhcp.vendor_class': 'PB980' }, cls: 'ventilator', fire: ['medtronic.pb.vendor_class'], confidence: 2, model: 'Puritan Bennett 980' },
  { name: 'Welch Allyn Connex VSM', vendor: 'Welch Allyn, Inc.', facts: { 'dhcp.vendor_class': 'WelchAllyn CVSM' }, cls: 'patient-monitor', fire: ['welchallyn.oui', 'welchallyn.connex.vendor_class'], confidence: 3, model: 'Welch Allyn CVSM' },
  { name: 'Spacelabs Xprezzon', vendor: 'SPACELABS MEDICAL', facts: { 'dhcp.vendor_class': 'Spacelabs Xprezzon' }, cls: 'patient-monitor', fire: ['spacelabs.oui', 'spacelabs.monitor.vendor_class'], confidence: 3 },
  // Imaging and lab
  { name: 'Siemens CT console', vendor: 'Siemens AG', facts: { 'dicom.implementation_version': 'SIEMENS_SWFVB10A', 'port.server': 'tcp/104' }, cls: 'imaging', fire: ['siemens.dicom', 'dicom.port'], confidence: 4, firmware: 'SWFVB10A' },
  { name: 'Fujifilm FCR', vendor: 'FUJIFILM Healthcare Corporation', facts: { 'dicom.implementation_version': 'FUJIFILM_FCR_V4' }, cls: 'imaging', fire: ['fujifilm.dicom', 'fujifilm.healthcare.oui'], confidence: 4 },
  { name: 'Carestream DRX console', vendor: 'Carestream Health, Inc.', facts: { 'port.server': 'tcp/104' }, cls: 'imaging', fire: ['carestream.oui', 'dicom.port'], confidence: 3 },
  { name: 'Canon (Toshiba) CT', facts: { 'dicom.implementation_version': 'TOSHIBA_MEC_CT3' }, cls: 'imaging', fire: ['canon.dicom'], confidence: 3, firmware: 'MEC_CT3' },
  { name: 'Abbott i-STAT analyser', vendor: 'Abbott Point of Care', facts: {}, cls: 'lab-analyzer', fire: ['poc.analyzer.oui'], confidence: 2 },
  // Communication and logistics
  { name: 'Ascom Myco handset', vendor: 'Ascom Danmark A/S', facts: { 'dhcp.vendor_class': 'Ascom Myco' }, cls: 'mobile', fire: ['ascom.oui', 'ascom.handset.vendor_class'], confidence: 3, model: 'Ascom Myco' },
  { name: 'Vocera badge', vendor: 'Vocera Communications', facts: {}, cls: 'mobile', fire: ['vocera.oui'], confidence: 2 },
  { name: 'Hillrom Centrella bed', vendor: 'Hill-Rom', facts: { 'dhcp.vendor_class': 'Hill-Rom Centrella' }, cls: 'nurse-call', fire: ['hillrom.oui', 'hillrom.bed.vendor_class'], confidence: 3, model: 'Hillrom Centrella' },
  { name: 'Zebra ZD621 label printer', vendor: 'Zebra Technologies Corp.', facts: { 'dhcp.vendor_class': 'Zebra ZD621', 'port.server': 'tcp/9100', 'snmp.sys_object_id': '1.3.6.1.4.1.10642.1.1' }, cls: 'printer', fire: ['zebra.printer.vendor_class', 'zebra.printer.snmp', 'zebra.printer.oui_port', 'printer.jetdirect.port'], confidence: 4, model: 'Zebra ZD621' },
  { name: 'Zebra TC52 mobile computer', vendor: 'Zebra Technologies Corp.', facts: { 'dhcp.vendor_class': 'android-dhcp-11' }, cls: 'mobile', fire: ['zebra.mobile.android', 'android.vendor_class'], confidence: 4, os: 'Android 11', model: 'Zebra mobile computer' },
  // Generic
  { name: 'Windows 10 nurse workstation', vendor: 'Dell Inc.', hostname: 'NURSE-WS-04', facts: { 'dhcp.vendor_class': 'MSFT 5.0', 'dhcp.prl': WIN10 }, cls: 'workstation', fire: ['windows.vendor_class', 'windows.prl.10'], confidence: 2, os: 'Windows 10/11' },
  { name: 'Android phone', vendor: 'Samsung Electronics Co.,Ltd', hostname: 'Galaxy-S22', facts: { 'dhcp.vendor_class': 'android-dhcp-13' }, cls: 'mobile', fire: ['android.vendor_class', 'android.hostname'], confidence: 4, os: 'Android 13' },
  { name: 'iPhone with a private address', hostname: 'Annas-iPhone', facts: { 'dhcp.prl': APPLE, 'mdns.service': ['_apple-mobdev2._tcp', '_companion-link._tcp'] }, cls: 'mobile', fire: ['apple.prl', 'apple.mobile.mdns', 'apple.mobile.hostname', 'apple.companion_link'], confidence: 4, os: 'iOS' },
  { name: 'MacBook Pro', facts: { 'mdns.model': 'MacBookPro18,1', 'mdns.service': '_companion-link._tcp' }, cls: 'workstation', fire: ['apple.mac.model', 'apple.companion_link'], confidence: 3, os: 'macOS', model: 'MacBookPro18,1' },
  { name: 'HP printer over IPP', vendor: 'HP Inc.', facts: { 'mdns.service': ['_ipp._tcp', '_pdl-datastream._tcp'], 'port.server': ['tcp/9100', 'tcp/631'] }, cls: 'printer', fire: ['printer.ipp.mdns', 'printer.ipp.port', 'printer.jetdirect.port'], confidence: 4 },
  { name: 'Cisco Catalyst 9300 switch', vendor: 'Cisco Systems, Inc', facts: { 'lldp.capabilities': 'bridge,router', 'cdp.platform': 'cisco C9300-48P', 'snmp.sys_descr': 'Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a' }, cls: 'network-infrastructure', fire: ['infra.lldp.router', 'infra.lldp.bridge', 'infra.cdp.platform', 'infra.snmp.sysdescr'], confidence: 4, model: 'C9300-48P', os: 'Cisco IOS' },
  { name: 'Aruba access point', vendor: 'Aruba, a Hewlett Packard Enterprise Company', facts: { 'lldp.capabilities': 'bridge,wlan-access-point,router' }, cls: 'network-infrastructure', fire: ['infra.lldp.ap', 'infra.lldp.bridge'], confidence: 4 },
  { name: 'Axis camera', vendor: 'Axis Communications AB', facts: { 'wsd.type': 'tdn:NetworkVideoTransmitter', 'port.server': 'tcp/554' }, cls: 'iot', fire: ['camera.onvif', 'camera.rtsp', 'camera.oui'], confidence: 4 },
  { name: 'BACnet building controller', vendor: 'Honeywell', facts: { 'port.server': 'udp/47808' }, cls: 'iot', fire: ['iot.bacnet'], confidence: 3 },
  { name: 'Raspberry Pi', vendor: 'Raspberry Pi Trading Ltd', facts: { 'dhcp.vendor_class': 'dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835', 'banner.ssh': 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' }, cls: 'single-board-computer', fire: ['sbc.raspberry_pi', 'linux.dhcpcd', 'linux.ssh_banner'], confidence: 2, os: 'Linux (dhcpcd 9.4.1)', model: 'Raspberry Pi' },
  { name: 'Zebra printer known only by SNMP', facts: { 'snmp.sys_object_id': '1.3.6.1.4.1.10642.200.4.1' }, cls: 'printer', fire: ['zebra.printer.snmp'], confidence: 3 },
  // Must stay unknown: weak or conflicting evidence is not guessed from.
  { name: 'Baxter OUI alone', vendor: 'Baxter International Inc', facts: {}, cls: 'unknown', fire: ['baxter.oui'] },
  { name: 'Philips OUI with a web server', vendor: PHILIPS, facts: { 'port.server': 'tcp/443' }, cls: 'unknown', fire: [] },
  { name: 'BusyBox device of an unknown maker', vendor: 'Texas Instruments', facts: { 'dhcp.vendor_class': 'udhcp 1.31.1', 'dhcp.prl': UDHCPC }, cls: 'unknown', fire: ['linux.udhcpc'], os: 'Linux (BusyBox udhcpc 1.31.1)' },
  { name: 'raw port 9100 alone', facts: { 'port.server': 'tcp/9100' }, cls: 'unknown', fire: ['printer.jetdirect.port'] },
  { name: 'nothing known', facts: {}, cls: 'unknown', fire: [] },
  { name: 'Cisco IP phone (bridge + telephone)', vendor: 'Cisco Systems, Inc', facts: { 'lldp.capabilities': 'bridge,telephone', 'cdp.platform': 'Cisco IP Phone 8865' }, cls: 'unknown', fire: [] },
  { name: 'a tie between mobile and workstation', facts: { 'dhcp.vendor_class': 'MSFT 5.0', 'dhcp.hostname': 'Galaxy-S9' }, cls: 'unknown', fire: ['windows.vendor_class', 'android.hostname'] },
  // One fingerprint more for each remaining rule, so no shipped rule is dead (checked below).
  { name: 'Fresenius Medical Care dialysis machine', vendor: 'Fresenius Medical Care Deutschland GmbH', facts: {}, cls: 'unknown', fire: ['fresenius.dialysis.oui'] },
  { name: 'ICU Medical MedNet server', facts: { 'http.server': 'ICU Medical MedNet/6.3' }, cls: 'medical-gateway', fire: ['icumedical.mednet.http_server'], confidence: 2, model: 'ICU Medical MedNet' },
  { name: 'Dräger Infinity Delta', vendor: 'Drägerwerk AG & Co. KG aA', facts: { 'dhcp.vendor_class': 'Draeger Infinity Delta' }, cls: 'patient-monitor', fire: ['draeger.monitor.vendor_class'], confidence: 2, model: 'Dräger Infinity Delta' },
  { name: 'Medtronic Capnostream 35', vendor: 'Medtronic', facts: { 'dhcp.vendor_class': 'Capnostream 35' }, cls: 'patient-monitor', fire: ['medtronic.capnostream.vendor_class'], model: 'Medtronic Capnostream 35' },
  { name: 'DICOM modality (SCU role)', facts: { 'dicom.role': 'scu' }, cls: 'imaging', fire: ['dicom.role.scu'], confidence: 2 },
  // medical (issue 11): roles from DICOM services and HL7 message types, POCT1-A.
  { name: 'DICOM archive (accepts storage)', facts: { 'dicom.role': 'pacs' }, cls: 'imaging', fire: ['dicom.role.pacs'], confidence: 3 },
  { name: 'DICOM worklist broker', facts: { 'dicom.role': 'worklist-server' }, cls: 'clinical-system', fire: ['dicom.role.worklist'], confidence: 3 },
  { name: 'DICOM review workstation', facts: { 'dicom.role': 'workstation' }, cls: 'workstation', fire: ['dicom.role.workstation'], confidence: 2 },
  { name: 'patient-monitor gateway sending ORU^R01', facts: { 'hl7.role': 'observation-reporter' }, cls: 'medical-gateway', fire: ['hl7.role.monitor_gateway'], confidence: 3 },
  { name: 'infusion pump server receiving RGV^O15', facts: { 'hl7.role': 'infusion-pump-server' }, cls: 'infusion-pump', fire: ['hl7.role.pump_server'], confidence: 3 },
  { name: 'ADT source', facts: { 'hl7.role': 'adt-source' }, cls: 'clinical-system', fire: ['hl7.role.clinical'], confidence: 2 },
  { name: 'POCT1-A analyser hello', facts: { 'poct1.message': 'HEL.R01' }, cls: 'lab-analyzer', fire: ['poct1.hello'], confidence: 3 },
  // IEEE 11073 SDC (issue 11 §4): roles and MDS type from WS-Discovery (src/analyze/medical/sdc.ts).
  { name: 'SDC provider known only by its sdc.mds.pkp scope', facts: { 'sdc.role': 'provider' }, cls: 'medical-device', fire: ['sdc.provider'], confidence: 3 },
  { name: 'SDC infusion pump (sdc.cdc.type 69985)', facts: { 'sdc.role': 'provider', 'sdc.mds_type': 'MDC_DEV_PUMP_INFUS_MDS', 'wsd.type': ['dpws:Device', 'mdpws:MedicalDevice'] }, cls: 'infusion-pump', fire: ['sdc.provider.infusion_pump'], confidence: 4 },
  { name: 'SDC multi-parameter monitor (sdc.cdc.type 69965)', facts: { 'sdc.role': 'provider', 'sdc.mds_type': 'MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS' }, cls: 'patient-monitor', fire: ['sdc.provider.monitor'], confidence: 4 },
  { name: 'SDC consumer probing for MedicalDevice', facts: { 'sdc.role': 'consumer' }, cls: 'medical-gateway', fire: ['sdc.consumer'], confidence: 2 },
  { name: 'Siemens RAPIDPoint analyser', vendor: 'Siemens Healthcare Diagnostics Inc.', facts: {}, cls: 'lab-analyzer', fire: ['siemens.diagnostics.oui'], confidence: 2 },
  { name: 'GE LOGIQ ultrasound', vendor: 'GE Healthcare', facts: { 'dicom.implementation_version': 'LOGIQE10_R3', 'dhcp.vendor_class': 'LOGIQ E10' }, cls: 'imaging', fire: ['ge.dicom', 'ultrasound.vendor_class'], confidence: 4 },
  { name: 'Philips IntelliSpace PACS', facts: { 'dicom.implementation_version': 'ISPACS_4.4' }, cls: 'imaging', fire: ['philips.dicom'], firmware: '4.4' },
  { name: 'Carestream Vue PACS', facts: { 'dicom.implementation_version': 'CSH_PACS12' }, cls: 'imaging', fire: ['carestream.dicom'], firmware: 'PACS12' },
  { name: 'Radiometer blood gas analyser over POCT1-A', vendor: 'Radiometer Medical ApS', facts: { 'port.server': 'tcp/5001' }, cls: 'lab-analyzer', fire: ['poct1a.port'], confidence: 2 },
  { name: 'Ascom Telligence nurse-call controller', vendor: 'Ascom Danmark A/S', hostname: 'TELLIGENCE-CTRL', facts: {}, cls: 'nurse-call', fire: ['ascom.nursecall.hostname', 'ascom.oui'], confidence: 2 },
  { name: 'Vocera smartbadge behind a module OUI', facts: { 'dhcp.vendor_class': 'Vocera V5000' }, cls: 'mobile', fire: ['vocera.badge.vendor_class'], model: 'Vocera V5000' },
  { name: 'Stryker connected bed (OUI alone)', vendor: 'Stryker Corporation', facts: {}, cls: 'unknown', fire: ['stryker.oui'] },
  { name: 'Rauland Responder nurse call', vendor: 'RAULAND-BORG CORPORATION', facts: {}, cls: 'nurse-call', fire: ['nursecall.rauland.oui'], confidence: 2 },
  { name: 'Windows 7 modality console', facts: { 'dhcp.vendor_class': 'MSFT 5.0', 'dhcp.prl': '1,15,3,6,44,46,47,31,33,121,249,43', 'port.server': 'tcp/445' }, cls: 'workstation', fire: ['windows.prl.7', 'windows.netbios'], os: 'Windows 7' },
  { name: 'Windows XP console', facts: { 'dhcp.prl': '1,15,3,6,44,46,47,31,33,249,43' }, cls: 'unknown', fire: ['windows.prl.xp'], os: 'Windows XP' },
  { name: 'iPad by its model', facts: { 'mdns.model': 'iPad13,4' }, cls: 'mobile', fire: ['apple.mobile.model'], model: 'iPad13,4', os: 'iOS' },
  { name: 'Lexmark printer by SNMP', facts: { 'snmp.sys_descr': 'Lexmark MS821 version MSNGM.081.234 kernel 5.4' }, cls: 'printer', fire: ['printer.snmp'], model: 'Lexmark MS821' },
  { name: 'UPnP printer', facts: { 'ssdp.type': 'urn:schemas-upnp-org:device:Printer:1' }, cls: 'printer', fire: ['printer.ssdp'], confidence: 3 },
  { name: 'Modbus energy meter', facts: { 'port.server': 'tcp/502', 'ssdp.server': 'Linux/3.14 UPnP/1.0 lwIP/2.1' }, cls: 'iot', fire: ['iot.modbus', 'iot.ssdp.server'], confidence: 3 },
];

function input(c: Case): ClassifyInput {
  const facts = Object.entries(c.facts).flatMap(([key, v]) => (Array.isArray(v) ? v : [v]).map((value) => ({ key, value })));
  return { ...(c.vendor !== undefined ? { vendor: c.vendor } : {}), ...(c.hostname !== undefined ? { hostname: c.hostname } : {}), facts };
}

t.test('the classification table', async (t) => {
  t.ok(CASES.length >= 30, `${CASES.length} fingerprints`);
  t.ok(CASES.filter((c) => c.cls === 'unknown').length >= 5, 'devices that must stay unknown are in the table');
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const r = engine.classify(input(c));
      t.equal(r.class, c.cls, 'class');
      const fired = r.fired.map((f) => f.name);
      for (const name of c.fire) t.ok(fired.includes(name), `rule ${name} fires (fired: ${fired.join(', ') || 'none'})`);
      if (c.fire.length === 0) t.same(fired, [], 'no rule fires');
      if (c.cls === 'unknown') {
        t.equal(r.confidence, 0, 'unknown carries no confidence');
        t.same(r.rules, [], 'and no rules');
      } else {
        t.ok(r.confidence >= MIN_CONFIDENCE, 'at least medium confidence');
        for (const name of r.rules) t.equal(r.fired.find((f) => f.name === name)?.class, c.cls, `${name} supports the class`);
      }
      if (c.confidence !== undefined) t.equal(r.confidence, c.confidence, 'confidence');
      if (c.model !== undefined) t.equal(r.model?.value, c.model, 'model');
      if (c.os !== undefined) t.equal(r.os?.value, c.os, 'os');
      if (c.firmware !== undefined) t.equal(r.firmware?.value, c.firmware, 'firmware');
      // Every fired rule cites one value per condition, each taken from the input.
      const inp = input(c);
      for (const f of r.fired) {
        for (const cite of f.cites) {
          const from = cite.key === 'vendor' ? inp.vendor === cite.value : cite.key === 'hostname' ? true : inp.facts.some((x) => x.key === cite.key && x.value === cite.value);
          t.ok(from, `${f.name} cites ${cite.key}=${cite.value} from the input`);
        }
      }
    });
  }
});

t.test('every medical vendor the issue names has a rule, and every shipped rule fires somewhere in the table', async (t) => {
  const fired = new Set(CASES.flatMap((c) => engine.classify(input(c)).fired.map((f) => f.name)));
  const vendors = ['bd', 'baxter', 'bbraun', 'fresenius', 'icumedical', 'philips', 'ge', 'draeger', 'mindray', 'nihonkohden', 'masimo', 'medtronic', 'welchallyn', 'hillrom', 'spacelabs', 'siemens', 'canon', 'fujifilm', 'carestream', 'ascom', 'vocera', 'stryker', 'zebra'];
  for (const v of vendors) t.ok([...fired].some((n) => n.startsWith(`${v}.`)), `a ${v} rule fires in the table`);
  const dead = CLASS_RULES.map((r) => r.name).filter((n) => !fired.has(n));
  t.same(dead, [], 'every shipped rule fires on some fingerprint of the table');
});

t.test('every shipped rule names a class of the taxonomy, a source, and a unique dotted name', async (t) => {
  const names = new Set<string>();
  for (const r of CLASS_RULES) {
    t.ok(/^[a-z0-9]+(\.[a-z0-9_]+)+$/.test(r.name), `${r.name} is a dotted lower-case name`);
    t.notOk(names.has(r.name), `${r.name} is unique`);
    names.add(r.name);
    if (r.class !== undefined) t.ok(DEVICE_CLASSES.some((c) => c.name === r.class && c.name !== 'unknown'), `${r.name} points to a class of classes.ts`);
    t.ok(r.source.length >= 20, `${r.name} says where its evidence comes from`);
  }
});
