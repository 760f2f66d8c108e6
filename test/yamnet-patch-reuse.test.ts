/**
 * Re-embedding only the patches a repair changed (lib/models/yamnet/patch-reuse.ts) gives what
 * re-embedding the whole clip gives: the patch geometry against the front end itself, then real
 * clips (../shared/audio) and the built-in tiny dataset repaired by real methods, for one gap,
 * several fragments and a gap that moves the clip's peak.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '../lib/engine';
import { fixLength } from '../lib/audio/preprocess';
import { loadCachedDataset } from '../lib/data';
import type { CachedDataset } from '../lib/types';
import { clipRng, corruptDataset, zeroGaps } from '../lib/corrupt/apply';
import { drawGaps, Gap, GapModel } from '../lib/corrupt/gaps';
import { createMethod } from '../lib/reconstruct';
import { loadYamnet, Yamnet } from '../lib/models/yamnet/model';
import { patchesOfSamples, waveformPatchesAt, waveformToPatches } from '../lib/models/yamnet/frontend';
import { embedWaveforms } from '../lib/models/yamnet/embeddings';
import { embedMelSpectrograms } from '../lib/models/yamnet/mel-embeddings';
import { changedWaveformPatches, reembeddedShare, waveformPatchReuse } from '../lib/models/yamnet/patch-reuse';
import { magnitudeMelForYamnet, repairedYamnetFeatures, repairedYamnetInput, repairedYamnetInputOnThreads, RepairedAudio } from '../lib/experiments/repaired';
import { yamnetMels } from '../lib/reconstruct/yamnet-mel';
import { Rng } from '../lib/util/rng';
import { exampleClip16k, exampleClipsDir, yamnetPath } from './support/yamnet';

const MODEL = yamnetPath();
const CLIPS = exampleClipsDir();
const skip = MODEL && CLIPS ? false : 'YAMNet model or example clips not found';
const CLIP = 64000;
const PATCH = 96 * 64;
let yamnet: Yamnet;
let tmp: string;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-reuse-'));
  await initEngine({ engine: 'wasm', quiet: true });
  if (MODEL) yamnet = loadYamnet({ path: MODEL });
});
after(() => { yamnet?.dispose(); fs.rmSync(tmp, { recursive: true, force: true }); });

/** 4 s of a real example clip at 16 kHz, from `offset` samples (zero-padded when shorter). */
function realClip(name: string, offset = 0): Float32Array {
  return fixLength(exampleClip16k(name).slice(offset), CLIP);
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The patches whose front-end output differs between two waveforms (bit for bit). */
function differingPatches(a: Float32Array, b: Float32Array): number[] {
  const pa = waveformToPatches(a);
  const pb = waveformToPatches(b);
  return Array.from({ length: pa.patches }, (_, p) => p)
    .filter((p) => !sameBits(pa.data.subarray(p * PATCH, (p + 1) * PATCH), pb.data.subarray(p * PATCH, (p + 1) * PATCH)));
}

test('patchesOfSamples names the patches a change of samples reaches, STFT window overhang included', { skip: CLIPS ? false : 'example clips not found' }, () => {
  const clean = realClip('meow_16k.wav');
  const rng = new Rng(21);
  // Edges of frames (160), windows (400) and patches (7680, 15600), the clip's ends, and random ranges.
  const ranges: [number, number][] = [[0, 2], [398, 400], [399, 401], [7519, 7521], [7679, 7681], [7679, 7682], [15598, 15600], [15599, 15601],
    [23039, 23041], [23039, 23042], [63998, 64000], [52000, 64000], [1000, 17000]];
  for (let k = 0; k < 12; k++) { const from = rng.int(0, 63000); ranges.push([from, from + rng.int(2, 8000)]); }
  for (const [from, to] of ranges) {
    const changed = clean.slice();
    for (let i = from; i < Math.min(to, CLIP); i++) changed[i] += 0.01;
    const reached = patchesOfSamples(from, Math.min(to, CLIP), 8)!;
    const named = Array.from({ length: reached.last - reached.first + 1 }, (_, k) => reached.first + k);
    const differ = differingPatches(clean, changed);
    assert.ok(differ.every((p) => named.includes(p)), `samples [${from}, ${to}): ${differ} changed, named ${named}`);
    // Named but unchanged only when a frame reads nothing but the last sample, at its start (weight 0: periodic Hann).
    if ((to - 1) % 160 !== 0) assert.deepEqual(differ, named, `samples [${from}, ${to})`);
    else assert.ok(named.length - differ.length <= 1);
  }
  // A single sample at a frame's start is read with weight 0 there (periodic Hann): named, but unchanged; never the other way.
  const one = clean.slice();
  one[7680] += 0.01;
  assert.deepEqual(differingPatches(clean, one), [0]);
  const named = patchesOfSamples(7680, 7681, 8)!;
  assert.deepEqual([named.first, named.last], [0, 1]);
  assert.equal(patchesOfSamples(5, 5, 8), undefined);
});

test('waveformPatchesAt computes the selected patches bit for bit as the whole clip\'s front end does', { skip: CLIPS ? false : 'example clips not found' }, () => {
  const clip = realClip('dog_975ms.wav');
  const whole = waveformToPatches(clip).data;
  for (const selected of [[0], [7], [3, 4], [1, 3, 4, 5, 7], [0, 1, 2, 3, 4, 5, 6, 7], []]) {
    const some = waveformPatchesAt(clip, selected);
    assert.equal(some.length, selected.length * PATCH);
    selected.forEach((p, k) => assert.ok(sameBits(some.subarray(k * PATCH, (k + 1) * PATCH), whole.subarray(p * PATCH, (p + 1) * PATCH)), `patch ${p} of ${selected}`));
  }
  assert.throws(() => waveformPatchesAt(clip, [3, 2]), /must ascend/);
  assert.throws(() => waveformPatchesAt(clip, [8]), /must ascend within 0\.\.7/);
});

/** Repairs `clean` with `method` over `gaps` (the method's waveform). */
async function repaired(clean: Float32Array, gaps: Gap[], method: string): Promise<Float32Array> {
  const out = await createMethod(method).repair({ corrupted: zeroGaps(clean.slice(), gaps), sampleRate: 16000, gaps });
  return out.waveform!;
}

function peakIndex(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]) > Math.abs(x[best])) best = i;
  return best;
}

test('real clips: only the changed patches are embedded again, and the rows equal whole re-embedding', { skip }, async () => {
  const cleanClips = [realClip('meow_16k.wav'), realClip('meow_16k.wav', 40000), realClip('baby_975ms.wav'), realClip('jingle_975ms.wav')];
  const rng = new Rng(3);
  const single: GapModel = { kind: 'single', gapSamples: 4000 };
  const multiple: GapModel = { kind: 'multiple', gapSamples: 4000 };
  const clean: Float32Array[] = [];
  const repairs: Float32Array[] = [];
  for (const c of cleanClips) {
    for (const [gapModel, method] of [[single, 'exemplar'], [multiple, 'ar']] as const) {
      clean.push(c);
      repairs.push(await repaired(c, drawGaps(c, 16000, gapModel, rng.fork(`${clean.length}`)), method));
    }
  }
  // A gap over the peak: zero fill removes the peak, so peak scaling changes every sample.
  const peak = peakIndex(cleanClips[0]);
  clean.push(cleanClips[0]);
  repairs.push(await repaired(cleanClips[0], [{ start: peak - 500, length: 1000 }], 'zero'));
  const stack = (xs: Float32Array[]) => { const out = new Float32Array(xs.length * CLIP); xs.forEach((x, i) => out.set(x, i * CLIP)); return out; };
  const cleanAll = stack(clean);
  const repairedAll = stack(repairs);
  let asked = 0;
  const reference = async () => { asked++; return embedWaveforms(yamnet, cleanAll, CLIP, { quiet: true, workers: 1 }); };
  const reuse = waveformPatchReuse(cleanAll, repairedAll, CLIP, 'peak', reference);
  assert.equal(reuse.changed[reuse.changed.length - 1], undefined, 'the gap that moved the peak re-embeds the whole clip');
  let partly = 0;
  for (let r = 0; r < clean.length - 1; r++) {
    const listed = reuse.changed[r];
    // A repair may also move the peak (AR overshooting, a fragment over the peak): then the whole clip.
    if (!listed) assert.notEqual(peakOf(repairs[r]), peakOf(clean[r]), `clip ${r}`);
    else assert.deepEqual(listed, differingPatches(scale(clean[r]), scale(repairs[r])), `clip ${r}`);
    if (listed && listed.length < 8) partly++;
  }
  assert.ok(partly >= 5, `${partly} of ${clean.length - 1} repairs re-embed part of their clip`);
  const share = reembeddedShare(reuse, 8);
  assert.ok(share > 0.2 && share < 0.8, `re-embedded share ${share}`);
  const whole = await embedWaveforms(yamnet, repairedAll, CLIP, { quiet: true, workers: 1 });
  const partial = await embedWaveforms(yamnet, repairedAll, CLIP, { quiet: true, workers: 1, reuse });
  assert.equal(asked, 1);
  assert.ok(sameBits(partial, whole), `bit for bit (max |Δ| ${maxAbsDiff(partial, whole)})`);
});

const peakOf = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** A clip peak-scaled, as YAMNet's input is. */
const scale = (x: Float32Array) => { const peak = peakOf(x); return x.map((v) => v / peak); };

test('changedWaveformPatches: a repair louder than the clip\'s peak, a non-finite sample or no change', () => {
  const clean = Float32Array.from({ length: CLIP }, (_, i) => 0.5 * Math.sin(i / 7));
  const louder = clean.slice();
  louder[30000] = 0.9;
  assert.equal(changedWaveformPatches(clean, louder, 'peak'), undefined);
  assert.deepEqual(changedWaveformPatches(clean, louder, 'none'), [2, 3]);
  const broken = clean.slice();
  broken[5] = NaN;
  assert.equal(changedWaveformPatches(clean, broken, 'none'), undefined);
  assert.deepEqual(changedWaveformPatches(clean, clean.slice(), 'peak'), []);
});

test('the mel path\'s YAMNet mels on worker threads are this thread\'s, bit for bit, with the same patches to embed again', async () => {
  const dataset = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
  const gapModel: GapModel = { kind: 'single', gapSamples: 4000 };
  const corrupted = corruptDataset(dataset, gapModel, 0).dataset.waveforms;
  const clipSamples = dataset.clipSamples;
  const linear = createMethod('linear', { griffinLimIterations: 0 });
  // 40 clips (three jobs of 16 on 2 threads); every fifth row has no repair (its own mel power).
  const rows = 40;
  const mel = await Promise.all(Array.from({ length: rows }, async (_, r) => {
    if (r % 5 === 4) return undefined;
    const clean = dataset.waveforms.subarray(r * clipSamples, (r + 1) * clipSamples);
    const gaps = drawGaps(clean, 16000, gapModel, clipRng(0, dataset.clips[r].id));
    return (await linear.repair({ corrupted: corrupted.slice(r * clipSamples, (r + 1) * clipSamples), sampleRate: 16000, gaps })).mel;
  }));
  const part: CachedDataset = { ...dataset, clips: dataset.clips.slice(0, rows), waveforms: dataset.waveforms.subarray(0, rows * clipSamples) };
  const audio: RepairedAudio = {
    runDir: path.join(tmp, 'linear', 'threads'), config: { method: 'linear', domain: 'mel', trained: false },
    mel, waveforms: [], corrupted: corrupted.subarray(0, rows * clipSamples),
  };
  const reference = () => Promise.reject(new Error('not asked'));
  const here = repairedYamnetInput(part, audio, reference);
  const threaded = await repairedYamnetInputOnThreads(part, audio, reference, 2);
  assert.equal(here.domain, 'mel');
  assert.equal(threaded.domain, 'mel');
  if (here.domain !== 'mel' || threaded.domain !== 'mel') return;
  assert.equal(threaded.mels.length, rows);
  threaded.mels.forEach((m, r) => {
    assert.equal(m.frames, here.mels[r].frames);
    assert.ok(sameBits(m.data, here.mels[r].data), `row ${r}`);
  });
  assert.deepEqual(threaded.reuse.changed, here.reuse.changed);
  assert.ok(here.reuse.changed.some((c) => c && c.length > 0 && c.length < 8));
  // A repair of another shape is refused, naming it.
  const bad = [...mel];
  bad[20] = { data: new Float32Array(10 * 64), frames: 10, nMels: 64 };
  await assert.rejects(yamnetMels(audio.corrupted, clipSamples, bad, 2), /repaired mel 20 holds 640 values/);
});

test('the tiny built-in dataset: repaired features (waveform and mel methods) equal whole re-embedding', { skip }, async () => {
  const full = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', quiet: true }, 16000);
  const rows = Array.from({ length: 6 }, (_, k) => k * Math.floor(full.clips.length / 6));
  const dataset: CachedDataset = {
    ...full, clips: rows.map((r) => full.clips[r]), cacheDir: tmp,
    waveforms: (() => { const w = new Float32Array(rows.length * CLIP); rows.forEach((r, k) => w.set(full.waveforms.subarray(r * CLIP, (r + 1) * CLIP), k * CLIP)); return w; })(),
  };
  const cacheDir = path.join(tmp, 'embeddings');
  const cases: [string, 'waveform' | 'mel', GapModel][] = [
    ['exemplar', 'waveform', { kind: 'multiple', gapSamples: 2000 }],
    ['linear', 'mel', { kind: 'single', gapSamples: 4000 }], ['linear', 'mel', { kind: 'multiple', gapSamples: 2000 }],
  ];
  for (const [method, domain, gapModel] of cases) {
    const corrupted = corruptDataset(dataset, gapModel, 0).dataset.waveforms;
    const audio: RepairedAudio = { runDir: path.join(tmp, method, `${gapModel.kind}-seed0`), config: { method, domain, trained: false }, mel: [], waveforms: [], corrupted };
    for (let r = 0; r < rows.length; r++) {
      const clean = dataset.waveforms.subarray(r * CLIP, (r + 1) * CLIP);
      // Clip 0's gap covers its peak (the whole clip is embedded again); the others are drawn as the study draws them.
      const gaps = r === 0 ? [{ start: Math.min(CLIP - 2000, Math.max(0, peakIndex(clean) - 1000)), length: 2000 }] : drawGaps(clean, 16000, gapModel, clipRng(0, dataset.clips[r].id));
      if (r === 0) corrupted.set(zeroGaps(clean.slice(), gaps), 0);
      const out = await createMethod(method).repair({ corrupted: corrupted.slice(r * CLIP, (r + 1) * CLIP), sampleRate: 16000, gaps });
      audio.mel.push(out.mel);
      audio.waveforms.push(out.waveform);
    }
    const { reuse } = repairedYamnetInput(dataset, audio, () => Promise.reject(new Error('not asked')));
    assert.equal(reuse.changed[0], undefined, 'a gap over the peak re-embeds the whole clip');
    const share = reembeddedShare(reuse, 8);
    assert.ok(share > 0 && share < 1, `${method} ${gapModel.kind}: re-embedded share ${share}`);
    const got = await repairedYamnetFeatures(yamnet, dataset, audio, cacheDir, { quiet: true, workers: 1 });
    const whole = domain === 'waveform'
      ? await embedWaveforms(yamnet, (() => { const w = new Float32Array(rows.length * CLIP); audio.waveforms.forEach((x, r) => w.set(x!, r * CLIP)); return w; })(), CLIP, { quiet: true, workers: 1 })
      : await embedMelSpectrograms(yamnet, audio.mel.map((m, r) => ({
        data: magnitudeMelForYamnet(corrupted.subarray(r * CLIP, (r + 1) * CLIP), m!), frames: m!.frames, nMels: m!.nMels,
      })), { scale: 'magnitude', quiet: true, workers: 1 });
    assert.ok(sameBits(got.data, whole), `${method} ${gapModel.kind}: bit for bit (max |Δ| ${maxAbsDiff(got.data, whole)})`);
  }
});
