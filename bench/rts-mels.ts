/**
 * R_ts's YAMNet input for a mel method (linear): the magnitude mel YAMNet would see of every
 * repaired clip, two STFTs a clip, before anything is embedded. Timed in this thread and on
 * --threads worker threads (lib/reconstruct/yamnet-mel, what R_ts now uses), and with --baseline DIR
 * that checkout's repairedYamnetInput, in turn for --rounds rounds so a shared machine's slow spells
 * hit every variant; the inputs are checked bit for bit against the baseline's. Ends with one JSON line.
 *   npx tsx bench/rts-mels.ts [--clips 200] [--threads 2] [--rounds 2] [--baseline DIR]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCachedDataset } from '../lib/data';
import type { CachedDataset } from '../lib/types';
import { clipRng, corruptDataset, drawGaps } from '../lib/corrupt';
import { createMethod } from '../lib/reconstruct';
import { RepairedAudio, repairedYamnetInput, repairedYamnetInputOnThreads } from '../lib/experiments/repaired';
import { workersOption } from '../lib/cli/flags/common';
import { defaultWorkerCount } from '../lib/engine/parallel';
import { check } from '../lib/util/errors';
import { benchOptions, countOption } from './options';

type Input = ReturnType<typeof repairedYamnetInput>;

const melsOf = (input: Input) => (input.domain === 'mel' ? input.mels : []);
const sameInput = (a: Input, b: Input) => JSON.stringify(a.reuse.changed) === JSON.stringify(b.reuse.changed)
  && melsOf(a).length === melsOf(b).length
  && melsOf(a).every((m, i) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)
    .equals(Buffer.from(melsOf(b)[i].data.buffer, melsOf(b)[i].data.byteOffset, melsOf(b)[i].data.byteLength)));

async function main(): Promise<void> {
  const flags = benchOptions({
    name: 'bench/rts-mels.ts',
    summary: 'R_ts YAMNet input of a mel method: clips/s in this thread, on worker threads, and a baseline checkout\'s',
    options: [
      countOption('clips', 'clips of the built-in default dataset', 200),
      { ...workersOption('threads computing the mels'), name: 'threads' },
      countOption('rounds', 'rounds of the variants in turn (figures over all of them)', 2),
      {
        name: 'baseline', type: 'string', value: 'DIR',
        help: 'another lacuna checkout whose repairedYamnetInput is timed alternately with ours',
      },
    ],
  });
  const baselineDir = flags.string('baseline');
  if (baselineDir) {
    check(fs.existsSync(path.join(baselineDir, 'lib', 'experiments', 'repaired.ts')),
      `--baseline ${baselineDir}: no lib/experiments/repaired.ts there`);
  }
  const full = loadCachedDataset({ kind: 'synthetic-urban', size: 'default', quiet: true }, 16000);
  const n = Math.min(flags.number('clips')!, full.clips.length);
  const len = full.clipSamples;
  const dataset: CachedDataset = { ...full, clips: full.clips.slice(0, n), waveforms: full.waveforms.subarray(0, n * len) };
  const gapModel = { kind: 'single', gapSamples: 4000 } as const;
  const corrupted = corruptDataset(dataset, gapModel, 0).dataset.waveforms;
  const linear = createMethod('linear', { griffinLimIterations: 0 });
  const audio: RepairedAudio = {
    runDir: 'linear/4000-single', config: { method: 'linear', domain: 'mel', trained: false }, mel: [], waveforms: [], corrupted,
  };
  for (let k = 0; k < n; k++) {
    const gaps = drawGaps(dataset.waveforms.subarray(k * len, (k + 1) * len), 16000, gapModel, clipRng(0, dataset.clips[k].id));
    audio.mel.push((await linear.repair({ corrupted: corrupted.slice(k * len, (k + 1) * len), sampleRate: 16000, gaps })).mel);
  }
  const threads = flags.number('threads', defaultWorkerCount());
  const reference = () => Promise.reject(new Error('not asked'));
  type Theirs = { repairedYamnetInput: typeof repairedYamnetInput };
  const theirs = baselineDir ? (require(path.resolve(baselineDir, 'lib', 'experiments', 'repaired')) as Theirs) : undefined;
  const variants: Record<string, () => Promise<Input>> = {
    this_thread: async () => repairedYamnetInput(dataset, audio, reference),
    threads: () => repairedYamnetInputOnThreads(dataset, audio, reference, threads),
    ...(theirs ? { baseline: async () => theirs.repairedYamnetInput(dataset, audio, reference) } : {}),
  };
  await variants.threads(); // starts the threads (kept, as in a study's later calls)
  const seconds: Record<string, number> = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
  const got: Record<string, Input> = {};
  console.log(`${n} clips, linear at 4000-single, ${threads} threads; load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  for (let round = 0; round < flags.number('rounds')!; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const t0 = performance.now();
      got[name] = await run();
      seconds[name] += (performance.now() - t0) / 1000;
    }
  }
  for (const name of Object.keys(variants)) check(sameInput(got[name], got.this_thread), `${name}'s input differs from this thread's`);
  const rate = (name: string) => +((flags.number('rounds')! * n) / seconds[name]).toFixed(2);
  console.log(JSON.stringify({
    bench: 'rts-mels', clips: n, threads, clips_per_s_this_thread: rate('this_thread'), clips_per_s_threads: rate('threads'),
    ...(theirs ? { clips_per_s_baseline: rate('baseline'), speedup_threads_vs_baseline: +(seconds.baseline / seconds.threads).toFixed(2),
      speedup_this_thread_vs_baseline: +(seconds.baseline / seconds.this_thread).toFixed(2) } : {}),
    identical: true, load_avg_1m: +os.loadavg()[0].toFixed(2),
  }));
  process.exit(0);
}

if (require.main === module) void main();
