import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FOLD_SCHEME, FOLD_SCHEMES, LeakageError, assertNoLeakage, modelForFold, parseFoldScheme, repairPlan, trainingClips, trainingFolds } from '../lib/reconstruct/folds';

const FOLDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const CLIPS = Array.from({ length: 200 }, (_, i) => ({ id: `clip-${i}`, fold: (i % 10) + 1 }));

test('a test-fold clip is never in the training set of the model that repairs it', () => {
  for (const scheme of FOLD_SCHEMES) {
    const plan = repairPlan(FOLDS, scheme);
    const trainedOn = new Map(plan.map((m) => [m.id, trainingClips(m, CLIPS).map((c) => c.id)]));
    assertNoLeakage(plan, CLIPS, trainedOn);
    for (const clip of CLIPS) {
      const model = modelForFold(plan, clip.fold);
      assert.ok(!trainedOn.get(model.id)!.includes(clip.id), `${scheme}: ${clip.id}`);
      assert.ok(!trainingFolds(plan).get(model.id)!.includes(clip.fold));
    }
    // Every fold is repaired by exactly one model; every fold trains some model.
    assert.deepEqual(plan.flatMap((m) => m.repairsFolds).sort((a, b) => a - b), FOLDS);
    assert.deepEqual([...new Set(plan.flatMap((m) => m.trainFolds))].sort((a, b) => a - b), FOLDS);
  }
});

test('the schemes: per-fold trains one model per fold on the other nine; cross-fit two on halves', () => {
  const perFold = repairPlan(FOLDS, 'per-fold');
  assert.equal(perFold.length, 10);
  assert.deepEqual(modelForFold(perFold, 3).trainFolds, [1, 2, 4, 5, 6, 7, 8, 9, 10]);
  const crossFit = repairPlan(FOLDS, 'cross-fit');
  assert.deepEqual(crossFit.map((m) => [m.id, m.trainFolds, m.repairsFolds]), [
    ['half-a', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], ['half-b', [6, 7, 8, 9, 10], [1, 2, 3, 4, 5]]]);
  assert.equal(DEFAULT_FOLD_SCHEME, 'cross-fit');
  assert.throws(() => parseFoldScheme('all'), /--fold-scheme must be one of per-fold, cross-fit; got "all"/);
  assert.throws(() => repairPlan([4]), /at least 2 folds/);
});

test('the assertion catches a leak', () => {
  const plan = repairPlan(FOLDS, 'cross-fit');
  const trainedOn = new Map(plan.map((m) => [m.id, trainingClips(m, CLIPS).map((c) => c.id)]));
  trainedOn.get('half-a')!.push('clip-7'); // fold 8, which half-a repairs
  assert.throws(() => assertNoLeakage(plan, CLIPS, trainedOn), (err: Error) => err instanceof LeakageError && /clip-7 of test fold 8.*half-a/.test(err.message));
  const bad = [{ id: 'all', trainFolds: FOLDS, repairsFolds: FOLDS }];
  assert.throws(() => assertNoLeakage(bad, CLIPS, new Map()), /trains on fold\(s\) 1, 2/);
  assert.throws(() => assertNoLeakage(plan.slice(0, 1), CLIPS, new Map()), /repaired by 0 models/);
});
