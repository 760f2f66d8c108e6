import { Command } from '../main';
import { Flags } from '../args';
import { ParameterError } from '../../util/errors';
import { Normalization, NORMALIZATIONS } from '../../audio/preprocess';
import { createDataset, DATASET_KINDS, DatasetKind } from '../../data';

export const command: Command = {
  summary: 'create the cached dataset (one .npy per sample rate + labels + manifest) from audio files',
  usage: [
    'lacuna data --dataset synthetic-urban|urbansound8k|esc50|manifest|folders [--root DIR]',
    '            [--size tiny|default] [--seed N] [--rates 8000,16000] [--normalize zscore|peak|none]',
    '            [--duration 4] [--folds 10] [--esc10] [--cache-root DIR] [--force] [--json]',
    '',
    'synthetic-urban is generated (default root data/synthetic-urban-<size>); other kinds need --root',
    '(manifest: the CSV file with columns path,label[,fold]). The cache goes to',
    'data/cache/<dataset>/<normalize>-<duration>s/sr<rate>/ and is reused while nothing changed.',
  ].join('\n'),
  async run(flags: Flags) {
    const kind = flags.string('dataset', 'synthetic-urban') as DatasetKind;
    if (!DATASET_KINDS.includes(kind)) throw new ParameterError(`--dataset must be one of ${DATASET_KINDS.join(', ')}, got "${kind}"`);
    const size = flags.string('size', 'default');
    if (size !== 'tiny' && size !== 'default') throw new ParameterError(`--size must be tiny or default, got "${size}"`);
    const normalize = flags.string('normalize', 'zscore') as Normalization;
    if (!NORMALIZATIONS.includes(normalize)) throw new ParameterError(`--normalize must be one of ${NORMALIZATIONS.join(', ')}, got "${normalize}"`);
    const { cacheDirs, report } = createDataset({
      kind,
      root: flags.string('root'),
      size,
      seed: flags.number('seed', 0),
      folds: flags.number('folds', 10),
      esc10: flags.bool('esc10'),
      rates: flags.numbers('rates') ?? [8000, 16000],
      normalize,
      durationSec: flags.number('duration', 4),
      cacheRoot: flags.string('cache-root'),
      force: flags.bool('force'),
    });
    if (flags.bool('json')) {
      console.log(JSON.stringify({ cacheDirs, report }));
      return 0;
    }
    const how = report.built.length ? `built ${report.built.join(', ')} Hz` : 'reused (nothing changed)';
    console.log(`${report.dataset}: ${report.cached} of ${report.listed} clips cached, ${how}, in ${report.seconds.toFixed(1)} s`);
    for (const [rate, dir] of Object.entries(cacheDirs)) console.log(`  ${rate} Hz → ${dir}`);
    if (report.skipped.length) {
      console.log(`${report.skipped.length} clip(s) skipped:`);
      for (const s of report.skipped.slice(0, 20)) console.log(`  ${s.path}: ${s.problem}`);
      if (report.skipped.length > 20) console.log(`  … ${report.skipped.length - 20} more`);
    }
    console.log(`report: ${report.reportFile}`);
    return 0;
  },
};
