/**
 * Text out of protocol bytes, for the discovery decoders (DHCP, DNS, SSDP,
 * LLDP ...). Text fields on the wire are ASCII or UTF-8 by their specs; bytes
 * that are not valid UTF-8 become U+FFFD rather than an exception, and a NUL
 * ends the text (many DHCP clients send a C string, and tshark stops there).
 * Only getters call these: building a string is what a view avoids until an
 * analyzer asks.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** The text in `[start, end)` of `b`, cut at the first NUL; '' when the range is empty or outside `b`. */
export function text(b: Uint8Array, start: number, end: number): string {
  if (start < 0 || end > b.length || start >= end) return '';
  let e = start;
  while (e < end && b[e] !== 0) e++;
  // Plain ASCII needs no decoder (the common case for host names and headers).
  let ascii = true;
  for (let i = start; i < e; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    let s = '';
    for (let i = start; i < e; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  return UTF8.decode(b.subarray(start, e));
}

/** Lowercase hex of `[start, end)` with `sep` between bytes ('' for none). */
export function hexText(b: Uint8Array, start: number, end: number, sep = ''): string {
  const parts: string[] = [];
  for (let i = start; i < end && i < b.length; i++) parts.push(b[i]!.toString(16).padStart(2, '0'));
  return parts.join(sep);
}
