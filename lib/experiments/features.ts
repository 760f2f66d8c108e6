import type { CachedDataset } from '../types';
import { corruptDataset } from '../corrupt/apply';
import { gapModelLabel } from '../corrupt/gaps';
import type { CorruptionSpec, FeatureMatrix, FeatureProvider, FeatureRequest } from './types';

/** Cache key of a corruption request (`clean` when none). */
export function corruptionKey(corruption?: CorruptionSpec): string {
  return corruption ? `${gapModelLabel(corruption.gapModel)}-seed${corruption.seed}` : 'clean';
}

/**
 * The CNN's features: the cached waveforms themselves, one row [clipSamples, 1] per clip, with
 * the gaps written in for a corrupted request. The most recent corrupted matrix is kept, since a
 * grid asks for the same corruption several times in a row (train, then test).
 */
export function waveformProvider(dataset: CachedDataset, name = 'cnn'): FeatureProvider {
  let last: { key: string; matrix: FeatureMatrix } | undefined;
  const rowShape = [dataset.clipSamples, 1];
  return {
    name,
    clips: dataset.clips,
    classNames: dataset.classNames,
    fingerprint: dataset.fingerprint,
    datasetName: dataset.name,
    sampleRate: dataset.sampleRate,
    dependsOnSplit: false,
    describe: () => ({ features: 'waveform', sampleRate: dataset.sampleRate, clipSamples: dataset.clipSamples }),
    async features(request: FeatureRequest): Promise<FeatureMatrix> {
      const rows = dataset.clips.length;
      if (!request.corruption) return { data: dataset.waveforms, rows, rowShape };
      const key = corruptionKey(request.corruption);
      if (last?.key !== key) {
        const { dataset: corrupted } = corruptDataset(dataset, request.corruption.gapModel, request.corruption.seed);
        last = { key, matrix: { data: corrupted.waveforms, rows, rowShape } };
      }
      return last.matrix;
    },
  };
}

/** Number of values in one row of a feature matrix. */
export function rowSize(matrix: FeatureMatrix): number {
  return matrix.rowShape.reduce((a, b) => a * b, 1);
}

/** Copies the given rows into one contiguous array (a batch). */
export function gatherRows(matrix: FeatureMatrix, indices: ArrayLike<number>): Float32Array {
  const size = rowSize(matrix);
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    out.set(matrix.data.subarray(r * size, (r + 1) * size), i * size);
  }
  return out;
}
