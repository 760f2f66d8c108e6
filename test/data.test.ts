import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeWav, readWav, writeWav } from '../lib/audio';
import {
  assignStratifiedFolds, createDataset, datasetName, generateSyntheticUrban, loadCachedDataset, openDataset, renderSyntheticClip, selectClipsPerClass, URBAN_CLASSES,
} from '../lib/data';
import { optionMap, parseOptions } from '../lib/util/options';
import { DATASET_GROUP, readDatasetFlags } from '../lib/data/flags';
import { Rng } from '../lib/util/rng';
import { DatasetError } from '../lib/util/errors';
import { readNpyHeader } from '../lib/util/npy';
import { main } from '../lib/cli/main';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-data-'));
/** The dataset flags as a command parses them. */
const datasetOptions = (...argv: string[]) => parseOptions(argv, optionMap([DATASET_GROUP]), { command: 'lacuna data' });
process.env.LACUNA_DATA_DIR = path.join(tmp, 'data');
process.env.LACUNA_QUIET = '1';

function tone(freqHz: number, sampleRate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => 0.4 * Math.sin((2 * Math.PI * freqHz * i) / sampleRate));
}

test('stratified folds: deterministic, order-free, balanced per class, fewer folds for tiny classes', () => {
  const items = Array.from({ length: 95 }, (_, i) => ({ id: `c${i % 3}-${i}`, classIndex: i % 3 }));
  const a = assignStratifiedFolds(items, { folds: 10, seed: 5 });
  const b = assignStratifiedFolds([...items].reverse(), { folds: 10, seed: 5 });
  assert.deepEqual([...a.folds.entries()].sort(), [...b.folds.entries()].sort());
  assert.equal(a.foldCount, 10);
  for (let c = 0; c < 3; c++) {
    const perFold = new Map<number, number>();
    for (const it of items.filter((x) => x.classIndex === c)) perFold.set(a.folds.get(it.id)!, (perFold.get(a.folds.get(it.id)!) ?? 0) + 1);
    assert.equal(perFold.size, 10, `class ${c} in every fold`);
    assert.ok(Math.max(...perFold.values()) - Math.min(...perFold.values()) <= 1);
  }
  const c = assignStratifiedFolds(items, { folds: 10, seed: 6 });
  assert.notDeepEqual([...a.folds.entries()].sort(), [...c.folds.entries()].sort(), 'seed matters');
  const tiny = assignStratifiedFolds([...items, { id: 'rare-1', classIndex: 9 }, { id: 'rare-2', classIndex: 9 }, { id: 'rare-3', classIndex: 9 }]);
  assert.equal(tiny.foldCount, 3);
});

test('synthetic clips are deterministic per seed and vary in rate, channels and encoding', () => {
  const one = renderSyntheticClip(4, new Rng(11));
  const again = renderSyntheticClip(4, new Rng(11));
  const other = renderSyntheticClip(4, new Rng(12));
  assert.deepEqual(one.plan, again.plan);
  assert.deepEqual(one.channels[0], again.channels[0]);
  assert.notDeepEqual(one.channels[0].subarray(0, 100), other.channels[0].subarray(0, 100));
  const plans = Array.from({ length: 60 }, (_, i) => renderSyntheticClip(i % 10, new Rng(100 + i)).plan);
  assert.ok(new Set(plans.map((p) => p.sampleRate)).size >= 3, 'several rates');
  assert.ok(new Set(plans.map((p) => p.format)).size >= 3, 'several encodings');
  assert.ok(plans.some((p) => p.channels === 2) && plans.some((p) => p.channels === 1));
  assert.ok(plans.some((p) => p.durationSec < 4) && plans.some((p) => p.durationSec === 4), 'some clips shorter than 4 s');
});

test('synthetic-urban tiny: UrbanSound8K layout, 100 clips, 10 classes, stratified 10 folds; cache per rate, reused, rebuilt on change', () => {
  const g = generateSyntheticUrban({ size: 'tiny', seed: 3, quiet: true });
  assert.equal(g.root, path.join(tmp, 'data', 'synthetic-urban-tiny-seed3'), 'each seed is other audio, in its own folder');
  assert.ok(fs.existsSync(path.join(g.root, 'metadata', 'UrbanSound8K.csv')));
  const ds = openDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3 });
  assert.equal(ds.clips.length, 100);
  assert.deepEqual(ds.classNames, [...URBAN_CLASSES]);
  assert.deepEqual(ds.folds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const f of ds.folds) assert.equal(new Set(ds.clips.filter((c) => c.fold === f).map((c) => c.classIndex)).size, 10, `fold ${f} holds every class`);
  assert.ok(ds.clips.every((c) => c.path.includes(`${path.sep}fold${c.fold}${path.sep}`)));
  const formats = new Set(ds.clips.map((c) => { const i = readWav(c.path).info; return `${i.sampleRate}/${i.channels}/${i.bitDepth}${i.encoding}`; }));
  assert.ok(formats.size >= 5, `varied formats: ${[...formats].join(' ')}`);

  const first = createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, quiet: true });
  assert.deepEqual(first.report.built, [8000, 16000]);
  assert.equal(first.report.cached, 100);
  assert.deepEqual(first.report.skipped, []);
  for (const [rate, n] of [[8000, 32000], [16000, 64000]]) {
    const dir = first.cacheDirs[rate];
    assert.deepEqual(readNpyHeader(path.join(dir, 'waveforms.npy')).shape, [100, n]);
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    assert.equal(m.source.seed, 3);
    assert.equal(m.inputChecksums.method, 'size+mtime');
    assert.match(m.outputs['waveforms.npy'].sha256, /^[0-9a-f]{64}$/);
    const c = loadCachedDataset(dir, rate);
    assert.equal(c.waveforms.length, 100 * n);
    assert.equal(c.clips.length, 100);
    assert.ok(c.waveforms.every(Number.isFinite));
    // z-score before padding: a full-length clip has unit spread.
    const full = c.clips.findIndex((_, i) => c.waveforms[i * n + n - 1] !== 0);
    const row = c.waveforms.subarray(full * n, (full + 1) * n);
    assert.ok(Math.abs(Math.sqrt(row.reduce((a, v) => a + v * v, 0) / n) - 1) < 1e-3);
  }
  const second = createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, quiet: true });
  assert.deepEqual(second.report.reused, [8000, 16000]);
  assert.deepEqual(second.report.built, []);
  // A replaced input file (new mtime) rebuilds; so does a different seed (the files change).
  const touched = ds.clips[5].path;
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(touched, later, later);
  assert.deepEqual(createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, quiet: true, rates: [8000] }).report.built, [8000]);
  const peak = createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, quiet: true, normalize: 'peak', rates: [8000] });
  assert.deepEqual(peak.report.built, [8000]);
  assert.notEqual(peak.cacheDirs[8000], first.cacheDirs[8000]);
  const viaOptions = loadCachedDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, quiet: true }, 16000);
  assert.equal(viaOptions.cacheDir, first.cacheDirs[16000]);
});

test('--clips-per-class: N clips of each class, seeded, spread over the folds it keeps; its own name and cache', () => {
  const all = openDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3 });
  const sub = openDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, clipsPerClass: 4 });
  assert.equal(sub.clips.length, 40);
  for (let k = 0; k < 10; k++) {
    const mine = sub.clips.filter((c) => c.classIndex === k);
    assert.equal(mine.length, 4);
    assert.equal(new Set(mine.map((c) => c.fold)).size, 4, 'a fold gets a second clip of a class only when every fold has one');
  }
  for (const f of all.folds) assert.equal(sub.clips.filter((c) => c.fold === f).length, 4, `fold ${f}: the starting fold rotates over classes`);
  assert.ok(sub.clips.every((c) => all.clips.some((a) => a.id === c.id && a.fold === c.fold)), 'folds are kept');
  const ids = (cs: { id: string }[]) => cs.map((c) => c.id).sort();
  assert.deepEqual(ids(selectClipsPerClass([...all.clips].reverse(), 4, 3)), ids(sub.clips), 'input order does not matter');
  assert.notDeepEqual(ids(selectClipsPerClass(all.clips, 4, 4)), ids(sub.clips), 'another seed, other clips');
  assert.equal(selectClipsPerClass(all.clips, 50, 3).length, 100, 'a class with fewer clips keeps them all');
  assert.throws(() => selectClipsPerClass(all.clips, 0), /--clips-per-class must be an integer >= 1, got 0/);
  assert.throws(() => readDatasetFlags(datasetOptions('--clips-per-class', '2.5')), /--clips-per-class must be an integer >= 1, got 2.5/);
  assert.equal(readDatasetFlags(datasetOptions('--clips-per-class', '4')).clipsPerClass, 4);

  assert.equal(datasetName({ kind: 'synthetic-urban', size: 'tiny', seed: 3, clipsPerClass: 4 }), 'synthetic-urban-tiny-seed3-4-per-class');
  createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, rates: [8000], quiet: true });
  const made = createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, clipsPerClass: 4, rates: [8000], quiet: true });
  assert.equal(made.report.cached, 40);
  assert.equal(JSON.parse(fs.readFileSync(path.join(made.cacheDirs[8000], 'manifest.json'), 'utf8')).source.clipsPerClass, 4);
  assert.deepEqual(ids(loadCachedDataset(made.cacheDirs[8000], 8000).clips), ids(sub.clips));
  // Under the full set's name, the subset would replace its cache: refused.
  assert.throws(() => createDataset({ kind: 'synthetic-urban', size: 'tiny', seed: 3, clipsPerClass: 4, rates: [8000], quiet: true, name: 'synthetic-urban-tiny-seed3' }),
    (e: unknown) => e instanceof DatasetError && /\(4 clips per class\)/.test(e.message));
});

function writeSet(root: string, files: Record<string, Uint8Array | string>): void {
  for (const [rel, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), bytes);
  }
}
const wav = (f: number, rate = 16000, seconds = 1): Uint8Array => encodeWav({ samples: tone(f, rate, seconds), sampleRate: rate });

test('UrbanSound8K and ESC-50 (with the ESC-10 subset) layouts', () => {
  const us = path.join(tmp, 'us8k');
  writeSet(us, {
    'metadata/UrbanSound8K.csv': 'slice_file_name,fsID,start,end,salience,fold,classID,class\n1-3-0-0.wav,1,0,1,1,1,3,dog_bark\n2-0-0-0.wav,2,0,1,1,2,0,air_conditioner\n',
    'audio/fold1/1-3-0-0.wav': wav(500), 'audio/fold2/2-0-0-0.wav': wav(700),
  });
  const u = openDataset({ kind: 'urbansound8k', root: us });
  assert.deepEqual(u.clips.map((c) => [c.id, c.classIndex, c.className, c.sourceClassId, c.fold]), [['1-3-0-0', 1, 'dog_bark', 3, 1], ['2-0-0-0', 0, 'air_conditioner', 0, 2]]);
  assert.deepEqual(u.classNames, ['air_conditioner', 'dog_bark']);
  const esc = path.join(tmp, 'esc');
  writeSet(esc, {
    'meta/esc50.csv': 'filename,fold,target,category,esc10,src_file,take\n1-a.wav,1,0,dog,True,a,A\n2-b.wav,2,5,cat,False,b,A\n3-c.wav,3,41,chainsaw,True,c,A\n',
    'audio/1-a.wav': wav(300), 'audio/2-b.wav': wav(400), 'audio/3-c.wav': wav(500),
  });
  const e50 = openDataset({ kind: 'esc50', root: esc });
  assert.deepEqual(e50.clips.map((c) => c.classIndex), [0, 1, 2]);
  assert.deepEqual(e50.sourceClassIds, [0, 5, 41]);
  const e10 = openDataset({ kind: 'esc50', root: esc, esc10: true });
  assert.deepEqual(e10.clips.map((c) => [c.className, c.classIndex]), [['dog', 0], ['chainsaw', 1]]);
  assert.deepEqual(e10.classNames, ['dog', 'chainsaw']);
  assert.throws(() => openDataset({ kind: 'esc50', root: path.join(tmp, 'nowhere') }), (e: unknown) => e instanceof DatasetError && /metadata file not found: .*nowhere.*esc50\.csv/.test(e.message));
});

test('manifest CSV (with and without folds) and folder-per-class trees', () => {
  const root = path.join(tmp, 'manifest');
  const files: Record<string, Uint8Array | string> = {};
  const rows = ['path,label'];
  for (let i = 0; i < 12; i++) { files[`clips/a${i}.wav`] = wav(300 + i); files[`clips/b${i}.wav`] = wav(900 + i); rows.push(`clips/a${i}.wav,alpha`, `clips/b${i}.wav,beta`); }
  writeSet(root, { ...files, 'manifest.csv': rows.join('\n') + '\n', 'withfolds.csv': 'path,label,fold\nclips/a0.wav,alpha,2\nclips/b0.wav,beta,1\n' });
  const m = openDataset({ kind: 'manifest', root, seed: 1 });
  assert.equal(m.foldSource, 'assigned');
  assert.deepEqual(m.classNames, ['alpha', 'beta']);
  assert.deepEqual(m.folds, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(m.clips[0].path, path.join(root, 'clips', 'a0.wav'));
  const mf = openDataset({ kind: 'manifest', root: path.join(root, 'withfolds.csv') });
  assert.equal(mf.foldSource, 'metadata');
  assert.deepEqual(mf.clips.map((c) => c.fold), [2, 1]);
  const tree = path.join(tmp, 'tree');
  writeSet(tree, { 'cat/x1.wav': wav(300), 'cat/sub/x2.wav': wav(310), 'cat/x3.wav': wav(320), 'dog/y1.wav': wav(500), 'dog/y2.wav': wav(510), 'dog/y3.wav': wav(520), 'dog/notes.txt': 'ignored' });
  const t = openDataset({ kind: 'folders', root: tree, folds: 10 });
  assert.deepEqual(t.classNames, ['cat', 'dog']);
  assert.equal(t.clips.length, 6);
  assert.deepEqual(t.folds, [1, 2, 3], 'three clips per class → three folds');
  assert.ok(t.clips.some((c) => c.id === 'cat/sub/x2'));
});

test('bad clips are reported by file and skipped; the rest is cached; report.json is written', () => {
  const root = path.join(tmp, 'bad');
  const good = wav(440, 44100, 0.5);
  const files: Record<string, Uint8Array | string> = {
    'empty.wav': new Uint8Array(0),
    'text.wav': 'not audio\n',
    'truncated.wav': good.subarray(0, 2000),
    'nan.wav': encodeWav({ samples: new Float32Array(4000).fill(NaN), sampleRate: 16000 }, { format: 'float32' }),
    'silent.wav': encodeWav({ samples: new Float32Array(4000), sampleRate: 16000 }),
  };
  const rows = ['path,label,fold'];
  for (let i = 0; i < 4; i++) { files[`ok${i}.wav`] = wav(300 + 100 * i); rows.push(`ok${i}.wav,${i % 2 ? 'b' : 'a'},${(i % 2) + 1}`); }
  for (const name of Object.keys(files).filter((f) => !f.startsWith('ok'))) rows.push(`${name},a,1`);
  rows.push('missing.wav,b,2');
  writeSet(root, { ...files, 'manifest.csv': rows.join('\n') + '\n' });
  // A tiny memory budget makes the rows spill to a temporary file; the result must not differ.
  const { report, cacheDirs } = createDataset({ kind: 'manifest', root, rates: [8000], quiet: true, cacheRoot: path.join(tmp, 'badcache'), memoryBudgetBytes: 100_000 });
  const inMemory = createDataset({ kind: 'manifest', root, rates: [8000], quiet: true, cacheRoot: path.join(tmp, 'badcache-mem') });
  assert.deepEqual(loadCachedDataset(inMemory.cacheDirs[8000], 8000).waveforms, loadCachedDataset(cacheDirs[8000], 8000).waveforms);
  assert.deepEqual(fs.readdirSync(cacheDirs[8000]).sort(), ['labels.csv', 'manifest.json', 'waveforms.npy'], 'no temporary files left');
  assert.equal(report.cached, 4);
  const problem = (name: string): string => report.skipped.find((s) => s.path === path.join(root, name))?.problem ?? '<not reported>';
  assert.match(problem('empty.wav'), /empty file/);
  assert.match(problem('text.wav'), /not a WAV file/);
  assert.match(problem('truncated.wav'), /truncated WAV/);
  assert.match(problem('nan.wav'), /non-finite sample/);
  assert.match(problem('silent.wav'), /silent clip/);
  assert.match(problem('missing.wav'), /file not found/);
  assert.equal(report.skipped.length, 6);
  const onDisk = JSON.parse(fs.readFileSync(report.reportFile, 'utf8'));
  assert.equal(onDisk.skipped.length, 6);
  assert.equal(loadCachedDataset(cacheDirs[8000], 8000).clips.length, 4);
  // Reused runs still report the skipped clips.
  assert.equal(createDataset({ kind: 'manifest', root, rates: [8000], quiet: true, cacheRoot: path.join(tmp, 'badcache') }).report.skipped.length, 6);
});

test('CLI: lacuna data builds the cache and prints where it went', async () => {
  const root = path.join(tmp, 'clitree');
  writeSet(root, { 'a/1.wav': wav(300), 'a/2.wav': wav(320), 'b/1.wav': wav(700), 'b/2.wav': wav(720) });
  writeWav(path.join(root, 'b', '3.wav'), { samples: tone(740, 22050, 0.3), sampleRate: 22050 }, { format: 'pcm24' });
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => { lines.push(args.join(' ')); };
  try {
    assert.equal(await main(['data', '--dataset', 'folders', '--root', root, '--rates', '8000', '--cache-root', path.join(tmp, 'clicache'), '--normalize', 'peak']), 0);
  } finally { console.log = log; }
  assert.match(lines.join('\n'), /5 of 5 clips cached, built 8000 Hz/);
  assert.ok(fs.existsSync(path.join(tmp, 'clicache', 'folders-clitree', 'peak-4s', 'sr8000', 'waveforms.npy')));
  await assert.rejects(main(['data', '--dataset', 'nope']), /--dataset must be one of/);
});

test('a subset of classes (sparse ESC-50 targets / UrbanSound8K classIDs, UTF-8 BOM, CRLF) gives K classes 0..K-1 in ascending source id', () => {
  const esc = path.join(tmp, 'esc-subset');
  const escFiles: Record<string, Uint8Array | string> = {};
  const escRows = ['filename,fold,target,category,esc10,src_file,take'];
  // Listed out of order; target 30's only clips are unreadable, so it has no clips and no class.
  const targets: [number, string][] = [[40, 'helicopter'], [1, 'rooster'], [12, 'crackling_fire'], [30, 'door_wood_knock']];
  targets.forEach(([target, category], k) => {
    for (let i = 0; i < 4; i++) {
      const name = `${(i % 2) + 1}-${target}-${i}.wav`;
      escFiles[`audio/${name}`] = target === 30 ? 'not audio' : wav(200 + 150 * k + i);
      escRows.push(`${name},${(i % 2) + 1},${target},${category},False,src${i},A`);
    }
  });
  writeSet(esc, { ...escFiles, 'meta/esc50.csv': '\ufeff' + escRows.join('\r\n') + '\r\n' });
  const e = createDataset({ kind: 'esc50', root: esc, rates: [8000], quiet: true });
  assert.equal(e.report.skipped.length, 4, 'the unreadable clips are reported');
  const ec = loadCachedDataset(e.cacheDirs[8000], 8000);
  assert.deepEqual(ec.classNames, ['rooster', 'crackling_fire', 'helicopter']);
  assert.deepEqual([...new Set(ec.clips.map((c) => c.classIndex))].sort(), [0, 1, 2]);
  for (const c of ec.clips) {
    assert.equal(ec.classNames[c.classIndex], c.className);
    assert.equal(c.sourceClassId, targets.find(([, name]) => name === c.className)![0]);
  }
  const labels = fs.readFileSync(path.join(e.cacheDirs[8000], 'labels.csv'), 'utf8').split('\n');
  assert.equal(labels[0], 'id,classIndex,className,sourceClassId,fold');
  assert.ok(labels.includes('1-40-0,2,helicopter,40,1'), labels.slice(0, 4).join(' | '));
  const manifest = JSON.parse(fs.readFileSync(path.join(e.cacheDirs[8000], 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.sourceClassIds, [1, 12, 40]);
  assert.equal(manifest.name, 'esc50-esc-subset');

  const us = path.join(tmp, 'us8k-subset');
  const usFiles: Record<string, Uint8Array | string> = {};
  const usRows = ['slice_file_name,fsID,start,end,salience,fold,classID,class'];
  ([[9, 'street_music'], [2, 'children_playing'], [5, 'engine_idling']] as [number, string][]).forEach(([id, name], k) => {
    for (let i = 0; i < 4; i++) {
      const file = `${k}${i}-${id}-0-${i}.wav`;
      usFiles[`audio/fold${(i % 2) + 1}/${file}`] = wav(300 + 200 * k + i);
      usRows.push(`${file},${k}${i},0,1,1,${(i % 2) + 1},${id},${name}`);
    }
  });
  writeSet(us, { ...usFiles, 'metadata/UrbanSound8K.csv': '\ufeff' + usRows.join('\r\n') + '\r\n' });
  const u = loadCachedDataset({ kind: 'urbansound8k', root: us, rates: [8000], quiet: true }, 8000);
  assert.deepEqual(u.classNames, ['children_playing', 'engine_idling', 'street_music']);
  assert.deepEqual(u.clips.filter((c) => c.className === 'street_music').map((c) => [c.classIndex, c.sourceClassId]), [[2, 9], [2, 9], [2, 9], [2, 9]]);
  assert.equal(u.name, 'urbansound8k-us8k-subset');
});

test('dataset names: derived from the source, --name validated', () => {
  assert.equal(datasetName({ kind: 'synthetic-urban' }), 'synthetic-urban-default');
  assert.equal(datasetName({ kind: 'synthetic-urban', size: 'tiny', seed: 2 }), 'synthetic-urban-tiny-seed2');
  assert.equal(datasetName({ kind: 'esc50', root: '/d/ESC-50-master' }), 'esc50-ESC-50-master');
  assert.equal(datasetName({ kind: 'esc50', root: '/d/ESC-50-master', esc10: true }), 'esc10-ESC-50-master', 'ESC-10 is another dataset');
  assert.equal(datasetName({ kind: 'manifest', root: '/d/birds/manifest.csv' }), 'manifest-birds');
  assert.equal(datasetName({ kind: 'manifest', root: '/d/birds/train set.csv' }), 'manifest-birds-train_set');
  assert.equal(datasetName({ kind: 'folders', root: '/d/birds', name: 'my-birds.v2' }), 'my-birds.v2');
  assert.throws(() => datasetName({ kind: 'folders', root: '/d/birds', name: '../elsewhere' }), /--name "\.\.\/elsewhere" is not a usable dataset name/);
  assert.throws(() => datasetName({ kind: 'folders' }), /--root is required/);
});

test('two datasets of one kind in different folders: caches apart, each reused; a name clash is refused, not overwritten', () => {
  const make = (dir: string, freq: number, file = 'manifest.csv'): void => {
    const files: Record<string, Uint8Array | string> = {};
    const rows = ['path,label'];
    for (let i = 0; i < 3; i++) { files[`x${i}.wav`] = wav(freq + i); files[`y${i}.wav`] = wav(2 * freq + i); rows.push(`x${i}.wav,low`, `y${i}.wav,high`); }
    writeSet(dir, { ...files, [file]: rows.join('\n') + '\n' });
  };
  const two = path.join(tmp, 'two');
  make(path.join(two, 'a'), 300);
  make(path.join(two, 'b'), 500);
  const opts = { kind: 'manifest' as const, rates: [8000], quiet: true, cacheRoot: path.join(tmp, 'two-cache'), folds: 3 };
  const a = createDataset({ ...opts, root: path.join(two, 'a') });
  const b = createDataset({ ...opts, root: path.join(two, 'b', 'manifest.csv') });
  assert.deepEqual([a.report.dataset, b.report.dataset], ['manifest-a', 'manifest-b']);
  assert.notEqual(a.cacheDirs[8000], b.cacheDirs[8000]);
  assert.deepEqual([a.report.built, b.report.built], [[8000], [8000]]);
  assert.deepEqual(createDataset({ ...opts, root: path.join(two, 'a') }).report.reused, [8000], 'a reuses its own cache after b was built');
  assert.deepEqual(createDataset({ ...opts, root: path.join(two, 'b') }).report.reused, [8000]);
  assert.notDeepEqual(loadCachedDataset(a.cacheDirs[8000], 8000).waveforms, loadCachedDataset(b.cacheDirs[8000], 8000).waveforms);
  assert.equal(loadCachedDataset(a.cacheDirs[8000], 8000).name, 'manifest-a');

  // Another folder called `a` derives the same name: refused, naming --name; a's cache stays.
  const other = path.join(two, 'elsewhere', 'a');
  make(other, 700);
  assert.throws(() => createDataset({ ...opts, root: other }), (e: unknown) => e instanceof DatasetError && /another dataset named "manifest-a"/.test(e.message) && /--name/.test(e.message));
  assert.equal(createDataset({ ...opts, root: other, name: 'a-elsewhere' }).report.dataset, 'a-elsewhere');
  assert.deepEqual(createDataset({ ...opts, root: path.join(two, 'a') }).report.reused, [8000]);
});
