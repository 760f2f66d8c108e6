import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExactMemo, fitKey } from '../lib/experiments/probe-memo';
import { fitLinearProbe, LINEAR_PROBE } from '../lib/experiments/probe';
import { Rng } from '../lib/util/rng';

function matrix(rows: number, width: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * width).map(() => rng.uniform() - 0.5);
  return { data, rows, rowShape: [width] };
}

test('fitKey changes with any value, label, row or option, and not otherwise', () => {
  const m = matrix(30, 16, 1);
  const labels = Array.from({ length: 30 }, (_, i) => i % 3);
  const key = fitKey(m, labels, { rows: [0, 1, 2] });
  assert.equal(fitKey({ ...m, data: m.data.slice() }, labels.slice(), { rows: [0, 1, 2] }), key);
  const nudged = m.data.slice(); nudged[17] += 1e-6;
  assert.notEqual(fitKey({ ...m, data: nudged }, labels, { rows: [0, 1, 2] }), key);
  assert.notEqual(fitKey(m, labels.map((l, i) => (i === 5 ? (l + 1) % 3 : l)), { rows: [0, 1, 2] }), key);
  assert.notEqual(fitKey(m, labels, { rows: [0, 1, 3] }), key);
  assert.notEqual(fitKey({ ...m, rowShape: [8, 2] }, labels, { rows: [0, 1, 2] }), key);
});

test('ExactMemo returns the computed value for the same key, evicts the least recently used', () => {
  const memo = new ExactMemo<number>(2);
  let calls = 0;
  const get = (k: string) => memo.get(k, () => { calls++; return k.length; });
  get('a'); get('bb'); get('a'); get('ccc');
  assert.equal(calls, 3); // 'a' was a hit; 'ccc' evicted 'bb', the least recently used
  get('a'); assert.equal(calls, 3);
  get('bb'); assert.equal(calls, 4);
});

test('a memoised probe predicts exactly what a fresh fit predicts', () => {
  const m = matrix(40, 24, 2);
  const labels = Array.from({ length: 40 }, (_, i) => i % 4);
  const rows = Array.from({ length: 30 }, (_, i) => i);
  const memo = new ExactMemo<ReturnType<typeof fitLinearProbe>>(4);
  const fit = () => fitLinearProbe(m, labels, rows, 4, LINEAR_PROBE);
  const key = fitKey(m, labels, { rows });
  const first = memo.get(key, fit);
  const again = memo.get(key, () => assert.fail('refitted'));
  const test = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39];
  assert.deepEqual(again.predict(m, test), fit().predict(m, test));
  assert.equal(first, again);
});
