/**
 * Study persistence: a study killed mid-point (SIGKILL of a child process) resumes to the same
 * finished points and the same next proposal as an uninterrupted one; another configuration is
 * refused with the differing keys named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn } from 'child_process';
import { ConfigMismatchError } from '../lib/util/errors';
import { claimStudyDir, loadTrials, observationsOf, TrialRecord } from '../lib/tuning';
import { cheapOptimizer, cheapStudy } from './support/tuning-cheap';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-study-'));
const CALLS = 7;

/** The parts of a trial that must not depend on interruptions (not its timing). */
const essence = (t: TrialRecord) => ({ index: t.index, params: t.params, score: t.score, validation: t.validation, test: t.test, folds: t.folds });

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a study SIGKILLed mid-point resumes to the same points and the same next proposal as an uninterrupted one', { timeout: 120_000 }, async () => {
  const whole = path.join(tmp, 'whole');
  const killed = path.join(tmp, 'killed');
  const uninterrupted = await cheapStudy(whole, CALLS, 0);

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'tuning-child.ts'), killed, String(CALLS)], { stdio: 'inherit' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // 4 finished = past the Latin-hypercube start, so the kill lands inside a surrogate proposal's point.
  await waitFor(() => loadTrials(killed).length >= 4, 60_000);
  await new Promise((r) => setTimeout(r, 100)); // ~ a third of the way into the next 300 ms point
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const before = loadTrials(killed);
  assert.ok(before.length >= 4 && before.length < CALLS, `killed after ${before.length} of ${CALLS} points`);
  assert.deepEqual(before.map(essence), uninterrupted.slice(0, before.length).map(essence), 'finished points are those of the uninterrupted study');

  const resumed = await cheapStudy(killed, CALLS, 0);
  assert.deepEqual(resumed.map(essence), uninterrupted.map(essence));
  assert.deepEqual(fs.readdirSync(path.join(killed, 'trials')).filter((f) => f.endsWith('.json')).length, CALLS, 'no point was repeated');
  const opt = cheapOptimizer();
  assert.deepEqual(opt.propose(observationsOf(loadTrials(killed))), opt.propose(observationsOf(uninterrupted)), 'same next proposal');

  // Extending with more calls continues where it stopped.
  const extended = await cheapStudy(killed, CALLS + 1, 0);
  assert.deepEqual(extended.slice(0, CALLS).map(essence), uninterrupted.map(essence));
  assert.deepEqual(extended[CALLS].params, opt.propose(observationsOf(uninterrupted)));
});

test('a study folder refuses another configuration and names the keys that differ', () => {
  const dir = path.join(tmp, 'claimed');
  const opt = cheapOptimizer();
  const config = { optimizer: opt.settings, objective: 'validation' as const, model: { name: 'cheap', epochs: 3 }, dataset: { fingerprint: 'a' } };
  claimStudyDir(dir, config);
  claimStudyDir(dir, config);
  assert.throws(() => claimStudyDir(dir, { ...config, objective: 'test', dataset: { fingerprint: 'b' } }),
    (e: Error) => e instanceof ConfigMismatchError && /dataset\.fingerprint, objective/.test(e.message) && e.message.includes(dir));
  assert.throws(() => claimStudyDir(dir, { ...config, optimizer: { ...opt.settings, kappa: 1 } }), /differs in: optimizer\.kappa/);
});
