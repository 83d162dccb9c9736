/**
 * Zigbee Device Profile cluster ids (Zigbee Specification R22 §2.4.3 and
 * §2.4.4, Table 2-51 ff.): responses are the request id | 0x8000.
 */
export const ZDO_CLUSTERS: ReadonlyMap<number, string> = new Map([
  [0x0000, 'nwk_addr_req'], [0x0001, 'ieee_addr_req'], [0x0002, 'node_desc_req'], [0x0003, 'power_desc_req'],
  [0x0004, 'simple_desc_req'], [0x0005, 'active_ep_req'], [0x0006, 'match_desc_req'], [0x0013, 'device_annce'],
  [0x0021, 'bind_req'], [0x0031, 'mgmt_lqi_req'], [0x0034, 'mgmt_leave_req'], [0x0036, 'mgmt_permit_joining_req'],
  [0x0038, 'mgmt_nwk_update_req'],
  [0x8000, 'nwk_addr_rsp'], [0x8001, 'ieee_addr_rsp'], [0x8002, 'node_desc_rsp'], [0x8003, 'power_desc_rsp'],
  [0x8004, 'simple_desc_rsp'], [0x8005, 'active_ep_rsp'], [0x8006, 'match_desc_rsp'], [0x8021, 'bind_rsp'],
  [0x8031, 'mgmt_lqi_rsp'], [0x8034, 'mgmt_leave_rsp'], [0x8036, 'mgmt_permit_joining_rsp'],
]);
export const ZDO_NODE_DESC_REQ = 0x0002;
export const ZDO_POWER_DESC_REQ = 0x0003;
export const ZDO_SIMPLE_DESC_REQ = 0x0004;
export const ZDO_DEVICE_ANNCE = 0x0013;
export const ZDO_PERMIT_JOINING_REQ = 0x0036;
export const ZDO_NODE_DESC_RSP = 0x8002;
export const ZDO_POWER_DESC_RSP = 0x8003;
export const ZDO_SIMPLE_DESC_RSP = 0x8004;

/** Node descriptor logical types (§2.3.2.3.1). */
export const LOGICAL_TYPES: readonly string[] = ['coordinator', 'router', 'end_device'];

/** Power descriptor power sources (§2.3.2.4.2, bit positions). */
export const POWER_SOURCES: readonly string[] = ['mains', 'rechargeable_battery', 'disposable_battery'];
