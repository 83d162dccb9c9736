/**
 * Which sniffer firmware a stream of bytes looks like, so that "wrong
 * firmware" can say what is on the port instead of only what is not. The
 * signatures are the framings of dongle-protocols.md: SLIP `AB … BC` with a
 * v1/v2/v3 packet header (§1.3, §1.4), TI Packet Sniffer 2 `40 53 … 40 45`
 * (§3.2), and text lines (the Zephyr shell of §2, Sniffle's base64 lines of §4.2).
 */

function hasTiFrame(b: Uint8Array): boolean {
  for (let i = 0; i + 7 < b.length; i++) {
    if (b[i] !== 0x40 || b[i + 1] !== 0x53) continue;
    const len = b[i + 3]! | (b[i + 4]! << 8);
    const cat = b[i + 2]! >> 6;
    const end = i + 5 + len + (cat === 1 || cat === 2 ? 1 : 0);
    if (end + 1 < b.length && b[end] === 0x40 && b[end + 1] === 0x45) return true;
  }
  return false;
}

function hasNordicSlip(b: Uint8Array): boolean {
  for (let i = 0; i + 7 < b.length; i++) {
    if (b[i] !== 0xab) continue;
    const proto = b[i + 3];
    const hlen = b[i + 1];
    if ((hlen === 6 && proto === 1) || proto === 2 || proto === 3) {
      const end = b.indexOf(0xbc, i + 1);
      if (end > i + 6) return true;
    }
  }
  return false;
}

/** A printable share this high, with line ends, is a text protocol. */
function textKind(b: Uint8Array): string | undefined {
  let printable = 0;
  let newlines = 0;
  for (const x of b) {
    if ((x >= 0x20 && x < 0x7f) || x === 0x09) printable++;
    else if (x === 0x0a || x === 0x0d) newlines++;
  }
  if (newlines === 0 || (printable + newlines) < b.length * 0.95) return undefined;
  const text = new TextDecoder().decode(b);
  if (/received:\s+[0-9a-f]+\s+power:/i.test(text) || /command not found/.test(text)) return 'the nRF Sniffer for 802.15.4 text shell';
  if (/^[A-Za-z0-9+/]{4,}={0,2}\r?$/m.test(text)) return 'text lines (base64, as Sniffle firmware writes)';
  return 'a text console';
}

/** A short description of the protocol `head` looks like, or undefined. */
export function recognise(head: Uint8Array): string | undefined {
  if (head.length === 0) return undefined;
  if (hasTiFrame(head)) return 'TI Packet Sniffer 2 frames';
  if (hasNordicSlip(head)) return 'nRF Sniffer for Bluetooth LE SLIP frames';
  return textKind(head);
}
