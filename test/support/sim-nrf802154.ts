/**
 * An nRF52840 running the nRF Sniffer for 802.15.4 firmware, as its shell
 * behaves on the wire (dongle-protocols.md §2; sdk-nrf
 * samples/peripheral/802154_sniffer/src/main.c): commands end in CR LF, the
 * shell echoes them until `shell echo off`, `channel` alone prints the
 * channel, `channel N` sets it (11..26), `receive` and `sleep` start and
 * stop RX, anything else gets the shell's "command not found". While
 * receiving it prints `received: <hex PSDU> power: <dBm> lqi: <n> time: <µs>`
 * for each frame `transmit()` puts on air, with the FCS bytes overwritten by
 * RSSI and LQI as the radio does (§2.4), and only on the channel it listens to.
 */
import { DongleSim, type PtyCable } from './dongle-pty.js';

export interface AirFrame {
  /** The MPDU without its FCS. */
  readonly mpdu: Uint8Array;
  readonly channel: number;
  readonly rssi: number;
  readonly lqi: number;
}

export class Nrf802154Sim extends DongleSim {
  channel = 11;
  receiving = false;
  echo = true;
  /** Lines the host sent, in order (for the tests that read the sequence). */
  readonly commands: string[] = [];
  private line = '';
  private bootUs = 1_000_000;

  constructor(cable: PtyCable) {
    super(cable);
  }

  protected onBytes(b: Buffer): void {
    for (const x of b) {
      if (x === 0x0d) continue;
      if (x !== 0x0a) {
        this.line += String.fromCharCode(x);
        continue;
      }
      const cmd = this.line;
      this.line = '';
      this.commands.push(cmd);
      this.run(cmd.trim());
    }
  }

  private out(s: string): void {
    this.send(s + '\r\n');
  }

  private run(cmd: string): void {
    if (this.echo) this.out(cmd);
    const argv = cmd.split(/\s+/).filter((a) => a !== '');
    if (argv.length === 0) return;
    switch (argv[0]) {
      case 'shell':
        if (argv[1] === 'echo' && argv[2] === 'off') this.echo = false;
        return;
      case 'sleep': this.receiving = false; return;
      case 'receive': this.receiving = true; return;
      case 'channel':
        if (argv.length === 1) return this.out(String(this.channel));
        if (argv.length !== 2) return this.out(`invalid number of parameters: ${argv.length}`);
        {
          const ch = Number(argv[1]);
          if (Number.isInteger(ch) && ch >= 11 && ch <= 26) this.channel = ch;
        }
        return;
      default:
        this.out(`${argv[0]}: command not found`);
    }
  }

  /** A frame on air: printed when the sniffer listens on its channel. Returns whether it was. */
  transmit(f: AirFrame): boolean {
    if (!this.receiving || f.channel !== this.channel) return false;
    this.bootUs += 1500;
    const psdu = Buffer.concat([Buffer.from(f.mpdu), Buffer.from([f.rssi & 0xff, f.lqi])]);
    this.out(`received: ${psdu.toString('hex')} power: ${f.rssi} lqi: ${f.lqi} time: ${this.bootUs}`);
    return true;
  }
}
