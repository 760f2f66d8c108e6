import type IORedis from 'ioredis';
import { RECONNECT_MAX_MS, redactUrl } from './connection';

/** Errors that mean the link to Redis is down (retried by the connection), not that an operation failed. */
const LINK_DOWN = new RegExp([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN',
  'Connection is closed', 'connect ETIMEDOUT', "Stream isn't writeable",
].join('|'), 'i');

export function isLinkError(err: Error): boolean {
  return LINK_DOWN.test(err.message);
}

export interface LinkWatch {
  /** Feeds an error from the connection or from BullMQ; link errors are logged once per outage, others every time. */
  error(err: Error): void;
  /** True while Redis is unreachable. */
  readonly down: boolean;
}

/**
 * Says once when the link to Redis goes down and once when it is back, however many times the
 * connection retries in between (a worker left running through an outage logs two lines, not
 * thousands). `who` prefixes every line (`worker lab-b-4242`).
 */
export function watchLink(connection: IORedis, url: string, who: string, log: (line: string) => void): LinkWatch {
  let downSince: number | undefined;
  connection.on('ready', () => {
    if (downSince === undefined) return;
    log(`${who}: Redis at ${redactUrl(url)} is back after ${((Date.now() - downSince) / 1000).toFixed(0)} s; carrying on`);
    downSince = undefined;
  });
  return {
    error(err: Error) {
      if (!isLinkError(err)) { log(`${who}: queue error: ${err.message}`); return; }
      if (downSince !== undefined) return;
      downSince = Date.now();
      log(`${who}: lost Redis at ${redactUrl(url)} (${err.message}); retrying with backoff`
        + ` (every ${RECONNECT_MAX_MS / 1000} s at most), quiet until it is back`);
    },
    get down() { return downSince !== undefined; },
  };
}
