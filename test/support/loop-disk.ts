/**
 * A disk whose power can be cut, for the power-cut tests: ext4 (with its
 * journal) on a file attached to a loop device. `cut()` copies the backing
 * file while the device is idle, so the copy holds exactly the blocks the
 * filesystem had sent to the device: what was only in the page cache
 * (written, not fsync'd) is not in it, as after a power loss. The copy then
 * becomes the disk and is mounted again (the journal replays, as at boot).
 * Needs root; see docs/testing.md ("Durability") for what this models.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';

export const TOOLS = ['losetup', 'mkfs.ext4', 'mount', 'umount'] as const;

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.error?.message}): ${r.stderr}`);
  return r.stdout.trim();
}

/** Writes completed, sectors written and I/Os in flight (/sys/block/<dev>/stat fields 5, 7 and 9). */
function writeCounters(dev: string): string {
  const f = readFileSync(`/sys/block/${basename(dev)}/stat`, 'utf8').trim().split(/\s+/);
  return `${f[4]}/${f[6]}/${f[8]}`;
}

export class LoopDisk {
  private dev: string | undefined;
  private image: string;
  private generation = 0;

  /** Makes a fresh ext4 image of `bytes` in `work` and mounts it at `mnt`. */
  constructor(private readonly work: string, readonly mnt: string, bytes = 64 << 20) {
    this.image = join(work, 'disk-0.img');
    run('truncate', ['-s', String(bytes), this.image]);
    run('mkfs.ext4', ['-q', '-F', '-O', 'has_journal', this.image]);
    this.attach();
  }

  private attach(): void {
    const dev = run('losetup', ['--find', '--show', this.image]);
    try {
      mkdirSync(this.mnt, { recursive: true });
      run('mount', ['-t', 'ext4', dev, this.mnt]);
    } catch (err) {
      run('losetup', ['-d', dev]);
      throw err;
    }
    this.dev = dev;
  }

  private detach(): void {
    if (this.dev === undefined) return;
    run('umount', [this.mnt]);
    run('losetup', ['-d', this.dev]);
    this.dev = undefined;
  }

  /**
   * Cuts the power now and boots again: returns false when the device never
   * stayed idle long enough to be copied in one instant (then nothing changed).
   * Call it only once every process writing to the disk has exited.
   */
  cut(): boolean {
    const dev = this.dev;
    if (dev === undefined) throw new Error('loop disk is not attached');
    // The kernel may still write back on its own (a journal commit every 5 s): such a write is one
    // the device would have got before a later cut, but a copy it lands in the middle of is no single
    // instant, so copy again until nothing was in flight or completed while copying.
    const next = join(this.work, `disk-${++this.generation}.img`);
    let quiet = false;
    for (let attempt = 0; attempt < 5 && !quiet; attempt++) {
      const before = writeCounters(dev);
      copyFileSync(this.image, next);
      quiet = before.endsWith('/0') && writeCounters(dev) === before;
    }
    if (!quiet) {
      rmSync(next, { force: true });
      return false;
    }
    this.detach();
    rmSync(this.image);
    this.image = next;
    this.attach();
    return true;
  }

  /** Unmounts and detaches, also after a failure half-way. */
  destroy(): void {
    try {
      this.detach();
    } catch {
      spawnSync('umount', ['-l', this.mnt]);
      if (this.dev !== undefined) spawnSync('losetup', ['-d', this.dev]);
      this.dev = undefined;
    }
  }
}
