/**
 * `nrf802154-serial`: an nRF52840 (dongle or DK) running Nordic's nRF
 * Sniffer for 802.15.4 firmware, over USB CDC-ACM (dongle-protocols.md §2).
 *
 * Start (the Nordic extcap's order, §2.3): `sleep`, `shell echo off`, then
 * `channel` with no argument, whose bare number identifies the firmware
 * (it has no version command), `channel N`, `channel` again to confirm, and
 * `receive`. Hopping changes the channel while receiving, as Kismet does.
 * The keep-alive is the harmless `channel` query: a quiet channel is normal,
 * a dongle that no longer answers it is not.
 *
 * Each `received:` line becomes a LINKTYPE_IEEE802_15_4_NOFCS (230) frame:
 * the radio drops frames with a bad CRC and overwrites the FCS bytes with
 * RSSI and LQI (§2.4), so the two last bytes are cut, and `power` and `lqi`
 * go into the frame meta.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawFrame, SourceEvents } from '../types.js';
import { FirmwareClock } from '../serial/clock.js';
import { DongleRefused, DongleSource, type DongleDriver, type DongleIo, type DongleOptions, type DongleParser } from '../serial/dongle.js';
import {
  BAUD, CHANNEL_RE, DRAIN_MS, EOL, LINKTYPE_NOFCS, MAX_LINE, MAX_PSDU, MIN_PSDU, RECEIVED_RE, SHELL_RE, TRAILER,
} from './consts.js';

export type Nrf802154Unit =
  | { readonly kind: 'frame'; readonly hex: string; readonly power: number; readonly lqi: number; readonly time: number }
  | { readonly kind: 'line'; readonly text: string };

/** Splits the byte stream into lines; a line longer than MAX_LINE is dropped and counted. */
export class LineParser implements DongleParser<Nrf802154Unit> {
  skipped = 0;
  units = 0;
  private buf = '';
  private overlong = false;

  push(chunk: Uint8Array): Nrf802154Unit[] {
    const out: Nrf802154Unit[] = [];
    for (const b of chunk) {
      if (b === 0x0a || b === 0x0d) {
        if (this.overlong) this.skipped += this.buf.length;
        else if (this.buf !== '') out.push(this.unit(this.buf));
        this.buf = '';
        this.overlong = false;
        continue;
      }
      if (this.buf.length >= MAX_LINE) {
        this.overlong = true;
        this.skipped++;
        continue;
      }
      this.buf += String.fromCharCode(b);
    }
    return out;
  }

  private unit(line: string): Nrf802154Unit {
    const text = line.trim();
    const m = RECEIVED_RE.exec(text);
    if (m !== null) {
      this.units++;
      return { kind: 'frame', hex: m[1]!, power: Number(m[2]), lqi: Number(m[3]), time: Number(m[4]) };
    }
    if (CHANNEL_RE.test(text) || SHELL_RE.test(text)) this.units++;
    else this.skipped += line.length;
    return { kind: 'line', text };
  }
}

export interface Nrf802154Options {
  readonly channel: number;
  /** Channels to hop over (the dwell is DongleOptions.hopMs); empty for none. */
  readonly hop: readonly number[];
  /** Answer timeout of the start sequence and of a channel change. */
  readonly answerTimeoutMs: number;
}

export class Nrf802154Driver implements DongleDriver<Nrf802154Unit> {
  readonly label = 'nRF Sniffer for 802.15.4';
  readonly bauds = [BAUD];
  readonly rtscts = false;
  channel: number;
  /** A channel change is under way: frames cannot be told to be from the old or the new channel. */
  private switching = false;
  private hopIndex = 0;
  private readonly clock = new FirmwareClock();

  constructor(readonly name: string, private readonly o: Nrf802154Options) {
    this.channel = o.hop.length > 0 ? o.hop[0]! : o.channel;
  }

  parser(): LineParser {
    return new LineParser();
  }

  private cmd(io: DongleIo<Nrf802154Unit>, c: string): Promise<void> {
    return io.send(Buffer.from(c + EOL, 'latin1'));
  }

  /** `channel` answers with its number on a line of its own (sdk-nrf main.c). */
  private async askChannel(io: DongleIo<Nrf802154Unit>, what: string, confirm?: number): Promise<number> {
    const answer = io.expect((u) => {
      if (u.kind !== 'line' || !CHANNEL_RE.test(u.text)) return undefined;
      const n = Number(u.text);
      // Synchronously, in stream order: the lines after the confirmation were heard on the new channel.
      if (n === confirm) {
        this.channel = n;
        this.switching = false;
      }
      return n;
    }, this.o.answerTimeoutMs, what);
    await this.cmd(io, 'channel');
    return answer;
  }

  private async setChannel(io: DongleIo<Nrf802154Unit>, ch: number): Promise<void> {
    // Between `channel N` and its confirmation a frame may come from either channel: it carries none.
    this.switching = true;
    await this.cmd(io, `channel ${ch}`);
    const now = await this.askChannel(io, `confirmation of channel ${ch}`, ch);
    if (now !== ch) throw new DongleRefused(`asked for channel ${ch}, the firmware reports channel ${now}`);
  }

  async start(io: DongleIo<Nrf802154Unit>): Promise<string> {
    await this.cmd(io, 'sleep');
    await this.cmd(io, 'shell echo off');
    // Drain what was said before (echoes, answers to a previous session): the extcap's flush (§2.3).
    await sleep(DRAIN_MS);
    await this.askChannel(io, 'answer to "channel" (the sniffer firmware prints its channel)');
    await this.setChannel(io, this.channel);
    await this.cmd(io, 'receive');
    this.clock.reset();
    return this.status();
  }

  private status(): string {
    return `channel ${this.channel}${this.o.hop.length > 1 ? ` (hopping over ${this.o.hop.join(',')})` : ''}`;
  }

  async probe(io: DongleIo<Nrf802154Unit>): Promise<void> {
    await this.askChannel(io, 'keep-alive answer');
  }

  async hop(io: DongleIo<Nrf802154Unit>): Promise<string> {
    if (this.o.hop.length < 2) return this.status();
    this.hopIndex = (this.hopIndex + 1) % this.o.hop.length;
    await this.setChannel(io, this.o.hop[this.hopIndex]!);
    return this.status();
  }

  frame(u: Nrf802154Unit, events: SourceEvents): RawFrame | undefined {
    if (u.kind !== 'frame') return undefined;
    const n = u.hex.length / 2;
    if (!Number.isInteger(n) || n < MIN_PSDU || n > MAX_PSDU) {
      events.anomaly({ code: 'nrf802154.bad_psdu_length', offset: 0, detail: `${u.hex.length} hex digits` });
      return undefined;
    }
    if (u.power < -128 || u.power > 127 || u.lqi > 255) {
      events.anomaly({ code: 'nrf802154.bad_meta', offset: 0, detail: `power ${u.power} lqi ${u.lqi}` });
      return undefined;
    }
    const bytes = Buffer.from(u.hex.slice(0, -TRAILER * 2), 'hex');
    return {
      ...this.clock.at(u.time), source: this.name, linkType: LINKTYPE_NOFCS, bytes, origLen: bytes.length,
      meta: this.switching ? { rssi: u.power, lqi: u.lqi } : { rssi: u.power, lqi: u.lqi, channel: this.channel },
    };
  }
}

export function nrf802154Source(o: DongleOptions & Nrf802154Options): DongleSource<Nrf802154Unit> {
  return new DongleSource(o, () => new Nrf802154Driver(o.name, o));
}
