/**
 * Batch proposals for N workers (constant liar, scikit-optimize's cl_min): a batch of one is the
 * one-at-a-time proposal, a batch is a pure function of the finished points, and its points differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BRANIN_SPACE, branin, createSmbo, minimize, samePoint } from '../lib/tuning';
import { callsToReach, minimizeInBatches, proposeBatch } from '../lib/tuning/batch';

// A small forest and candidate set: the same code paths as a study's, in well under a second per call.
const smbo = () => createSmbo(BRANIN_SPACE, { seed: 3, initialPoints: 4, trees: 10, candidates: 200 });

test('a batch of one proposes exactly what one-at-a-time search does', () => {
  assert.deepEqual(minimizeInBatches(smbo(), branin, 10, 1), minimize(smbo(), branin, 10));
});

test('a batch is a pure function of the finished points, its points all differ, and lies do not leak into observations', () => {
  const finished = minimize(smbo(), branin, 6);
  const a = proposeBatch(smbo(), finished, 4);
  assert.deepEqual(proposeBatch(smbo(), finished, 4), a, 'a restarted coordinator proposes the same batch');
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) assert.ok(!samePoint(BRANIN_SPACE, a[i], a[j]), `points ${i} and ${j} are the same`);
  // The first point of a batch is the one-at-a-time proposal.
  assert.deepEqual(a[0], smbo().propose(finished));
  assert.equal(finished.length, 6);
  const batched = minimizeInBatches(smbo(), branin, 9, 4);
  assert.equal(batched.length, 9);
  for (const o of batched) assert.equal(o.loss, branin(o.point), 'every loss is a real evaluation');
});

test('calls to reach a tolerance count from one, and never reached is Infinity', () => {
  const obs = [5, 3, 4, 0.5, 0.45].map((loss) => ({ point: {}, loss }));
  assert.equal(callsToReach(obs, 0.4, 0.2), 4);
  assert.equal(callsToReach(obs, 0.4, 0.01), Infinity);
  assert.throws(() => proposeBatch(smbo(), [], 0), /batch size must be an integer >= 1/);
});
