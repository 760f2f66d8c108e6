/**
 * The command line as users run it: the compiled dist/ entry point in a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');

function lacuna(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, LACUNA_QUIET: '1', ...env }, timeout: 20 * 60 * 1000 });
}

test('help lists every command; an unknown command exits 2', () => {
  const help = lacuna(['--help']);
  assert.equal(help.status, 0);
  for (const c of ['engine', 'data', 'classify', 'grid', 'yamnet', 'embed', 'notebooks', 'demo']) assert.match(help.stdout, new RegExp(`\\n  ${c} `));
  const bad = lacuna(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
});

test('bad flags give one clear line naming the flag, not a stack trace', () => {
  const r = lacuna(['classify', '--epochs', 'many']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^lacuna: --epochs expects a number, got "many"\n$/);
  const g = lacuna(['classify', '--gap-model', 'teleport', '--corrupt-test']);
  assert.equal(g.status, 1);
  assert.match(g.stderr, /gap-model/);
  assert.doesNotMatch(g.stderr, /\n\s+at /);
});

test('without Jupyter, demo says how to install it and runs the same steps through the CLI', { timeout: 20 * 60 * 1000 }, () => {
  // An empty PATH hides jupyter; node itself is started by absolute path.
  const r = lacuna(['demo', '--size', 'tiny'], { PATH: '' });
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  assert.match(r.stderr, /Jupyter was not found/);
  assert.match(r.stderr, /apt-get install -y jupyter-nbconvert jupyter-client python3-ipykernel/);
  assert.match(r.stdout, /^engine: wasm \(/m);
  assert.match(r.stdout, /00 engine: trained a tiny conv net/);
  assert.match(r.stdout, /cnn NC clean: accuracy 0\.\d+ ± 0\.\d+ over 10 fold\(s\)/);
  assert.match(r.stdout, /cnn C_ts 8000-multiple: accuracy/);
});
