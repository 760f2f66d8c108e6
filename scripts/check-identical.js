#!/usr/bin/env node
/**
 * The byte-identity proof of a refactor: runs the same small experiments with two checkouts of lacuna
 * and compares every result file they wrote.
 *
 *   node scripts/check-identical.js BEFORE AFTER [--output DIR] [--no-build] [--reuse]
 *
 * BEFORE and AFTER are checkout folders (each with node_modules). Unless --no-build, each is built first
 * (`npm run build --silent` in it). Each then runs, with its data cache and outputs under
 * DIR/<before|after>/ (default DIR: a new folder in the system's temporary folder):
 *   lacuna grid  --size tiny --folds 1,2 --gap-lengths 1000 --modes C_all --loss-rates 0.1
 *                     (NC; trained and tested on 1000-sample single gaps, multiple gaps, 10 % packet loss)
 *   lacuna study --size tiny --quick
 *                     (both models: grid NC/C_ts, reconstruction by zero/linear/ar/exemplar, R_ts, headline)
 * about 4 + 5 minutes per side on 2 busy cores. YAMNet comes from $LACUNA_YAMNET (required).
 * --reuse keeps a side's results when its folder already has them (runs are resumable: the second run of a
 * command is seconds), e.g. to compare many AFTERs against one BEFORE.
 *
 * Both sides read the same source audio: the built-in set that BEFORE generates is copied to AFTER's data folder with its
 * file times (the data cache's fingerprint includes them), so that AFTER builds its own cache from identical inputs.
 *
 * Every file under each side's outputs/ and data/cache/ (fold JSONs, config.json, CSVs, .npy
 * reconstructions, manifests, the dataset cache) is compared byte for byte. A file that differs only in the
 * side's own folder (absolute paths that config.json and manifests record) is counted apart; so is one that differs
 * only in wall-clock fields (JSON keys and CSV columns whose name says seconds or time, timestamps like finishedAt,
 * created), with those fields listed: they measure this machine's speed, not a result. Anything else that differs,
 * or exists on one side only, is a failure. Rendered pages (*.html) embed figures with timings and are
 * skipped. Exit 0 when every result is identical.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

/** The commands both sides run, in the declared grammar's names (issue 22). */
const RUNS = [
  ['grid', '--size', 'tiny', '--folds', '1,2', '--gap-lengths', '1000', '--modes', 'C_all', '--loss-rates', '0.1'],
  ['study', '--size', 'tiny', '--quick'],
];

/** A checkout from before the declared grammar (no renamed-flags table) takes the old names of the flags RUNS uses. */
const OLD_NAMES = { '--gap-lengths': '--lengths' };
function argsFor(checkout, args) {
  const declared = fs.existsSync(path.join(checkout, 'dist', 'cli', 'flags', 'renamed.js'));
  return declared ? args : args.map((arg) => OLD_NAMES[arg] ?? arg);
}

/** Keys and CSV columns that hold wall-clock measurements or timestamps, not results. */
const TIMING_NAME = /seconds|time|elapsed|duration_ms|^ms$/i;
const TIMESTAMP_NAME = /(At|_at)$|^created$/;
const isTiming = (name) => TIMING_NAME.test(name) || TIMESTAMP_NAME.test(name);
const SKIP = /\.html$/;

function parseArgs(argv) {
  const options = { sides: [], output: undefined, build: true, reuse: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--reuse') options.reuse = true;
    else if (arg === '--output' && argv[i + 1] !== undefined) options.output = path.resolve(argv[++i]);
    else if (arg.startsWith('--')) throw new Error(`unknown flag "${arg}"`);
    else options.sides.push(path.resolve(arg));
  }
  if (options.sides.length !== 2) throw new Error('expected two checkout folders, BEFORE and AFTER');
  for (const side of options.sides) {
    if (!fs.existsSync(path.join(side, 'package.json'))) throw new Error(`${side} is not a lacuna checkout (no package.json)`);
  }
  if (!process.env.LACUNA_YAMNET || !fs.existsSync(process.env.LACUNA_YAMNET)) {
    throw new Error('set LACUNA_YAMNET to the YAMNet .tflite file (the study runs both models)');
  }
  options.output ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-identical-'));
  return options;
}

/** Gives AFTER the source audio BEFORE generated (everything in data/ but the cache), file times kept. */
function shareSourceAudio(beforeDir, afterDir) {
  const from = path.join(beforeDir, 'data');
  if (!fs.existsSync(from)) return;
  for (const entry of fs.readdirSync(from)) {
    const target = path.join(afterDir, 'data', entry);
    if (entry === 'cache' || fs.existsSync(target)) continue;
    fs.cpSync(path.join(from, entry), target, { recursive: true, preserveTimestamps: true });
  }
}

function run(checkout, dir) {
  const env = { ...process.env, LACUNA_DATA_DIR: path.join(dir, 'data'), LACUNA_OUTPUT_DIR: path.join(dir, 'outputs') };
  for (const declaredArgs of RUNS) {
    const args = argsFor(checkout, declaredArgs);
    const started = Date.now();
    process.stdout.write(`  ${path.basename(checkout)}: lacuna ${args.join(' ')} … `);
    const log = path.join(dir, `${args[0]}.log`);
    const out = fs.openSync(log, 'a');
    try {
      execFileSync(process.execPath, [path.join(checkout, 'dist', 'cli', 'main.js'), ...args], { cwd: dir, env, stdio: ['ignore', out, out] });
    } catch {
      throw new Error(`lacuna ${args.join(' ')} failed with ${checkout}; its output is in ${log}`);
    } finally {
      fs.closeSync(out);
    }
    console.log(`${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

/** Result files under a side's folder, relative to it, sorted (logs and pages left out). */
function resultFiles(dir) {
  const out = [];
  for (const top of ['outputs', 'data/cache']) {
    (function walk(rel) {
      const abs = path.join(dir, rel);
      if (!fs.existsSync(abs)) return;
      for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
        const child = `${rel}/${entry.name}`;
        if (entry.isDirectory()) walk(child);
        else if (!SKIP.test(entry.name)) out.push(child);
      }
    })(top);
  }
  return out.sort();
}

/** A JSON value without its timing keys, and the key paths removed. */
function withoutTiming(value, at, removed) {
  if (Array.isArray(value)) return value.map((v, i) => withoutTiming(v, `${at}[${i}]`, removed));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      if (isTiming(key) && (typeof v === 'number' || typeof v === 'string')) removed.add(key);
      else out[key] = withoutTiming(v, `${at}.${key}`, removed);
    }
    return out;
  }
  return value;
}

function csvWithoutTiming(text, removed) {
  const rows = text.split('\n').map((line) => line.split(','));
  const drop = new Set(rows[0].flatMap((name, i) => (isTiming(name) ? [i] : [])));
  for (const i of drop) removed.add(rows[0][i]);
  return rows.map((row) => row.filter((_, i) => !drop.has(i)).join(',')).join('\n');
}

/**
 * 'same' (bytes); 'paths' (the same once each side's own folder, which files such as config.json record, reads
 * `<output>`); 'timing' (also the same once wall-clock fields are removed; with their names); or 'differs'.
 */
function compare(a, b, file, dirs) {
  const left = fs.readFileSync(a);
  const right = fs.readFileSync(b);
  if (left.equals(right)) return { verdict: 'same' };
  if (!/\.(json|csv|txt)$/.test(file)) return { verdict: 'differs' };
  const [leftText, rightText] = [left, right].map((buf, i) => buf.toString('utf8').split(dirs[i]).join('<output>'));
  if (leftText === rightText) return { verdict: 'paths' };
  const removed = new Set();
  let equal = false;
  if (file.endsWith('.json')) {
    try {
      const strip = (text) => JSON.stringify(withoutTiming(JSON.parse(text), '', removed));
      equal = strip(leftText) === strip(rightText);
    } catch { equal = false; }
  } else if (file.endsWith('.csv')) {
    equal = csvWithoutTiming(leftText, removed) === csvWithoutTiming(rightText, removed);
  }
  return equal && removed.size ? { verdict: 'timing', fields: [...removed].sort() } : { verdict: 'differs' };
}

function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`check-identical: ${err.message}\nusage: check-identical.js BEFORE AFTER [--output DIR] [--no-build] [--reuse]`);
    return 2;
  }
  const names = ['before', 'after'];
  console.log(`check-identical: ${options.sides.join(' vs ')} → ${options.output}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    options.sides.forEach((checkout, i) => {
      if (options.build) execFileSync('npm', ['run', 'build', '--silent'], { cwd: checkout, stdio: 'inherit' });
      const dir = path.join(options.output, names[i]);
      if (!options.reuse) fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      if (i === 1) shareSourceAudio(path.join(options.output, names[0]), dir);
      run(checkout, dir);
    });
  } catch (err) {
    console.error(`\ncheck-identical: ${err.message}`);
    return 1;
  }
  const [before, after] = names.map((name) => path.join(options.output, name));
  const files = [...new Set([...resultFiles(before), ...resultFiles(after)])].sort();
  const counts = { same: 0, paths: 0, timing: 0, differs: 0, missing: 0 };
  const timingFields = new Set();
  for (const file of files) {
    const a = path.join(before, file);
    const b = path.join(after, file);
    if (!fs.existsSync(a) || !fs.existsSync(b)) {
      counts.missing++;
      console.log(`  ONLY IN ${fs.existsSync(a) ? 'BEFORE' : 'AFTER'}: ${file}`);
      continue;
    }
    const result = compare(a, b, file, [before, after]);
    counts[result.verdict]++;
    if (result.verdict === 'timing') for (const field of result.fields) timingFields.add(field);
    if (result.verdict === 'differs') console.log(`  DIFFERS: ${file}`);
  }
  const ok = counts.differs === 0 && counts.missing === 0 && files.length > 0;
  console.log(`check-identical: ${files.length} files: ${counts.same} byte-identical, ${counts.paths} identical but for the side's own folder, ` +
    `${counts.timing} identical but for that and wall-clock fields` +
    `${timingFields.size ? ` (${[...timingFields].join(', ')})` : ''}, ${counts.differs} differ, ${counts.missing} on one side only → ${ok ? 'IDENTICAL' : 'NOT IDENTICAL'}`);
  return ok ? 0 : 1;
}

if (require.main === module) process.exitCode = main();
