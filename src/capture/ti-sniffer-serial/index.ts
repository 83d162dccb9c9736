/**
 * `ti-sniffer-serial`: a CC13xx/CC26xx board running TI's SmartRF Packet
 * Sniffer 2 firmware (dongle-protocols.md §3), on 802.15.4.
 *
 * Start (Kismet/CatSniffer order, §3.3): STOP, PING (whose 7-byte answer
 * identifies the firmware, chip and version), CFG_PHY, CFG_FREQUENCY, START;
 * every command waits for its 0x80 response. A channel change is STOP,
 * CFG_FREQUENCY, START (configuration is accepted only when stopped). The
 * keep-alive is PING. The baud rate is probed: 3 000 000, then 921 600.
 *
 * Data packets carry the PHR and the MPDU with its FCS (§3.4), so frames go
 * out as LINKTYPE_IEEE802_15_4_WITHFCS (195) and the decoder checks the FCS
 * itself; RSSI goes to meta. The firmware forwards no LQI.
 */
import type { RawFrame, SourceEvents } from '../types.js';
import { FirmwareClock } from '../serial/clock.js';
import { DongleRefused, DongleSource, type DongleDriver, type DongleIo, type DongleOptions, type DongleParser } from '../serial/dongle.js';
import {
  BAUDS, CATEGORY_COMMAND, CATEGORY_RESPONSE, Cmd, commandFrame, EOF0, EOF1, ERROR_RX_OVERFLOW, fcs, frequencyPayload,
  INFO_DATA, INFO_ERROR, INFO_RESPONSE, LINKTYPE_WITHFCS, MAX_PAYLOAD, PING_RESPONSE_LEN, SOF0, SOF1, STATUS_NAMES, TIMESTAMP_LEN,
} from './consts.js';

export interface TiUnit {
  readonly info: number;
  readonly payload: Uint8Array;
  /** False for a command or response whose FCS did not match. */
  readonly fcsOk: boolean;
}

/** Finds `40 53 … 40 45` packets in the byte stream; what lies between them is skipped and counted. */
export class TiParser implements DongleParser<TiUnit> {
  skipped = 0;
  units = 0;
  private buf: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): TiUnit[] {
    const b = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: TiUnit[] = [];
    let i = 0;
    while (b.length - i >= 7) {
      if (b[i] !== SOF0 || b[i + 1] !== SOF1) {
        i++;
        this.skipped++;
        continue;
      }
      const info = b[i + 2]!;
      const len = b[i + 3]! | (b[i + 4]! << 8);
      const cat = info >> 6;
      const withFcs = cat === CATEGORY_COMMAND || cat === CATEGORY_RESPONSE;
      const total = 5 + len + (withFcs ? 1 : 0) + 2;
      if (len > MAX_PAYLOAD || cat === 0) {
        i++;
        this.skipped++;
        continue;
      }
      if (b.length - i < total) break;
      if (b[i + total - 2] !== EOF0 || b[i + total - 1] !== EOF1) {
        i++;
        this.skipped++;
        continue;
      }
      const payload = Uint8Array.from(b.subarray(i + 5, i + 5 + len));
      const fcsOk = !withFcs || b[i + 5 + len] === fcs(info, payload);
      if (fcsOk) this.units++;
      out.push({ info, payload, fcsOk });
      i += total;
    }
    // Keep an unfinished packet, at most one maximal packet long.
    const rest = b.subarray(i);
    if (rest.length > MAX_PAYLOAD + 8) {
      this.skipped += rest.length;
      this.buf = new Uint8Array(0);
    } else {
      this.buf = Uint8Array.from(rest);
    }
    return out;
  }
}

export interface TiSnifferOptions {
  readonly channel: number;
  readonly hop: readonly number[];
  /** Index of the IEEE 802.15.4 PHY in this board's PHY table (§3.3). */
  readonly phy: number;
  /** Baud rates to try; BAUDS unless the config names one. */
  readonly bauds?: readonly number[];
  readonly answerTimeoutMs: number;
}

export interface TiIdentity {
  readonly chipId: number;
  readonly chipRev: number;
  readonly fwId: number;
  readonly fwMajor: number;
  readonly fwMinor: number;
}

const hex = (n: number, w = 2): string => '0x' + n.toString(16).padStart(w, '0');

export class TiSnifferDriver implements DongleDriver<TiUnit> {
  readonly label = 'TI Packet Sniffer 2';
  readonly bauds: readonly number[];
  readonly rtscts = false;
  channel: number;
  identity: TiIdentity | undefined;
  private hopIndex = 0;
  private readonly clock = new FirmwareClock(2 ** 48);

  constructor(readonly name: string, private readonly o: TiSnifferOptions) {
    this.bauds = o.bauds ?? BAUDS;
    this.channel = o.hop.length > 0 ? o.hop[0]! : o.channel;
  }

  parser(): TiParser {
    return new TiParser();
  }

  /** Sends one command and waits for its response; a status other than ok is refused unless `anyStatus`. */
  private async command(io: DongleIo<TiUnit>, info: number, payload: number[] = [], anyStatus = false): Promise<Uint8Array> {
    const name = Object.entries(Cmd).find(([, v]) => v === info)?.[0] ?? hex(info);
    const answer = io.expect((u) => (u.info === INFO_RESPONSE && u.fcsOk ? u.payload : undefined), this.o.answerTimeoutMs, `response to ${name}`);
    await io.send(commandFrame(info, payload));
    const p = await answer;
    const status = p[0] ?? -1;
    if (!anyStatus && status !== 0) {
      throw new DongleRefused(`${name}${payload.length > 0 ? ' ' + payload.map((x) => hex(x)).join(' ') : ''} answered with status ${status} (${STATUS_NAMES[status] ?? 'unknown'})${info === Cmd.CFG_PHY ? ': set phy to the IEEE 802.15.4 PHY index of this board' : ''}`);
    }
    return p;
  }

  private async ping(io: DongleIo<TiUnit>): Promise<TiIdentity> {
    const p = await this.command(io, Cmd.PING);
    if (p.length !== PING_RESPONSE_LEN) throw new DongleRefused(`PING answered with ${p.length} bytes instead of ${PING_RESPONSE_LEN}: not Packet Sniffer 2 firmware`);
    return { chipId: p[1]! | (p[2]! << 8), chipRev: p[3]!, fwId: p[4]!, fwMajor: p[6]!, fwMinor: p[5]! };
  }

  async start(io: DongleIo<TiUnit>): Promise<string> {
    await this.command(io, Cmd.STOP, [], true);
    this.identity = await this.ping(io);
    await this.command(io, Cmd.CFG_PHY, [this.o.phy]);
    await this.command(io, Cmd.CFG_FREQUENCY, frequencyPayload(this.channel));
    await this.command(io, Cmd.START);
    this.clock.reset();
    return this.status();
  }

  private status(): string {
    const id = this.identity;
    const who = id === undefined ? '' : `chip ${hex(id.chipId, 4)} rev ${hex(id.chipRev)}, firmware ${hex(id.fwId)} ${id.fwMajor}.${id.fwMinor}, `;
    return `${who}channel ${this.channel}${this.o.hop.length > 1 ? ` (hopping over ${this.o.hop.join(',')})` : ''}`;
  }

  async probe(io: DongleIo<TiUnit>): Promise<void> {
    await this.ping(io);
  }

  async hop(io: DongleIo<TiUnit>): Promise<string> {
    if (this.o.hop.length < 2) return this.status();
    this.hopIndex = (this.hopIndex + 1) % this.o.hop.length;
    const ch = this.o.hop[this.hopIndex]!;
    await this.command(io, Cmd.STOP);
    await this.command(io, Cmd.CFG_FREQUENCY, frequencyPayload(ch));
    this.channel = ch;
    await this.command(io, Cmd.START);
    // STOP resets the firmware's timestamp (§3.4).
    this.clock.reset();
    return this.status();
  }

  frame(u: TiUnit, events: SourceEvents): RawFrame | undefined {
    if (u.info === INFO_ERROR) {
      events.anomaly({ code: u.payload[0] === ERROR_RX_OVERFLOW ? 'ti_sniffer.rx_overflow' : 'ti_sniffer.error', offset: 0 });
      return undefined;
    }
    if (!u.fcsOk) {
      events.anomaly({ code: 'ti_sniffer.bad_fcs', offset: 0 });
      return undefined;
    }
    if (u.info !== INFO_DATA) return undefined;
    const p = u.payload;
    // Timestamp, PHR, at least FCF + sequence + FCS, RSSI, status.
    if (p.length < TIMESTAMP_LEN + 1 + 5 + 2) {
      events.anomaly({ code: 'ti_sniffer.short_data', offset: 0, detail: `${p.length} bytes` });
      return undefined;
    }
    const phr = p[TIMESTAMP_LEN]!;
    const mpdu = p.subarray(TIMESTAMP_LEN + 1, p.length - 2);
    if ((phr & 0x7f) !== mpdu.length) {
      events.anomaly({ code: 'ti_sniffer.bad_phr', offset: 0, detail: `PHR ${phr}, ${mpdu.length} bytes` });
      return undefined;
    }
    let ts = 0;
    for (let k = TIMESTAMP_LEN - 1; k >= 0; k--) ts = ts * 256 + p[k]!;
    const rssi = (p[p.length - 2]! << 24) >> 24;
    return { ...this.clock.at(ts), source: this.name, linkType: LINKTYPE_WITHFCS, bytes: mpdu, origLen: mpdu.length, meta: { rssi, channel: this.channel } };
  }
}

export function tiSnifferSource(o: DongleOptions & TiSnifferOptions): DongleSource<TiUnit> {
  return new DongleSource(o, () => new TiSnifferDriver(o.name, o));
}
