import { spawn } from 'child_process';
import { Queue } from 'bullmq';
import type { Command } from '../command';
import { ParameterError } from '../../util/errors';
import { QUEUE_NAME, connectRedis, redactUrl, startWorker } from '../../queue';
import { queueOption, readQueueUrl } from '../flags/queue';

/** Removes every job still waiting (running ones finish); coordinators then report them as gone. */
async function drain(url: string): Promise<void> {
  const connection = await connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const before = await queue.getJobCounts('wait', 'delayed', 'prioritized');
  await queue.drain(true);
  console.log(`queue ${redactUrl(url)}: removed ${Object.values(before).reduce((a, b) => a + b, 0)} waiting job(s)`);
  await queue.close();
  connection.disconnect();
}

/** N workers: N processes (one job each at a time), so each has its own engine and all cores work. */
async function runChildren(count: number, args: string[]): Promise<number> {
  const children = Array.from({ length: count }, () => spawn(process.execPath, [process.argv[1], 'worker', ...args], { stdio: 'inherit' }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { for (const c of children) c.kill(signal); });
  const codes = await Promise.all(children.map((c) => new Promise<number>((resolve) => c.on('exit', (code) => resolve(code ?? 1)))));
  return Math.max(...codes);
}

export const command: Command = {
  summary: 'take units of work (grid folds…) from a Redis queue and run them here; results go back through the queue',
  usage: 'lacuna worker --queue redis://[:PASSWORD@]HOST:PORT[/DB] [--concurrency N] [--lock-seconds S] [--drain]',
  description: `The worker needs this machine's own cache of the dataset the jobs name (\`lacuna data …\` with
the coordinator's dataset flags), finds it by the dataset's name under $LACUNA_DATA_DIR/cache,
and refuses jobs whose dataset fingerprint or lacuna version differs from its own.

As a service: a lost Redis is retried with backoff (0.5 s doubling to 15 s), logged once when it
goes and once when it is back. SIGTERM or Ctrl-C stops it within seconds whatever Redis does; the
running job goes back to the queue (at once when Redis answers, else when its lock expires) and
another worker runs it. Off a terminal it logs each running job's progress and time left every
$LACUNA_PROGRESS_SECONDS (default 30).`,
  options: [{
    title: 'Options',
    options: [
      queueOption('the Redis the coordinator uses (rediss://… for TLS) (required)'),
      {
        name: 'concurrency', type: 'number', integer: true, min: 1, default: 1,
        help: 'jobs run at once, each in its own process (at most one per core)',
      },
      {
        name: 'lock-seconds', type: 'number', value: 'S', unit: 'seconds', min: 1, default: 120,
        help: 'a job whose worker stops answering goes back to the queue after ~2×S\n' +
          '(must exceed the longest pause of this machine\'s event loop)',
      },
      { name: 'drain', type: 'boolean', help: 'remove every waiting job from the queue and exit (running jobs finish)' },
    ],
  }],
  async run(flags) {
    const url = readQueueUrl(flags);
    if (url === undefined) throw new ParameterError('--queue redis://HOST:PORT is required');
    const concurrency = flags.number('concurrency', 1);
    const lockSeconds = flags.number('lock-seconds', 120);
    if (flags.bool('drain')) { await drain(url); return 0; }
    if (concurrency > 1) return runChildren(concurrency, ['--queue', url, '--lock-seconds', String(lockSeconds)]);
    const worker = await startWorker({ url, lockSeconds });
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        // A second signal while handing back: out at once (the job's lock expiry returns it to the queue).
        if (stopping) process.exit(130);
        stopping = true;
        console.log(`worker ${worker.name}: ${signal}: stopping (a running job goes back to the queue for another worker)`);
        worker.close(true, 5000).then(() => { console.log(`worker ${worker.name}: stopped`); resolve(); });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
