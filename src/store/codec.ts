/**
 * Value codec for the LevelDB store: CBOR (RFC 8949) via cbor-x.
 *
 * `useRecords: false` keeps cbor-x from using its private record extension
 * (tag 105), so the files stay readable by any CBOR decoder.
 * `useTag259ForMaps: false` stops cbor-x from wrapping JS `Map`s in tag 259.
 * `variableMapSize: true` writes object lengths in their shortest form
 * (cbor-x otherwise always uses a 2-byte length for objects).
 */
import { Encoder } from 'cbor-x';

export interface ValueCodec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** One codec per store: cbor-x encoders carry a reusable buffer, so none is shared at module level. */
export function createValueCodec(): ValueCodec {
  // useTag259ForMaps is honoured by cbor-x 1.6 but missing from its typings.
  const options = { useRecords: false, useTag259ForMaps: false, variableMapSize: true };
  const enc = new Encoder(options);
  return {
    // cbor-x returns a view into its reusable buffer; later encodes append after it
    // rather than overwrite it, but level may hold the value until the write
    // completes, so copy at this storage boundary to be independent of that.
    encode: (value) => Uint8Array.prototype.slice.call(enc.encode(value)),
    decode: (bytes) => enc.decode(bytes),
  };
}
