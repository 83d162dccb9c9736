/**
 * Reads MQTT 5 PUBLISH and PUBACK packets off a loopback capture (tcpdump -i
 * lo 'tcp port 1883' -w FILE), for the latency section: when the agent's
 * PUBLISH of an alert went onto the wire and when the broker's PUBACK for it
 * came back, by the kernel's capture timestamps.
 *
 * Only what the bench needs: classic pcap (microsecond or nanosecond magic),
 * Ethernet link type (Linux `lo`), IPv4, TCP reassembled by simply joining
 * each direction's payloads in capture order (loopback neither loses nor
 * reorders; a retransmission would garble the parse and show as missing
 * matches, not as wrong times). A packet's time is that of the segment
 * holding its last byte. MQTT 5: OASIS mqtt-v5.0 §2.1 (fixed header), §3.3
 * (PUBLISH), §3.4 (PUBACK).
 */
import { readFileSync } from 'node:fs';

export interface WirePublish {
  readonly ns: bigint;
  readonly topic: string;
  readonly packetId: number;
  readonly payload: Uint8Array;
  /** The PUBACK with this packet id that came back next on the same connection. */
  pubackNs?: bigint;
}

interface Segment { readonly ns: bigint; readonly data: Uint8Array }

/** TCP payload per direction, keyed `srcport>dstport`. */
function segments(file: string): Map<string, Segment[]> {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  const nano = magic === 0xa1b23c4d;
  if (magic !== 0xa1b2c3d4 && !nano) throw new Error(`${file}: not a little-endian classic pcap`);
  if (b.readUInt32LE(20) !== 1) throw new Error(`${file}: link type ${b.readUInt32LE(20)}, expected Ethernet (lo)`);
  const out = new Map<string, Segment[]>();
  for (let off = 24; off + 16 <= b.length;) {
    const ns = BigInt(b.readUInt32LE(off)) * 1_000_000_000n + BigInt(b.readUInt32LE(off + 4)) * (nano ? 1n : 1000n);
    const len = b.readUInt32LE(off + 8);
    const f = b.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800 || f[23] !== 6) continue;
    const ihl = (f[14]! & 0x0f) * 4;
    const ipEnd = Math.min(f.length, 14 + f.readUInt16BE(16));
    const tcp = 14 + ihl;
    if (tcp + 20 > ipEnd) continue;
    const data = f.subarray(tcp + (f[tcp + 12]! >> 4) * 4, ipEnd);
    if (data.length === 0) continue;
    const key = `${f.readUInt16BE(tcp)}>${f.readUInt16BE(tcp + 2)}`;
    const list = out.get(key) ?? [];
    list.push({ ns, data });
    out.set(key, list);
  }
  return out;
}

/** MQTT control packets of one direction: type, body, time of the last byte. */
function* packets(segs: readonly Segment[]): Generator<{ type: number; flags: number; body: Uint8Array; ns: bigint }> {
  const all = Buffer.concat(segs.map((s) => s.data));
  const ends: bigint[] = [];
  const bounds: number[] = [];
  let acc = 0;
  for (const s of segs) {
    acc += s.data.length;
    bounds.push(acc);
    ends.push(s.ns);
  }
  let seg = 0;
  for (let off = 0; off + 2 <= all.length;) {
    let len = 0;
    let mul = 1;
    let i = off + 1;
    for (; i < all.length && i < off + 5; i++) {
      len += (all[i]! & 0x7f) * mul;
      mul *= 128;
      if ((all[i]! & 0x80) === 0) break;
    }
    const start = i + 1;
    const end = start + len;
    if (end > all.length) return;
    while (bounds[seg]! < end) seg++;
    yield { type: all[off]! >> 4, flags: all[off]! & 0x0f, body: all.subarray(start, end), ns: ends[seg]! };
    off = end;
  }
}

function varint(b: Uint8Array, off: number): [value: number, next: number] {
  let v = 0;
  let mul = 1;
  for (let i = off; i < b.length && i < off + 4; i++) {
    v += (b[i]! & 0x7f) * mul;
    mul *= 128;
    if ((b[i]! & 0x80) === 0) return [v, i + 1];
  }
  return [v, b.length];
}

/** QoS 1 PUBLISHes sent to port `brokerPort` whose topic passes `want`, each with its PUBACK time if one came. */
export function publishesWithAcks(file: string, brokerPort: number, want: (topic: string) => boolean): WirePublish[] {
  const dirs = segments(file);
  const found: WirePublish[] = [];
  for (const [key, segs] of dirs) {
    const [src, dst] = key.split('>').map(Number);
    if (dst !== brokerPort) continue;
    const sent: WirePublish[] = [];
    for (const p of packets(segs)) {
      if (p.type !== 3 || ((p.flags >> 1) & 3) !== 1) continue;
      const tl = (p.body[0]! << 8) | p.body[1]!;
      const topic = Buffer.from(p.body.subarray(2, 2 + tl)).toString('utf8');
      if (!want(topic)) continue;
      const packetId = (p.body[2 + tl]! << 8) | p.body[3 + tl]!;
      const [propLen, next] = varint(p.body, 4 + tl);
      sent.push({ ns: p.ns, topic, packetId, payload: p.body.subarray(next + propLen) });
    }
    if (sent.length === 0) continue;
    const acks = [...packets(dirs.get(`${dst}>${src}`) ?? [])].filter((p) => p.type === 4 && p.body.length >= 2);
    for (const s of sent) {
      const id = s.packetId;
      const ack = acks.find((a) => a.ns >= s.ns && ((a.body[0]! << 8) | a.body[1]!) === id);
      if (ack !== undefined) {
        s.pubackNs = ack.ns;
        acks.splice(acks.indexOf(ack), 1);
      }
    }
    found.push(...sent);
  }
  return found;
}
