import type { SavedWeights, WeightManifest } from '../experiments/store';

/** Saved weights as JSON can carry them through the queue: the float32 blob in base64. */
export interface EncodedWeights {
  manifest: WeightManifest;
  base64: string;
}

export function encodeWeights(w: SavedWeights): EncodedWeights {
  return { manifest: w.manifest, base64: Buffer.from(w.bin.buffer, w.bin.byteOffset, w.bin.byteLength).toString('base64') };
}

export function decodeWeights(e: EncodedWeights): SavedWeights {
  return { manifest: e.manifest, bin: new Uint8Array(Buffer.from(e.base64, 'base64')) };
}
