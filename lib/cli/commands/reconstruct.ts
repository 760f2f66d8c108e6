import * as path from 'path';
import { DEFAULT_GRIFFIN_LIM_ITERATIONS } from '../../audio/griffin-lim';
import type { Command } from '../command';
import { loadCachedDataset, outputDir } from '../../data';
import { ParameterError } from '../../util/errors';
import { DATASET_GROUP, datasetLine, readDatasetFlags } from '../flags/dataset';
import { foldsOption, outputOption, overwriteOption, seedOption } from '../flags/common';
import { GAP_MODEL_GROUP, readGapModel } from '../flags/gaps';
import { GAN_GROUP, readGanFlags } from '../flags/gan';
import { queueOption, readQueueUrl } from '../flags/queue';
import { gapModelLabel } from '../../corrupt/gaps';
import { DEFAULT_FOLD_SCHEME, FOLD_SCHEMES, FoldScheme, ganGapSamples, getMethod, methodNames, runReconstruction } from '../../reconstruct';
import { runReconstructionOnQueue } from '../../queue';
import { shownPath } from '../shown-path';

export const command: Command = {
  summary: 'repair the gaps of every fold\'s test clips with a reconstruction method; mel spectrograms (+ waveforms) and a manifest',
  usage: 'lacuna reconstruct --method NAME [gap flags] [--seed N] [--folds 1,2] [--griffin-lim N] [--output DIR] [--overwrite] ' +
    '[gan flags] [--queue URL] [dataset flags]',
  description: `Writes <output>/<method>/<gap label>-seed<seed>/fold-XX/{mel.npy [N, frames, 64], waveforms.npy, clips.csv,
manifest.json} and a manifest.json for the run. Gaps are those lacuna classify draws with the same seed.
Interrupt at any time; the same command resumes at the first unfinished fold.

Trained methods (gan) train what they need first, resumably, in <run>/_model/<model id>/, and every fold
manifest names the model that repaired it and the folds it trained on; no model ever trains on a fold it repairs.
The gan repairs single gaps, or the four fragments of --gap-model multiple with one model of the fragment's
frame count; it refuses packet loss (bursts of random lengths).`,
  options: [
    {
      title: 'The repair',
      options: [
        { name: 'method', type: 'string', value: methodNames().join('|'), help: 'the reconstruction method (required)' },
        seedOption('seed of the gaps'),
        foldsOption('test folds to repair now'),
        {
          name: 'griffin-lim', type: 'number', value: 'N', integer: true, min: 0, default: DEFAULT_GRIFFIN_LIM_ITERATIONS,
          help: 'Griffin–Lim iterations for the audio of mel methods; 0 = mel only',
        },
        outputOption(
          'the runs go to DIR/<method>/<gap label>-seed<seed>/ (unlike study --output, DIR is not a results root)',
          '$LACUNA_OUTPUT_DIR/reconstruct/<dataset name>, else outputs/reconstruct/<dataset name>',
        ),
        overwriteOption('replace a run of this method and gaps made with other parameters'),
        queueOption('repair each fold on `lacuna worker` processes through Redis (see README "Running on many\n' +
          'machines"); the files are the same byte for byte. The GANs train there, then repair there from\n' +
          'their trained models; corpus-exemplar runs here.'),
      ],
    },
    GAP_MODEL_GROUP,
    {
      ...GAN_GROUP,
      options: [
        {
          name: 'fold-scheme', type: 'string', choices: FOLD_SCHEMES, default: DEFAULT_FOLD_SCHEME,
          help: 'cross-fit: two models, one trained on the first half of the folds repairs the\n' +
            'second half and the other way round; per-fold: one model per test fold, on all the others',
        },
        ...GAN_GROUP.options,
      ],
    },
    { ...DATASET_GROUP, title: 'The dataset (its 16 kHz cache)' },
  ],
  async run(flags) {
    const method = flags.string('method');
    if (!method) throw new ParameterError(`--method is required: one of ${methodNames().join(', ')}`);
    if (!methodNames().includes(method)) throw new ParameterError(`--method must be one of ${methodNames().join(', ')}; got "${method}"`);
    const gapModel = readGapModel(flags);
    const queueUrl = readQueueUrl(flags);
    const seed = flags.number('seed', 0);
    const griffinLimIterations = flags.number('griffin-lim', DEFAULT_GRIFFIN_LIM_ITERATIONS);
    const trained = Boolean(getMethod(method).train);
    const foldScheme = flags.string('fold-scheme', DEFAULT_FOLD_SCHEME) as FoldScheme;
    const gan = readGanFlags(flags, trained ? undefined : `--method ${method}`);
    if (!trained && flags.has('fold-scheme')) {
      throw new ParameterError(`--fold-scheme applies to trained methods (gan) only, not --method ${method}`);
    }
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
    const { dir, folds } = queueUrl === undefined
      ? await runReconstruction(runOptions)
      : await runReconstructionOnQueue(runOptions, { url: queueUrl, dataset });
    const clips = folds.reduce((n, f) => n + f.clips, 0);
    console.log(`${method} · ${gapModelLabel(gapModel)}: ${clips} clips of ${folds.length} folds → ${shownPath(dir)}`);
    return 0;
  },
};
