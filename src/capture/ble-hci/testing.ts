/**
 * Test helpers for the BLE capture helper's tests: a controller behind the
 * binding's API (the fake-socket boundary of source.test.ts) and the real
 * LE advertising report events of a recorded btsnoop log.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturesDir } from '../../../test/support/captures.js';
import { PcapReader } from '../pcap/reader.js';
import type { RawFrame } from '../types.js';
import type { HciSocketLike } from './index.js';

export const RECORDED = join(capturesDir(), 'ble_hci/wban-python_btsnoop_hci.DERIVED-editcap.pcap');

/** A controller behind the binding's API: Command Complete (status `refuse` for one opcode) for every command. */
export class Controller extends EventEmitter implements HciSocketLike {
  static last: Controller | undefined;
  static refuse: number | undefined;
  readonly written: Uint8Array[] = [];
  started = false;
  constructor() {
    super();
    Controller.last = this;
  }
  bindRaw(): number { return 0; }
  bindUser(): number { return 0; }
  isDevUp(): boolean { return true; }
  setFilter(): void {}
  start(): void { this.started = true; }
  stop(): void { this.started = false; }
  write(data: Buffer): void {
    const p = Uint8Array.from(data);
    this.written.push(p);
    const status = (p[1]! | (p[2]! << 8)) === Controller.refuse ? 0x0c : 0x00;
    const ret = (p[1]! | (p[2]! << 8)) === 0x1002 ? [status, ...new Array<number>(64).fill(0)] : [status];
    setImmediate(() => this.emit('data', Buffer.from([0x04, 0x0e, 3 + ret.length, 1, p[1]!, p[2]!, ...ret])));
  }
}

/** The recorded LE advertising report events (H4, controller to host) of a real btsnoop log. */
export function recordedAdverts(): RawFrame[] {
  const r = new PcapReader('t', { anomaly: () => undefined, state: () => undefined });
  return [...r.push(readFileSync(RECORDED)), ...r.end()]
    .filter((f) => f.linkType === 201 && f.bytes[3] === 1 && f.bytes[4] === 0x04 && f.bytes[5] === 0x3e && (f.bytes[7] === 0x02 || f.bytes[7] === 0x0d))
    .map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) }));
}

