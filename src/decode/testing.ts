/**
 * Helpers shared by the decoder tests: run bytes through a FrameDecoder and
 * check the outcome against a table row `[name, bytes, expected]`.
 */
import type { Test } from 'tap';
import { rawFrame } from '../../test/builders/frames.js';
import { defaultFrameDecoder, type FrameDecoder } from './index.js';
import type { DecodedFrame, Layer } from './types.js';

export interface Expected {
  /** Names of the layers that decoded, outermost first. */
  readonly layers: readonly string[];
  /** The anomaly code the walk stopped on, or undefined for none. */
  readonly anomaly?: string | undefined;
  /** Codes of the layers' non-fatal warnings, outermost first (default: none). */
  readonly warnings?: readonly string[];
  /** Getter values of the layer named `layer` (default: the test file's protocol). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly layer?: string;
  /** LINKTYPE (default 1, Ethernet). */
  readonly linkType?: number;
  /** Length on the wire, when it differs from the bytes (a snapped capture). */
  readonly origLen?: number;
  /** Expected `truncated` flag of the frame (checked when given). */
  readonly truncated?: boolean;
}

export type Case = readonly [name: string, bytes: Uint8Array, expected: Expected];

export function decodeBytes(bytes: Uint8Array, linkType = 1, origLen = bytes.length, dec: FrameDecoder = defaultFrameDecoder()): DecodedFrame {
  return dec.decode(rawFrame(bytes, linkType, origLen));
}

/** The named getters of a view, as plain data. */
export function fieldsOf(layer: Layer, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (layer as unknown as Record<string, unknown>)[k];
  return out;
}

/** Runs every row as a subtest: layer names, anomaly code, and the listed fields. */
export function runCases(t: Test, defaultLayer: string, cases: readonly Case[]): void {
  for (const [name, bytes, want] of cases) {
    t.test(name, async (t) => {
      const f = decodeBytes(bytes, want.linkType ?? 1, want.origLen ?? bytes.length);
      t.same(f.layers.map((l) => l.name), want.layers, 'layers');
      t.equal(f.anomaly?.code, want.anomaly, 'anomaly');
      t.same(f.layers.flatMap((l) => (l.warning ? [l.warning.code] : [])), want.warnings ?? [], 'warnings');
      if (want.truncated !== undefined) t.equal(f.truncated, want.truncated, 'truncated');
      if (want.fields) {
        const layer = f.layers.find((l) => l.name === (want.layer ?? defaultLayer));
        t.ok(layer, `has layer ${want.layer ?? defaultLayer}`);
        if (layer) t.same(fieldsOf(layer, Object.keys(want.fields)), want.fields, 'fields');
      }
    });
  }
}
