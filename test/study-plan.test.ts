/**
 * `lacuna study --plan`: the cost model on given rates (pure), and the command on the tiny dataset
 * (real measurements, a dataset of UrbanSound8K's size by --plan-clips).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanShape, StudyRates, formatDuration, planStudy, planWallSeconds, reembedShares, stepWallSeconds } from '../lib/experiments/study-plan';
import { loadCachedDataset } from '../lib/data';
import type { GapModel } from '../lib/corrupt/gaps';
import { runLacuna } from './support/cli';


const gapModels: GapModel[] = [{ kind: 'single', gapSamples: 1000 }, { kind: 'single', gapSamples: 4000 }];
const rates: StudyRates = {
  clipSeconds: 4, embedClipsPerSec: 10, trainRowsPerSec: { yamnet: 1000, cnn: 50 }, inferRowsPerSec: { yamnet: 5000, cnn: 200 },
  repairsPerSec: { 'zero 1000-single': 100, 'zero 4000-single': 100, 'ar 1000-single': 4, 'ar 4000-single': 1 }, seconds: 1,
};
const shape = (over: Partial<PlanShape> = {}): PlanShape => ({
  clips: 1000, folds: 10, testFolds: 10, clipSeconds: 4, models: ['yamnet', 'cnn'], methods: ['zero', 'ar'], gapModels,
  gapModelsFor: () => gapModels, repairModes: ['R_ts'], tuneCalls: 0, ...over,
});
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('plan: one job per fold and model, per fold/method/gap model; costs follow the rates', () => {
  const steps = planStudy(shape(), rates);
  const by = (name: string) => steps.find((s) => s.name === name)!;
  assert.deepEqual(steps.map((s) => `${s.name}:${s.jobSeconds.length}`), ['grid yamnet:10', 'grid cnn:10', 'reconstruct zero:20', 'reconstruct ar:20', 'R_ts yamnet:40', 'R_ts cnn:40']);
  // CNN fold: 900 training clips x 10 epochs at 50/s, then 100 test clips x (NC + 2 C_ts) at 200/s.
  assert.equal(by('grid cnn').jobSeconds[0], (900 * 10) / 50 + 300 / 200);
  // AR repairs 100 test clips per fold: at 4/s for 1000 samples, at 1/s for 4000.
  assert.deepEqual([...new Set(by('reconstruct ar').jobSeconds)].sort((a, b) => a - b), [25, 100]);
  // YAMNet: every worker embeds the clean and both corrupted datasets once.
  assert.equal(by('grid yamnet').perWorkerSeconds, (1000 * 3) / 10);
  // Twice the clips, twice the repair time; a 16-fold plan has 16 jobs per grid.
  assert.equal(sum(planStudy(shape({ clips: 2000 }), rates).find((s) => s.name === 'reconstruct ar')!.jobSeconds), 2 * sum(by('reconstruct ar').jobSeconds));
  assert.equal(planStudy(shape({ folds: 16, testFolds: 16 }), rates).find((s) => s.name === 'grid cnn')!.jobSeconds.length, 16);
});

test('plan: a GAN trains (gan-train), then its folds are reconstruct-fold jobs costed at linear\'s repair rate, before R_ts', () => {
  const withLinear = { ...rates, repairsPerSec: { ...rates.repairsPerSec, 'linear 1000-single': 5, 'linear 4000-single': 2 } };
  const steps = planStudy(shape({ methods: ['zero', 'gan-masked'], methodOptions: { trainSeconds: 60 } }), withLinear);
  const by = (name: string) => steps.find((s) => s.name === name)!;
  assert.deepEqual(steps.map((s) => `${s.name}:${s.jobSeconds.length}`),
    ['grid yamnet:10', 'grid cnn:10', 'reconstruct zero:20', 'train gan-masked:2', 'reconstruct gan-masked:20', 'R_ts yamnet:40', 'R_ts cnn:40']);
  // One masked model per cross-fit half for every gap model, each its budget; then 100 test clips a fold at linear's rates.
  assert.deepEqual(by('train gan-masked').jobSeconds, [60, 60]);
  assert.deepEqual([...new Set(by('reconstruct gan-masked').jobSeconds)].sort((a, b) => a - b), [100 / 5, 100 / 2]);
  assert.match(by('reconstruct gan-masked').job, /^reconstruct-fold: .*linear's rate/);
  // Its repairs wait for its training, and R_ts for them.
  assert.ok(by('train gan-masked').stage < by('reconstruct gan-masked').stage && by('reconstruct gan-masked').stage < by('R_ts cnn').stage);
  assert.throws(() => planStudy(shape({ methods: ['gan-masked'] }), rates), /no measured rate for linear 1000-single repairs/);
});

test('plan: corpus-exemplar is costed by its measured repair rate and corpus set-up, not a training budget', () => {
  const withCorpus: StudyRates = {
    ...rates, corpusSetupSecondsPerClip: 0.002,
    repairsPerSec: { ...rates.repairsPerSec, 'corpus-exemplar 1000-single': 4, 'corpus-exemplar 4000-single': 2 },
  };
  const steps = planStudy(shape({ methods: ['zero', 'corpus-exemplar'] }), withCorpus);
  const corpus = steps.find((s) => s.name === 'reconstruct corpus-exemplar')!;
  assert.equal(corpus.stage, 1);
  // One job per fold and gap model: 100 test clips at 4/s or 2/s, plus the fold's share of its corpus's
  // set-up (cross-fit: 500 training clips at 2 ms each, shared by the 5 folds that corpus repairs).
  assert.equal(corpus.jobSeconds.length, 20);
  const setup = (0.002 * 500) / 5;
  assert.deepEqual([...new Set(corpus.jobSeconds.map((s) => +s.toFixed(9)))].sort((a, b) => a - b), [100 / 4 + setup, 100 / 2 + setup]);
  assert.match(corpus.job, /2 corpora of 500\/500 clips/);
  assert.ok(sum(corpus.jobSeconds) < 3600, `${sum(corpus.jobSeconds)} s: not 20 training budgets`);
  // Two test folds (--folds 1,2): both are repaired by one corpus, whose set-up they share.
  const two = planStudy(shape({ methods: ['zero', 'corpus-exemplar'], testFolds: 2 }), withCorpus)
    .find((s) => s.name === 'reconstruct corpus-exemplar')!;
  assert.equal(+two.jobSeconds[0].toFixed(9), 100 / 4 + (0.002 * 500) / 2);
  assert.throws(() => planStudy(shape({ methods: ['corpus-exemplar'] }), rates), /corpus-exemplar's corpus set-up/);
});

test('plan: R_ts YAMNet embeds only the share of patches the gaps reach, after each worker\'s clean embeddings', () => {
  const reembedShare = { '1000-single': 0.25, '4000-single': 0.5 };
  const whole = planStudy(shape(), rates).find((s) => s.name === 'R_ts yamnet')!;
  const partly = planStudy(shape(), { ...rates, reembedShare }).find((s) => s.name === 'R_ts yamnet')!;
  // 100 test clips: prediction at 5000/s, embeddings at 10/s times the share.
  assert.deepEqual([...new Set(whole.jobSeconds)], [100 / 5000 + 100 / 10]);
  assert.deepEqual([...new Set(partly.jobSeconds)].sort((a, b) => a - b), [100 / 5000 + 0.25 * 100 / 10, 100 / 5000 + 0.5 * 100 / 10]);
  assert.equal(partly.jobSeconds.length, whole.jobSeconds.length);
  assert.equal(partly.perWorkerSeconds, 1000 / 10);
});

test('reembedShares: the study\'s gaps on the tiny dataset reach a share of the patches that grows with the gap', () => {
  const ds = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
  const gaps: GapModel[] = [1000, 4000, 16000].flatMap((gapSamples) => [{ kind: 'single', gapSamples }, { kind: 'multiple', gapSamples }] as GapModel[]);
  const shares = reembedShares(ds, gaps, 40);
  const s = (label: string) => shares[label];
  for (const v of Object.values(shares)) assert.ok(v > 0 && v < 1, JSON.stringify(shares));
  assert.ok(s('1000-single') < s('4000-single') && s('4000-single') < s('16000-single'), JSON.stringify(shares));
  assert.ok(s('1000-single') < s('1000-multiple'), JSON.stringify(shares));
  // A 1000-sample gap reaches one or two of 8 patches, unless it removed the clip's peak.
  assert.ok(s('1000-single') >= 1 / 8 && s('1000-single') <= 0.4, JSON.stringify(shares));
});

test('plan: one worker takes the sum; more workers never take longer, and never less than the longest job or repeated work', () => {
  const steps = planStudy(shape({ tuneCalls: 6 }), rates);
  const one = planWallSeconds(steps, 1);
  assert.ok(Math.abs(one - sum(steps.map((s) => sum(s.jobSeconds) + s.perWorkerSeconds))) < 1e-6);
  const [w4, w16] = [planWallSeconds(steps, 4), planWallSeconds(steps, 16)];
  assert.ok(w4 < one && w16 <= w4, `${one} ${w4} ${w16}`);
  for (const s of steps) assert.ok(stepWallSeconds(s, 1000) >= Math.max(...s.jobSeconds) + s.perWorkerSeconds - 1e-9, s.name);
  // Tuning: 6 proposals in rounds of 4 workers take two points' time.
  const tune = steps.find((s) => s.name === 'tune cnn')!;
  assert.equal(stepWallSeconds(tune, 4), 2 * tune.jobSeconds[0]);
});

test('durations read from seconds to weeks', () => {
  assert.deepEqual([42, 725, 3599.6, 7 * 3600 + 180, 47 * 3600 + 59.7 * 60, 101 * 3600 + 29 * 60, 3 * 86400 + 5 * 3600].map(formatDuration), ['42s', '12m05s', '60m00s', '7h03m', '2d00h', '4d05h', '3d05h']);
});

test('lacuna study --plan measures this machine and plans the built-in dataset and a dataset of UrbanSound8K\'s size', () => {
  // gan-masked without linear: linear's rate is measured all the same (it costs the GAN's repairs).
  const args = ['study', '--plan', '--size', 'tiny', '--models', 'cnn', '--methods', 'zero,gan-masked,corpus-exemplar', '--gap-lengths', '1000', '--gap-models', 'single'];
  const r = runLacuna([...args, '--plan-clips', '8732']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^study plan: synthetic-urban-tiny at 8732 clips, 10 folds \(--plan-clips\) — 8732 clips of 4 s, 10 folds/m);
  assert.match(r.stdout, /CNN training \d\S* clips\/s, prediction \d\S* clips\/s · corpus-exemplar's set-up \d\S* ms per corpus clip · repairs\/s corpus-exemplar \S+–\S+, zero \S+–\S+, linear \S+–\S+ \(by gap model\)/);
  assert.match(r.stdout, /^step +jobs +per job +1 worker +4 workers +16 workers +job$/m);
  assert.match(r.stdout, /^grid cnn +10 +\S+( +\S+){3} +cv-unit: one fold, training \+ NC \+ 1 C_ts$/m);
  assert.match(r.stdout, /^train gan-masked +2 +5m00s .* gan-train: 2 model\(s\), the training budget each$/m);
  assert.match(r.stdout, /^reconstruct gan-masked +10 .* reconstruct-fold: one fold, one gap model, trained model \(costed at linear's rate\)$/m);
  // corpus-exemplar: fold jobs at its measured rate with a share of the set-up of corpora of 8732 clips' training halves.
  assert.match(r.stdout, /^reconstruct corpus-exemplar +10 .* on the coordinator: one fold, one gap model \(\+ its share of a corpus's set-up: 2 corpora of 4366\/4366 clips\)$/m);
  assert.match(r.stdout, /^R_ts cnn +30 /m);
  assert.match(r.stdout, /^total \(steps in stages\) +72 /m);
  const bad = runLacuna([...args, '--plan-folds', '5']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--plan-folds applies with --plan-clips/);
  const notPlan = runLacuna(['study', '--size', 'tiny', '--plan-clips', '50']);
  assert.equal(notPlan.status, 1);
  assert.match(notPlan.stderr, /--plan-clips applies to --plan only/);
});
