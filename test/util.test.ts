import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rng } from '../lib/util/rng';
import { NpyWriter, readNpyHeader, readNpyRows, writeNpy } from '../lib/util/npy';
import { writeFileAtomic, writeJsonAtomic, readJsonIfExists } from '../lib/util/atomic';
import { parseCsv, parseCsvRecords, toCsv } from '../lib/util/csv';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-util-'));

test('Rng: same seed gives the same stream, forks are independent of draw order', () => {
  const a = new Rng(42), b = new Rng(42);
  const xs = Array.from({ length: 100 }, () => a.uniform());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.uniform()));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => new Rng(43).uniform()));
  const c = new Rng(42);
  c.uniform();
  assert.equal(new Rng(42).fork('clip-1').uniform(), c.fork('clip-1').uniform());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('Rng: normal has mean ~0 and std ~1; int covers its inclusive range', () => {
  const r = new Rng(7);
  const n = 20000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
  assert.ok(Math.abs(s / n) < 0.03);
  assert.ok(Math.abs(Math.sqrt(s2 / n - (s / n) ** 2) - 1) < 0.03);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(r.int(3, 6));
  assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
});

test('npy: header is numpy-compatible (64-byte aligned) and rows round-trip', () => {
  const dir = tmp();
  const file = path.join(dir, 'x.npy');
  const data = Float32Array.from({ length: 3 * 5 }, (_, i) => i * 0.5 - 2);
  writeNpy(file, data, [3, 5]);
  const raw = fs.readFileSync(file);
  assert.equal(raw.subarray(1, 6).toString('latin1'), 'NUMPY');
  const h = readNpyHeader(file);
  assert.equal(h.dataOffset % 64, 0);
  assert.deepEqual(h.shape, [3, 5]);
  assert.equal(h.dtype, 'float32');
  assert.match(raw.subarray(10, h.dataOffset).toString('latin1'), /'descr': '<f4', 'fortran_order': False, 'shape': \(3, 5\)/);
  assert.deepEqual(Array.from(readNpyRows(file, 1, 3).data), Array.from(data.subarray(5, 15)));
});

test('npy: a writer that gets too few values leaves no file', () => {
  const file = path.join(tmp(), 'short.npy');
  const w = new NpyWriter(file, [2, 4]);
  w.write(new Float32Array(4));
  assert.throws(() => w.close(), /wrote 4 values, shape needs 8/);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), []);
});

test('atomic writes replace whole files and leave no temporaries', () => {
  const dir = tmp();
  const file = path.join(dir, 'sub', 'r.json');
  writeJsonAtomic(file, { a: 1 });
  writeFileAtomic(file, '{"a": 2}');
  assert.deepEqual(readJsonIfExists(file), { a: 2 });
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['r.json']);
  assert.equal(readJsonIfExists(path.join(dir, 'missing.json')), undefined);
});

test('csv: quotes, commas, newlines and BOM round-trip', () => {
  const text = toCsv(['id', 'note'], [[1, 'plain'], [2, 'a, "quoted"\nline']]);
  assert.deepEqual(parseCsv('\ufeff' + text), [['id', 'note'], ['1', 'plain'], ['2', 'a, "quoted"\nline']]);
  assert.deepEqual(parseCsvRecords('a,b\r\n1,2\r\n'), [{ a: '1', b: '2' }]);
});

test('progress: work found done (skip) moves the bar but not the speed behind the time left', async () => {
  const { createProgress } = await import('../lib/util/progress');
  const lines: string[] = [];
  const write = process.stderr.write;
  const quiet = process.env.LACUNA_QUIET;
  delete process.env.LACUNA_QUIET;
  (process.stderr as unknown as { write: (s: string) => boolean }).write = (s: string) => { lines.push(s); return true; };
  try {
    const p = createProgress({ total: 100, label: 'resumed' });
    p.skip(50, 'cached');
    await new Promise((r) => setTimeout(r, 1100));
    p.tick(10, 'computed');
  } finally {
    (process.stderr as unknown as { write: typeof write }).write = write;
    if (quiet !== undefined) process.env.LACUNA_QUIET = quiet;
  }
  assert.match(lines[0], /50\/100 \(50%\) eta \? · cached/);
  // 10 units in 1.1 s, 40 to go: about 4 s. Counting the 50 skipped units as work would say 1 s.
  const eta = Number(/60\/100 \(60%\) eta (\d+)s · computed/.exec(lines[1])?.[1]);
  assert.ok(eta >= 3, `eta ${eta}s from ${JSON.stringify(lines)}`);
});
