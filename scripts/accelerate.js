#!/usr/bin/env node
/*
 * `npm run accelerate`: installs the native TensorFlow engine (@tensorflow/tfjs-node) for users
 * with internet access. It cannot be a dependency: its install script downloads libtensorflow
 * from outside the npm registry, and together with danfojs-node's override that aborts a plain
 * `npm install` where that download is impossible. So it is installed on request, without
 * touching package.json (--no-save); a later `npm install` / `npm ci` removes it again, and
 * this script can simply be re-run.
 *
 * Options: --dry-run (print what would run), --force (reinstall even if present).
 * LACUNA_ACCELERATE_SPEC overrides the package spec (used to test the failure path).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SPEC = process.env.LACUNA_ACCELERATE_SPEC || '@tensorflow/tfjs-node@4.22.0';
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const ARGS = ['install', '--no-save', '--no-audit', '--no-fund', SPEC];
const args = new Set(process.argv.slice(2));

/** name@version of the package in node_modules/@tensorflow/tfjs-node, or undefined. */
function installedTfjsNode() {
  const manifest = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json');
  try {
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return `${pkg.name}@${pkg.version}`;
  } catch {
    return undefined;
  }
}

/** Loads tfjs-node in a fresh process; returns undefined on success or the error text. */
function loadCheck() {
  const code = "require('@tensorflow/tfjs-node'); const tf = require('@tensorflow/tfjs'); " +
    "if (!tf.engine().registryFactory.tensorflow) throw new Error('no tensorflow backend registered');";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(0, 6).join('\n');
}

/** The packages lacuna needs anyway must still load after a failed attempt. */
function baseStillLoads() {
  const r = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs'); require('@tensorflow/tfjs-backend-wasm');"],
    { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0;
}

function main() {
  const before = installedTfjsNode();
  console.log(`lacuna accelerate: installs the native engine ${SPEC} into ${path.join(ROOT, 'node_modules')}`);
  console.log(`  currently there: ${before ?? 'nothing'}${before && !before.startsWith('@tensorflow/tfjs-node@') ? ' (an alias from danfojs-node, not the native engine)' : ''}`);
  if (before && before.startsWith('@tensorflow/tfjs-node@') && !args.has('--force') && !loadCheck()) {
    console.log('  already installed and loads: nothing to do (use --force to reinstall).');
    return 0;
  }
  console.log(`  running: ${NPM} ${ARGS.join(' ')}`);
  console.log('  (its install script downloads libtensorflow, about 100 MB, from outside the npm registry)');
  if (args.has('--dry-run')) {
    console.log('  --dry-run: not running it.');
    return 0;
  }
  const baseBefore = baseStillLoads();
  const r = spawnSync(NPM, ARGS, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\nlacuna accelerate: the install failed (${r.error ? r.error.message : `npm exit code ${r.status}`}).`);
    console.error('  Usual cause: no internet access for the libtensorflow download (a proxy needs HTTPS_PROXY),');
    console.error('  or no prebuilt binary for this platform / Node version.');
    if (baseStillLoads()) console.error('  @tensorflow/tfjs and the wasm backend still load: lacuna keeps running on WebAssembly.');
    else if (baseBefore) console.error('  WARNING: @tensorflow/tfjs no longer loads; run `npm install` to restore node_modules.');
    else console.error('  (@tensorflow/tfjs was not installed here before either: run `npm install` first.)');
    return 1;
  }
  const failure = loadCheck();
  if (failure) {
    console.error(`\nlacuna accelerate: installed ${installedTfjsNode()}, but it does not load:\n${failure}`);
    console.error('  lacuna will report this and use the WebAssembly engine. Remove it with `npm install`.');
    return 1;
  }
  console.log(`\nlacuna accelerate: ${installedTfjsNode()} installed and loads. \`npx lacuna engine\` should now say "node".`);
  console.log('  Note: a later `npm install` or `npm ci` removes it (it is not in package.json); re-run this then.');
  return 0;
}

process.exitCode = main();
