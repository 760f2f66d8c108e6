/**
 * What the Redis queue costs and gives on this machine. The same grid units (tiny dataset, C_ts
 * with one length, 1 epoch, folds 1–4 → 4 units of one training + 3 evaluations each) are run
 *
 *   1. locally in this process (runCrossValidation: the baseline),
 *   2. through the queue with 1 worker process, then with 2, this process coordinating
 *      (runCrossValidationOnQueue: enqueue → result written by the coordinator).
 *
 * queue_overhead_ms = (queue with 1 worker − local) / units: enqueue, pick-up, result and
 * weights through Redis, the worker's first dataset load, the coordinator's poll.
 * queue_transport_ms = (queue with 1 worker − the worker's busy time) / units: the same without
 * the compute, so less sensitive to the machine's load. Each variant runs `--repeats` times,
 * interleaved (local, 1 worker, 2 workers, local, …); figures are medians. Training uses
 * one thread per worker (workers: 1) in every variant, so 2 workers can use the 2 cores. Every
 * queue run's fold results must equal the local run's (checked). A real redis-server is started
 * on a free port and killed at the end.
 *
 * Then the study and the reconstruction's job kind:
 *
 *   3. `lacuna study --quick` on the built-in dataset (--study-size, default `default`), locally
 *      (one process) and through the queue with 2 worker processes, every process with one training
 *      thread (LACUNA_WORKERS=1), each study starting with no YAMNet embeddings cached (the
 *      dataset cache's derived caches are removed before each): study_seconds_local,
 *      study_seconds_queue_2_workers; their result files must match (checked);
 *   4. one reconstruction (linear, 2000 samples, every fold of the tiny dataset) locally and through
 *      the queue with 1 worker: overhead_ms_reconstruct_fold = (queue − local) / folds, beside the
 *      grid unit's queue_overhead_ms (overhead_ms_cv_unit).
 *
 *      With --study-folds (default 1,2, --quick's own) the study's test folds; the JSON says which
 *      ("folds"). Then the other job kinds, each locally and through the queue with 1 worker, on the
 *      tiny dataset: overhead_ms_<kind> = (queue − local) / jobs, and what one job sends through
 *      Redis (bytes_out_<kind>, its envelope) and gets back (bytes_back_<kind>, its result):
 *      tune-point (2 CNN points, folds 1,2), after-repair (R_ts of the linear repairs above, folds
 *      1–4, on the grid's weights), gan-train (one model, fold 1's, 2000 samples, 20 s budget: the
 *      budget is training seconds, so both sides train as long and the difference is the queue's).
 *
 *   5. tuning in batches for N workers (constant liar, scikit-optimize's cl_min) against
 *      one-at-a-time SMBO on Branin (30 calls) and Hartmann-6 (50 calls), study settings, seeds
 *      0–2: the mean gap to the minimum after the budget (`<fn>_gap_one_at_a_time`,
 *      `<fn>_gap_batch_4`) and the calls batches of 4 need to reach the mean best one-at-a-time
 *      search reached (`<fn>_calls_batch_4_to_match`, up to 1.5x the budget).
 *
 *   npx tsx bench/queue.ts [options]   (--help lists them)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { foldsOption } from '../lib/cli/flags/common';
import { benchOptions, countOption, switchOption } from './options';
import { initEngine } from '../lib/engine';
import { loadCachedDataset, repoRoot } from '../lib/data';
import { CNN_TRAINING_DEFAULTS, CrossValOptions, cnnExperiment, gridRuns, runCrossValidation } from '../lib/experiments';
import { DispatchOutcome, afterRepairOnQueue, runCrossValidationOnQueue, runReconstructionOnQueue, tuneBatchOnQueue } from '../lib/queue';
import { classifyAfterRepair } from '../lib/experiments';
import { tune } from '../lib/tuning/tune';
import { runReconstruction } from '../lib/reconstruct';
import { createHash } from 'crypto';
import { BRANIN_MINIMUM, BRANIN_SPACE, HARTMANN6_MINIMUM, HARTMANN6_SPACE, Point, SearchSpace, bestSoFar, branin, createSmbo, hartmann6, meanCurve, minimize } from '../lib/tuning';
import { minimizeInBatches } from '../lib/tuning/batch';
import { spawnSync } from 'child_process';
import { startRedis } from '../test/support/redis';

function foldResults(root: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^fold-\d+\.json$/.test(e.name)) {
        const r = JSON.parse(fs.readFileSync(p, 'utf8'));
        out.push(`${path.relative(root, p)} ${r.accuracy} ${r.predictions.join(',')} ${r.training.loss.join(',')}`);
      }
    }
  };
  walk(root);
  return out.join('\n');
}

function startWorker(url: string, env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'lib', 'cli', 'main.ts'), 'worker', '--queue', url],
    { env: { ...process.env, LACUNA_QUIET: '1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => { out += d; if (/waiting for jobs/.test(out)) resolve(child); });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
}

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/queue.ts',
    summary: 'the Redis queue\'s cost: cross-validation and study --quick locally and on workers, and tuning in batches, same run',
    options: [
      { ...foldsOption('test folds of the cross-validation runs', '1,2,3,4'), default: [1, 2, 3, 4] },
      countOption('epochs', 'training epochs per fold', 1),
      countOption('repeats', 'runs of each variant', 3),
      {
        name: 'study-size', type: 'string', choices: ['default', 'tiny'], default: 'default',
        help: 'the built-in dataset of study --quick',
      },
      { ...foldsOption('test folds of the study --quick runs', '1,2'), name: 'study-folds', default: [1, 2] },
      switchOption('no-study', 'skip study --quick'),
      switchOption('no-batch-tuning', 'skip the constant-liar batches'),
    ],
  });
  // One training thread in every process of every variant (this one, workers, studies): 2 workers can use the 2 cores.
  process.env.LACUNA_WORKERS = '1';
  const folds = flags.numbers('folds')!;
  const epochs = flags.number('epochs')!;
  await initEngine({ quiet: true });
  const dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 8000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-bench-queue-'));
  const repeats = flags.number('repeats')!;
  const options = (name: string): CrossValOptions => ({
    // A fresh provider per run, as a worker has: none reuses features computed by an earlier run.
    ...cnnExperiment(dataset), ...CNN_TRAINING_DEFAULTS, epochs, workers: 1, seed: 0, folds, quiet: true, figures: false,
    runs: gridRuns({ lengths: [1000], modes: ['C_ts'], packetLoss: [] }), root: path.join(scratch, name),
  });
  const units = folds.length;
  const redis = await startRedis();
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  try {
    let expected: string | undefined;
    const local = async (rep: number): Promise<number> => {
      const start = Date.now();
      await runCrossValidation(options(`local-${rep}`));
      const ms = Date.now() - start;
      const got = foldResults(path.join(scratch, `local-${rep}`));
      if (expected !== undefined && got !== expected) throw new Error('two local runs differ');
      expected = got;
      return ms;
    };
    let db = 0;
    let cvOutcome: DispatchOutcome | undefined;
    const queued = async (workers: number, rep: number): Promise<{ ms: number; workerMs: number }> => {
      const url = redis.url(++db);
      const name = `queue-${workers}-${rep}`;
      const children = await Promise.all(Array.from({ length: workers }, () => startWorker(url)));
      try {
        let workerMs = 0;
        const start = Date.now();
        await runCrossValidationOnQueue(options(name), { url, dataset, recipe: { pretrained: false, preset: 'default' }, onOutcome: (o) => { workerMs = o.workerMs; cvOutcome = o; } });
        const ms = Date.now() - start;
        if (foldResults(path.join(scratch, name)) !== expected) throw new Error(`results through the queue with ${workers} worker(s) differ from the local run`);
        return { ms, workerMs };
      } finally {
        await stop(children);
      }
    };
    const runs = { local: [] as number[], q1: [] as number[], q1Transport: [] as number[], q2: [] as number[] };
    for (let rep = 0; rep < repeats; rep++) {
      runs.local.push(await local(rep));
      const one = await queued(1, rep);
      runs.q1.push(one.ms);
      runs.q1Transport.push(one.ms - one.workerMs);
      runs.q2.push((await queued(2, rep)).ms);
      console.log(`repeat ${rep + 1}: local ${runs.local[rep]} ms · 1 worker ${one.ms} ms (busy ${one.workerMs} ms) · 2 workers ${runs.q2[rep]} ms · load ${os.loadavg()[0].toFixed(2)}`);
    }
    const [localMs, q1Ms, q2Ms] = [median(runs.local), median(runs.q1), median(runs.q2)];
    console.log(`CPU: ${os.cpus()[0]?.model ?? 'unknown'} x ${os.cpus().length}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const study = flags.bool('no-study') ? {} : await studyFigures(scratch, redis.url(++db), flags.string('study-size')!, flags.numbers('study-folds')!);
    const reconstruct = await reconstructOverhead(dataset16k(), scratch, redis.url(++db));
    const kinds = {
      ...perJob('cv-unit', (q1Ms - localMs) / units, cvOutcome!),
      ...perJob('reconstruct-fold', reconstruct.overheadMs, reconstruct.outcome),
      ...await tunePointOverhead(dataset, scratch, redis.url(++db)),
      ...await afterRepairOverhead(options('local-0'), dataset16k(), dataset, scratch, redis.url(++db)),
      ...await ganTrainOverhead(dataset16k(), scratch, redis.url(++db)),
    };
    const batches = flags.bool('no-batch-tuning') ? {} : batchTuningFigures();
    const perMin = (ms: number) => Number((units / (ms / 60000)).toFixed(2));
    console.log(`${units} units (${dataset.clips.length} clips, ${epochs} epoch(s), 1 training thread each), medians of ${repeats}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`local ${(localMs / 1000).toFixed(1)} s · queue 1 worker ${(q1Ms / 1000).toFixed(1)} s · queue 2 workers ${(q2Ms / 1000).toFixed(1)} s · results identical`);
    console.log(JSON.stringify({
      queue_overhead_ms: Math.round((q1Ms - localMs) / units),
      queue_transport_ms: Math.round(median(runs.q1Transport) / units),
      jobs_per_min_local: perMin(localMs),
      jobs_per_min_1_worker: perMin(q1Ms),
      jobs_per_min_2_workers: perMin(q2Ms),
      ...kinds,
      ...study,
      ...batches,
      units, repeats, cpu: os.cpus()[0]?.model ?? 'unknown', load_1min: Number(os.loadavg()[0].toFixed(2)),
    }));
  } finally {
    await redis.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Hashes of every result array, table and weight file under `dir` (JSON carries wall-clock fields). */
function resultBytes(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'folds.csv') {
        // Its train_seconds column is wall-clock time; every other byte counts.
        const rows = fs.readFileSync(p, 'utf8').split('\n').map((l) => l.split(','));
        const t = rows[0].indexOf('train_seconds');
        out.push(`${path.relative(dir, p)} ${createHash('sha256').update(rows.map((r) => r.filter((_, i) => i !== t).join(',')).join('\n')).digest('hex')}`);
      } else if (/\.(npy|csv|bin)$/.test(e.name)) out.push(`${path.relative(dir, p)} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

/** Removes the dataset cache's derived caches (YAMNet embeddings): each study starts cold. */
function clearDerivedCaches(size: string): void {
  const root = path.join(process.env.LACUNA_DATA_DIR ?? path.join(repoRoot(), 'data'), 'cache', `synthetic-urban-${size}`);
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name === 'yamnet-embeddings') fs.rmSync(p, { recursive: true, force: true });
      else if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
}

function cli(args: string[], env: Record<string, string>): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'lib', 'cli', 'main.ts'), ...args], { env: { ...process.env, LACUNA_QUIET: '1', ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lacuna ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

/** `lacuna study --quick` locally and through 2 single-thread workers (each run with cold derived caches). */
async function studyFigures(scratch: string, url: string, size: string, folds: number[]): Promise<Record<string, number | string | number[]>> {
  const base = ['study', '--quick', '--size', size, '--folds', folds.join(',')];
  // The dataset caches themselves, built once (not timed).
  cli(['data', '--size', size], {});
  const one = { LACUNA_WORKERS: '1' };
  const localOut = path.join(scratch, 'study-local');
  let start = Date.now();
  clearDerivedCaches(size);
  cli([...base, '--output', localOut], one);
  const localMs = Date.now() - start;
  clearDerivedCaches(size);
  const children = await Promise.all([0, 1].map(() => startWorker(url, one)));
  const queueOut = path.join(scratch, 'study-queue');
  try {
    start = Date.now();
    cli([...base, '--output', queueOut, '--queue', url], one);
  } finally {
    await stop(children);
  }
  const queueMs = Date.now() - start;
  console.log(`study --quick --size ${size} --folds ${folds.join(',')}: local ${(localMs / 1000).toFixed(0)} s · queue with 2 workers ${(queueMs / 1000).toFixed(0)} s`);
  if (resultBytes(localOut) !== resultBytes(queueOut)) throw new Error('the study through the queue wrote other result files than the local study');
  console.log('result files identical (arrays, tables, weights; folds.csv without its train_seconds column)');
  return { study_size: size, folds, study_seconds_local: Math.round(localMs / 1000), study_seconds_queue_2_workers: Math.round(queueMs / 1000) };
}

function dataset16k() {
  return loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
}

/** One reconstruction's folds locally and through 1 worker: the queue's cost per fold job. */
async function reconstructOverhead(dataset: ReturnType<typeof dataset16k>, scratch: string, url: string): Promise<{ overheadMs: number; outcome: DispatchOutcome }> {
  const options = (root: string) => ({ dataset, method: 'linear', gapModel: { kind: 'single' as const, gapSamples: 2000 }, seed: 0, root, quiet: true });
  let start = Date.now();
  await runReconstruction(options(path.join(scratch, 'reconstruct-local')));
  const localMs = Date.now() - start;
  const [worker] = await Promise.all([startWorker(url)]);
  let outcome: DispatchOutcome | undefined;
  try {
    start = Date.now();
    await runReconstructionOnQueue(options(path.join(scratch, 'reconstruct-queue')), { url, dataset, log: () => undefined, onOutcome: (o) => { outcome = o; } });
  } finally {
    await stop([worker]);
  }
  const queueMs = Date.now() - start;
  if (resultBytes(path.join(scratch, 'reconstruct-local')) !== resultBytes(path.join(scratch, 'reconstruct-queue'))) throw new Error('reconstruction through the queue differs from the local one');
  const folds = new Set(dataset.clips.map((c) => c.fold)).size;
  console.log(`reconstruct linear 2000-single, ${folds} folds: local ${(localMs / 1000).toFixed(1)} s · queue with 1 worker ${(queueMs / 1000).toFixed(1)} s · files identical`);
  return { overheadMs: Math.round((queueMs - localMs) / folds), outcome: outcome! };
}

/** A kind's figures: the queue's cost per job and the JSON bytes one job sends and gets back through Redis. */
function perJob(kind: string, overheadMs: number, outcome: DispatchOutcome): Record<string, number> {
  const key = kind.replace(/-/g, '_');
  const jobs = Math.max(1, outcome.done);
  console.log(`${kind}: ${outcome.done} job(s), queue overhead ${Math.round(overheadMs)} ms per job, ${(outcome.bytesOut / jobs / 1e6).toFixed(3)} MB out and ${(outcome.bytesBack / jobs / 1e6).toFixed(3)} MB back per job`);
  return { [`overhead_ms_${key}`]: Math.round(overheadMs), [`bytes_out_${key}`]: Math.round(outcome.bytesOut / jobs), [`bytes_back_${key}`]: Math.round(outcome.bytesBack / jobs) };
}

/** Local and queued work on one worker: (queue − local) / jobs, with the dispatch's outcome. */
async function compare(url: string, jobs: number, local: () => Promise<unknown>, queued: (onOutcome: (o: DispatchOutcome) => void) => Promise<unknown>): Promise<{ overheadMs: number; outcome: DispatchOutcome }> {
  let start = Date.now();
  await local();
  const localMs = Date.now() - start;
  const worker = await startWorker(url, { LACUNA_WORKERS: '1' });
  const outcomes: DispatchOutcome[] = [];
  try {
    start = Date.now();
    await queued((o) => outcomes.push(o));
  } finally {
    await stop([worker]);
  }
  const queueMs = Date.now() - start;
  const outcome = outcomes.reduce((a, o) => ({ ...a, done: a.done + o.done, bytesOut: a.bytesOut + o.bytesOut, bytesBack: a.bytesBack + o.bytesBack }));
  return { overheadMs: (queueMs - localMs) / jobs, outcome };
}

/** Two CNN tuning points (folds 1,2, 1 epoch) locally and as tune-point jobs. */
async function tunePointOverhead(dataset: ReturnType<typeof loadCachedDataset>, scratch: string, url: string): Promise<Record<string, number>> {
  const settings = (dir: string) => ({ model: 'cnn' as const, provider: cnnExperiment(dataset).provider, dir: path.join(scratch, dir), calls: 2, folds: [1, 2], seed: 0, quiet: true, training: { ...CNN_TRAINING_DEFAULTS, epochs: 1 } });
  const r = await compare(url, 2, () => tune(settings('tune-local')), (onOutcome) => {
    const s = settings('tune-queue');
    return tune({ ...s, batch: tuneBatchOnQueue(s.provider, { url, dataset, recipe: { pretrained: false, preset: 'default' }, batchSize: 1, dir: s.dir, quiet: true, log: () => undefined, onOutcome }) });
  });
  return perJob('tune-point', r.overheadMs, r.outcome);
}

/** R_ts of the linear repairs (2000 samples, folds 1–4) on the bench grid's clean CNN weights, locally and as after-repair jobs. */
async function afterRepairOverhead(grid: CrossValOptions, dataset16: ReturnType<typeof dataset16k>, dataset8: ReturnType<typeof loadCachedDataset>, scratch: string, url: string): Promise<Record<string, number>> {
  const { runs: _runs, provider, ...crossVal } = grid;
  const copy = (name: string) => { const root = path.join(scratch, name); fs.cpSync(grid.root, root, { recursive: true }); return { ...crossVal, root }; };
  const args = (name: string) => ({
    crossVal: copy(name), path: { kind: 'cnn' as const, base: provider, dataset16k: dataset16, dataset8k: dataset8 },
    reconstructionRoot: path.join(scratch, 'reconstruct-local'), method: 'linear', mode: 'R_ts' as const, gapModels: [{ kind: 'single' as const, gapSamples: 2000 }],
  });
  const folds = grid.folds!.length;
  const r = await compare(url, folds, () => classifyAfterRepair(args('after-repair-local')), (onOutcome) => classifyAfterRepair({
    ...args('after-repair-queue'), runner: afterRepairOnQueue({ url, dataset: dataset8, dataset16k: dataset16, recipe: { pretrained: false, preset: 'default' }, onOutcome }),
  }));
  if (resultBytes(path.join(scratch, 'after-repair-local')) !== resultBytes(path.join(scratch, 'after-repair-queue'))) throw new Error('classification after repair through the queue differs from the local one');
  return perJob('after-repair', r.overheadMs, r.outcome);
}

/** One GAN model (fold 1's, 2000 samples, a 20 s budget, no Griffin–Lim) trained here and as a gan-train job; fold 1 repaired here either way. */
async function ganTrainOverhead(dataset: ReturnType<typeof dataset16k>, scratch: string, url: string): Promise<Record<string, number>> {
  const options = (root: string) => ({ dataset, method: 'gan', methodOptions: { trainSeconds: 20, griffinLimIterations: 0, quiet: true }, gapModel: { kind: 'single' as const, gapSamples: 2000 }, seed: 0, folds: [1], root, quiet: true });
  process.env.LACUNA_CHECKPOINT_SECONDS = '5';
  const r = await compare(url, 1, () => runReconstruction(options(path.join(scratch, 'gan-local'))),
    (onOutcome) => runReconstructionOnQueue(options(path.join(scratch, 'gan-queue')), { url, dataset, log: () => undefined, onOutcome }));
  return perJob('gan-train', r.overheadMs, r.outcome);
}

/** Constant-liar batches of 4 against one-at-a-time SMBO, in calls (no time involved). */
function batchTuningFigures(): Record<string, number> {
  const out: Record<string, number> = {};
  const seeds = [0, 1, 2];
  const fns: { key: string; space: SearchSpace; f: (p: Point) => number; minimum: number; calls: number }[] = [
    { key: 'branin', space: BRANIN_SPACE, f: branin, minimum: BRANIN_MINIMUM, calls: 30 },
    { key: 'hartmann6', space: HARTMANN6_SPACE, f: hartmann6, minimum: HARTMANN6_MINIMUM, calls: 50 },
  ];
  for (const fn of fns) {
    const one = meanCurve(seeds.map((seed) => bestSoFar(minimize(createSmbo(fn.space, { seed }), fn.f, fn.calls))));
    const four = meanCurve(seeds.map((seed) => bestSoFar(minimizeInBatches(createSmbo(fn.space, { seed }), fn.f, Math.round(fn.calls * 1.5), 4))));
    const target = one[one.length - 1];
    const match = four.findIndex((b) => b <= target);
    out[`${fn.key}_gap_one_at_a_time`] = Number((target - fn.minimum).toFixed(4));
    out[`${fn.key}_gap_batch_4`] = Number((four[fn.calls - 1] - fn.minimum).toFixed(4));
    out[`${fn.key}_calls_batch_4_to_match`] = match < 0 ? -1 : match + 1;
    console.log(`${fn.key}: after ${fn.calls} calls, gap to the minimum ${out[`${fn.key}_gap_one_at_a_time`]} one at a time, ${out[`${fn.key}_gap_batch_4`]} in batches of 4; ` +
      `batches of 4 match one-at-a-time's best after ${match < 0 ? `more than ${four.length}` : match + 1} calls (mean of seeds ${seeds.join(',')})`);
  }
  return out;
}

main().catch((err) => { console.error(err); process.exit(1); });
