/**
 * IEEE 802.2 LLC and SNAP constants (IEEE Std 802-2014 §10.3, RFC 1042), as data.
 */
export const SAP_SNAP = 0xaa;
/** RFC 1042: SNAP with this OUI carries an EtherType as its protocol id. */
export const OUI_RFC1042 = 0x000000;
/** IEEE 802.1H bridge tunnel: also an EtherType. */
export const OUI_8021H = 0x0000f8;
export const OUI_CISCO = 0x00000c;
/** Cisco's SNAP protocol id for CDP. */
export const PID_CDP = 0x2000;

/**
 * The route key of a SNAP header: the EtherType itself under RFC 1042 and
 * 802.1H (so the EtherType rows of routes.ts apply to `llc` too), and
 * `OUI * 0x10000 + PID` under any other OUI, which is always above 0xffff,
 * so the two never collide.
 */
export function snapKey(oui: number, pid: number): number {
  return oui === OUI_RFC1042 || oui === OUI_8021H ? pid : oui * 0x10000 + pid;
}

/** CDP's route key under `llc`. */
export const LLC_KEY_CDP = snapKey(OUI_CISCO, PID_CDP);
