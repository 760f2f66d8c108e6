/**
 * `lacuna reconstruct` as users run it (the compiled dist/ entry point) on the tiny built-in dataset.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readNpy } from '../lib/util/npy';
import { runLacuna } from './support/cli';

const outputs = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-recon-cli-'));
after(() => fs.rmSync(outputs, { recursive: true, force: true }));

function lacuna(args: string[]) {
  return runLacuna(args, { env: { LACUNA_OUTPUT_DIR: outputs }, timeout: 10 * 60 * 1000 });
}

test('reconstruct refuses unknown options and a missing or unknown method before any work', () => {
  const unknown = lacuna(['reconstruct', '--method', 'ar', '--size', 'tiny', '--no-such-flag', '3']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^lacuna: unknown option --no-such-flag for lacuna reconstruct; see `lacuna reconstruct --help`\n$/);
  assert.match(lacuna(['reconstruct', '--size', 'tiny']).stderr, /^lacuna: --method is required: one of zero, linear, repeat, ar/);
  assert.match(lacuna(['reconstruct', '--method', 'magic', '--size', 'tiny']).stderr, /^lacuna: --method must be one of .*got "magic"\n$/);
  assert.match(lacuna(['reconstruct', '--method', 'ar', '--size', 'tiny', '--griffin-lim', '-1']).stderr, /--griffin-lim must be an integer >= 0/);
  assert.match(lacuna(['reconstruct', '--method', 'ar', '--size', 'tiny', '--gan-preset', 'reference']).stderr, /--gan-preset applies to trained methods \(gan\) only, not --method ar/);
  assert.match(lacuna(['reconstruct', '--method', 'gan', '--size', 'tiny', '--fold-scheme', 'all']).stderr, /--fold-scheme must be one of per-fold, cross-fit; got "all"/);
  assert.match(lacuna(['reconstruct', '--method', 'gan', '--size', 'tiny', '--gan-preset', 'huge']).stderr, /--gan-preset must be one of default, reference; got "huge"/);
  assert.match(lacuna(['reconstruct', '--method', 'gan', '--size', 'tiny', '--gap-model', 'packet-loss']).stderr, /the GAN repairs gaps of one length.*packet loss/);
  assert.deepEqual(fs.readdirSync(outputs), []);
  const help = lacuna(['reconstruct', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--gap-length/);
  assert.match(help.stdout, /--fold-scheme cross-fit\|per-fold|--fold-scheme per-fold\|cross-fit/);
});

test('reconstruct writes each fold\'s repaired clips with a manifest, and resumes', () => {
  const out = path.join(outputs, 'run');
  const args = ['reconstruct', '--method', 'ar', '--gap-model', 'multiple', '--gap-length', '800', '--folds', '1,2', '--size', 'tiny', '--output', out];
  const first = lacuna(args);
  assert.equal(first.status, 0, first.stderr);
  const dir = path.join(out, 'ar', '800-multiple-seed0');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.method, 'ar');
  assert.equal(manifest.parameters.maxOrder, 200, 'AR records its settings');
  assert.deepEqual(Object.keys(manifest.folds), ['1', '2']);
  assert.equal(manifest.complete, false);
  const mel = readNpy(path.join(dir, 'fold-01', 'mel.npy'));
  const wave = readNpy(path.join(dir, 'fold-01', 'waveforms.npy'));
  assert.deepEqual(mel.shape.slice(1), [432, 64]);
  assert.deepEqual(wave.shape, [mel.shape[0], 64000]);
  assert.equal(mel.shape[0], manifest.folds['1'].clips);
  const stamp = fs.statSync(path.join(dir, 'fold-01', 'mel.npy')).mtimeMs;
  const again = lacuna(args);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(fs.statSync(path.join(dir, 'fold-01', 'mel.npy')).mtimeMs, stamp, 'a finished fold is not redone');
  assert.equal(lacuna([...args, '--griffin-lim', '5']).status, 0, 'Griffin–Lim does not concern AR, so it is the same run');
  const other = lacuna(['reconstruct', '--method', 'ar', '--gap-model', 'multiple', '--gap-length', '800', '--folds', '1', '--size', 'tiny', '--output', out, '--seed', '1']);
  assert.equal(other.status, 0, 'another seed is another run folder');
  assert.ok(fs.existsSync(path.join(out, 'ar', '800-multiple-seed1', 'fold-01', 'mel.npy')));
});

test('reconstruct --method gan trains one model per half (cross-fit), never on a fold it repairs, and a re-run reuses them', () => {
  const out = path.join(outputs, 'gan');
  const args = ['reconstruct', '--method', 'gan', '--fold-scheme', 'cross-fit', '--train-seconds', '3', '--griffin-lim', '2', '--size', 'tiny', '--output', out];
  const first = lacuna(args);
  assert.equal(first.status, 0, first.stderr);
  const dir = path.join(out, 'gan', '4000-single-seed0');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.complete, true);
  assert.equal(manifest.foldScheme, 'cross-fit');
  assert.deepEqual(manifest.parameters, { preset: 'default', trainSeconds: 3, griffinLimIterations: 2 });
  const folds = Object.values(manifest.folds) as { testFold: number; clips: number; modelId: string; trainFolds: number[]; model: { steps: number; gapFrames: number; clips: number } }[];
  assert.equal(folds.length, 10);
  assert.deepEqual([...new Set(folds.map((f) => f.modelId))].sort(), ['half-a', 'half-b'], 'two models for ten folds');
  for (const f of folds) {
    assert.ok(!f.trainFolds.includes(f.testFold), `fold ${f.testFold} was repaired by a model trained on folds ${f.trainFolds}`);
    assert.equal(f.model.gapFrames, 26);
    assert.ok(f.model.steps >= 1);
    const fold = `fold-${String(f.testFold).padStart(2, '0')}`;
    assert.deepEqual(readNpy(path.join(dir, fold, 'mel.npy')).shape, [f.clips, 432, 64]);
    assert.deepEqual(readNpy(path.join(dir, fold, 'waveforms.npy')).shape, [f.clips, 64000]);
  }
  const latest = (id: string) => fs.readFileSync(path.join(dir, '_model', id, 'latest.json'), 'utf8');
  const before = { a: latest('half-a'), b: latest('half-b'), losses: fs.readFileSync(path.join(dir, '_model', 'half-a', 'losses.json'), 'utf8') };
  // Lose one fold of each half: the re-run repairs them with the checkpoints as they are.
  for (const fold of ['fold-02', 'fold-07']) fs.rmSync(path.join(dir, fold, 'manifest.json'));
  const stamp = fs.statSync(path.join(dir, 'fold-01', 'mel.npy')).mtimeMs;
  const again = lacuna(args);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual({ a: latest('half-a'), b: latest('half-b'), losses: fs.readFileSync(path.join(dir, '_model', 'half-a', 'losses.json'), 'utf8') }, before, 'no further training');
  assert.equal(fs.statSync(path.join(dir, 'fold-01', 'mel.npy')).mtimeMs, stamp, 'finished folds are not redone');
  const redone = JSON.parse(fs.readFileSync(path.join(dir, 'fold-07', 'manifest.json'), 'utf8'));
  assert.equal(redone.model.steps, folds.find((f) => f.testFold === 7)!.model.steps);
  const perFold = lacuna([...args.filter((a) => a !== 'cross-fit' && a !== '--fold-scheme'), '--fold-scheme', 'per-fold']);
  assert.equal(perFold.status, 1);
  assert.match(perFold.stderr, /different configuration \(differs in: foldScheme\)/, 'models of another fold scheme never mix into a run');
});
