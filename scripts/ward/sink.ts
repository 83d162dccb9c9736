/**
 * Streams frames into a pcap or pcapng file through one 1 MiB buffer and
 * fs.writeSync, so a capture of any size never sits in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pcapHeader, PcapNgWriter } from '../../src/capture/pcap/writer.js';

export type CaptureFormat = 'pcap' | 'pcapng';

const LINKTYPE_ETHERNET = 1;
const BUFFER_BYTES = 1 << 20;
const SNAPLEN = 262144;

export class CaptureSink {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private readonly ng: PcapNgWriter | undefined;
  /** Bytes written to the file so far (header included). */
  bytes = 0;

  constructor(path: string, readonly format: CaptureFormat) {
    this.fd = openSync(path, 'w');
    if (format === 'pcapng') {
      const ng = new PcapNgWriter({ collect: false });
      this.ng = ng;
      // The constructor already produced the Section Header Block; rebuild it to write it.
      this.put(ng.section());
      this.put(ng.addInterface(LINKTYPE_ETHERNET, { snaplen: SNAPLEN }));
    } else {
      this.ng = undefined;
      this.put(pcapHeader(LINKTYPE_ETHERNET, { snaplen: SNAPLEN }));
    }
  }

  write(tsSec: number, tsNsec: number, bytes: Uint8Array): void {
    if (this.ng !== undefined) {
      this.put(this.ng.epb(0, tsSec, tsNsec, bytes));
      return;
    }
    // Classic record header (draft-ietf-opsawg-pcap §5), microseconds, little-endian.
    if (this.used + 16 + bytes.length > BUFFER_BYTES) this.flush();
    const b = this.buf;
    const o = this.used;
    b.writeUInt32LE(tsSec, o);
    b.writeUInt32LE(Math.floor(tsNsec / 1000), o + 4);
    b.writeUInt32LE(bytes.length, o + 8);
    b.writeUInt32LE(bytes.length, o + 12);
    this.used += 16;
    this.put(bytes);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private put(data: Uint8Array): void {
    if (this.used + data.length > BUFFER_BYTES) this.flush();
    if (data.length > BUFFER_BYTES) {
      writeSync(this.fd, data);
      this.bytes += data.length;
      return;
    }
    this.buf.set(data, this.used);
    this.used += data.length;
  }

  private flush(): void {
    let o = 0;
    while (o < this.used) o += writeSync(this.fd, this.buf, o, this.used - o);
    this.bytes += this.used;
    this.used = 0;
  }
}
