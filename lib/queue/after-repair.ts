/**
 * Classification after repair as queue jobs: one unit of a repaired cross-validation (R_ts: one
 * test fold scored on the grid's clean-trained weights; R_all: one fold's training on repaired
 * audio and its scoring) per job. The job carries the reconstruction's files the unit reads (R_ts:
 * its test fold; R_all: every fold) and the worker computes the repaired features from them with
 * the same code as a local run; only the rows the unit reads are computed (features are per clip:
 * an embedding batch does not change a row, so the rows equal the local run's byte for byte).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CachedDataset } from '../types';
import type { GapModel } from '../corrupt/gaps';
import { FoldManifest, foldDir, reconstructRunDir } from '../reconstruct/run';
import type { AfterRepairRunner } from '../experiments/after-repair';
import {
  RepairedAudio, loadRepairedAudio, repairedCnnFeatures, repairedYamnetFeatures, withRepairedFeatures,
} from '../experiments/repaired';
import type { FeatureMatrix, RepairMode } from '../experiments/types';
import { loadYamnet, Yamnet } from '../models/yamnet/model';
import { readJsonIfExists } from '../util/atomic';
import { ParameterError } from '../util/errors';
import type { JobKind, KindContext } from './job-kind';
import type { DatasetRef } from './envelope';
import { CvUnitPayload, CvUnitResult, runCvUnit } from './cv-unit';
import { datasetFor } from './dataset-check';
import { Bytes, FileBytes, bytesOf } from './blobs';
import { QueueCrossValOptions, datasetRefAt, runCrossValidationOnQueue } from './grid';

/** A repaired cross-validation unit: a grid unit plus the repairs it reads. */
export interface AfterRepairPayload extends CvUnitPayload {
  repair: {
    method: string;
    mode: RepairMode;
    gapModel: GapModel;
    seed: number;
    /** The 16 kHz cache the repairs were made from (the CNN's job dataset is the 8 kHz one). */
    dataset16k: DatasetRef;
    /** Folds whose repairs travel, and their files: path inside the run folder → its bytes (lib/queue/blobs.ts). */
    folds: number[];
    files: Record<string, Bytes>;
  };
}

export const AFTER_REPAIR = 'after-repair';

/**
 * What loadRepairedAudio reads of a run: its config.json, and per fold its manifest, clip list, mels
 * and waveforms; read when the job is sent (R_all's jobs each carry every fold).
 */
export function repairFilesOf(runDir: string, folds: readonly number[]): Record<string, FileBytes> {
  const files: Record<string, FileBytes> = {};
  const add = (rel: string) => { files[rel] = new FileBytes(path.join(runDir, rel)); };
  add('config.json');
  for (const fold of folds) {
    const dir = path.relative(runDir, foldDir(runDir, fold));
    const manifest = readJsonIfExists<FoldManifest>(path.join(runDir, dir, 'manifest.json'));
    if (!manifest) throw new ParameterError(`fold ${fold} of ${runDir} is not reconstructed yet`);
    const names = ['manifest.json', 'clips.csv', 'mel.npy', ...manifest.files.filter((f) => f === 'waveforms.npy')];
    for (const name of names) add(path.join(dir, name));
  }
  return files;
}

const gather = (values: Float32Array, rows: readonly number[], size: number): Float32Array => {
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, k) => out.set(values.subarray(r * size, (r + 1) * size), k * size));
  return out;
};

/** `dataset` reduced to `rows` (in order). */
function subset(dataset: CachedDataset, rows: readonly number[]): CachedDataset {
  return { ...dataset, clips: rows.map((r) => dataset.clips[r]), waveforms: gather(dataset.waveforms, rows, dataset.clipSamples) };
}

/** A matrix of `total` rows holding `part`'s rows at `rows` (the rest zero: the unit never reads them). */
function scatter(part: FeatureMatrix, rows: readonly number[], total: number): FeatureMatrix {
  const size = part.rows ? part.data.length / part.rows : 0;
  const data = new Float32Array(total * size);
  rows.forEach((r, k) => data.set(part.data.subarray(k * size, (k + 1) * size), r * size));
  return { data, rows: total, rowShape: part.rowShape };
}

let yamnet: Yamnet | undefined;

/**
 * The repaired features of the rows of `folds` (YAMNet's when `model` is the 16 kHz cache, else the
 * CNN's), as a full-height matrix whose other rows are zero.
 */
export async function repairedRows(
  audio: RepairedAudio,
  folds: readonly number[],
  ds16: CachedDataset,
  model: CachedDataset,
  yamnetModel: () => Yamnet,
): Promise<FeatureMatrix> {
  const rows = ds16.clips.flatMap((c, i) => (folds.includes(c.fold) ? [i] : []));
  const n16 = ds16.clipSamples;
  const part: RepairedAudio = rows.length === ds16.clips.length ? audio : {
    ...audio,
    mel: rows.map((r) => audio.mel[r]),
    waveforms: rows.map((r) => audio.waveforms[r]),
    corrupted: gather(audio.corrupted, rows, n16),
  };
  const sub16 = rows.length === ds16.clips.length ? ds16 : subset(ds16, rows);
  const features = model.sampleRate === 16000
    ? await repairedYamnetFeatures(yamnetModel(), sub16, part, path.join(ds16.cacheDir, 'yamnet-embeddings'), { quiet: true })
    : repairedCnnFeatures(sub16, rows.length === ds16.clips.length ? model : subset(model, rows), part);
  return rows.length === ds16.clips.length ? features : scatter(features, rows, ds16.clips.length);
}

export const afterRepairKind: JobKind<AfterRepairPayload, CvUnitResult> = {
  kind: AFTER_REPAIR,
  async run(payload: AfterRepairPayload, ctx: KindContext): Promise<CvUnitResult> {
    const { repair } = payload;
    const ds16 = ctx.dataset.sampleRate === 16000 ? ctx.dataset : datasetFor(repair.dataset16k, 'this worker');
    if (typeof ds16 === 'string') throw new ParameterError(ds16);
    // The run's files as the coordinator has them, in a scratch reconstruction root of this worker's.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-after-repair-job-'));
    try {
      const runDir = reconstructRunDir(scratch, repair.method, repair.gapModel, repair.seed);
      for (const [rel, bytes] of Object.entries(repair.files)) {
        fs.mkdirSync(path.dirname(path.join(runDir, rel)), { recursive: true });
        fs.writeFileSync(path.join(runDir, rel), bytesOf(bytes));
      }
      return await runCvUnit(payload, ctx, async (e) => withRepairedFeatures(e.provider, async (corruption) => {
        const audio = loadRepairedAudio({
          dataset: ds16, root: scratch, method: repair.method,
          gapModel: corruption.gapModel, seed: corruption.seed, folds: repair.folds,
        });
        return repairedRows(audio, repair.folds, ds16, ctx.dataset, () => (yamnet ??= loadYamnet({})));
      }));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  },
};

export interface QueueAfterRepairOptions extends Omit<QueueCrossValOptions, 'unitKind'> {
  /** The 16 kHz cache the reconstruction was made from (the same as `dataset` for YAMNet). */
  dataset16k: CachedDataset;
}

/**
 * classifyAfterRepair's runner through the queue: the same plan and results files, each unit an
 * after-repair job carrying the repairs it reads (R_ts: its test fold; R_all: every fold).
 */
export function afterRepairOnQueue(q: QueueAfterRepairOptions): AfterRepairRunner {
  const allFolds = [...new Set(q.dataset16k.clips.map((c) => c.fold))].sort((a, b) => a - b);
  const dataset16k = datasetRefAt(q.dataset16k, 16000);
  return (crossVal, run) => {
    const runDir = reconstructRunDir(run.reconstructionRoot, run.method, run.gapModel, run.seed);
    return runCrossValidationOnQueue(crossVal, {
      ...q,
      unitKind: {
        kind: AFTER_REPAIR,
        extend(planned) {
          const folds = run.mode === 'R_all' ? allFolds : [planned.unit.fold];
          const repair: AfterRepairPayload['repair'] = {
            method: run.method, mode: run.mode, gapModel: run.gapModel, seed: run.seed, dataset16k, folds,
            files: repairFilesOf(runDir, folds),
          };
          return { payload: { repair }, id: { repairs: path.resolve(runDir), mode: run.mode } };
        },
      },
    });
  };
}
