import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { loadCachedDataset, outputDir } from '../../data';
import { ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, datasetLine, readDatasetFlags } from '../dataset-flags';
import { readGapModel } from './classify';
import { gapModelLabel } from '../../corrupt/gaps';
import { DEFAULT_FOLD_SCHEME, FOLD_SCHEMES, GAN_PRESETS, ganGapSamples, getMethod, methodNames, parseFoldScheme, runReconstruction } from '../../reconstruct';
import { DEFAULT_TRAIN_SECONDS } from '../../reconstruct/gan/config';
import { readGanFlags } from '../gan-flags';
import { checkQueueUrl, runReconstructionOnQueue } from '../../queue';

export const command: Command = {
  summary: 'repair the gaps of every fold\'s test clips with a reconstruction method; mel spectrograms (+ waveforms) and a manifest',
  usage: `lacuna reconstruct --method ${methodNames().join('|')} [--corruption-size N] [--gap-model single|multiple|packet-loss] [--multiple]
             [--loss-rate R] [--burst B] [--seed N] [--folds 1,2] [--griffin-lim N] [--output DIR] [--overwrite]
             [--fold-scheme ${FOLD_SCHEMES.join('|')}] [--preset ${GAN_PRESETS.join('|')}] [--train-seconds N] [--queue redis://HOST:PORT[/DB]] [dataset flags]

  Writes <output>/<method>/<gap label>-seed<seed>/fold-XX/{mel.npy [N, frames, 64], waveforms.npy, clips.csv,
  manifest.json} and a manifest.json for the run. Gaps are those lacuna classify draws with the same seed.
  Interrupt at any time; the same command resumes at the first unfinished fold.
  --method           ${methodNames().join(', ')} (required)
  --corruption-size  missing samples per clip for single/multiple (default 4000)
  --gap-model        single (default), multiple (four fragments) or packet-loss (--loss-rate, default 0.1; --burst, default 3)
  --multiple         same as --gap-model multiple
  --seed N           seed of the gaps (default 0)
  --folds 1,2        test folds to repair now (default all)
  --griffin-lim N    Griffin–Lim iterations for the audio of mel methods; 0 = mel only (default 32)
  --output DIR       results root (default $LACUNA_OUTPUT_DIR or outputs, then reconstruct/<dataset name>)
  --overwrite        replace a run of this method and gaps made with other parameters
  --queue URL        repair each fold on \`lacuna worker\` processes through Redis (see README "Running on many
                     machines"); the files are the same byte for byte. The GAN trains there, repairs here.

  Trained methods (gan) train what they need first, resumably, in <run>/_model/<model id>/, and every fold
  manifest names the model that repaired it and the folds it trained on; no model ever trains on a fold it repairs.
  --fold-scheme      cross-fit (default): two models, one trained on the first half of the folds repairs the
                     second half and the other way round; per-fold: one model per test fold, on all the others
  --preset           gan architecture: default (the light generator) or reference (the study's; ~30x the multiply-adds)
  --train-seconds N  gan training budget per model, seconds of training steps (default ${DEFAULT_TRAIN_SECONDS})
  The gan repairs single gaps, or the four fragments of --gap-model multiple with one model of the fragment's
  frame count; it refuses packet loss (bursts of random lengths).

  The dataset (its 16 kHz cache):${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const method = flags.string('method');
    if (!method) throw new ParameterError(`--method is required: one of ${methodNames().join(', ')}`);
    if (!methodNames().includes(method)) throw new ParameterError(`--method must be one of ${methodNames().join(', ')}; got "${method}"`);
    const gapModel = readGapModel(flags);
    const queueUrl = flags.string('queue');
    if (queueUrl !== undefined) checkQueueUrl(queueUrl);
    const seed = flags.number('seed', 0);
    if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
    const griffinLimIterations = flags.number('griffin-lim', 32);
    if (!(Number.isInteger(griffinLimIterations) && griffinLimIterations >= 0)) throw new ParameterError(`--griffin-lim must be an integer >= 0, got ${griffinLimIterations}`);
    const trained = Boolean(getMethod(method).train);
    const foldScheme = parseFoldScheme(flags.string('fold-scheme', DEFAULT_FOLD_SCHEME), '--fold-scheme');
    const gan = readGanFlags(flags, trained ? undefined : `--method ${method}`);
    if (!trained && flags.has('fold-scheme')) throw new ParameterError(`--fold-scheme applies to trained methods (gan) only, not --method ${method}`);
    if (method === 'gan') ganGapSamples(gapModel); // refuses packet loss before any work
    const dataset = loadCachedDataset({ ...readDatasetFlags(flags), quiet: false }, 16000);
    console.log(datasetLine(dataset));
    const output = flags.string('output');
    const root = output !== undefined ? path.resolve(output) : path.join(outputDir(), 'reconstruct', dataset.name);
    const runOptions = {
      dataset, method, gapModel, seed, root, folds: flags.numbers('folds'), overwrite: flags.bool('overwrite'),
      methodOptions: { griffinLimIterations, ...(trained ? gan : {}) },
      foldScheme,
    };
    const { dir, folds } = queueUrl === undefined ? await runReconstruction(runOptions) : await runReconstructionOnQueue(runOptions, { url: queueUrl, dataset });
    const clips = folds.reduce((n, f) => n + f.clips, 0);
    console.log(`${method} · ${gapModelLabel(gapModel)}: ${clips} clips of ${folds.length} folds → ${path.relative(process.cwd(), dir) || dir}`);
    return 0;
  },
};
