import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findTfjsNode, resolveRequest } from '../lib/engine';
import { ParameterError } from '../lib/util/errors';
import { runLacuna } from './support/cli';

/**
 * Engine choice. Each scenario runs in a child process (a backend, once loaded, stays loaded),
 * with LACUNA_TFJS_NODE pointing at stand-in packages: absent, an alias, present-but-broken,
 * and one that registers a 'tensorflow' backend (built from the CPU kernels, since the native
 * package cannot be installed here) so the "node" path runs for real.
 */

const ROOT = path.resolve(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-engine-'));

function fakePackage(name: string, pkgName: string, main: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: pkgName, version: '9.9.9', main: 'index.js' }));
  fs.writeFileSync(path.join(dir, 'index.js'), main);
  return dir;
}

const BROKEN = fakePackage('broken', '@tensorflow/tfjs-node',
  "throw new Error('libtensorflow.so.2: cannot open shared object file');\n");
const ALIAS = fakePackage('alias', '@tensorflow/tfjs', 'module.exports = {};\n');
const WORKING = fakePackage('working', '@tensorflow/tfjs-node', `
const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs', { paths: [ROOT] }))});
const { MathBackendCPU } = require(${JSON.stringify(require.resolve('@tensorflow/tfjs-backend-cpu', { paths: [ROOT] }))});
tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
`);
const ABSENT = path.join(tmp, 'absent');

const CHILD = path.join(tmp, 'child.ts');
fs.writeFileSync(CHILD, `
import * as tf from ${JSON.stringify(require.resolve('@tensorflow/tfjs', { paths: [ROOT] }))};
import { initEngine, describeEngine } from ${JSON.stringify(path.join(ROOT, 'lib/engine'))};
(async () => {
  const out: unknown[] = [];
  let previous: unknown;
  for (const options of JSON.parse(process.argv[2])) {
    try {
      const info = await initEngine({ ...options, quiet: true });
      const sum = tf.tidy(() => tf.conv1d(tf.ones([1, 8, 1]), tf.ones([3, 1, 2]), 2, 'valid').sum().dataSync()[0]);
      out.push({ ...info, same: info === previous, current: describeEngine()?.name, tfBackend: tf.getBackend(), sum });
      previous = info;
    } catch (err) {
      out.push({ error: (err as Error).name + ': ' + (err as Error).message });
    }
  }
  console.log('RESULT ' + JSON.stringify(out));
})();
`);

type Outcome = { name?: string; backend?: string; reason?: string; error?: string; same?: boolean; inference?: string;
  current?: string; tfBackend?: string; sum?: number; kernelsRegistered?: string[] };

function run(steps: object[], env: Record<string, string> = {}): Outcome[] {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('LACUNA_ENGINE' in env)) delete childEnv.LACUNA_ENGINE;
  if (!('LACUNA_TFJS_NODE' in env)) delete childEnv.LACUNA_TFJS_NODE;
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(steps)],
    { cwd: ROOT, env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `child printed no result:\n${stdout}`);
  return JSON.parse(line.slice(7)) as Outcome[];
}

test('absent tfjs-node: wasm, with the reason and lacuna kernels', () => {
  const [r] = run([{}], { LACUNA_TFJS_NODE: ABSENT });
  assert.equal(r.name, 'wasm');
  assert.equal(r.backend, 'wasm');
  assert.match(r.reason!, /not installed/);
  assert.ok(r.kernelsRegistered!.includes('Conv2DBackpropFilter'));
  assert.equal(r.sum, 18); // conv1d of ones: 3 positions x 2 filters x 3 taps
});

test('present-but-broken tfjs-node: wasm, and the load error is in the reason', () => {
  const [r] = run([{}], { LACUNA_TFJS_NODE: BROKEN });
  assert.equal(r.name, 'wasm');
  assert.match(r.reason!, /failed to load.*libtensorflow\.so\.2: cannot open/);
});

test('an alias named @tensorflow/tfjs is not taken for the native engine', () => {
  const [r] = run([{}], { LACUNA_TFJS_NODE: ALIAS });
  assert.equal(r.name, 'wasm');
  assert.match(r.reason!, /alias/);
  // The project's own node_modules hold danfojs-node's alias unless `npm run accelerate` ran.
  const real = path.join(ROOT, 'node_modules/@tensorflow/tfjs-node/package.json');
  if (fs.existsSync(real) && JSON.parse(fs.readFileSync(real, 'utf8')).name !== '@tensorflow/tfjs-node') {
    const [d] = run([{}]);
    assert.equal(d.name, 'wasm');
    assert.match(d.reason!, /alias/);
  }
});

test('a loadable tfjs-node is chosen by default and explicitly', () => {
  // Without onnxruntime, 'auto' runs inference on tfjs-node too, so asking for node changes nothing.
  const [auto, explicit] = run([{}, { engine: 'node' }], { LACUNA_TFJS_NODE: WORKING, LACUNA_ONNXRUNTIME: ABSENT });
  assert.equal(auto.inference, 'tfjs');
  assert.equal(auto.name, 'node');
  assert.equal(auto.backend, 'tensorflow');
  assert.equal(auto.tfBackend, 'tensorflow');
  assert.equal(auto.sum, 18);
  assert.deepEqual(auto.kernelsRegistered, []);
  assert.equal(explicit.same, true);
});

test('explicit node without tfjs-node: a clear error naming npm run accelerate', () => {
  const [r] = run([{ engine: 'node' }], { LACUNA_TFJS_NODE: ABSENT });
  assert.match(r.error!, /^LacunaError: .*not installed.*npm run accelerate/);
  const [b] = run([{}], { LACUNA_TFJS_NODE: BROKEN, LACUNA_ENGINE: 'node' });
  assert.match(b.error!, /LacunaError: .*failed to load: libtensorflow.*npm run accelerate/);
});

test('explicit choices: option, env var, option over env; idempotent; switching', () => {
  const steps = [{}, {}, { engine: 'wasm' }, { engine: 'cpu' }, {}];
  const r = run(steps, { LACUNA_TFJS_NODE: WORKING, LACUNA_ENGINE: 'cpu' });
  assert.deepEqual(r.map((o) => o.name), ['cpu', 'cpu', 'wasm', 'cpu', 'cpu']);
  assert.deepEqual(r.map((o) => o.tfBackend), ['cpu', 'cpu', 'wasm', 'cpu', 'cpu']);
  assert.deepEqual(r.map((o) => o.same), [false, true, false, false, true]);
  assert.match(r[0].reason!, /LACUNA_ENGINE/);
  assert.ok(r.every((o) => o.sum === 18 && o.current === o.name));
  const [w] = run([{}], { LACUNA_ENGINE: 'wasm', LACUNA_TFJS_NODE: WORKING });
  assert.equal(w.name, 'wasm');
});

test('resolveRequest and findTfjsNode validate in-process', () => {
  assert.deepEqual(resolveRequest(undefined, {}), { engine: 'auto', source: 'default' });
  assert.deepEqual(resolveRequest(undefined, { LACUNA_ENGINE: 'cpu' }), { engine: 'cpu', source: 'LACUNA_ENGINE' });
  assert.deepEqual(resolveRequest('wasm', { LACUNA_ENGINE: 'cpu' }), { engine: 'wasm', source: 'option' });
  assert.throws(() => resolveRequest(undefined, { LACUNA_ENGINE: 'gpu' }), ParameterError);
  assert.throws(() => resolveRequest('tpu', {}), /engine must be one of onnx, node, wasm, cpu/);
  assert.equal(findTfjsNode({ LACUNA_TFJS_NODE: ABSENT }).available, false);
  assert.equal(findTfjsNode({ LACUNA_TFJS_NODE: WORKING }).available, true);
  assert.equal(findTfjsNode({ LACUNA_TFJS_NODE: ALIAS }).available, false);
});

test('CLI: lacuna engine prints the engine and reason; bad --engine is refused', () => {
  // From source: this test runs before any build.
  const options = { fromSource: true, env: { LACUNA_TFJS_NODE: ABSENT, LACUNA_ENGINE: undefined, LACUNA_QUIET: undefined } };
  const out = runLacuna(['engine', '--engine', 'cpu'], options);
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /engine: +cpu/);
  assert.match(out.stdout, /reason: +asked for explicitly/);
  const json = runLacuna(['engine', '--json'], options);
  assert.equal(json.status, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).name, 'wasm');
  const bad = runLacuna(['engine', '--engine', 'gpu'], options);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--engine must be one of/);
});

test('npm run accelerate --dry-run says what it would install and changes nothing', () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/accelerate.js'), '--dry-run'], { cwd: ROOT, encoding: 'utf8' });
  assert.match(out, /npm install --no-save .*@tensorflow\/tfjs-node@4\.22\.0/);
  assert.match(out, /--dry-run: not running it/);
});
