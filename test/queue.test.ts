/**
 * The grid through a real Redis queue: a redis-server started here on a free port, worker and
 * coordinator processes of the compiled CLI. Results must equal a local run's, whichever worker
 * computes a unit, whatever is killed on the way.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { connectionAttempts, startRedis } from './support/redis';
import { runLacuna } from './support/cli';
import { firstAttempts, jobsStarted, queueSuite, root } from './support/queue';
import { QUICK_STUDY, copyQuickStudy, quickStudyOutput } from './support/study-fixture';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-queue-test-'));
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
// Small: 2 folds, one length, C_ts only → 2 units (clean fold 1, clean fold 2), each training once for NC and both C_ts runs.
const GRID = ['grid', '--size', 'tiny', '--folds', '1,2', '--gap-lengths', '1000', '--modes', 'C_ts', '--loss-rates', 'none', '--epochs', '1'];
const LOCK = ['--lock-seconds', '4'];
// Fold 1's unit alone, for the tests of one job's fate (killed, refused, handed back); its files are the local run's for fold 1.
const GRID_FOLD1 = GRID.map((a) => (a === '1,2' ? '1' : a));

/** Every fold result and cached weight file under a results root, without wall-clock fields. */
function resultsOf(outputs: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^fold-\d+\.json$/.test(e.name)) {
        const r = JSON.parse(fs.readFileSync(p, 'utf8'));
        delete r.testSeconds; delete r.finishedAt; delete r.training.seconds;
        out[path.relative(outputs, p)] = r;
      } else if (e.name.endsWith('.weights.bin')) out[path.relative(outputs, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(outputs);
  return out;
}

describe('grid on a Redis queue', { timeout: 8 * 60 * 1000 }, () => {
  let local: Record<string, unknown>;
  let localFold1: Record<string, unknown>;
  const suite = queueSuite(() => {
    const out = path.join(scratch, 'local');
    const r = runLacuna(GRID, { env: { LACUNA_OUTPUT_DIR: out } });
    assert.equal(r.status, 0, r.stderr);
    local = resultsOf(out);
    assert.equal(Object.keys(local).filter((k) => k.endsWith('.json')).length, 6, 'NC + 2 C_ts runs x 2 folds');
    assert.equal(Object.keys(local).filter((k) => k.endsWith('.bin')).length, 2, 'one clean training per fold');
    localFold1 = Object.fromEntries(Object.entries(local).filter(([k]) => /fold-01\./.test(k)));
    assert.equal(Object.keys(localFold1).length, 4, 'fold 1: 3 runs and a training');
  });

  test('a restarted coordinator finds its jobs queued and adds none; two workers give the local results', async () => {
    const env = { LACUNA_OUTPUT_DIR: path.join(scratch, 'restart') };
    const first = suite.spawn([...GRID, '--queue', suite.url(1)], env);
    await first.waitFor(/2 job\(s\) — 2 added, 0 already queued/);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = suite.spawn([...GRID, '--queue', suite.url(1)], env);
    await second.waitFor(/2 job\(s\) — 0 added, 2 already queued/);
    const workers = [suite.spawn(['worker', '--queue', suite.url(1), ...LOCK]), suite.spawn(['worker', '--queue', suite.url(1), ...LOCK])];
    assert.equal(await second.exited, 0, second.output());
    assert.match(second.output(), /done clean fold 1 \(3 runs\) by \S+ \([12]\/2\)/);
    assert.deepEqual(resultsOf(env.LACUNA_OUTPUT_DIR), local);
    assert.equal(jobsStarted(...workers), 2, 'each unit ran once');
    // Rerun: nothing left to do, nothing enqueued.
    const again = suite.spawn([...GRID, '--queue', suite.url(1)], env);
    assert.equal(await again.exited, 0, again.output());
    assert.match(again.output(), /0 job\(s\) — 0 added/);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) assert.equal(await w.exited, 0, w.output());
  });

  test('a worker killed mid-job: its unit is run again by the other, results unchanged', async () => {
    const env = { LACUNA_OUTPUT_DIR: path.join(scratch, 'kill') };
    const victim = suite.spawn(['worker', '--queue', suite.url(2), ...LOCK]);
    await victim.waitFor(/waiting for jobs/);
    const coordinator = suite.spawn([...GRID_FOLD1, '--queue', suite.url(2)], env);
    await victim.waitFor(/\) started$/m);
    const survivor = suite.spawn(['worker', '--queue', suite.url(2), ...LOCK]);
    await new Promise((r) => setTimeout(r, 500));
    assert.doesNotMatch(victim.output(), /done in/, 'the victim must still be inside its first job');
    victim.child.kill('SIGKILL');
    assert.equal(await coordinator.exited, 0, coordinator.output());
    assert.equal(jobsStarted(survivor), 1, `the survivor ran the unit again:\n${survivor.output()}`);
    assert.doesNotMatch(coordinator.output(), /FAILED/);
    assert.deepEqual(resultsOf(env.LACUNA_OUTPUT_DIR), localFold1);
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  });

  test('a worker whose dataset cache has another fingerprint refuses, the coordinator says why, and a rerun retries', async () => {
    // The worker's own data folder: the tiny cache with a manifest that records another build.
    const dataDir = path.join(scratch, 'other-data');
    const src = path.join(process.env.LACUNA_DATA_DIR ?? path.join(root, 'data'), 'cache', 'synthetic-urban-tiny', 'zscore-4s', 'sr8000');
    const dst = path.join(dataDir, 'cache', 'synthetic-urban-tiny', 'zscore-4s', 'sr8000');
    fs.mkdirSync(dst, { recursive: true });
    for (const f of ['waveforms.npy', 'labels.csv']) fs.symlinkSync(path.join(src, f), path.join(dst, f));
    const manifest = JSON.parse(fs.readFileSync(path.join(src, 'manifest.json'), 'utf8'));
    manifest.fingerprint = 'f'.repeat(64);
    fs.writeFileSync(path.join(dst, 'manifest.json'), JSON.stringify(manifest));
    const worker = suite.spawn(['worker', '--queue', suite.url(3), ...LOCK], { LACUNA_DATA_DIR: dataDir });
    const coordinator = suite.spawn([...GRID_FOLD1, '--queue', suite.url(3)], { LACUNA_OUTPUT_DIR: path.join(scratch, 'refused') });
    assert.equal(await coordinator.exited, 1, coordinator.output());
    assert.match(coordinator.output(), /1 of 1 job\(s\) failed for good/);
    assert.match(coordinator.output(), /refuses the job: dataset fingerprint differs for "synthetic-urban-tiny" — this worker's cache .* has ffffffffffff/);
    assert.equal(jobsStarted(worker), 1, 'refused once, not retried');
    worker.child.kill('SIGTERM');
    await worker.exited;
    // The cause fixed (a worker with the right cache), the same command retries the failed jobs.
    const good = suite.spawn(['worker', '--queue', suite.url(3), ...LOCK]);
    const rerun = suite.spawn([...GRID_FOLD1, '--queue', suite.url(3)], { LACUNA_OUTPUT_DIR: path.join(scratch, 'refused') });
    assert.equal(await rerun.exited, 0, rerun.output());
    assert.match(rerun.output(), /1 job\(s\) — 0 added, 1 already queued \(1 of them had failed: retried\)/);
    assert.deepEqual(resultsOf(path.join(scratch, 'refused')), localFold1);
    good.child.kill('SIGTERM');
    await good.exited;
  });

  test('a job planned by another lacuna version is refused at once, naming both versions', async () => {
    const { Queue } = await import('bullmq');
    const { connectRedis, QUEUE_NAME } = await import('../lib/queue');
    const { lacunaVersion } = await import('../lib/data');
    const connection = await connectRedis(suite.url(4));
    const queue = new Queue(QUEUE_NAME, { connection });
    const worker = suite.spawn(['worker', '--queue', suite.url(4), ...LOCK]);
    try {
      const job = await queue.add('cv-unit', {
        kind: 'cv-unit', lacunaVersion: '99.0.0', payload: {},
        dataset: { name: 'synthetic-urban-tiny', variant: 'zscore-4s', sampleRate: 8000, fingerprint: 'x' },
      }, { jobId: 'other-version', attempts: 3 });
      let state = '';
      for (let i = 0; i < 300 && state !== 'failed'; i++) { await new Promise((r) => setTimeout(r, 100)); state = await job.getState(); }
      assert.equal(state, 'failed', worker.output());
      const failed = await queue.getJob('other-version');
      assert.match(failed!.failedReason, new RegExp(`refuses the job: it runs lacuna ${lacunaVersion().replace(/\./g, '\\.')}, the job was planned by lacuna 99\\.0\\.0`));
      assert.equal(failed!.attemptsMade, 1, 'not retried');
    } finally {
      await queue.close();
      connection.disconnect();
      worker.child.kill('SIGTERM');
      await worker.exited;
    }
  });

  test('a worker outlives a Redis outage, saying so once each way, and stops on SIGTERM while Redis is down', async () => {
    const own = await startRedis();
    const worker = suite.spawn(['worker', '--queue', own.url(0), ...LOCK]);
    try {
      await worker.waitFor(/waiting for jobs/);
      await own.stop();
      await worker.waitFor(/lost Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(.*\); retrying with backoff/);
      // Several reconnection attempts of its connections (0.5 s, 1 s, 2 s… apart) go by, unlogged: counted on the
      // port, each dropped at once, until there have been four.
      await connectionAttempts(own.port, 4);
      const back = await startRedis(own.port);
      try {
        await worker.waitFor(/is back after \d+ s; carrying on/, 40_000);
      } finally {
        await back.stop();
      }
      await worker.waitFor(/is back after[\s\S]*lost Redis/, 20_000);
      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
      const out = worker.output();
      assert.equal(out.match(/lost Redis/g)?.length, 2, out);
      assert.equal(out.match(/is back after/g)?.length, 1, out);
      assert.doesNotMatch(out, /queue error/);
      assert.ok((out.match(/ECONNREFUSED|ECONNRESET|Connection is closed/g)?.length ?? 0) <= 2, `one reason per outage:\n${out}`);
      assert.match(out, /SIGTERM: stopping[\s\S]*stopped\n$/);
    } finally {
      await own.stop();
    }
  });

  test('a worker stopped by SIGTERM mid-job hands the job back at once; the other worker runs it, results unchanged', async () => {
    const env = { LACUNA_OUTPUT_DIR: path.join(scratch, 'sigterm') };
    // Long locks: the job can only come back this quickly if the stopping worker hands it back.
    const slowLock = ['--lock-seconds', '600'];
    const victim = suite.spawn(['worker', '--queue', suite.url(5), ...slowLock], { LACUNA_PROGRESS_SECONDS: '0.5' });
    await victim.waitFor(/waiting for jobs/);
    const coordinator = suite.spawn([...GRID_FOLD1, '--queue', suite.url(5)], env);
    await victim.waitFor(/\) started$/m);
    await victim.waitFor(/\(cv-unit\) \d+% after \S+, time left \S+/);
    victim.child.kill('SIGTERM');
    assert.equal(await victim.exited, 0, victim.output());
    assert.match(victim.output(), /handed back to the queue/);
    assert.doesNotMatch(victim.output(), /done in/);
    const survivor = suite.spawn(['worker', '--queue', suite.url(5), ...slowLock]);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    assert.equal(jobsStarted(survivor), 1, `the survivor ran the unit handed back:\n${survivor.output()}`);
    assert.deepEqual(resultsOf(env.LACUNA_OUTPUT_DIR), localFold1);
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  });

  test('files over the inline limit travel by reference: chunked, shared by content, byte for byte, removed; too big for Redis is refused', async () => {
    const { connectRedis, dispatchJobs } = await import('../lib/queue');
    const { FileBytes, packBytes, unpackBytes, deleteBlobs } = await import('../lib/queue/blobs');
    const saved = { inline: process.env.LACUNA_QUEUE_INLINE_BYTES, chunk: process.env.LACUNA_QUEUE_CHUNK_BYTES };
    const redis = await connectRedis(suite.url(6));
    try {
      const file = path.join(scratch, 'blob.bin');
      const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251));
      fs.writeFileSync(file, bytes);
      const value = { note: 'x', files: { 'a.npy': new FileBytes(file), 'b.npy': bytes.subarray(0, 10) } };
      // Under the limit: base64 inside the JSON, as before.
      const inline = await packBytes(redis, value, (sha) => `lacuna:blob:${sha}`);
      assert.deepEqual(inline.value, { note: 'x', files: { 'a.npy': bytes.toString('base64'), 'b.npy': bytes.subarray(0, 10).toString('base64') } });
      assert.deepEqual(await redis.keys('lacuna:*'), []);
      process.env.LACUNA_QUEUE_INLINE_BYTES = '1000';
      process.env.LACUNA_QUEUE_CHUNK_BYTES = '2000';
      const packed = await packBytes(redis, value, (sha) => `lacuna:blob:${sha}`);
      assert.equal(packed.refs.length, 2);
      assert.deepEqual(packed.refs.map((r) => r.chunks), [3, 1], '5000 bytes in keys of 2000');
      assert.ok(await redis.ttl(`${packed.refs[0].$lacunaBlob}:2`) > 0, 'keys expire');
      const again = await packBytes(redis, { copy: new FileBytes(file) }, (sha) => `lacuna:blob:${sha}`);
      assert.equal((await redis.keys('lacuna:blob:*')).length, 4, 'the same bytes again: no new key');
      const back = await unpackBytes(redis, JSON.parse(JSON.stringify(packed.value))) as typeof value;
      assert.deepEqual(back, { note: 'x', files: { 'a.npy': bytes, 'b.npy': bytes.subarray(0, 10) } });
      await deleteBlobs(redis, [...packed.refs, ...again.refs]);
      assert.deepEqual(await redis.keys('lacuna:*'), []);
      await assert.rejects(unpackBytes(redis, packed.value), /a file of 5 kB sent by reference \(lacuna:blob:[0-9a-f]{64}\) is no longer in Redis/);
      // More than Redis may hold: refused before anything is sent, saying what and how big.
      const big = path.join(scratch, 'big.bin');
      fs.writeFileSync(big, Buffer.alloc(40_000_000, 7));
      // Room for the queue's own writes (its memory moves with the other tests' clients), not for the file.
      const used = Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))![1]);
      await redis.config('SET', 'maxmemory', String(used + 20_000_000));
      const job = {
        id: 'too-big', label: 'R_all cnn fold 1', onResult: () => undefined,
        envelope: {
          kind: 'after-repair', lacunaVersion: '0', dataset: { name: 'x', variant: 'x', sampleRate: 1, fingerprint: 'x' },
          payload: { files: { 'fold-01/mel.npy': new FileBytes(big) } },
        },
      };
      await assert.rejects(dispatchJobs([job], { url: suite.url(6), label: 'x', quiet: true, log: () => undefined }),
        /R_all cnn fold 1: the job's files are 40\.0 MB \(1 file\(s\) by reference\), more than Redis's maxmemory \(\d+\.\d MB\)/);
      assert.deepEqual(await redis.keys('lacuna:*'), [], 'nothing sent');
    } finally {
      await redis.config('SET', 'maxmemory', '0');
      await deleteBlobs(redis, (await redis.keys('lacuna:blob:*')).map((k) => ({ $lacunaBlob: k.replace(/:\d+$/, ''), sha256: '', bytes: 0, chunks: 1 })));
      redis.disconnect();
      for (const [k, v] of [['LACUNA_QUEUE_INLINE_BYTES', saved.inline], ['LACUNA_QUEUE_CHUNK_BYTES', saved.chunk]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
    }
  });

  test('bad --queue URLs are refused before any work', () => {
    const r = runLacuna(['worker', '--queue', 'http://localhost:6379']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^lacuna: --queue must start with redis:\/\/ or rediss:\/\/ \(TLS\); got "http:\/\/localhost:6379"\n$/);
    const down = runLacuna(['worker', '--queue', `redis://:secret@127.0.0.1:${suite.port + 1}`], { timeout: 30_000 });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /cannot use Redis there/);
    assert.doesNotMatch(down.stderr, /secret/);
  });
});

/**
 * Every results file of a study under `outputs`: the bytes (as sha256) of arrays, tables and
 * weights, and JSON; only wall-clock fields (how long a fold took, when it finished: the `seconds`
 * of manifests, `trainSeconds`, `train_seconds` in folds.csv) and the output folder itself are
 * left out. HTML pages (which show the same times) are not compared.
 */
function studyFiles(outputs: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const clock = new Set(['seconds', 'testSeconds', 'finishedAt', 'trainSeconds']);
  const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object'
    ? Object.fromEntries(Object.entries(v).filter(([k]) => !clock.has(k)).map(([k, x]) => [k, strip(x)])) : v);
  const hash = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const key = path.relative(outputs, p);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.weights.json')) {
        // tfjs names weights with a counter of the layers the process built before (conv1d_Conv1D4 in a process
        // that built one model earlier): names differ between any two processes, the values (.bin) may not.
        const w = strip(JSON.parse(fs.readFileSync(p, 'utf8'))) as { weights?: { name?: string }[] };
        for (const x of w.weights ?? []) delete x.name;
        out[key] = w;
      } else if (e.name.endsWith('.json')) out[key] = strip(JSON.parse(fs.readFileSync(p, 'utf8').split(outputs).join('<out>')));
      else if (e.name === 'folds.csv') {
        // The training time column goes; every other byte counts.
        const rows = fs.readFileSync(p, 'utf8').split('\n').map((l) => l.split(','));
        const t = rows[0].indexOf('train_seconds');
        out[key] = hash(rows.map((r) => r.filter((_, i) => i !== t).join(',')).join('\n'));
      } else if (/\.(npy|csv|bin)$/.test(e.name)) out[key] = hash(fs.readFileSync(p));
    }
  };
  walk(outputs);
  return out;
}

describe('study and reconstruct on a Redis queue', { timeout: 10 * 60 * 1000 }, () => {
  // --quick with the CNN and three untrained methods: 2 grid units, 12 reconstruction folds.
  const STUDY = QUICK_STUDY;
  // Longer than one clip's AR repair on a loaded machine: the lock is renewed between clips.
  const LOCK = ['--lock-seconds', '15'];
  let local: Record<string, unknown>;
  const suite = queueSuite(() => {
    // The local run, shared with test/after-repair.test.ts (built by whichever file runs first).
    local = studyFiles(quickStudyOutput());
    const keys = Object.keys(local);
    assert.equal(keys.filter((k) => /reconstruct\/.*\/fold-0[12]\/mel\.npy$/.test(k)).length, 12, keys.join('\n'));
    assert.ok(keys.some((k) => k.endsWith('headline-R_ts.csv')), keys.join('\n'));
  });

  test('study --queue through two workers, every file by reference, writes the local run\'s files', async () => {
    const out = path.join(scratch, 'study-queue');
    // Jobs and results over 4 kB carry their files by reference, in keys of 300 kB: a fold's mels (1.1 MB) take 4.
    const byRef = { LACUNA_QUEUE_INLINE_BYTES: '4096', LACUNA_QUEUE_CHUNK_BYTES: '300000' };
    const worker = () => suite.spawn(['worker', '--queue', suite.url(1), ...LOCK], byRef);
    const workers = [worker(), worker()];
    const coordinator = suite.spawn([...STUDY, '--output', out, '--queue', suite.url(1)], byRef);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    // Each method and length's R_ts jobs carry their test fold's repairs; reconstruction results come back the same way (not logged).
    const sent = coordinator.output().match(/2 job\(s\) — 2 added, 0 already queued; 2 carry their files by reference \(\S+ MB in \d+ key\(s\)\)/g);
    assert.equal(sent?.length, 6, coordinator.output());
    const { connectRedis } = await import('../lib/queue');
    const redis = await connectRedis(suite.url(1));
    try {
      assert.deepEqual(await redis.keys('lacuna:*'), [], 'every file sent by reference is removed once stored');
    } finally {
      redis.disconnect();
    }
    const kinds = workers.map((w) => w.output()).join('\n');
    assert.equal(firstAttempts('cv-unit', ...workers), 2, kinds);
    assert.equal(firstAttempts('reconstruct-fold', ...workers), 12, kinds);
    // R_ts: 3 methods x 2 lengths x 2 test folds, each scored on the grid's clean weights by a worker.
    assert.equal(firstAttempts('after-repair', ...workers), 12, kinds);
    assert.ok(workers.every((w) => /\) started$/m.test(w.output())), 'both workers took jobs');
    assert.deepEqual(studyFiles(out), local);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) assert.equal(await w.exited, 0, w.output());
  });

  test('a worker and the coordinator killed mid-run, restarted: the same files', async () => {
    const out = path.join(scratch, 'study-killed');
    // The local run with one method's work undone (its repairs, its R_ts runs, the summaries over all methods):
    // the study resumes from the rest, as from a grid and methods already done; the test above runs it all.
    copyQuickStudy(out);
    const cnn = path.join(out, 'results', 'synthetic-urban-tiny', 'cnn');
    fs.rmSync(path.join(out, 'reconstruct', 'synthetic-urban-tiny', 'ar'), { recursive: true });
    fs.rmSync(path.join(cnn, 'R_ts-ar'), { recursive: true });
    for (const f of fs.readdirSync(cnn).filter((x) => /^(headline|overview)/.test(x))) fs.rmSync(path.join(cnn, f));
    const victim = suite.spawn(['worker', '--queue', suite.url(2), ...LOCK]);
    const first = suite.spawn([...STUDY, '--output', out, '--queue', suite.url(2)]);
    // Into the reconstruction: one fold repaired, the next under way (of 2 lengths x 2 folds).
    await victim.waitFor(/\(reconstruct-fold, attempt 1\) started[\s\S]*\(reconstruct-fold, attempt 1\) started/m, 240_000);
    first.child.kill('SIGKILL');
    victim.child.kill('SIGKILL');
    await Promise.all([first.exited, victim.exited]);
    const survivor = suite.spawn(['worker', '--queue', suite.url(2), ...LOCK]);
    const second = suite.spawn([...STUDY, '--output', out, '--queue', suite.url(2)]);
    assert.equal(await second.exited, 0, second.output());
    assert.ok(jobsStarted(survivor) > 0, `the restarted run's worker finished the work:\n${survivor.output()}`);
    assert.deepEqual(studyFiles(out), local);
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  });

  test('tune --queue with one worker proposes and scores the points of a local study', async () => {
    // One test fold: a point's folds are one job, so a second fold would only double each job's training.
    const args = ['tune', '--model', 'cnn', '--calls', '4', '--initial', '2', '--folds', '1', '--epochs', '1', '--size', 'tiny'];
    const trialsOf = (dir: string) => fs.readdirSync(path.join(dir, 'trials')).sort().map((f) => {
      const t = JSON.parse(fs.readFileSync(path.join(dir, 'trials', f), 'utf8'));
      return { index: t.index, params: t.params, score: t.score, validation: t.validation, test: t.test, epochsRun: t.epochsRun };
    });
    const localDir = path.join(scratch, 'tune-local');
    const r = runLacuna([...args, '--output', localDir]);
    assert.equal(r.status, 0, r.stderr);
    const worker = suite.spawn(['worker', '--queue', suite.url(4), ...LOCK]);
    const queueDir = path.join(scratch, 'tune-queue');
    const queued = suite.spawn([...args, '--output', queueDir, '--queue', suite.url(4), '--tune-batch', '1']);
    assert.equal(await queued.exited, 0, queued.output());
    assert.match(queued.output(), /1 point\(s\) at a time, proposed by constant liar \(cl_min/);
    assert.equal((worker.output().match(/\(tune-point, attempt 1\) started/g) ?? []).length, 4, worker.output());
    const local = trialsOf(localDir);
    assert.equal(local.length, 4);
    assert.deepEqual(trialsOf(queueDir), local);
    const best = (dir: string) => { const p = JSON.parse(fs.readFileSync(path.join(dir, 'best-params.json'), 'utf8')); delete p.source.study; return p; };
    assert.deepEqual(best(queueDir), best(localDir));
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  test('reconstruct --queue: the local files, byte for byte', async () => {
    const args = ['reconstruct', '--method', 'ar', '--size', 'tiny', '--folds', '1,2', '--gap-length', '2000'];
    const localOut = path.join(scratch, 'reconstruct-local');
    const r = runLacuna([...args, '--output', localOut]);
    assert.equal(r.status, 0, r.stderr);
    const worker = suite.spawn(['worker', '--queue', suite.url(3), ...LOCK]);
    const queued = suite.spawn([...args, '--output', path.join(scratch, 'reconstruct-queue'), '--queue', suite.url(3)]);
    assert.equal(await queued.exited, 0, queued.output());
    assert.match(queued.output(), /2 job\(s\) — 2 added/);
    assert.deepEqual(studyFiles(path.join(scratch, 'reconstruct-queue')), studyFiles(localOut));
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  test('study --repair R_all through a worker: each training on every fold\'s repairs is a job, the local files', async () => {
    const args = ['study', '--quick', '--size', 'tiny', '--models', 'cnn', '--methods', 'zero', '--gap-lengths', '4000', '--repair', 'R_all', '--folds', '1'];
    // Both runs write to the same --output (the local one is moved aside): R_all's weights record their repairs' folder.
    // Each starts from the shared quick study, so the grid is not trained again.
    const out = path.join(scratch, 'r-all');
    copyQuickStudy(out);
    const r = runLacuna([...args, '--output', out]);
    assert.equal(r.status, 0, r.stderr);
    const local = studyFiles(out);
    fs.renameSync(out, `${out}-local`);
    assert.ok(Object.keys(local).some((k) => /R_all/.test(k)), Object.keys(local).join('\n'));
    copyQuickStudy(out);
    const worker = suite.spawn(['worker', '--queue', suite.url(5), ...LOCK]);
    const queued = suite.spawn([...args, '--output', out, '--queue', suite.url(5)]);
    assert.equal(await queued.exited, 0, queued.output());
    // One method, one length, one test fold: one training on the repaired training folds.
    assert.equal(firstAttempts('after-repair', worker), 1, worker.output());
    assert.deepEqual(studyFiles(out), local);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });
});

describe('GAN training on a Redis queue', { timeout: 6 * 60 * 1000 }, () => {
  // One model (fold 1's, cross-fit) of a 2000-sample gap on the tiny set, ~2.5 s a step on a loaded
  // machine: a budget of a few steps, a checkpoint after every step, no Griffin–Lim audio.
  const GAN = ['reconstruct', '--method', 'gan', '--size', 'tiny', '--folds', '1', '--gap-length', '2000', '--train-seconds', '20', '--griffin-lim', '0'];
  // A GAN step holds the event loop (and the lock's renewal) for seconds, more on a loaded machine: the lock must outlast one.
  const GAN_LOCK = ['--lock-seconds', '20'];
  const env = { LACUNA_WORKERS: '1', LACUNA_CHECKPOINT_SECONDS: '1', LACUNA_PROGRESS_SECONDS: '0.5' };
  const suite = queueSuite();
  /** A checkpoint folder's current checkpoint: its bytes (as sha256) and loss curve, without wall-clock fields. */
  const checkpointOf = (dir: string) => {
    const latest = JSON.parse(fs.readFileSync(path.join(dir, 'latest.json'), 'utf8'));
    const bytes = (rel: string) => createHash('sha256').update(fs.readFileSync(path.join(dir, latest.checkpoint, rel))).digest('hex');
    const losses = JSON.parse(fs.readFileSync(path.join(dir, 'losses.json'), 'utf8')).map(({ seconds: _s, ...p }: { seconds: number }) => p);
    return {
      latest, generator: bytes('generator/weights.bin'), discriminator: bytes('discriminator/weights.bin'),
      optimizers: bytes('optimizers.bin'), losses,
    };
  };

  test('a worker killed mid-training: another resumes from its last checkpoint in Redis, with the weights of a local training of as many steps', async () => {
    const out = path.join(scratch, 'gan-queue');
    const victim = suite.spawn(['worker', '--queue', suite.url(1), ...GAN_LOCK], env);
    await victim.waitFor(/waiting for jobs/);
    const coordinator = suite.spawn([...GAN, '--output', out, '--queue', suite.url(1)], env);
    // Killed as soon as its first checkpoint is in Redis (a GAN step holds the event loop: its log lags).
    const { connectRedis } = await import('../lib/queue');
    const redis = await connectRedis(suite.url(1));
    try {
      const end = Date.now() + 180_000;
      while ((await redis.keys('lacuna:checkpoint:*')).length === 0) {
        assert.ok(Date.now() < end && victim.child.exitCode === null, `no checkpoint in Redis:\n${victim.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      redis.disconnect();
    }
    victim.child.kill('SIGKILL');
    const survivor = suite.spawn(['worker', '--queue', suite.url(1), ...GAN_LOCK], env);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    const done = /gan 2000-single model (\S+): (\d+) steps \(resumed from step (\d+)\)/.exec(coordinator.output());
    assert.ok(done, `the survivor resumed the training:\n${coordinator.output()}\n${survivor.output()}`);
    const [, modelId, steps, from] = done;
    assert.ok(Number(from) >= 1 && Number(from) < Number(steps), `resumed from step ${from} of ${steps}`);
    const run = path.join(out, 'gan', '2000-single-seed0');
    assert.ok(fs.existsSync(path.join(run, 'fold-01', 'manifest.json')));
    assert.equal(firstAttempts('reconstruct-fold', survivor), 1, `the fold was repaired on the worker:\n${survivor.output()}`);

    // The same training here, uninterrupted, to the step count the queue reached.
    const { initEngine } = await import('../lib/engine/init');
    const { loadCachedDataset } = await import('../lib/data');
    const { repairPlan, modelForFold } = await import('../lib/reconstruct/folds');
    const { ganTrainingOf } = await import('../lib/reconstruct/gan-method');
    const { trainGan } = await import('../lib/reconstruct/gan');
    await initEngine({ quiet: true });
    const dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
    const model = modelForFold(repairPlan([...new Set(dataset.clips.map((c) => c.fold))]), 1);
    assert.equal(model.id, modelId);
    const localDir = path.join(scratch, 'gan-local');
    const { train } = ganTrainingOf({ dataset, trainFolds: [...model.trainFolds], gapModel: { kind: 'single', gapSamples: 2000 }, seed: 0, workDir: localDir }, {});
    (await trainGan({ ...train, seconds: undefined, steps: Number(steps), workers: 1, quiet: true })).generator.dispose();
    assert.deepEqual(checkpointOf(path.join(run, '_model', modelId)), checkpointOf(localDir));
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  });

  test('a gan-masked model trains on a worker, lands in the folder every gap model shares, with the weights of a local training of as many steps;'
    + ' the worker repairs the fold from it, byte for byte as a local run does', async () => {
    // The smallest masked training: a budget of 1 s (its first step alone takes longer: one step), one model, one fold,
    // audio by 2 Griffin–Lim iterations (the waveforms travel too).
    const out = path.join(scratch, 'gan-masked-queue');
    const args = ['reconstruct', '--method', 'gan-masked', '--size', 'tiny', '--folds', '1', '--gap-length', '2000', '--train-seconds', '1', '--griffin-lim', '2'];
    // A masked step holds the event loop for up to half a minute on a loaded machine: a lock no step outlasts (nothing is killed here).
    const worker = suite.spawn(['worker', '--queue', suite.url(2), '--lock-seconds', '120'], env);
    const coordinator = suite.spawn([...args, '--output', out, '--queue', suite.url(2)], env);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    assert.equal(firstAttempts('gan-train', worker), 1, worker.output());
    assert.equal(firstAttempts('reconstruct-fold', worker), 1, worker.output());
    const done = /gan-masked 2000-single model (\S+): (\d+) steps\n/.exec(coordinator.output());
    assert.ok(done, coordinator.output());
    const [, modelId, steps] = done;
    const shared = path.join(out, 'gan-masked', '_shared', `${modelId}-seed0`, '1s');
    const fold = JSON.parse(fs.readFileSync(path.join(out, 'gan-masked', '2000-single-seed0', 'fold-01', 'manifest.json'), 'utf8'));
    assert.equal(fold.model.checkpoint, shared, 'the coordinator repaired from the checkpoint the worker trained');
    assert.equal(fold.model.steps, Number(steps));
    // A local run given the same trained model (it finds its budget used) repairs the fold into the same files.
    const localOut = path.join(scratch, 'gan-masked-repair-local');
    fs.cpSync(path.join(out, 'gan-masked', '_shared'), path.join(localOut, 'gan-masked', '_shared'), { recursive: true });
    const r = runLacuna([...args, '--output', localOut]);
    assert.equal(r.status, 0, r.stderr);
    const files = studyFiles(out);
    assert.ok(['mel.npy', 'waveforms.npy', 'clips.csv', 'manifest.json'].every((f) => `gan-masked/2000-single-seed0/fold-01/${f}` in files), Object.keys(files).join('\n'));
    assert.deepEqual(files, studyFiles(localOut));
    // Another gap model's run finds the model trained: no training job, only its fold's repair.
    const again = suite.spawn([...args.map((a) => (a === '2000' ? '1000' : a)), '--output', out, '--queue', suite.url(2)], env);
    assert.equal(await again.exited, 0, again.output());
    assert.equal(firstAttempts('gan-train', worker), 1, worker.output());
    assert.equal(firstAttempts('reconstruct-fold', worker), 2, worker.output());

    const { initEngine } = await import('../lib/engine/init');
    const { loadCachedDataset } = await import('../lib/data');
    const { repairPlan, modelForFold } = await import('../lib/reconstruct/folds');
    const { maskedGanTrainingOf } = await import('../lib/reconstruct/gan-method');
    const { trainGan } = await import('../lib/reconstruct/gan');
    await initEngine({ quiet: true });
    const dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
    const model = modelForFold(repairPlan([...new Set(dataset.clips.map((c) => c.fold))]), 1);
    const localDir = path.join(scratch, 'gan-masked-local');
    const context = { dataset, trainFolds: [...model.trainFolds], gapModel: { kind: 'single', gapSamples: 2000 } as const, seed: 0, workDir: localDir };
    const { train } = maskedGanTrainingOf(context, { trainSeconds: 1 });
    (await trainGan({ ...train, seconds: undefined, steps: Number(steps), workers: 1, quiet: true })).generator.dispose();
    assert.deepEqual(checkpointOf(shared), checkpointOf(path.join(localDir, '1s')));
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });
});
