/**
 * Firmware timestamps to wall-clock time. Each dongle counts microseconds
 * from its own zero (boot, or the last STOP); the first frame anchors that
 * count to the host clock, later frames keep the firmware's spacing, which
 * is what matters for timing analysis. A counter that wraps (32 bits) is
 * unwrapped; one that jumps back by more than half its range, or drifts
 * more than `maxDriftMs` from the host clock (a reboot, a STOP), re-anchors.
 */
import { hostTime } from './dongle.js';

export class FirmwareClock {
  private anchorHostUs = 0;
  private anchorFwUs = -1;
  private lastRaw = 0;
  private wraps = 0;
  /** Times the anchor was reset because the firmware clock jumped. */
  reanchors = 0;

  constructor(private readonly wrapAt = 2 ** 53, private readonly maxDriftMs = 2000) {}

  /** Forget the anchor (the firmware reset its counter, e.g. TI on STOP, §3.4). */
  reset(): void {
    this.anchorFwUs = -1;
    this.wraps = 0;
  }

  at(fwUs: number): { tsSec: number; tsNsec: number } {
    const now = hostTime();
    const hostUs = now.tsSec * 1e6 + Math.floor(now.tsNsec / 1000);
    if (this.anchorFwUs >= 0 && fwUs < this.lastRaw && this.lastRaw - fwUs > this.wrapAt / 2) this.wraps++;
    this.lastRaw = fwUs;
    const fw = fwUs + this.wraps * this.wrapAt;
    let us = this.anchorHostUs + (fw - this.anchorFwUs);
    if (this.anchorFwUs < 0 || Math.abs(us - hostUs) > this.maxDriftMs * 1000) {
      if (this.anchorFwUs >= 0) this.reanchors++;
      this.anchorHostUs = hostUs;
      this.anchorFwUs = fw;
      us = hostUs;
    }
    const sec = Math.floor(us / 1e6);
    return { tsSec: sec, tsNsec: Math.round(us - sec * 1e6) * 1000 };
  }
}
