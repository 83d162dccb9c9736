/**
 * Zigbee security primitives with node:crypto (Zigbee Specification R22,
 * 05-3474-22, Annex A and B):
 *
 * - AES-CCM* decryption (§A.2, §B.1.1): CCM with L = 2 and a 13-byte nonce;
 *   MIC lengths 4, 8 and 16 are CCM, MIC length 0 (security levels 0 and 4)
 *   is CCM*'s encryption-only mode, which is AES-CTR from counter block 1;
 * - the Zigbee nonce (§4.5.2.2): source IEEE address and frame counter as
 *   sent (little-endian), then the security control byte with the real
 *   security level written in (§4.3.1.1: the level is sent as 0);
 * - the Matyas-Meyer-Oseas hash (§B.6) and the keyed hash HMAC-MMO
 *   (§B.1.4), which derive the key-transport key (input 0x00) and key-load
 *   key (0x02) from a link key (§4.5.3), and a link key from an install
 *   code (Zigbee Base Device Behavior 13-0402, §10.1).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const KEY_LEN = 16;
export const NONCE_LEN = 13;

/** The Zigbee nonce: source address at `src` of `b` (8 bytes as sent), frame counter, security control with `level`. */
export function zigbeeNonce(b: Uint8Array, src: number, frameCounter: number, control: number, level: number): Buffer {
  const n = Buffer.alloc(NONCE_LEN);
  for (let i = 0; i < 8; i++) n[i] = b[src + i]!;
  n.writeUInt32LE(frameCounter >>> 0, 8);
  n[12] = (control & ~7) | (level & 7);
  return n;
}

/**
 * CCM* decryption of `c` with authentication of `a` and tag `mic`
 * (0, 4, 8 or 16 bytes). Returns the plaintext, or undefined when the MIC
 * does not verify (wrong key, wrong nonce or altered frame).
 */
export function ccmStarDecrypt(key: Uint8Array, nonce: Uint8Array, a: Uint8Array, c: Uint8Array, mic: Uint8Array): Buffer | undefined {
  if (mic.length === 0) {
    // CCM* with M = 0 (§A.2.3): the flags byte of the counter blocks is L-1 = 1, counter from 1.
    const iv = Buffer.alloc(16);
    iv[0] = 0x01;
    iv.set(nonce, 1);
    iv[15] = 1;
    const d = createDecipheriv('aes-128-ctr', key, iv);
    return Buffer.concat([d.update(c), d.final()]);
  }
  try {
    const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: mic.length });
    d.setAuthTag(mic);
    d.setAAD(a, { plaintextLength: c.length });
    const p = d.update(c);
    d.final();
    return p;
  } catch {
    return undefined;
  }
}

/** CCM* encryption (the generator's side): ciphertext then MIC. */
export function ccmStarEncrypt(key: Uint8Array, nonce: Uint8Array, a: Uint8Array, m: Uint8Array, micLen: number): Buffer {
  const e = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: micLen });
  e.setAAD(a, { plaintextLength: m.length });
  const c = Buffer.concat([e.update(m), e.final()]);
  return Buffer.concat([c, e.getAuthTag()]);
}

function aesBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const e = createCipheriv('aes-128-ecb', key, null);
  e.setAutoPadding(false);
  return Buffer.concat([e.update(block), e.final()]);
}

/** Matyas-Meyer-Oseas hash (§B.6) of a message shorter than 2^13 bytes. */
export function mmoHash(m: Uint8Array): Buffer {
  // Padding (§B.6): M || 1 || 0^k || l as 16 bits, l + 1 + k = 7n mod 8n (in bits).
  let len = m.length + 1;
  while (len % 16 !== 14) len++;
  const padded = Buffer.alloc(len + 2);
  padded.set(m, 0);
  padded[m.length] = 0x80;
  padded.writeUInt16BE((m.length * 8) & 0xffff, len);
  let h: Buffer = Buffer.alloc(16);
  for (let o = 0; o < padded.length; o += 16) {
    const block = padded.subarray(o, o + 16);
    const e = aesBlock(h, block);
    for (let i = 0; i < 16; i++) e[i] = e[i]! ^ block[i]!;
    h = e;
  }
  return h;
}

/** HMAC-MMO of one input byte under a 16-byte key (§B.1.4 with M = `input`). */
export function keyedHash(key: Uint8Array, input: number): Buffer {
  const inner = Buffer.alloc(17);
  const outer = Buffer.alloc(32);
  for (let i = 0; i < 16; i++) {
    inner[i] = key[i]! ^ 0x36;
    outer[i] = key[i]! ^ 0x5c;
  }
  inner[16] = input;
  mmoHash(inner).copy(outer, 16);
  return mmoHash(outer);
}

/** Key-transport key of a link key (§4.5.3, key id 2). */
export function keyTransportKey(linkKey: Uint8Array): Buffer {
  return keyedHash(linkKey, 0x00);
}

/** Key-load key of a link key (§4.5.3, key id 3). */
export function keyLoadKey(linkKey: Uint8Array): Buffer {
  return keyedHash(linkKey, 0x02);
}

/** The link key an install code (with its CRC) stands for (BDB 13-0402 §10.1). */
export function installCodeKey(installCode: Uint8Array): Buffer {
  return mmoHash(installCode);
}

/** The well-known default Trust Center link key "ZigBeeAlliance09" (BDB 13-0402 §6.3.3). */
export const DEFAULT_TC_LINK_KEY: Buffer = Buffer.from('ZigBeeAlliance09', 'latin1');
