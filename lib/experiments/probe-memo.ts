import { createHash } from 'crypto';
import type { FeatureMatrix } from './types';

/**
 * Remembers pure results keyed by their exact inputs. Classification after repair runs one unit per
 * test fold, method and gap model on the same clean training features, and each unit refits the
 * same linear probe and head-or-probe choice (a dual ridge fit over the training rows, seconds per
 * fold, more than the unit's own predictions). The key holds the training matrix's bytes (by
 * digest) and every other input, so a hit returns what the fit would have computed.
 */
export class ExactMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => T): T {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used goes last, so the oldest entry is the first one evicted.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = compute();
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}

/** A digest of a feature matrix's shape and values, with the other inputs of a fit, as a memo key. */
export function fitKey(matrix: FeatureMatrix, labels: ArrayLike<number>, rest: unknown): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([matrix.rows, matrix.rowShape]));
  hash.update(new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
  hash.update(JSON.stringify(Array.from(labels)));
  hash.update(JSON.stringify(rest));
  return hash.digest('hex');
}
