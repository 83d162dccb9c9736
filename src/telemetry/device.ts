/** Reading a published device (`InventoryDevice`): its id, one attribute, its addresses. */
import { identifierKey, type IdKindName } from './ident.js';
import type { AttributeName, InventoryDevice } from './kinds.js';

/** The device's id: the key of its first identifier (`mac:aa:bb:cc:dd:ee:ff`). */
export function deviceId(d: Pick<InventoryDevice, 'ids'>): string {
  const first = d.ids[0];
  return first === undefined ? '?' : identifierKey(first);
}

/** The value of one attribute, if known. */
export function deviceAttr(d: Pick<InventoryDevice, 'attrs'>, name: AttributeName): string | undefined {
  for (const a of d.attrs) if (a.name === name) return a.value;
  return undefined;
}

/** The identifier values of some kinds, in order (e.g. the IP addresses). */
export function deviceAddresses(d: Pick<InventoryDevice, 'ids'>, kinds: readonly IdKindName[] = ['ipv4', 'ipv6']): string[] {
  return d.ids.filter((i) => kinds.includes(i.kind)).map((i) => i.value);
}
