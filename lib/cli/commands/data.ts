import type { Command } from '../command';
import { DATASET_GROUP, readDatasetFlags } from '../flags/dataset';
import { createDataset } from '../../data';

export const command: Command = {
  summary: 'create the cached dataset (one .npy per sample rate + labels + manifest) from audio files',
  usage: 'lacuna data [dataset flags] [--rates 8000,16000] [--force] [--json]',
  description: `synthetic-urban is generated (default root data/synthetic-urban-<size>); other kinds need --root.
The cache goes to data/cache/<name>/<normalize>-<duration>s/sr<rate>/ and is reused while nothing
changed. Classes are indexed 0..K-1 over the classes that have clips: by ascending classID/target
(UrbanSound8K, ESC-50; the source id is kept in labels.csv as sourceClassId), by name otherwise.`,
  options: [
    DATASET_GROUP,
    {
      title: 'The cache',
      options: [
        {
          name: 'rates', type: 'list', value: '8000,16000', itemsName: 'sample rates', unit: 'Hz', integer: true, min: 1,
          default: [8000, 16000],
          help: 'sample rates to cache',
        },
        { name: 'force', type: 'boolean', help: 'rebuild even when the cache is fresh; replace another dataset\'s cache of the same name' },
        { name: 'json', type: 'boolean', help: 'print the cache folders and the report as JSON' },
      ],
    },
  ],
  async run(flags) {
    const dataset = readDatasetFlags(flags);
    const { cacheDirs, report } = createDataset({
      ...dataset,
      rates: flags.numbers('rates') ?? [8000, 16000],
      force: flags.bool('force'),
    });
    if (flags.bool('json')) {
      console.log(JSON.stringify({ cacheDirs, report }));
      return 0;
    }
    const how = report.built.length ? `built ${report.built.join(', ')} Hz` : 'reused (nothing changed)';
    console.log(`dataset ${report.dataset}: ${report.cached} of ${report.listed} clips cached, ${how}, in ${report.seconds.toFixed(1)} s`);
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
