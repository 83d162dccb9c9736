/**
 * Constants of the classic pcap format (draft-ietf-opsawg-pcap) and of pcapng
 * (draft-ietf-opsawg-pcapng), and the table of every anomaly the reader can
 * raise. Tables are data: a new anomaly is a new row here first.
 */

/** Classic pcap magic numbers, as read little-endian from the first four bytes (draft-ietf-opsawg-pcap §4). */
export const PCAP_MAGIC_US_LE = 0xa1b2c3d4;
export const PCAP_MAGIC_NS_LE = 0xa1b23c4d;
/** The same magics written by a big-endian host, read little-endian. */
export const PCAP_MAGIC_US_BE = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_BE = 0x4d3cb2a1;

/**
 * The "modified" pcap of Alexey Kuznetzov's patches (libpcap's LIBPCAP 0.4
 * SS991029 and, with the standard magic, Red Hat 6.1's SS990417): each record
 * header grows by ifindex (4), protocol (2), pkt_type (1) and a pad byte.
 */
export const PCAP_MAGIC_MODIFIED_LE = 0xa1b2cd34;
export const PCAP_MAGIC_MODIFIED_BE = 0x34cdb2a1;
export const PCAP_MODIFIED_RECORD_HEADER_LEN = 24;
/** Largest original length a plausible record header claims, when guessing the variant (libwiretap uses the same). */
export const PLAUSIBLE_MAX_ORIGLEN = 128 * 1024 * 1024;

/** Size of the classic pcap file header (§4) and of a packet record header (§5). */
export const PCAP_FILE_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

/**
 * The low bits of the file header's LinkType field hold the link type; the high
 * bits carry the FCS length (draft-ietf-opsawg-pcap §4). libpcap masks with
 * LT_LINKTYPE(x) = x & 0x03FFFFFF, and so do we.
 */
export const PCAP_LINKTYPE_MASK = 0x03ffffff;

/** pcapng block types (draft-ietf-opsawg-pcapng §4 and §10.1). */
export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
/** Obsolete Packet Block (pcapng appendix "Packet Block (obsolete!)"). */
export const BT_OPB = 0x00000002;
export const BT_SPB = 0x00000003;
export const BT_EPB = 0x00000006;

/** Byte-order magic in the SHB body (§4.1). */
export const SHB_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** A block is at least type + length + trailing length (§3.1). */
export const PCAPNG_MIN_BLOCK_LEN = 12;
/** Minimum total lengths of the blocks we read, from the fixed fields in §4.1–§4.4. */
export const SHB_MIN_LEN = 28;
export const IDB_MIN_LEN = 20;
export const EPB_MIN_LEN = 32;
export const SPB_MIN_LEN = 16;
export const OPB_MIN_LEN = 32;

/** IDB option codes (§4.2): if_tsresol (1 byte) and if_tsoffset (8 bytes, signed seconds). */
export const OPT_ENDOFOPT = 0;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

/**
 * Largest captured length we accept for one packet. libpcap's MAXIMUM_SNAPLEN
 * is 262144 (256 KiB); anything larger is garbage or a hostile file, and
 * believing it would make the reader buffer that much.
 */
export const MAX_CAPLEN = 256 * 1024;
/**
 * Largest pcapng block we buffer. Packet blocks are bounded by MAX_CAPLEN plus
 * their fixed fields and options; other blocks (name resolution, decryption
 * secrets, custom) can be larger, but 16 MiB is far beyond anything real.
 */
export const MAX_BLOCK_LEN = 16 * 1024 * 1024;

/**
 * Files that are not pcap or pcapng but are often handed to a pcap reader,
 * told apart by their first bytes so the user reads what the file is instead
 * of "bad magic". None is read; `advice` says what to do. ERF has no magic
 * and is left out.
 */
export interface ForeignFormat {
  readonly name: string;
  /** The leading bytes that identify it. */
  readonly magic: readonly number[];
  readonly advice: string;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const FOREIGN_FORMATS: readonly ForeignFormat[] = Object.freeze([
  // RFC 1761 §2 ("snoop" file format) and its Bluetooth successor, the
  // btsnoop HCI log of Android and BlueZ: "btsnoop\0", version 1, datalink.
  { name: 'btsnoop HCI log', magic: ascii('btsnoop\0'), advice: 'read by src/capture/btsnoop (datalinks 1001, 1002, 2001)' },
  { name: 'Sun snoop capture', magic: ascii('snoop\0\0\0'), advice: 'not supported yet (editcap -F pcap FILE OUT converts it)' },
  // Daintree SNA (.dcf) is a text format whose first line is "#Format=4".
  { name: 'Daintree SNA text capture (.dcf)', magic: ascii('#Format='), advice: 'not supported yet' },
  // RFC 1952 §2.3.1 (gzip), then bzip2, xz and zstd (RFC 8878 §3.1.1).
  { name: 'gzip-compressed file', magic: [0x1f, 0x8b], advice: 'compressed: gunzip it first' },
  { name: 'bzip2-compressed file', magic: ascii('BZh'), advice: 'compressed: bunzip2 it first' },
  { name: 'xz-compressed file', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], advice: 'compressed: unxz it first' },
  { name: 'zstd-compressed file', magic: [0x28, 0xb5, 0x2f, 0xfd], advice: 'compressed: unzstd it first' },
]);

const TEXT_FILE: ForeignFormat = Object.freeze({ name: 'text file', magic: [], advice: 'not a capture' });

/**
 * The foreign format `bytes[off, end)` starts with, if any. When fewer bytes
 * than a magic are at hand, the bytes there are must match it. A start of
 * printable ASCII that matches nothing is reported as text.
 */
export function sniffForeign(bytes: Uint8Array, off: number, end: number): ForeignFormat | undefined {
  for (const f of FOREIGN_FORMATS) {
    const n = Math.min(f.magic.length, end - off);
    let i = 0;
    while (i < n && bytes[off + i] === f.magic[i]) i++;
    if (i === n && n > 0) return f;
  }
  const n = Math.min(16, end - off);
  let printable = n > 0;
  for (let i = 0; i < n && printable; i++) {
    const b = bytes[off + i]!;
    printable = (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
  }
  return printable ? TEXT_FILE : undefined;
}

export interface AnomalyCodeInfo {
  readonly code: string;
  /** True when the reader stops at this anomaly: the stream cannot be resynchronised. */
  readonly fatal: boolean;
  readonly description: string;
}

/**
 * Every anomaly code the pcap/pcapng reader can report, with what it means.
 * Fatal anomalies end the stream: pcap has no resynchronisation marker, so
 * after a length we cannot believe, every later byte is suspect.
 */
export const PCAP_ANOMALIES = {
  'pcap.empty': {
    code: 'pcap.empty',
    fatal: true,
    description: 'The stream ended before a single byte arrived, so there is no file header at all.',
  },
  'pcap.bad_magic': {
    code: 'pcap.bad_magic',
    fatal: true,
    description: 'The first four bytes are neither a classic pcap magic (µs or ns, either byte order) nor a pcapng Section Header Block type. The detail names the format when FOREIGN_FORMATS knows it (btsnoop, gzip ...).',
  },
  'pcap.truncated_header': {
    code: 'pcap.truncated_header',
    fatal: true,
    description: 'The stream ended inside the 24-byte classic pcap file header.',
  },
  'pcap.truncated_record': {
    code: 'pcap.truncated_record',
    fatal: true,
    description: 'The stream ended inside a classic pcap packet record (its 16-byte header or its captured bytes).',
  },
  'pcap.bad_caplen': {
    code: 'pcap.bad_caplen',
    fatal: true,
    description: 'A classic pcap record claims more than 256 KiB of captured bytes; the length cannot be believed, so the stream stops.',
  },
  'pcap.bad_timestamp': {
    code: 'pcap.bad_timestamp',
    fatal: false,
    description: 'A classic pcap record has a sub-second field of a whole second or more; the excess is carried into the seconds and the frame is kept.',
  },
  'pcapng.truncated_block': {
    code: 'pcapng.truncated_block',
    fatal: true,
    description: 'The stream ended inside a pcapng block.',
  },
  'pcapng.bad_block_length': {
    code: 'pcapng.bad_block_length',
    fatal: true,
    description: 'A pcapng block total length is below 12, not a multiple of 4, above 16 MiB, or too small for the fixed fields of its block type.',
  },
  'pcapng.trailing_length_mismatch': {
    code: 'pcapng.trailing_length_mismatch',
    fatal: true,
    description: 'The trailing Block Total Length of a pcapng block differs from the leading one (§3.1), so block boundaries are lost.',
  },
  'pcapng.bad_byte_order_magic': {
    code: 'pcapng.bad_byte_order_magic',
    fatal: true,
    description: 'A Section Header Block carries neither 0x1A2B3C4D nor its byte swap as byte-order magic (§4.1).',
  },
  'pcapng.bad_version': {
    code: 'pcapng.bad_version',
    fatal: true,
    description: 'A Section Header Block has a major version other than 1 (§4.1 says readers must not read such a section).',
  },
  'pcapng.bad_interface': {
    code: 'pcapng.bad_interface',
    fatal: true,
    description: 'A packet block names an interface id for which no Interface Description Block was seen in this section (§4.3), or an SPB appears before IDB 0 (§4.4).',
  },
  'pcapng.bad_caplen': {
    code: 'pcapng.bad_caplen',
    fatal: true,
    description: 'A packet block claims more than 256 KiB of captured bytes, or more than its block length can hold.',
  },
  'pcapng.bad_option': {
    code: 'pcapng.bad_option',
    fatal: false,
    description: 'An IDB option runs past the end of the block or has the wrong length for its code; the remaining options are ignored and defaults are used.',
  },
} as const satisfies Record<string, AnomalyCodeInfo>;

export type PcapAnomalyCode = keyof typeof PCAP_ANOMALIES;
