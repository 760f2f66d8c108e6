/**
 * `lacuna yamnet` over files and folders, as users run it: the compiled dist/ entry point in a
 * child process with the real model (npm run build first).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { exampleClipsDir, yamnetPath } from './support/yamnet';
import { equalLengthBatches } from '../lib/models/yamnet/classify';
import { runLacuna } from './support/cli';

const MODEL = yamnetPath();
const CLIPS = exampleClipsDir();
const skip = !MODEL || !CLIPS ? 'YAMNet model or example clips not found' : false;

function yamnet(args: string[]) {
  return runLacuna(['yamnet', ...args, ...(MODEL ? ['--yamnet', MODEL] : [])], { timeout: 5 * 60 * 1000 });
}

interface Row { file: string; rank: number; label: string; score: number }

/** The TSV rows; fails on any line not of the form file<TAB>rank<TAB>label<TAB>score. */
function rows(stdout: string): Row[] {
  return stdout.split('\n').filter((l) => l.length > 0).map((line) => {
    assert.match(line, /^[^\t]+\t[1-9]\d*\t[^\t]+\t[01]\.\d{4}$/, `row format: ${JSON.stringify(line)}`);
    const [file, rank, label, score] = line.split('\t');
    return { file, rank: Number(rank), label, score: Number(score) };
  });
}

function byFile(all: Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of all) out.set(r.file, [...(out.get(r.file) ?? []), r]);
  return out;
}

let tmp: string;
let dir: string;
let meow: string;
let dog: string;
let broken: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-yamnet-cli-'));
  dir = path.join(tmp, 'clips');
  meow = path.join(dir, 'meow.WAV'); // the extension matches in any case
  dog = path.join(dir, 'sub', 'deeper', 'dog.wav');
  broken = path.join(dir, 'sub', 'broken.wav');
  fs.mkdirSync(path.dirname(dog), { recursive: true });
  fs.writeFileSync(broken, 'not audio at all');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a .wav name, so not an input');
  if (CLIPS) {
    fs.copyFileSync(path.join(CLIPS, 'meow_16k.wav'), meow);
    fs.copyFileSync(path.join(CLIPS, 'dog_975ms.wav'), dog);
  }
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('batches hold consecutive clips of one length, at most the batch size', () => {
  const clips = [3, 3, 3, 5, 5, 3].map((n, id) => ({ id, samples: new Float32Array(n) }));
  assert.deepEqual([...equalLengthBatches(clips, 2)].map((b) => b.map((c) => c.id)), [[0, 1], [2], [3, 4], [5]]);
  assert.deepEqual([...equalLengthBatches([], 2)], []);
});

test('a folder: rows for the good clips in path order, the bad file named on stderr, exit 1 at the end', { skip }, () => {
  const r = yamnet([dir]);
  assert.equal(r.status, 1, r.stderr);
  const got = byFile(rows(r.stdout));
  assert.deepEqual([...got.keys()], [meow, dog]);
  for (const [file, top] of got) {
    assert.deepEqual(top.map((t) => t.rank), [1, 2, 3, 4, 5], file);
    for (let i = 1; i < top.length; i++) assert.ok(top[i].score <= top[i - 1].score, `${file}: scores best first`);
  }
  const meowTop = got.get(meow)!;
  assert.equal(meowTop[0].label, 'Cat');
  assert.deepEqual(new Set(meowTop.map((t) => t.label)), new Set(['Cat', 'Animal', 'Domestic animals, pets', 'Meow', 'Caterwaul']));
  assert.ok(got.get(dog)!.some((t) => t.label === 'Dog'));
  assert.ok(r.stderr.includes(`lacuna: ${broken}: not a WAV file`), r.stderr);
  assert.match(r.stderr, /1 of 3 file\(s\) could not be classified/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);

  // One file, as before: the same rows the folder run gave for it, exit 0.
  const one = yamnet([meow]);
  assert.equal(one.status, 0, one.stderr);
  assert.deepEqual(rows(one.stdout), meowTop);
});

test('--json prints one parseable object per good file', { skip }, () => {
  const r = yamnet([dir, '--top', '3', '--json']);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { file: string; classes: { rank: number; label: string; index: number; score: number }[] });
  assert.deepEqual(lines.map((l) => l.file), [meow, dog]);
  for (const l of lines) {
    assert.deepEqual(l.classes.map((c) => c.rank), [1, 2, 3]);
    for (const c of l.classes) assert.ok(typeof c.label === 'string' && Number.isInteger(c.index) && c.score > 0 && c.score < 1, JSON.stringify(c));
  }
  assert.equal(lines[0].classes[0].label, 'Cat');
  assert.equal(lines[0].classes[0].index, 76);
  assert.ok(r.stderr.includes(broken));
});

test('more files than one batch go through the worker threads and score as in one thread', { skip }, () => {
  // 9 clips of 0.975 s (dog at 16 kHz, baby at 44.1 kHz, jingle at 48 kHz, all 15600 samples at
  // 16 kHz): one batch of 8 and one of 1, so two threads start.
  const many = path.join(tmp, 'many');
  const expected: Record<string, RegExp> = { dog: /^Dog$/, baby: /^Baby cry, infant cry$/, jingle: /^(Music|Jingle)/ };
  for (let copy = 0; copy < 3; copy++) {
    fs.mkdirSync(path.join(many, `set${copy}`), { recursive: true });
    for (const name of Object.keys(expected)) fs.copyFileSync(path.join(CLIPS!, `${name}_975ms.wav`), path.join(many, `set${copy}`, `${name}.wav`));
  }
  const threads = yamnet([many, '--workers', '2']);
  assert.equal(threads.status, 0, threads.stderr);
  assert.doesNotMatch(threads.stderr, /this thread instead|redoing/, 'the worker threads did the work');
  const got = byFile(rows(threads.stdout));
  assert.equal(got.size, 9);
  for (const [file, top] of got) assert.ok(top.some((t) => expected[path.basename(file, '.wav')].test(t.label)), `${file}: ${top.map((t) => t.label).join(', ')}`);
  const here = yamnet([many, '--workers', '1']);
  assert.equal(here.status, 0, here.stderr);
  assert.equal(threads.stdout, here.stdout);
  // The threads build their network as the command's model is built, --int8 included.
  const int8 = [yamnet([many, '--int8', '--workers', '2']), yamnet([many, '--int8', '--workers', '1'])];
  for (const r of int8) assert.equal(r.status, 0, r.stderr);
  assert.equal(int8[0].stdout, int8[1].stdout);
  assert.notEqual(int8[0].stdout, here.stdout);
});

test('a path that does not exist is an error naming it, before any file is classified', () => {
  const missing = path.join(tmp, 'no-such-folder');
  const r = yamnet([dir, missing]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `lacuna: ${missing}: no such file or folder\n`);
});
