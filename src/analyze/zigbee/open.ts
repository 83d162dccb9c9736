/**
 * Opens the Zigbee layers of a decoded frame: finds the 802.15.4, NWK,
 * APS, ZDO, ZCL and Green Power views the decode walk produced and, where a
 * layer is secured and the keyring holds a key that verifies its MIC,
 * decrypts it (Zigbee R22 §4.3.1.2 NWK, §4.4.1.2 APS) and decodes what was
 * inside with the same route table. A network key carried by a Transport
 * Key the sensor can read (in the clear, or under a link key it holds)
 * joins the keyring at once, so the rest of that network decrypts.
 *
 * One `ZigbeeOpener` is shared by the zigbee sighting source and the
 * zigbee analyzer, so each frame is decrypted once: the last frame's result
 * is kept and handed to the second caller.
 */
import type { RouteTable } from '../../decode/routes.js';
import type { DecodeContext, DecodedFrame, Layer } from '../../decode/types.js';
import type { Ieee802154View } from '../../decode/ieee802154/index.js';
import { ZIGBEE_SECURITY_LEVEL, KeyId, NwkFrameType } from '../../decode/zigbee-nwk/consts.js';
import type { ZigbeeNwkView } from '../../decode/zigbee-nwk/index.js';
import { apsCommandInfo, type ApsCommandInfo, type ZigbeeApsView } from '../../decode/zigbee-aps/index.js';
import { APS_CMD_TRANSPORT_KEY, ApsFrameType, KeyType } from '../../decode/zigbee-aps/consts.js';
import type { ZigbeeZdoView } from '../../decode/zigbee-zdo/index.js';
import type { ZigbeeZclView } from '../../decode/zigbee-zcl/index.js';
import type { ZigbeeGpView } from '../../decode/zigbee-gp/index.js';
import { ccmStarDecrypt, zigbeeNonce } from './ccm.js';
import type { KeyOrigin, ZigbeeKeyring } from './keyring.js';

/** What became of a secured layer: absent (not secured), decrypted, or no key verified. */
export type SecState = 'clear' | 'decrypted' | 'undecryptable' | 'none';

export interface OpenedFrame {
  /** The MAC layer, undefined when absent or when its FCS is bad (not believed). */
  readonly mac: Ieee802154View | undefined;
  readonly nwk: ZigbeeNwkView | undefined;
  readonly gp: ZigbeeGpView | undefined;
  readonly aps: ZigbeeApsView | undefined;
  readonly zdo: ZigbeeZdoView | undefined;
  readonly zcl: ZigbeeZclView | undefined;
  readonly nwkSec: SecState;
  readonly apsSec: SecState;
  /** The NWK command id (from the clear or decrypted payload), -1 if none. */
  readonly nwkCommand: number;
  /** NWK command payload, starting at its id byte, when there is one. */
  readonly nwkCommandBytes: Uint8Array | undefined;
  /** The APS command and what it says, when there is one and it could be read. */
  readonly apsCommand: ApsCommandInfo | undefined;
  /** The bytes `apsCommand`'s offsets point into. */
  readonly apsCommandBytes: Uint8Array | undefined;
  /** A network key this frame gave the keyring, and how it travelled. */
  readonly recoveredKey: KeyOrigin | undefined;
}

const EMPTY: OpenedFrame = {
  mac: undefined, nwk: undefined, gp: undefined, aps: undefined, zdo: undefined, zcl: undefined,
  nwkSec: 'none', apsSec: 'none', nwkCommand: -1, nwkCommandBytes: undefined, apsCommand: undefined,
  apsCommandBytes: undefined, recoveredKey: undefined,
};

class InnerContext implements DecodeContext {
  constructor(readonly frame: DecodedFrame['raw']) {}
}

export class ZigbeeOpener {
  private lastFrame: DecodedFrame | undefined;
  private last: OpenedFrame = EMPTY;
  decrypted = 0;
  undecryptable = 0;
  innerBugs = 0;

  constructor(readonly keyring: ZigbeeKeyring, private readonly routes: RouteTable) {}

  open(frame: DecodedFrame): OpenedFrame {
    if (frame === this.lastFrame) return this.last;
    this.lastFrame = frame;
    this.last = this.compute(frame);
    return this.last;
  }

  private compute(frame: DecodedFrame): OpenedFrame {
    // Every medium's frames come here: an 802.15.4 frame starts with its MAC or a radio header (routes.ts IEEE802154_ROWS).
    const first = frame.layers[0]?.name;
    if (first !== 'ieee802154' && first !== 'ieee802154-tap' && first !== 'ieee802154-phy') return EMPTY;
    let mac: Ieee802154View | undefined;
    let nwk: ZigbeeNwkView | undefined;
    let gp: ZigbeeGpView | undefined;
    let aps: ZigbeeApsView | undefined;
    let zdo: ZigbeeZdoView | undefined;
    let zcl: ZigbeeZclView | undefined;
    for (const l of frame.layers) {
      if (l.name === 'ieee802154') mac = l as Ieee802154View;
      else if (l.name === 'zigbee-nwk') nwk = l as ZigbeeNwkView;
      else if (l.name === 'zigbee-gp') gp = l as ZigbeeGpView;
      else if (l.name === 'zigbee-aps') aps = l as ZigbeeApsView;
      else if (l.name === 'zigbee-zdo') zdo = l as ZigbeeZdoView;
      else if (l.name === 'zigbee-zcl') zcl = l as ZigbeeZclView;
    }
    if (mac === undefined || mac.fcsOk === false) return EMPTY;
    const pan = mac.dstPan >= 0 ? mac.dstPan : mac.srcPan;
    if (nwk === undefined) return { ...EMPTY, mac, gp };
    const kr = this.keyring;
    // Learn short -> IEEE from every header that carries both (§3.3.1.7, §4.5.1.2).
    if (nwk.src64At >= 0 && nwk.src >= 0) kr.learn(pan, nwk.src, nwk.bytes, nwk.src64At);
    else if (nwk.aux !== undefined && nwk.aux.sourceOffset >= 0 && nwk.src >= 0) kr.learn(pan, nwk.src, nwk.bytes, nwk.aux.sourceOffset);

    let nwkSec: SecState = nwk.security ? 'undecryptable' : 'clear';
    let nwkCommand = nwk.command;
    let nwkCommandBytes: Uint8Array | undefined = nwkCommand >= 0 ? nwk.bytes.subarray(nwk.payloadOffset, nwk.payloadEnd) : undefined;
    if (nwk.security && nwk.aux !== undefined) {
      const plain = this.decryptNwk(mac, nwk, pan);
      if (plain !== undefined) {
        nwkSec = 'decrypted';
        if (nwk.frameType === NwkFrameType.command) {
          nwkCommand = plain.length > 0 ? plain[0]! : -1;
          nwkCommandBytes = plain;
        } else if (nwk.frameType === NwkFrameType.data) {
          const inner = this.walk(frame, 'zigbee-nwk', 0, plain);
          for (const l of inner) {
            if (l.name === 'zigbee-aps') aps = l as ZigbeeApsView;
            else if (l.name === 'zigbee-zdo') zdo = l as ZigbeeZdoView;
            else if (l.name === 'zigbee-zcl') zcl = l as ZigbeeZclView;
          }
        }
      }
    }
    if (aps === undefined) return { ...EMPTY, mac, nwk, gp, nwkSec, nwkCommand, nwkCommandBytes };
    let apsSec: SecState = aps.security ? 'undecryptable' : 'clear';
    let apsCommand: ApsCommandInfo | undefined;
    let apsCommandBytes: Uint8Array | undefined;
    let usedLink: KeyOrigin | undefined;
    if (aps.security && aps.aux !== undefined) {
      const r = this.decryptAps(mac, nwk, aps, pan);
      if (r !== undefined) {
        apsSec = 'decrypted';
        usedLink = r.origin;
        if (aps.frameType === ApsFrameType.command) {
          apsCommand = apsCommandInfo(r.plain, 0, r.plain.length);
          apsCommandBytes = r.plain;
        } else if (aps.frameType === ApsFrameType.data && r.plain.length > 0) {
          const inner = this.walk(frame, 'zigbee-aps', aps.profile === 0 ? 0 : 1, r.plain);
          for (const l of inner) {
            if (l.name === 'zigbee-zdo') zdo = l as ZigbeeZdoView;
            else if (l.name === 'zigbee-zcl') zcl = l as ZigbeeZclView;
          }
        }
      }
    } else if (aps.command >= 0) {
      apsCommand = apsCommandInfo(aps.bytes, aps.payloadOffset, aps.payloadEnd);
      apsCommandBytes = aps.bytes;
    }
    let recoveredKey: KeyOrigin | undefined;
    if (apsCommand !== undefined && apsCommandBytes !== undefined && apsCommand.command === APS_CMD_TRANSPORT_KEY &&
        apsCommand.keyOffset !== undefined) {
      const key = apsCommandBytes.subarray(apsCommand.keyOffset, apsCommand.keyOffset + 16);
      const how: KeyOrigin = apsSec === 'clear' ? 'recovered_cleartext'
        : usedLink === 'default_tc_link_key' ? 'recovered_default_tc' : 'recovered_link_key';
      if (apsCommand.keyType === KeyType.network || apsCommand.keyType === KeyType.highSecurityNetwork) {
        kr.addNetworkKey(key, how, pan);
        recoveredKey = how;
      } else if (apsCommand.keyType === KeyType.tcLink || apsCommand.keyType === KeyType.appLink) {
        kr.addLinkKey(key, how);
        recoveredKey = how;
      }
    }
    return { mac, nwk, gp, aps, zdo, zcl, nwkSec, apsSec, nwkCommand, nwkCommandBytes, apsCommand, apsCommandBytes, recoveredKey };
  }

  /** The IEEE source for a nonce: the aux header's, the NWK header's, the MAC's, or the address book's. */
  private nonceSource(mac: Ieee802154View, nwk: ZigbeeNwkView, auxSrc: number, auxBytes: Uint8Array, pan: number): [Uint8Array, number] | undefined {
    if (auxSrc >= 0) return [auxBytes, auxSrc];
    if (nwk.src64At >= 0) return [nwk.bytes, nwk.src64At];
    const known = nwk.src >= 0 ? this.keyring.lookup(pan, nwk.src) : undefined;
    if (known !== undefined) return [known, 0];
    if (mac.src64Offset >= 0) return [mac.bytes, mac.src64Offset];
    return undefined;
  }

  private decryptNwk(mac: Ieee802154View, nwk: ZigbeeNwkView, pan: number): Buffer | undefined {
    const aux = nwk.aux!;
    const src = this.nonceSource(mac, nwk, aux.sourceOffset, nwk.bytes, pan);
    if (src === undefined || this.keyring.networkKeys.length === 0) {
      this.undecryptable++;
      return undefined;
    }
    const nonce = zigbeeNonce(src[0], src[1], aux.frameCounter, aux.control, ZIGBEE_SECURITY_LEVEL);
    const a = Buffer.from(nwk.bytes.subarray(nwk.offset, aux.end));
    a[aux.offset - nwk.offset] = (aux.control & ~7) | ZIGBEE_SECURITY_LEVEL;
    const c = nwk.bytes.subarray(nwk.payloadOffset, nwk.payloadEnd);
    const mic = nwk.bytes.subarray(nwk.payloadEnd, nwk.payloadEnd + nwk.micLength);
    for (const k of this.keyring.networkKeys) {
      const p = ccmStarDecrypt(k.key, nonce, a, c, mic);
      if (p !== undefined) {
        this.decrypted++;
        return p;
      }
    }
    this.undecryptable++;
    return undefined;
  }

  private decryptAps(mac: Ieee802154View, nwk: ZigbeeNwkView, aps: ZigbeeApsView, pan: number): { plain: Buffer; origin: KeyOrigin } | undefined {
    const aux = aps.aux!;
    const src = this.nonceSource(mac, nwk, aux.sourceOffset, aps.bytes, pan);
    if (src === undefined) {
      this.undecryptable++;
      return undefined;
    }
    const nonce = zigbeeNonce(src[0], src[1], aux.frameCounter, aux.control, ZIGBEE_SECURITY_LEVEL);
    const a = Buffer.from(aps.bytes.subarray(aps.offset, aux.end));
    a[aux.offset - aps.offset] = (aux.control & ~7) | ZIGBEE_SECURITY_LEVEL;
    const c = aps.bytes.subarray(aps.payloadOffset, aps.payloadEnd);
    const mic = aps.bytes.subarray(aps.payloadEnd, aps.payloadEnd + aps.micLength);
    const tries: [Buffer, KeyOrigin][] = [];
    if (aux.keyId === KeyId.network) for (const k of this.keyring.networkKeys) tries.push([k.key, k.origin]);
    else {
      for (const k of this.keyring.linkKeys) {
        tries.push([aux.keyId === KeyId.keyTransport ? k.transport : aux.keyId === KeyId.keyLoad ? k.load : k.key, k.origin]);
      }
    }
    for (const [key, origin] of tries) {
      const p = ccmStarDecrypt(key, nonce, a, c, mic);
      if (p !== undefined) {
        this.decrypted++;
        return { plain: p, origin };
      }
    }
    this.undecryptable++;
    return undefined;
  }

  /** Decodes `plain` as the child of `parent` under `key`, following the route table; never throws. */
  private walk(frame: DecodedFrame, parent: string, key: number, plain: Buffer): Layer[] {
    const out: Layer[] = [];
    const ctx = new InnerContext({ ...frame.raw, bytes: plain, origLen: plain.length });
    let dec = this.routes.get(parent, key);
    let o = 0;
    let end = plain.length;
    try {
      while (dec !== undefined) {
        const r = dec.decode(plain, o, end, ctx);
        if ((r as Layer).nextKey === undefined) break;
        const l = r as Layer;
        out.push(l);
        o = l.payloadOffset;
        end = l.payloadEnd;
        dec = l.nextKey >= 0 ? this.routes.get(l.name, l.nextKey) : undefined;
      }
    } catch {
      this.innerBugs++;
    }
    return out;
  }
}
