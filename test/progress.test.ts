/**
 * Progress off a terminal (a log under nohup, tmux, a service manager): a plain line at a steady
 * interval with the same fields as the live line, even while nothing ticks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

function runScript(body: string, env: Record<string, string>): string {
  const code = `const { createProgress } = require(${JSON.stringify(path.join(root, 'lib', 'util', 'progress.ts'))});\n${body}`;
  // stderr is a pipe here, as under nohup or a service manager.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, LACUNA_QUIET: '', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr;
}

test('off a terminal, a step that stops ticking still prints its line at the interval, with done/total and time left', () => {
  const out = runScript(`
    const p = createProgress({ total: 40, label: 'study' });
    p.tick(1, 'reconstruct ar 16000-single: fold 2');
    setTimeout(() => { p.tick(1, 'reconstruct ar 16000-single: fold 3'); setTimeout(() => p.done('all done'), 700); }, 1000);
  `, { LACUNA_PROGRESS_SECONDS: '0.25' });
  const lines = out.trim().split('\n');
  const during = lines.filter((l) => /^study .* 1\/40 \(3%\) eta \S+ · reconstruct ar 16000-single: fold 2$/.test(l));
  // 1 s without a tick at 0.25 s: the first tick's line plus about three repeats (timers may slip one).
  assert.ok(during.length >= 3, `expected repeated lines while the step ran:\n${out}`);
  assert.ok(lines.some((l) => /^study .* 2\/40 \(5%\) eta \S+ · reconstruct ar 16000-single: fold 3$/.test(l)), out);
  assert.match(lines[lines.length - 1], /^study .* 40\/40 \(100%\) in \S+ · all done$/);
  assert.ok(!/\r|\x1b\[/.test(out), 'no terminal control characters in a log');
  // The heartbeat ends with the work: the process exited without waiting for it (status 0 above), and no line follows done.
});

test('off a terminal the default interval is 30 s, and quiet progress prints nothing', () => {
  const out = runScript(`
    const { plainIntervalMs } = require(${JSON.stringify(path.join(root, 'lib', 'util', 'progress.ts'))});
    console.error('interval ' + plainIntervalMs());
    const p = createProgress({ total: 3, label: 'grid', quiet: true });
    p.tick(1); setTimeout(() => p.done(), 400);
  `, { LACUNA_PROGRESS_SECONDS: '' });
  assert.equal(out, 'interval 30000\n');
});
