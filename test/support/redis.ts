/**
 * A real redis-server for tests: on a free port, in a temporary folder, without persistence.
 * Missing or failing to start is an error naming the cause — never a silent skip.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface TestRedis {
  port: number;
  url(db?: number): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => { socket.destroy(); resolve(d.toString().startsWith('+PONG')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

/**
 * Resolves once `count` connection attempts have reached `port`, where Redis was, then frees the port:
 * an outage watched, not waited out. Each attempt is accepted and closed at once (a refused one, as on
 * a port nobody listens on, would leave nothing to count), so the client still finds no Redis there.
 */
export async function connectionAttempts(port: number, count: number, timeoutMs = 60_000): Promise<void> {
  let seen = 0;
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((r) => { reached = r; });
  const server = net.createServer((socket) => {
    socket.destroy();
    if (++seen >= count) reached();
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve); });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([enough, new Promise((_, reject) => {
      const late = () => reject(new Error(`${seen} of ${count} connection attempts on port ${port} within ${timeoutMs / 1000} s`));
      timer = setTimeout(late, timeoutMs);
    })]);
  } finally {
    clearTimeout(timer);
    await new Promise((r) => server.close(r));
  }
}

/** Starts redis-server; `port` brings one back on the port of one that was stopped (an outage's end). */
export async function startRedis(onPort?: number, binary = process.env.LACUNA_REDIS_SERVER ?? 'redis-server'): Promise<TestRedis> {
  const port = onPort ?? await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lacuna-redis-'));
  const child: ChildProcess = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
    if (failed) {
      throw new Error(`cannot start ${binary} (${failed.message}): the queue tests need a real Redis — install the redis-server package ` +
        '(apt-get install redis-server) or point LACUNA_REDIS_SERVER at a redis-server binary');
    }
    if (child.exitCode !== null) throw new Error(`${binary} exited with code ${child.exitCode} at start:\n${output}`);
    if (await answersPing(port)) break;
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`${binary} did not answer PING on port ${port} within 10 s:\n${output}`); }
  }
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    async stop() {
      // Idempotent: a killed child has a signalCode and no exitCode, and will never emit 'exit' again.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
