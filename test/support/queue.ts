/**
 * What the queue tests share: CLI processes whose output they watch, and a suite's Redis with the
 * processes it started (every one killed, Redis stopped, after the suite).
 */
import { after, before } from 'node:test';
import type { ChildProcess } from 'child_process';
import { repoRoot, startLacuna } from './cli';
import { TestRedis, startRedis } from './redis';

export const root = repoRoot;

export interface Proc { child: ChildProcess; output(): string; waitFor(re: RegExp, ms?: number): Promise<void>; exited: Promise<number> }

/** The compiled CLI with `args`, quiet unless `env` says otherwise; its stdout and stderr collected together. */
export function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = startLacuna(args, { env });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 128 : 1))));
  return {
    child, exited, output: () => out,
    async waitFor(re, ms = 60_000) {
      const end = Date.now() + ms;
      while (!re.test(out)) {
        if (child.exitCode !== null) throw new Error(`process exited before printing ${re}:\n${out}`);
        if (Date.now() > end) throw new Error(`no ${re} within ${ms / 1000} s:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Jobs the workers started (every attempt). */
export function jobsStarted(...workers: Proc[]): number {
  return workers.reduce((n, w) => n + (w.output().match(/\) started$/gm) ?? []).length, 0);
}

/** Jobs of `kind` the workers started at their first attempt. */
export function firstAttempts(kind: string, ...workers: Proc[]): number {
  return workers.reduce((n, w) => n + (w.output().match(new RegExp(`\\(${kind}, attempt 1\\) started`, 'g')) ?? []).length, 0);
}

/**
 * Inside a describe: a redis-server for the suite (its `url(db)` and `port` once `before` has run, then `setup`)
 * and `spawn`, which runs the CLI as `run` does and kills what is still running after the suite.
 */
export function queueSuite(setup?: () => void | Promise<void>): { url(db: number): string; readonly port: number; spawn: typeof run } {
  let redis: TestRedis | undefined;
  const procs: Proc[] = [];
  before(async () => {
    redis = await startRedis();
    await setup?.();
  });
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (redis) await redis.stop();
  });
  return {
    url: (db) => redis!.url(db),
    get port() { return redis!.port; },
    spawn: (args, env = {}) => { const p = run(args, env); procs.push(p); return p; },
  };
}
