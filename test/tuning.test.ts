/**
 * lib/tuning's optimiser: the search space's rules and JSON, the Latin-hypercube design, the
 * forest's per-tree spread, determinism, and that SMBO beats random search on Branin and
 * Hartmann-6 with the same budget, averaged over seeds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { ParameterError } from '../lib/util/errors';
import {
  BRANIN_MINIMUM, BRANIN_SPACE, HARTMANN6_MINIMUM, HARTMANN6_SPACE, SearchSpace, branin, compareWithRandom, createSmbo,
  encodePoint, fitForest, hartmann6, latinHypercube, meanCurve, minimize, normalCdf, parseSpace, pointFromUnit, spaceToJson, validatePoint,
} from '../lib/tuning';

const MIXED: SearchSpace = {
  dimensions: [
    { name: 'lr', kind: 'real', low: 1e-4, high: 1e-1, scale: 'log' },
    { name: 'dropout', kind: 'real', low: 0.2, high: 0.5 },
    { name: 'filters', kind: 'integer', low: 32, high: 64 },
    { name: 'units', kind: 'power-of-two', low: 64, high: 256 },
    { name: 'act', kind: 'categorical', values: ['relu', 'elu'] },
  ],
};

test('search space: JSON round trip, and every rule has its own error naming the file', () => {
  assert.deepEqual(parseSpace(JSON.stringify(spaceToJson(MIXED)), 'space.json'), spaceToJson(MIXED));
  const bad: [unknown, RegExp][] = [
    [{}, /space\.json: expected \{"dimensions"/],
    [{ dimensions: [{ name: 'a', kind: 'real', low: 1, high: 0 }] }, /"a" needs low <= high/],
    [{ dimensions: [{ name: 'a', kind: 'real', low: 0, high: 1, scale: 'log' }] }, /"a" is on a log scale and needs low > 0/],
    [{ dimensions: [{ name: 'a', kind: 'integer', low: 0.5, high: 3 }] }, /"a" needs integer bounds/],
    [{ dimensions: [{ name: 'a', kind: 'power-of-two', low: 48, high: 256 }] }, /"a" needs powers of two/],
    [{ dimensions: [{ name: 'a', kind: 'categorical', values: [] }] }, /"a" needs a non-empty "values"/],
    [{ dimensions: [{ name: 'a', kind: 'gaussian', low: 0, high: 1 }] }, /unknown kind "gaussian"/],
    [{ dimensions: [{ name: 'a', kind: 'real', low: 0, high: 1 }, { name: 'a', kind: 'real', low: 0, high: 1 }] }, /names repeat: a/],
  ];
  for (const [value, message] of bad) assert.throws(() => parseSpace(JSON.stringify(value), 'space.json'), (e: Error) => e instanceof ParameterError && message.test(e.message) && e.message.startsWith('space.json'));
  assert.throws(() => parseSpace('{nope', 'space.json'), /space\.json: not valid JSON/);
  assert.throws(() => validatePoint(MIXED, { lr: 0.01, dropout: 0.3, filters: 40, units: 100, act: 'relu' }), /"units" = 100 is outside/);
  assert.throws(() => validatePoint(MIXED, { lr: 0.01, dropout: 0.3, filters: 40, units: 64 }), /missing act/);
});

test('unit mapping: ends of the unit interval reach both bounds; log and powers of two are uniform in the exponent', () => {
  assert.deepEqual(pointFromUnit(MIXED, [0, 0, 0, 0, 0]), { lr: 1e-4, dropout: 0.2, filters: 32, units: 64, act: 'relu' });
  const top = pointFromUnit(MIXED, [1, 1, 1, 1, 1]);
  assert.ok(Math.abs((top.lr as number) - 0.1) < 1e-12);
  assert.deepEqual({ ...top, lr: 0.1 }, { lr: 0.1, dropout: 0.5, filters: 64, units: 256, act: 'elu' });
  const mid = pointFromUnit(MIXED, [0.5, 0.5, 0.5, 0.5, 0.5]);
  assert.ok(Math.abs((mid.lr as number) - Math.sqrt(1e-4 * 1e-1)) < 1e-12, 'log midpoint is the geometric mean');
  assert.equal(mid.units, 128);
  assert.deepEqual(encodePoint(MIXED, { lr: 1e-4, dropout: 0.5, filters: 48, units: 128, act: 'elu' }), [0, 1, 0.5, 0.5, 0, 1]);
});

test('Latin hypercube: one point in every stratum of every axis, and the same design for the same seed', () => {
  const n = 12;
  const design = latinHypercube(n, 4, new Rng(3));
  for (let j = 0; j < 4; j++) {
    const strata = design.map((p) => Math.floor(p[j] * n)).sort((a, b) => a - b);
    assert.deepEqual(strata, Array.from({ length: n }, (_, i) => i));
  }
  assert.deepEqual(latinHypercube(n, 4, new Rng(3)), design);
  assert.notDeepEqual(latinHypercube(n, 4, new Rng(4)), design);
});

test('forest surrogate: follows the data, is unsure far from it, and its spread comes from the seeded trees', () => {
  const xs = Array.from({ length: 30 }, (_, i) => [i / 29]);
  const ys = xs.map(([x]) => (x < 0.5 ? 0 : 10) + 0.1 * Math.sin(40 * x));
  const predict = fitForest(xs, ys, { seed: 7, trees: 50 });
  const { mean, std } = predict([[0.1], [0.9], [0.5]]);
  assert.ok(Math.abs(mean[0]) < 1 && Math.abs(mean[1] - 10) < 1, `means ${mean}`);
  assert.ok(std[2] > std[0] && std[2] > std[1], `the step is where the trees disagree: ${std}`);
  assert.deepEqual(fitForest(xs, ys, { seed: 7, trees: 50 })([[0.5]]), predict([[0.5]]));
  assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4 && Math.abs(normalCdf(0) - 0.5) < 1e-7);
});

test('SMBO is deterministic: same seed and observations give the same proposals', () => {
  const run = () => minimize(createSmbo(MIXED, { seed: 5, initialPoints: 4, candidates: 200, trees: 20 }),
    (p) => Math.log10(p.lr as number) ** 2 + (p.dropout as number) + (p.act === 'elu' ? 1 : 0), 8);
  assert.deepEqual(run(), run());
});

/** Mean over seeds of (best value found - the known minimum). */
function meanGap(curves: number[][], minimum: number): number {
  return meanCurve(curves).at(-1)! - minimum;
}

for (const c of [
  { name: 'Branin', space: BRANIN_SPACE, f: branin, minimum: BRANIN_MINIMUM, calls: 30 },
  { name: 'Hartmann-6', space: HARTMANN6_SPACE, f: hartmann6, minimum: HARTMANN6_MINIMUM, calls: 50 },
]) {
  test(`${c.name}: SMBO gets clearly closer to the minimum than random search with the same budget (10 seeds)`, () => {
    const t0 = Date.now();
    const seeds = Array.from({ length: 10 }, (_, i) => i);
    const r = compareWithRandom(c.space, c.f, c.calls, seeds, { initialPoints: 10, candidates: 1000, trees: 50 });
    const smbo = meanGap(r.smbo, c.minimum);
    const random = meanGap(r.random, c.minimum);
    const wins = seeds.filter((_, i) => r.smbo[i].at(-1)! < r.random[i].at(-1)!).length;
    console.log(`# ${c.name}, ${c.calls} calls, 10 seeds: mean gap to the minimum SMBO ${smbo.toFixed(3)}, random ${random.toFixed(3)} ` +
      `(ratio ${(smbo / random).toFixed(2)}); SMBO better on ${wins}/10 seeds; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(smbo < 0.85 * random, `SMBO's mean gap ${smbo} should be < 0.85 x random's ${random}`);
    assert.ok(wins >= 6, `SMBO should win on most seeds, won ${wins}/10`);
  });
}
