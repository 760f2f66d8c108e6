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
import { runCrossValidationOnQueue, runReconstructionOnQueue } from '../lib/queue';
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
      switchOption('no-study', 'skip study --quick'),
      switchOption('no-batch-tuning', 'skip the constant-liar batches'),
    ],
  });
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
    const queued = async (workers: number, rep: number): Promise<{ ms: number; workerMs: number }> => {
      const url = redis.url(++db);
      const name = `queue-${workers}-${rep}`;
      const children = await Promise.all(Array.from({ length: workers }, () => startWorker(url)));
      try {
        let workerMs = 0;
        const start = Date.now();
        await runCrossValidationOnQueue(options(name), { url, dataset, recipe: { pretrained: false, preset: 'default' }, onOutcome: (o) => { workerMs = o.workerMs; } });
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
    const study = flags.bool('no-study') ? {} : await studyFigures(scratch, redis.url(++db), flags.string('study-size')!);
    const reconstruct = await reconstructOverhead(dataset16k(), scratch, redis.url(++db));
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
      overhead_ms_cv_unit: Math.round((q1Ms - localMs) / units),
      overhead_ms_reconstruct_fold: reconstruct.overheadMs,
      ...study,
      ...batches,
      units, repeats, load_1min: Number(os.loadavg()[0].toFixed(2)),
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
async function studyFigures(scratch: string, url: string, size: string): Promise<Record<string, number | string>> {
  const base = ['study', '--quick', '--size', size];
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
  console.log(`study --quick --size ${size}: local ${(localMs / 1000).toFixed(0)} s · queue with 2 workers ${(queueMs / 1000).toFixed(0)} s`);
  if (resultBytes(localOut) !== resultBytes(queueOut)) throw new Error('the study through the queue wrote other result files than the local study');
  console.log('result files identical (arrays, tables, weights; folds.csv without its train_seconds column)');
  return { study_size: size, study_seconds_local: Math.round(localMs / 1000), study_seconds_queue_2_workers: Math.round(queueMs / 1000) };
}

function dataset16k() {
  return loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
}

/** One reconstruction's folds locally and through 1 worker: the queue's cost per fold job. */
async function reconstructOverhead(dataset: ReturnType<typeof dataset16k>, scratch: string, url: string): Promise<{ overheadMs: number }> {
  const options = (root: string) => ({ dataset, method: 'linear', gapModel: { kind: 'single' as const, gapSamples: 2000 }, seed: 0, root, quiet: true });
  let start = Date.now();
  await runReconstruction(options(path.join(scratch, 'reconstruct-local')));
  const localMs = Date.now() - start;
  const [worker] = await Promise.all([startWorker(url)]);
  try {
    start = Date.now();
    await runReconstructionOnQueue(options(path.join(scratch, 'reconstruct-queue')), { url, dataset, log: () => undefined });
  } finally {
    await stop([worker]);
  }
  const queueMs = Date.now() - start;
  if (resultBytes(path.join(scratch, 'reconstruct-local')) !== resultBytes(path.join(scratch, 'reconstruct-queue'))) throw new Error('reconstruction through the queue differs from the local one');
  const folds = new Set(dataset.clips.map((c) => c.fold)).size;
  console.log(`reconstruct linear 2000-single, ${folds} folds: local ${(localMs / 1000).toFixed(1)} s · queue with 1 worker ${(queueMs / 1000).toFixed(1)} s · files identical`);
  return { overheadMs: Math.round((queueMs - localMs) / folds) };
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
