/**
 * The import-layer check (scripts/check-layers.js) over the compiled library, and over small planted
 * trees that show it catches what it must: an import of a higher layer, a circle (also one that passes
 * through declarations only), a module no layer names, and an allow-list line without its reason.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'scripts', 'check-layers.js');
const built = fs.existsSync(path.join(root, 'dist', 'index.js')) ? false : 'dist/ is not built (npm run build)';

function checkLayers(args: string[]) {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Writes a tree of compiled modules: { 'util/a.js': 'require("../cli/b");', … }. */
const planted: string[] = [];
after(() => { for (const dir of planted) fs.rmSync(dir, { recursive: true, force: true }); });

function plantTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-layers-'));
  planted.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const PLANTED = {
  'util/a.js': 'const b = require("../cli/b");\n',
  'cli/b.js': 'const a = require("../util/a");\n',
  'experiments/x.js': 'function later() { return require("./y"); }\n',
  'experiments/y.js': 'const x = require("./x");\n',
  // A circle through public types only: p's declarations import q's, q requires p at run time.
  'reconstruct/p.js': '',
  'reconstruct/p.d.ts': "import type { Q } from './q';\n",
  'reconstruct/q.js': 'const p = require("./p");\n',
  'audio/ok.js': 'const u = require("../util/a"); const pkg = require("fft.js");\n',
};

test('the compiled library passes the layer check, known exceptions listed with their reasons', { skip: built }, () => {
  const run = checkLayers([]);
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /check-layers: \d+ modules, \d+ imports, \d+ layers/);
  assert.doesNotMatch(run.output, /VIOLATION/);
});

test('a planted upward import and circles are caught; an allow-list with reasons lets them pass', () => {
  const dist = plantTree(PLANTED);
  const empty = path.join(dist, 'empty-allow.txt');
  fs.writeFileSync(empty, '# nothing allowed\n');
  const caught = checkLayers(['--dist', dist, '--allow', empty]);
  assert.equal(caught.status, 1, caught.output);
  const violations = caught.output.split('\n').filter((l) => l.includes('VIOLATION')).map((l) => l.replace(/^\s*VIOLATION: /, ''));
  assert.deepEqual(violations.sort(), [
    'circle cli/b util/a', 'circle experiments/x experiments/y', 'circle reconstruct/p reconstruct/q', 'up util/a -> cli/b',
  ]);
  const allow = path.join(dist, 'allow.txt');
  fs.writeFileSync(allow, violations.map((v) => `${v} | planted by the test`).join('\n'));
  const passed = checkLayers(['--dist', dist, '--allow', allow]);
  assert.equal(passed.status, 0, passed.output);
  assert.match(passed.output, /allowed: up util\/a -> cli\/b \(planted by the test\)/);
});

test('a module outside every layer is named; a stale allow-list line is noted, an error with --strict', () => {
  const dist = plantTree({ 'gizmo/z.js': '', 'util/a.js': '' });
  const allow = path.join(dist, 'allow.txt');
  fs.writeFileSync(allow, 'up util/a -> cli/b | fixed since\n');
  const run = checkLayers(['--dist', dist, '--allow', allow]);
  assert.equal(run.status, 1);
  assert.match(run.output, /VIOLATION: unlayered gizmo\/z/);
  assert.match(run.output, /no longer occurs, delete it from the allow-list: up util\/a -> cli\/b/);
  fs.rmSync(path.join(dist, 'gizmo'), { recursive: true });
  assert.equal(checkLayers(['--dist', dist, '--allow', allow]).status, 0);
  assert.equal(checkLayers(['--dist', dist, '--allow', allow, '--strict']).status, 1);
});

test('an allow-list line without a reason, or an unknown flag, is a usage error naming it', () => {
  const dist = plantTree({ 'util/a.js': '' });
  const allow = path.join(dist, 'allow.txt');
  fs.writeFileSync(allow, 'up util/a -> cli/b\n');
  const bad = checkLayers(['--dist', dist, '--allow', allow]);
  assert.equal(bad.status, 2);
  assert.match(bad.output, /allow\.txt:1: expected "FINDING \| reason"/);
  const flag = checkLayers(['--frobnicate']);
  assert.equal(flag.status, 2);
  assert.match(flag.output, /unknown or incomplete flag "--frobnicate"/);
});

test('the layer table of docs/architecture.md is the LAYERS of the check', () => {
  const { LAYERS } = require(script) as { LAYERS: { name: string; prefixes: string[] }[] };
  const doc = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => ({
    index: Number(m[1]), name: m[2].trim(), prefixes: [...m[3].matchAll(/`([^`]+)`/g)].map((p) => p[1]),
  }));
  assert.deepEqual(rows, LAYERS.map((layer, index) => ({ index, name: layer.name, prefixes: layer.prefixes })));
});

test('lines of lib/ stay under 140 characters, but for the counts scripts/long-lines-allow.txt still lists', () => {
  const lengthCheck = path.join(root, 'scripts', 'check-line-length.js');
  const run = (args: string[]) => spawnSync(process.execPath, [lengthCheck, ...args], { cwd: root, encoding: 'utf8' });
  const here = run([]);
  assert.equal(here.status, 0, here.stdout + here.stderr);
  const planted = plantTree({ 'lib/new-module.ts': `export const x = '${'y'.repeat(140)}';\n` });
  const caught = run(['--root', planted]);
  assert.equal(caught.status, 1, caught.stdout);
  assert.match(caught.stdout, /TOO LONG: lib\/new-module\.ts has 1 lines over 140 characters \(listed 0\)/);
});
