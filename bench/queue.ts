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
 *   npx tsx bench/queue.ts [--folds 1,2,3,4] [--epochs 1] [--repeats 3]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { Flags, parseArgs } from '../lib/cli/args';
import { initEngine } from '../lib/engine';
import { loadCachedDataset, repoRoot } from '../lib/data';
import { CNN_TRAINING_DEFAULTS, CrossValOptions, cnnExperiment, gridRuns, runCrossValidation } from '../lib/experiments';
import { runCrossValidationOnQueue } from '../lib/queue';
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

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot(), 'lib', 'cli', 'main.ts'), 'worker', '--queue', url],
    { env: { ...process.env, LACUNA_QUIET: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
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
  const flags = new Flags(parseArgs(process.argv.slice(2)));
  const folds = flags.numbers('folds') ?? [1, 2, 3, 4];
  const epochs = flags.number('epochs', 1);
  await initEngine({ quiet: true });
  const dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 8000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-bench-queue-'));
  const repeats = flags.number('repeats', 3);
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
    const perMin = (ms: number) => Number((units / (ms / 60000)).toFixed(2));
    console.log(`${units} units (${dataset.clips.length} clips, ${epochs} epoch(s), 1 training thread each), medians of ${repeats}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`local ${(localMs / 1000).toFixed(1)} s · queue 1 worker ${(q1Ms / 1000).toFixed(1)} s · queue 2 workers ${(q2Ms / 1000).toFixed(1)} s · results identical`);
    console.log(JSON.stringify({
      queue_overhead_ms: Math.round((q1Ms - localMs) / units),
      queue_transport_ms: Math.round(median(runs.q1Transport) / units),
      jobs_per_min_local: perMin(localMs),
      jobs_per_min_1_worker: perMin(q1Ms),
      jobs_per_min_2_workers: perMin(q2Ms),
      units, repeats, load_1min: Number(os.loadavg()[0].toFixed(2)),
    }));
  } finally {
    await redis.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
