/**
 * What the wired-app sources need from a decoded frame besides their own
 * layer: the transport ports (to tell client from server) and the IP
 * addresses (to name the peer that is not the sender). Read from the views,
 * copied as numbers and short strings.
 */
import type { Ipv4View } from '../../decode/ipv4/index.js';
import type { Ipv6View } from '../../decode/ipv6/index.js';
import type { DecodedFrame } from '../../decode/types.js';
import type { Identifier } from '../../telemetry/ident.js';

export interface Endpoints {
  readonly transport: 'tcp' | 'udp';
  readonly srcPort: number;
  readonly dstPort: number;
  readonly src: Identifier | undefined;
  readonly dst: Identifier | undefined;
}

/** Ports and addresses of the frame's first IP layer and its transport, or undefined without a transport. */
export function endpoints(frame: DecodedFrame): Endpoints | undefined {
  let src: Identifier | undefined;
  let dst: Identifier | undefined;
  for (const l of frame.layers) {
    if (src === undefined && l.name === 'ipv4') {
      const v = l as Ipv4View;
      src = { kind: 'ipv4', value: v.srcString };
      dst = { kind: 'ipv4', value: v.dstString };
    } else if (src === undefined && l.name === 'ipv6') {
      const v = l as Ipv6View;
      src = { kind: 'ipv6', value: v.srcString };
      dst = { kind: 'ipv6', value: v.dstString };
    } else if (l.name === 'tcp' || l.name === 'udp') {
      return { transport: l.name, srcPort: l.altKey, dstPort: l.nextKey, src, dst };
    }
  }
  return undefined;
}
