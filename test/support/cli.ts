/**
 * The one way tests run the command line as users do: a child process on the compiled entry
 * point (dist/cli/main.js; `fromSource` runs lib/cli/main.ts through tsx instead, for tests that
 * must work before a build). LACUNA_QUIET=1 unless the caller's env says otherwise.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as path from 'path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const cliEntry = path.join(repoRoot, 'dist', 'cli', 'main.js');
const sourceEntry = path.join(repoRoot, 'lib', 'cli', 'main.ts');

export interface LacunaRunOptions {
  /** Added to (and overriding) the test's own environment. */
  env?: NodeJS.ProcessEnv;
  /** Default: the checkout. */
  cwd?: string;
  /** Milliseconds before the child is killed; default 20 minutes. */
  timeout?: number;
  /** lib/cli/main.ts through tsx, not dist/. */
  fromSource?: boolean;
}

export interface LacunaResult {
  /** Exit code; null when the child was killed (timeout, signal). */
  status: number | null;
  stdout: string;
  stderr: string;
  signal: NodeJS.Signals | null;
}

function command(args: readonly string[], fromSource = false): string[] {
  return fromSource ? ['--import', 'tsx', sourceEntry, ...args] : [cliEntry, ...args];
}

function environment(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, LACUNA_QUIET: '1', ...env };
}

/** `lacuna ...args`, run to its end. */
export function runLacuna(args: readonly string[], options: LacunaRunOptions = {}): LacunaResult {
  const r = spawnSync(process.execPath, command(args, options.fromSource), {
    cwd: options.cwd ?? repoRoot, encoding: 'utf8', env: environment(options.env), timeout: options.timeout ?? 20 * 60 * 1000,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** `lacuna ...args` started in the background (a worker, a coordinator to interrupt); the caller ends it. */
export function startLacuna(args: readonly string[], options: Omit<LacunaRunOptions, 'timeout'> = {}): ChildProcess {
  return spawn(process.execPath, command(args, options.fromSource), { cwd: options.cwd ?? repoRoot, env: environment(options.env) });
}
