import * as path from 'path';
import { Command } from '../main';
import { Flags } from '../args';
import { loadCachedDataset, outputDir } from '../../data';
import { ParameterError } from '../../util/errors';
import { DATASET_FLAGS_HELP, datasetLine, readDatasetFlags } from '../dataset-flags';
import { readGapModel } from './classify';
import { gapModelLabel } from '../../corrupt/gaps';
import { methodNames, runReconstruction } from '../../reconstruct';

export const command: Command = {
  summary: 'repair the gaps of every fold\'s test clips with a reconstruction method; mel spectrograms (+ waveforms) and a manifest',
  usage: `lacuna reconstruct --method ${methodNames().join('|')} [--corruption-size N] [--gap-model single|multiple|packet-loss] [--multiple]
             [--loss-rate R] [--burst B] [--seed N] [--folds 1,2] [--griffin-lim N] [--output DIR] [--overwrite] [dataset flags]

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

  The dataset (its 16 kHz cache):${DATASET_FLAGS_HELP}`,
  async run(flags: Flags) {
    const method = flags.string('method');
    if (!method) throw new ParameterError(`--method is required: one of ${methodNames().join(', ')}`);
    if (!methodNames().includes(method)) throw new ParameterError(`--method must be one of ${methodNames().join(', ')}; got "${method}"`);
    const gapModel = readGapModel(flags);
    const seed = flags.number('seed', 0);
    if (!Number.isInteger(seed)) throw new ParameterError(`--seed must be an integer, got ${seed}`);
    const griffinLimIterations = flags.number('griffin-lim', 32);
    if (!(Number.isInteger(griffinLimIterations) && griffinLimIterations >= 0)) throw new ParameterError(`--griffin-lim must be an integer >= 0, got ${griffinLimIterations}`);
    const dataset = loadCachedDataset({ ...readDatasetFlags(flags), quiet: false }, 16000);
    console.log(datasetLine(dataset));
    const output = flags.string('output');
    const root = output !== undefined ? path.resolve(output) : path.join(outputDir(), 'reconstruct', dataset.name);
    const { dir, folds } = await runReconstruction({
      dataset, method, gapModel, seed, root, folds: flags.numbers('folds'), overwrite: flags.bool('overwrite'),
      methodOptions: { griffinLimIterations },
    });
    const clips = folds.reduce((n, f) => n + f.clips, 0);
    console.log(`${method} · ${gapModelLabel(gapModel)}: ${clips} clips of ${folds.length} folds → ${path.relative(process.cwd(), dir) || dir}`);
    return 0;
  },
};
