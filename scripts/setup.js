#!/usr/bin/env node
/*
 * `npm run setup`: the system pieces lacuna's notebooks and tests need beyond npm, installed only
 * where missing, so `npm run demo` and `npm test` work as written on a fresh Debian/Ubuntu machine.
 *
 * - Debian packages: Jupyter (nbconvert, client, ipykernel, the classic web UI), Chromium (the
 *   rendered-page and web-UI tests), redis-server (the queue tests). Installed with apt-get, through
 *   sudo when not root. Nothing is downloaded outside the distribution's packages.
 * - The tslab kernel registered with Jupyter.
 *
 * Options: --dry-run (print what would run), --for demo|test (the demo needs Jupyter only, and
 * runs through the CLI without it, so a failed install there is a warning, not an error).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const JUPYTER = ['jupyter-nbconvert', 'jupyter-client', 'python3-ipykernel', 'jupyter-notebook'];
const PACKAGES = { demo: JUPYTER, test: [...JUPYTER, 'chromium', 'redis-server'] };

function parseArgs(argv) {
  const options = { dryRun: false, purpose: 'test' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dry-run') options.dryRun = true;
    else if (argv[i] === '--for' && (argv[i + 1] === 'demo' || argv[i + 1] === 'test')) options.purpose = argv[++i];
    else fail(`unknown option ${argv[i]} (options: --dry-run, --for demo|test)`);
  }
  return options;
}

function fail(message) {
  process.stderr.write(`lacuna setup: ${message}\n`);
  process.exit(1);
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

function run(argv, options, env) {
  process.stdout.write(`lacuna setup: ${argv.join(' ')}\n`);
  if (options.dryRun) return true;
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

/** Installs the missing Debian packages; returns a problem to report, or undefined. */
function installPackages(packages, options) {
  if (!onPath('dpkg-query') || !onPath('apt-get')) {
    return `no apt-get here: install ${packages.join(', ')} with your system's package manager`;
  }
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return undefined;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root && !onPath('sudo')) return `not root and no sudo: install ${missing.join(', ')} as root`;
  const sudo = root ? [] : ['sudo'];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const ok = run([...sudo, 'apt-get', 'update', '-qq'], options, env) &&
    run([...sudo, 'apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing], options, env);
  return ok ? undefined : `apt-get could not install ${missing.join(', ')}`;
}

/** Registers tslab with Jupyter when it is not registered yet; returns a problem, or undefined. */
function registerKernel(options) {
  if (!onPath('jupyter')) return 'jupyter is not installed, so the tslab kernel cannot be registered';
  const specs = spawnSync('jupyter', ['kernelspec', 'list', '--json'], { encoding: 'utf8' });
  try {
    if (JSON.parse(specs.stdout).kernelspecs?.tslab) return undefined;
  } catch {
    // An unreadable list is treated as "not registered": registering again is harmless.
  }
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  if (!fs.existsSync(tslab)) return 'node_modules has no tslab: run `npm ci` first';
  const python = jupyterPython();
  if (!python) return 'no Python on PATH can import jupyter_client, so the tslab kernel cannot be registered';
  return run([tslab, 'install', `--python=${python}`], options) ? undefined : 'tslab install failed';
}

/**
 * The Python that Jupyter itself runs under. `python3` on PATH may be another interpreter
 * (pyenv, a virtualenv) without Jupyter, so the `jupyter` script's own shebang is tried first.
 */
function jupyterPython() {
  const candidates = [];
  const where = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' }).stdout.trim();
  try {
    const shebang = fs.readFileSync(where, 'utf8').split('\n', 1)[0];
    const match = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
    if (match) candidates.push(match[1].endsWith('/env') && match[2] ? match[2] : match[1]);
  } catch {
    // No readable script: fall back to the interpreters on PATH.
  }
  candidates.push('python3', 'python');
  return candidates.find((python) => spawnSync(python, ['-c', 'import jupyter_client'], { stdio: 'ignore' }).status === 0);
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const problems = [installPackages(PACKAGES[options.purpose], options), registerKernel(options)].filter(Boolean);
  if (problems.length === 0) return;
  for (const p of problems) process.stderr.write(`lacuna setup: ${p}\n`);
  if (options.purpose === 'test') process.exit(1);
  process.stderr.write('lacuna setup: the demo goes on and says what it can run without these\n');
}

main();
