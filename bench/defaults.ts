/**
 * Do the default training settings hold at any dataset size? Leave-one-fold-out accuracy (NC) of
 * lacuna's defaults against the reference preset and the linear probe, on three sizes of the
 * built-in data: `tiny` (100 clips, 10 folds), `subset` (the default set regenerated with 5 folds,
 * 40 clips per class: 400 clips, 320 training clips a fold — the size of a small real dataset) and
 * `default` (1003 clips, 10 folds). Per dataset: the YAMNet head (default preset), the same head
 * without its warm start from the linear probe (`random-start`, the default before LP-FT, with its
 * training seconds beside: the warm start's cost), the linear probe beside it, the head or probe
 * chosen per fold by validation, the reference preset's head, the CNN with the default and the
 * reference preset. Every run goes through runCrossValidation with the
 * presets the CLI uses (`lacuna classify [--pretrained] [--preset reference]`), seed --seed.
 *
 *   npx tsx bench/defaults.ts [options]   (--help lists them)
 *
 * The CNN is slow on 2 cores (the reference preset ~3 min a fold on the default set), so on the
 * default set it runs the folds of --cnn-default-folds only (default 1,2,3; "all" for every fold);
 * --head-default-folds does the same for the heads (default all), --cnn-folds for the CNN on the
 * other sets (default all). Each pair of presets is compared on the folds both have finished among
 * those asked for; --report-only trains nothing and reports what is on disk (e.g. after runs of
 * each model in parallel). Results go to outputs/bench/defaults/<dataset>/<preset>/ and
 * resume (a finished fold is read back, its time not counted); --fresh starts over. Needs YAMNet
 * ($LACUNA_YAMNET) for the head. Ends with one JSON line: per dataset, mean accuracy and spread
 * over folds of each column.
 */
import * as fs from 'fs';
import * as path from 'path';
import { outputOption, seedOption } from '../lib/cli/flags/common';
import { benchOptions, switchOption } from './options';
import type { OptionSpec } from '../lib/util/options';
import { initEngine } from '../lib/engine';
import { CreateDatasetOptions, dataDir, loadCachedDataset, outputDir } from '../lib/data';
import { RunSummary, runCrossValidation } from '../lib/experiments';
import { buildExperiment } from '../lib/experiments/recipe';
import { presetTraining } from '../lib/cli/flags/training';
import { runBench } from './timing';

/** `random-start`: the default preset without its warm start from the linear probe (the default before LP-FT). */
type Preset = 'default' | 'reference' | 'random-start';

const DATASETS: Record<string, () => CreateDatasetOptions> = {
  tiny: () => ({ kind: 'synthetic-urban', size: 'tiny' }),
  // Same audio as the default set (a clip depends on its class and number only), 5 folds as a small real set has.
  subset: () => ({ kind: 'synthetic-urban', size: 'default', root: path.join(dataDir(), 'synthetic-urban-default-5folds'), folds: 5, clipsPerClass: 40 }),
  default: () => ({ kind: 'synthetic-urban', size: 'default' }),
};

interface Cell { mean: number; sd: number; folds: number[] }

/** Mean and spread over the asked folds (a run folder may hold more, from an earlier call). */
function cell(s: RunSummary, pick: (p: RunSummary['perFold'][number]) => number, folds?: number[]): Cell {
  const rows = s.perFold.filter((p) => !folds || folds.includes(p.fold));
  const xs = rows.map(pick);
  return { mean: xs.reduce((a, b) => a + b, 0) / xs.length, sd: std(xs), folds: rows.map((p) => p.fold) };
}
const accuracy = (p: RunSummary['perFold'][number]) => p.accuracy;
const show = (c?: Cell) => (c ? `${c.mean.toFixed(3)} ± ${c.sd.toFixed(3)}` : '—');

function std(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

async function run(datasetOptions: CreateDatasetOptions, pretrained: boolean, preset: Preset, seed: number, root: string, folds?: number[]): Promise<{ summary: RunSummary; seconds: number }> {
  const dataset = loadCachedDataset({ ...datasetOptions, quiet: true }, pretrained ? 16000 : 8000);
  const experiment = await buildExperiment(dataset, { pretrained, preset: preset === 'random-start' ? 'default' : preset });
  const training = preset === 'random-start' ? { ...presetTraining('default', pretrained), warmStart: undefined } : presetTraining(preset, pretrained);
  const t0 = Date.now();
  try {
    const [summary] = await runCrossValidation({
      ...experiment, ...training, runs: [{ mode: 'NC' }], folds, seed, root: path.join(root, dataset.name, preset), figures: false,
    });
    return { summary, seconds: (Date.now() - t0) / 1000 };
  } finally {
    (experiment.provider as { dispose?: () => void }).dispose?.();
  }
}

/**
 * Both presets of one model: trained on `folds` (every fold when undefined; none with `reportOnly`, which
 * reads what is on disk), then compared on the folds both have finished.
 */
async function presets(datasetOptions: CreateDatasetOptions, pretrained: boolean, seed: number, root: string, folds: number[] | undefined, reportOnly: boolean) {
  const asked = reportOnly ? [] : folds;
  const d = await run(datasetOptions, pretrained, 'default', seed, root, asked);
  const r = await run(datasetOptions, pretrained, 'reference', seed, root, asked);
  const common = d.summary.perFold.map((p) => p.fold).filter((f) => r.summary.perFold.some((q) => q.fold === f) && (!folds || folds.includes(f)));
  const label = pretrained ? 'YAMNet head' : 'CNN';
  if (common.length === 0) { console.log(`${d.summary.dir}: no fold finished by both presets`); return { d, common }; }
  const [def, ref] = [cell(d.summary, accuracy, common), cell(r.summary, accuracy, common)];
  console.log(`${d.summary.dir}: ${label} default ${show(def)}, reference ${show(ref)} over folds ${common.join(',')}`);
  return { d, def, ref, common };
}

async function main(): Promise<void> {
  const foldList = (name: string, fallback: string, help: string): OptionSpec =>
    ({ name, type: 'string', value: 'all|1,2', default: fallback, help: `${help}: "all" or fold numbers` });
  const flags = benchOptions({
    name: 'bench/defaults.ts',
    summary: 'leave-one-fold-out accuracy of lacuna\'s default training against the reference preset and the probe, three dataset sizes',
    options: [
      {
        name: 'datasets', type: 'list', items: 'string', choices: Object.keys(DATASETS), default: ['tiny', 'subset', 'default'],
        help: 'built-in data sizes',
      },
      { name: 'models', type: 'list', items: 'string', choices: ['yamnet', 'cnn'], default: ['yamnet', 'cnn'], help: 'models trained' },
      foldList('head-default-folds', 'all', 'folds of the heads on the default set'),
      foldList('cnn-default-folds', '1,2,3', 'folds of the CNN on the default set'),
      foldList('cnn-folds', 'all', 'folds of the CNN on the other sets'),
      seedOption('seeds the weights, shuffles and validation split'),
      outputOption('results', 'outputs/bench/defaults'),
      switchOption('fresh', 'start over (removes the results)'),
      switchOption('report-only', 'train nothing; report what is on disk'),
    ],
  });
  const names = flags.strings('datasets')!;
  const models = flags.strings('models')!;
  const defaultFolds = (flag: string): number[] | undefined => {
    const v = flags.string(flag)!;
    if (v === 'all') return undefined;
    const folds = v.split(',').map(Number);
    if (!folds.every((f) => Number.isInteger(f) && f >= 1)) throw new Error(`--${flag}: "all" or fold numbers like 1,2,3, got "${v}"`);
    return folds;
  };
  const headDefaultFolds = defaultFolds('head-default-folds');
  const cnnDefaultFolds = defaultFolds('cnn-default-folds');
  const cnnFolds = defaultFolds('cnn-folds');
  const seed = flags.number('seed')!;
  const output = path.resolve(flags.string('output') ?? path.join(outputDir(), 'bench', 'defaults'));
  const fresh = flags.bool('fresh');
  const reportOnly = flags.bool('report-only');
  if (fresh) fs.rmSync(output, { recursive: true, force: true });
  const engine = await initEngine({ quiet: true });
  console.log(`engine ${engine.name}, seed ${seed}, results in ${output}`);

  const figures: Record<string, number | string | number[]> = {};
  const rows: string[] = [];
  for (const name of names) {
    const options = DATASETS[name]();
    const put = (key: string, c?: Cell) => {
      if (!c) return;
      figures[`${name}_${key}`] = Number(c.mean.toFixed(4));
      figures[`${name}_${key}_sd`] = Number(c.sd.toFixed(4));
    };
    let head: Cell | undefined, probe: Cell | undefined, chosen: Cell | undefined, headReference: Cell | undefined, headRandom: Cell | undefined;
    let cnn: Cell | undefined, cnnReference: Cell | undefined;
    if (models.includes('yamnet')) {
      const { d, def, ref, common } = await presets(options, true, seed, output, name === 'default' ? headDefaultFolds : undefined, reportOnly);
      head = def;
      headReference = ref;
      if (common.length) probe = cell(d.summary, (p) => p.probeAccuracy as number, common);
      if (common.length && d.summary.selectedMeanAccuracy !== undefined) chosen = cell(d.summary, (p) => p.selectedAccuracy as number, common);
      figures[`${name}_probe_chosen_folds`] = d.summary.perFold.filter((p) => p.selected === 'probe' && common.includes(p.fold)).length;
      figures[`${name}_head_folds`] = common;
      if (!reportOnly) figures[`${name}_head_seconds`] = Number(d.seconds.toFixed(1));
      console.log(`  probe ${show(probe)}, head or probe chosen by validation ${show(chosen)} (probe on ${figures[`${name}_probe_chosen_folds`]} of ${common.length} folds)`);
      // The same head started at random (lacuna's default before the warm start), on the same folds: what LP-FT changed, and its cost.
      const r = await run(options, true, 'random-start', seed, output, reportOnly ? [] : common);
      const both = common.filter((f) => r.summary.perFold.some((p) => p.fold === f));
      if (both.length === common.length && common.length) {
        headRandom = cell(r.summary, accuracy, common);
        const trainSeconds = (s: RunSummary) => s.perFold.filter((p) => common.includes(p.fold)).reduce((t, p) => t + p.trainSeconds, 0);
        figures[`${name}_head_train_seconds`] = Number(trainSeconds(d.summary).toFixed(1));
        figures[`${name}_head_random_start_train_seconds`] = Number(trainSeconds(r.summary).toFixed(1));
        console.log(`  random start ${show(headRandom)}; training ${trainSeconds(d.summary).toFixed(0)} s with the warm start, ${trainSeconds(r.summary).toFixed(0)} s without (sum over folds)`);
      }
    }
    if (models.includes('cnn')) {
      const { d, def, ref, common } = await presets(options, false, seed, output, name === 'default' ? cnnDefaultFolds : cnnFolds, reportOnly);
      cnn = def;
      cnnReference = ref;
      figures[`${name}_cnn_folds`] = common;
      if (!reportOnly) figures[`${name}_cnn_seconds`] = Number(d.seconds.toFixed(1));
    }
    put('head_default', head); put('head_random_start', headRandom); put('probe', probe); put('head_reference', headReference); put('chosen', chosen);
    put('cnn_default', cnn); put('cnn_reference', cnnReference);
    const clips = loadCachedDataset({ ...options, quiet: true }, 8000).clips.length;
    const foldNote = (c?: Cell) => (c ? ` (${c.folds.length === 1 ? 'fold' : 'folds'} ${c.folds.join(',')})` : '');
    rows.push(`| ${name} (${clips} clips) | ${show(head)}${foldNote(head)} | ${show(headRandom)} | ${show(probe)} | ${show(headReference)} | ${show(chosen)} | ${show(cnn)}${foldNote(cnn)} | ${show(cnnReference)} |`);
  }
  console.log('\n| dataset | head, default | head, default without the warm start | linear probe | head, reference | head or probe, chosen by validation | CNN, default | CNN, reference |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`mean accuracy ± sd over folds (NC, seed ${seed})\n`);
  console.log(JSON.stringify({ bench: 'defaults', engine: engine.name, seed, ...figures }));
}

runBench(main);
