/**
 * The offline advisory feed: one directory holding CSAF 2.0 advisories
 * (`*.json`), optionally CISA's KEV catalogue (a `*.json` with
 * `catalogVersion`) and EPSS scores (`*.csv`). A bundle is installed with
 * the sensor and updated by dropping files into the directory; the agent
 * re-reads it when its listing changes (watcher.ts).
 *
 * Every file is untrusted input. A file that fails its SHA-512 sidecar
 * (`<file>.sha512`, as CISA publishes beside each advisory), does not parse,
 * or fails CSAF validation is rejected with its reason, and the rest of the
 * feed loads. Files are read in name order so a feed's digest and the order
 * of its advisories are the same on every gateway.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsaf, type Advisory } from './csaf.js';
import { isKev, readEpss, readKev, type EpssScores, type KevCatalogue } from './exploited.js';
import { CsafValidator } from './validate.js';

export interface FeedLimits {
  /** Largest file read, bytes. */
  readonly maxFileBytes: number;
  /** Most advisories kept; the rest are rejected (and counted). */
  readonly maxAdvisories: number;
}

export const DEFAULT_FEED_LIMITS: FeedLimits = { maxFileBytes: 16 * 1024 * 1024, maxAdvisories: 4096 };

export interface Rejected {
  readonly file: string;
  readonly reason: string;
}

export interface Feed {
  readonly advisories: readonly Advisory[];
  readonly kev?: KevCatalogue;
  readonly epss?: EpssScores;
  readonly rejected: readonly Rejected[];
  /** SHA-512 sidecars that matched. */
  readonly verified: number;
  /** sha256 over every accepted file's name and bytes, first 16 hex digits: equal feeds, equal digests. */
  readonly digest: string;
  /** For the status stream's `feeds` facts. */
  readonly versions: Readonly<Record<string, string>>;
}

export interface FeedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The sidecar's text, when there is one. */
  readonly sha512?: string;
}

/** Lists the directories: names, sizes and modification times, the watcher's cheap change check. */
export async function listingOf(...dirs: string[]): Promise<string> {
  const parts: string[] = [];
  for (const dir of dirs) {
    const names = (await readdir(dir)).sort();
    for (const n of names) {
      try {
        const s = await stat(join(dir, n));
        if (s.isFile()) parts.push(`${dir}/${n}:${s.size}:${s.mtimeMs}`);
      } catch {
        // Removed between readdir and stat: the next check sees the new listing.
      }
    }
  }
  return parts.join('\n');
}

/** One directory's feed (see readFeedDirs). */
export async function readFeedDir(dir: string, validator: CsafValidator, limits: FeedLimits = DEFAULT_FEED_LIMITS): Promise<Feed> {
  return readFeedDirs([dir], validator, limits);
}

/**
 * The feed of several directories: the installed bundle, then the files that
 * came over MQTT (inbox.ts). A name in a later directory replaces the same
 * name in an earlier one, so a central update supersedes the bundle's copy.
 */
export async function readFeedDirs(dirs: readonly string[], validator: CsafValidator, limits: FeedLimits = DEFAULT_FEED_LIMITS): Promise<Feed> {
  const byName = new Map<string, FeedFile>();
  const rejected = new Map<string, Rejected>();
  for (const dir of dirs) {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (!/\.(json|csv)$/i.test(name)) continue;
      const path = join(dir, name);
      byName.delete(name);
      rejected.delete(name);
      try {
        const s = await stat(path);
        if (!s.isFile()) continue;
        if (s.size > limits.maxFileBytes) {
          rejected.set(name, { file: name, reason: `larger than ${limits.maxFileBytes} bytes` });
          continue;
        }
        const bytes = await readFile(path);
        const sidecar = names.includes(`${name}.sha512`) ? await readFile(`${path}.sha512`, 'utf8') : undefined;
        byName.set(name, sidecar === undefined ? { name, bytes } : { name, bytes, sha512: sidecar });
      } catch (err) {
        rejected.set(name, { file: name, reason: `unreadable: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }
  const files = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const feed = await buildFeed(files, validator, limits);
  return { ...feed, rejected: [...rejected.values(), ...feed.rejected] };
}

/** Builds a feed from files (a directory's, or ones that came over MQTT). */
export async function buildFeed(files: readonly FeedFile[], validator: CsafValidator, limits: FeedLimits = DEFAULT_FEED_LIMITS): Promise<Feed> {
  const advisories: Advisory[] = [];
  const rejected: Rejected[] = [];
  let kev: KevCatalogue | undefined;
  let epss: EpssScores | undefined;
  let verified = 0;
  const digest = createHash('sha256');
  const byId = new Map<string, number>();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const reject = (reason: string): void => void rejected.push({ file: f.name, reason });
    if (f.sha512 !== undefined) {
      const want = /[0-9a-f]{128}/i.exec(f.sha512)?.[0]?.toLowerCase();
      const have = createHash('sha512').update(f.bytes).digest('hex');
      if (want === undefined) {
        reject('sha512 sidecar holds no SHA-512 digest');
        continue;
      }
      if (want !== have) {
        reject(`sha512 mismatch: sidecar ${want.slice(0, 16)}…, file ${have.slice(0, 16)}…`);
        continue;
      }
      verified++;
    }
    const text = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('utf8');
    if (/\.csv$/i.test(f.name)) {
      const r = readEpss(text);
      if (!r.ok) reject(r.reason);
      else {
        epss = r.epss;
        digest.update(`${f.name}\0`).update(f.bytes);
      }
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      reject(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (isKev(doc)) {
      const r = readKev(doc);
      if (!r.ok) reject(r.reason);
      else {
        kev = r.kev;
        digest.update(`${f.name}\0`).update(f.bytes);
      }
      continue;
    }
    const v = await validator.validate(doc);
    if (!v.ok) {
      reject(`not valid CSAF 2.0: ${v.reasons.join('; ')}`);
      continue;
    }
    const r = readCsaf(doc);
    if (!r.ok) {
      reject(r.reason);
      continue;
    }
    // A newer revision of one advisory replaces the older one, whatever the file names.
    const prev = byId.get(r.advisory.id);
    if (prev !== undefined) {
      const old = advisories[prev]!;
      if (Number(r.advisory.version) >= Number(old.version) || Number.isNaN(Number(old.version))) advisories[prev] = r.advisory;
      rejected.push({ file: f.name, reason: `duplicate of ${r.advisory.id}: kept version ${advisories[prev]!.version}` });
      digest.update(`${f.name}\0`).update(f.bytes);
      continue;
    }
    if (advisories.length >= limits.maxAdvisories) {
      reject(`more than vulns.max_advisories (${limits.maxAdvisories}) advisories`);
      continue;
    }
    byId.set(r.advisory.id, advisories.length);
    advisories.push(r.advisory);
    digest.update(`${f.name}\0`).update(f.bytes);
  }
  const hex = digest.digest('hex').slice(0, 16);
  let newest: Advisory | undefined;
  for (const a of advisories) if (newest === undefined || a.released > newest.released) newest = a;
  const versions: Record<string, string> = {
    csaf: `${advisories.length} advisories${newest !== undefined ? `, newest ${newest.id} v${newest.version} ${newest.released.slice(0, 10)}` : ''}, digest ${hex}${rejected.length > 0 ? `, ${rejected.length} rejected` : ''}`,
  };
  if (kev !== undefined) versions.kev = `${kev.version} (${kev.entries.size} CVEs)`;
  if (epss !== undefined) versions.epss = `${epss.date || '?'} ${epss.model} (${epss.scores.size} CVEs)`;
  return { advisories, ...(kev !== undefined ? { kev } : {}), ...(epss !== undefined ? { epss } : {}), rejected, verified, digest: hex, versions };
}
