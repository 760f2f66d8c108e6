#!/usr/bin/env node
/**
 * The import-layer check: reads the compiled library, follows every relative require() of
 * dist/**\/*.js (lazy ones inside functions too) and every relative import of the declarations
 * beside them (dist/**\/*.d.ts: the types a module's public signatures use), and reports
 *   (a) a module that imports a module of a higher layer, and
 *   (b) import circles between modules (each strongly connected group of two or more modules).
 * Today's known violations are listed, each with its reason, in scripts/layers-allow.txt; the check
 * fails on anything not listed there. A listed entry that no longer occurs is reported so that it
 * can be deleted (an error with --strict). Type imports that no public signature uses vanish in
 * compilation and are not seen.
 *
 *   node scripts/check-layers.js [--dist DIR] [--allow FILE] [--strict]
 *
 * Exit 0 when clean, 1 on violations, 2 on a usage error. docs/architecture.md explains the layers.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * The layers, lowest first. A module (its path under dist/, without .js) belongs to the layer of the
 * longest prefix that names it: `experiments/study` is above `tuning`, the rest of `experiments`
 * below it, and the type modules of `experiments` and `tuning` (what the figures draw) below `plots`. A module may import its own layer or lower ones, never a higher one.
 */
const LAYERS = [
  { name: 'foundation', prefixes: ['util', 'types'] },
  { name: 'signal and engine', prefixes: ['audio', 'engine'] },
  { name: 'data and models', prefixes: ['data', 'corrupt', 'models'] },
  { name: 'reconstruction', prefixes: ['reconstruct'] },
  { name: 'contracts', prefixes: ['experiments/types', 'tuning/types'] },
  { name: 'figures', prefixes: ['plots'] },
  { name: 'experiments', prefixes: ['experiments'] },
  { name: 'tuning', prefixes: ['tuning'] },
  { name: 'recipes', prefixes: ['experiments/recipe'] },
  { name: 'queue', prefixes: ['queue'] },
  { name: 'study', prefixes: ['experiments/study'] },
  { name: 'notebook', prefixes: ['notebook'] },
  { name: 'command line', prefixes: ['cli'] },
  { name: 'public entry', prefixes: ['index'] },
];

function parseArgs(argv) {
  const root = path.resolve(__dirname, '..');
  const options = { dist: path.join(root, 'dist'), allow: path.join(__dirname, 'layers-allow.txt'), strict: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--strict') options.strict = true;
    else if ((flag === '--dist' || flag === '--allow') && argv[i + 1] !== undefined) options[flag.slice(2)] = path.resolve(argv[++i]);
    else throw new Error(`unknown or incomplete flag "${flag}" (usage: check-layers.js [--dist DIR] [--allow FILE] [--strict])`);
  }
  return options;
}

/** Every .js file under dir, as module names relative to dir without the extension, sorted. */
function listModules(dir) {
  const out = [];
  (function walk(sub) {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.js')) out.push(rel.slice(0, -3));
    }
  })('');
  return out.sort();
}

/** The module a relative require() names, as Node resolves it (file.js, then folder/index.js). */
function resolveModule(modules, from, specifier) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, '');
  if (modules.has(base)) return base;
  if (modules.has(`${base}/index`)) return `${base}/index`;
  return undefined;
}

const REQUIRE = /\brequire\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g;
const TYPE_IMPORT = /\bfrom\s+["'](\.{1,2}\/[^"']*)["']|\bimport\(\s*["'](\.{1,2}\/[^"']*)["']\s*\)/g;

/**
 * The import graph: module → the modules it imports, at run time (its .js) or in its public types
 * (its .d.ts). Relative imports only: packages are outside lacuna.
 */
function importGraph(dist) {
  const names = listModules(dist);
  const modules = new Set(names);
  const graph = new Map();
  for (const name of names) {
    const targets = new Set();
    const add = (specifier) => {
      const target = resolveModule(modules, name, specifier);
      if (target !== undefined && target !== name) targets.add(target);
    };
    for (const match of fs.readFileSync(path.join(dist, `${name}.js`), 'utf8').matchAll(REQUIRE)) add(match[1]);
    const declarations = path.join(dist, `${name}.d.ts`);
    if (fs.existsSync(declarations)) {
      for (const match of fs.readFileSync(declarations, 'utf8').matchAll(TYPE_IMPORT)) add(match[1] ?? match[2]);
    }
    graph.set(name, [...targets].sort());
  }
  return graph;
}

/** The layer index of a module: its longest matching prefix's layer, or -1 when none names it. */
function layerOf(name) {
  let best = { length: -1, layer: -1 };
  LAYERS.forEach((layer, index) => {
    for (const prefix of layer.prefixes) {
      const matches = name === prefix || name.startsWith(`${prefix}/`);
      if (matches && prefix.length > best.length) best = { length: prefix.length, layer: index };
    }
  });
  return best.layer;
}

/** Strongly connected groups of two or more modules (Tarjan), each sorted, in sorted order. */
function circles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  function visit(node) {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const group = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) found.push(group.sort());
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * Every finding as one line in the allow-list's own form:
 *   `up FROM -> TO`        a module importing a higher layer
 *   `circle A B …`         modules that import each other, directly or around a loop
 *   `unlayered MODULE`     a module no layer names (declare its folder in LAYERS)
 */
function findings(graph) {
  const lines = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    if (fromLayer < 0) {
      lines.push(`unlayered ${from}`);
      continue;
    }
    for (const to of targets) if (layerOf(to) > fromLayer) lines.push(`up ${from} -> ${to}`);
  }
  for (const group of circles(graph)) lines.push(`circle ${group.join(' ')}`);
  return lines;
}

/** The allow-list: `FINDING | reason` per line; `#` starts a comment. A reason is required. */
function readAllowList(file) {
  const allowed = new Map();
  if (!fs.existsSync(file)) return allowed;
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [finding, reason] = line.split('|').map((part) => part.trim());
    if (!finding || !reason) throw new Error(`${file}:${i + 1}: expected "FINDING | reason", got "${raw.trim()}"`);
    allowed.set(finding.replace(/\s+/g, ' '), reason);
  });
  return allowed;
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`check-layers: ${err.message}`);
    return 2;
  }
  if (!fs.existsSync(options.dist)) {
    console.error(`check-layers: ${options.dist} does not exist (npm run build first)`);
    return 2;
  }
  let allowed;
  try {
    allowed = readAllowList(options.allow);
  } catch (err) {
    console.error(`check-layers: ${err.message}`);
    return 2;
  }
  const graph = importGraph(options.dist);
  const found = findings(graph);
  const fresh = found.filter((line) => !allowed.has(line));
  const known = found.filter((line) => allowed.has(line));
  const stale = [...allowed.keys()].filter((line) => !found.includes(line));
  const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
  console.log(`check-layers: ${graph.size} modules, ${edges} imports, ${LAYERS.length} layers`);
  for (const line of known) console.log(`  allowed: ${line} (${allowed.get(line)})`);
  for (const line of stale) console.log(`  ${options.strict ? 'error' : 'note'}: no longer occurs, delete it from the allow-list: ${line}`);
  for (const line of fresh) console.log(`  VIOLATION: ${line}`);
  if (fresh.length > 0) {
    const order = LAYERS.map((layer) => layer.prefixes.join(', ')).join(' < ');
    console.log(`check-layers: ${fresh.length} violation(s). Layers, lowest first: ${order}`);
    console.log('  see docs/architecture.md; a known exception goes into scripts/layers-allow.txt with its reason');
  }
  return fresh.length > 0 || (options.strict && stale.length > 0) ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
module.exports = { LAYERS, importGraph, layerOf, circles, findings };
