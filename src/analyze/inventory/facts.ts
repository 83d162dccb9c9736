/**
 * Which fingerprint facts a device states once (its current value replaces
 * the last) and which it states many times (every distinct value is kept,
 * within MAX_FACTS_PER_DEVICE).
 *
 * A client has one DHCP option 55 order, one vendor class, one hostname,
 * one sysDescr: a new value means the device changed, or another device now
 * uses its address (a swap or a spoof). Keeping the old value beside the new
 * would let the old device's evidence outvote the new one's for ever, and
 * the class engine would never see the change. Names it looks up, services
 * it offers, ports it answers on, SNIs, user agents are many per device.
 */
export const SINGLE_VALUED_FACTS: ReadonlySet<string> = new Set([
  'dhcp.prl', 'dhcp.vendor_class', 'dhcp.user_class', 'dhcp.hostname', 'dhcp.fqdn',
  'dhcpv6.vendor_class', 'dhcpv6.fqdn',
  'mdns.hostname', 'mdns.model', 'mdns.manufacturer', 'mdns.version',
  'lldp.sys_name', 'lldp.sys_descr', 'lldp.capabilities', 'cdp.platform', 'cdp.software',
  'snmp.sys_descr', 'snmp.sys_object_id', 'snmp.sys_name',
  'banner.ftp', 'banner.ssh', 'banner.telnet',
  'dicom.implementation_version', 'dicom.implementation_uid', 'hl7.version', // medical (issue 11)
  'poct1.vendor', 'poct1.model', 'poct1.device',
  'wifi.wps_manufacturer', 'wifi.wps_model', 'wifi.wps_model_number', 'wifi.wps_device_name',
  'ble.name', 'ble.appearance', 'ble.dis.manufacturer', 'ble.dis.model', 'ble.dis.firmware', 'ble.dis.software', 'ble.dis.hardware',
  'zigbee.manufacturer_code', 'zigbee.manufacturer_name', 'zigbee.model', 'zigbee.sw_build', 'zigbee.power_source',
]);
