/**
 * lacuna's one public entry (lib/index.ts → dist/index.js): notebooks import only it, and it brings
 * every name of the modules it re-exports whole, each bound to that module's own value. CommonJS
 * `export *` keeps the first binding of a name and drops later ones without a word, so two modules
 * exporting one name (as `runStudy` in experiments and tuning) would otherwise lose one silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const entrySource = fs.readFileSync(path.join(root, 'lib', 'index.ts'), 'utf8');
const built = fs.existsSync(path.join(root, 'dist', 'index.js')) ? false : 'dist/ is not built (npm run build)';

/** The source of every code cell of a notebook. */
function codeCells(notebook: string): string[] {
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8')) as { cells: { cell_type: string; source: string[] | string }[] };
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/** Module specifiers a piece of TypeScript imports or requires. */
function specifiers(code: string): string[] {
  const pattern = /\bfrom\s+['"]([^'"]+)['"]|\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g;
  return [...code.matchAll(pattern)].map((m) => m[1] ?? m[2]);
}

test('every notebook imports lacuna only through its entry, ../dist', () => {
  const dir = path.join(root, 'notebooks');
  const notebooks = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb'));
  assert.ok(notebooks.length >= 7, 'the notebooks are found');
  for (const name of notebooks) {
    const used = codeCells(path.join(dir, name)).flatMap(specifiers);
    const local = used.filter((s) => s.startsWith('.') || s.startsWith('/'));
    assert.ok(local.length > 0, `${name} imports lacuna`);
    assert.deepEqual(local.filter((s) => s !== '../dist'), [], `${name} reaches past the entry`);
  }
});

test('the check sees a deep import in a code cell', () => {
  const cell = "import { Rng } from '../dist/util/rng';\nconst m = require('../dist/experiments/study');";
  assert.deepEqual(specifiers(cell), ['../dist/util/rng', '../dist/experiments/study']);
});

test('the entry re-exports each whole module without dropping or shadowing a name', { skip: built }, () => {
  const entry = require(path.join(root, 'dist')) as Record<string, unknown>;
  const starred = [...entrySource.matchAll(/^export \* from '\.\/([^']+)';$/gm)].map((m) => m[1]);
  assert.ok(starred.length >= 10, `the entry re-exports the folders (${starred.join(', ')})`);
  const firstOwner = new Map<string, string>();
  for (const mod of starred) {
    const exported = require(path.join(root, 'dist', mod)) as Record<string, unknown>;
    for (const name of Object.keys(exported)) {
      const other = firstOwner.get(name);
      assert.ok(other === undefined || exported[name] === entry[name], `"${name}" is exported by both ${other} and ${mod}`);
      firstOwner.set(name, other ?? mod);
      assert.ok(name in entry, `the entry drops ${mod}'s "${name}"`);
      assert.equal(entry[name], exported[name], `the entry's "${name}" is not ${mod}'s`);
    }
  }
});

test('the two studies keep their own names: runStudy is the full study, runTuningStudy the tuning one', { skip: built }, () => {
  const entry = require(path.join(root, 'dist')) as Record<string, unknown>;
  const study = require(path.join(root, 'dist', 'experiments', 'study')) as Record<string, unknown>;
  const tuning = require(path.join(root, 'dist', 'tuning')) as Record<string, unknown>;
  assert.equal(typeof entry.runStudy, 'function');
  assert.equal(entry.runStudy, study.runStudy);
  assert.equal(entry.runTuningStudy, tuning.runStudy);
  assert.notEqual(entry.runStudy, entry.runTuningStudy);
});
