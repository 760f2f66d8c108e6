import IORedis from 'ioredis';
import { ParameterError } from '../util/errors';

/** Queue name inside Redis (keys `bull:lacuna:*`): every lacuna coordinator and worker meet here. */
export const QUEUE_NAME = 'lacuna';

/** Checks a `--queue` URL: redis://[:password@]HOST:PORT[/DB] or rediss://… (TLS). */
export function checkQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ParameterError(`--queue must be a URL like redis://HOST:6379[/DB] or rediss://…; got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ParameterError(`--queue must start with redis:// or rediss:// (TLS); got "${redactUrl(url)}"`);
  }
  if (!parsed.hostname) throw new ParameterError(`--queue names no host: "${redactUrl(url)}"`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new ParameterError(`--queue: the database after the port must be a number; got "/${db}"`);
  return url;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

/** Longest wait between two reconnection attempts to a lost Redis, in ms. */
export const RECONNECT_MAX_MS = 15_000;

/**
 * Delay before reconnection attempt `attempt` (1, 2, …): 0.5 s doubling up to RECONNECT_MAX_MS,
 * so a Redis down for an hour costs a few hundred attempts, not one a second.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_MS, 500 * 2 ** Math.min(attempt - 1, 10));
}

/**
 * Connects to Redis, failing within `timeoutMs` with a message naming the URL (ioredis would
 * otherwise retry silently forever). Once connected, a lost link is retried with backoff
 * (reconnectDelayMs). BullMQ workers need maxRetriesPerRequest null.
 */
export async function connectRedis(url: string, timeoutMs = 10_000): Promise<IORedis> {
  checkQueueUrl(url);
  const connection = new IORedis(url, {
    maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: reconnectDelayMs,
  });
  let lastError: Error | undefined;
  connection.on('error', (err: Error) => { lastError = err; });
  try {
    await Promise.race([
      connection.connect().then(() => connection.ping()),
      new Promise((_, reject) => setTimeout(() => reject(lastError ?? new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
  } catch (err) {
    connection.disconnect();
    throw new ParameterError(`--queue ${redactUrl(url)}: cannot use Redis there: ${(err as Error).message}`);
  }
  return connection;
}
