/**
 * Files inside jobs and results. A kind puts a file in its payload as FileBytes (a file of this
 * machine, read only when the job is sent: a study builds all of a step's jobs at once, and R_all's
 * ten jobs would otherwise hold every fold's repairs ten times) or in its result as a Buffer. A job
 * or result whose JSON, files included, is at most inlineBytes() carries them as base64, as it
 * always did; a larger one carries references, and each file travels in chunks of at most
 * chunkBytes() under their own keys (Redis holds at most 512 MB in one value):
 *
 *   lacuna:blob:<sha256>:<i>               a job's file, shared by every job that sends the same bytes
 *   lacuna:result:<job id>:<sha256>:<i>    a result's file, removed once the coordinator stored it
 *
 * Keys expire after BLOB_TTL_SECONDS (a coordinator or worker that dies leaves nothing for good);
 * the coordinator removes its jobs' files when its jobs are done, and puts them back (or renews
 * them) whenever it runs again. The receiving side gets base64 strings (inline) or Buffers (by
 * reference); bytesOf reads either.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import type IORedis from 'ioredis';
import { ParameterError } from '../util/errors';

/** A file of this machine whose bytes a job carries (read when the job is sent). */
export class FileBytes {
  constructor(readonly path: string) {}
}

/** A file as a kind reads it: base64 (inline), a Buffer (by reference), or FileBytes (on the sending side). */
export type Bytes = string | Buffer | FileBytes;

/** A file travelling by reference: its chunks are `<key>:0` … `<key>:<chunks - 1>`. */
export interface BlobRef { $lacunaBlob: string; sha256: string; bytes: number; chunks: number }

/** Seconds a file waits in Redis for its job (or a result's for the coordinator): a week, renewed by every coordinator run. */
export const BLOB_TTL_SECONDS = 7 * 24 * 3600;

/** Redis's largest value (proto-max-bulk-len, 512 MB by default). */
export const MAX_VALUE_BYTES = 512 * 1024 * 1024;

function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isInteger(v) && v >= 1 && v <= MAX_VALUE_BYTES)) {
    throw new ParameterError(`$${name} must be a whole number of bytes from 1 to ${MAX_VALUE_BYTES}; got "${raw}"`);
  }
  return v;
}

/** A job or result whose JSON would be larger carries its files by reference: $LACUNA_QUEUE_INLINE_BYTES, default 8 MiB. */
export function inlineBytes(): number {
  return sizeFromEnv('LACUNA_QUEUE_INLINE_BYTES', 8 * 1024 * 1024);
}

/** Bytes per Redis key of a file by reference: $LACUNA_QUEUE_CHUNK_BYTES, default 64 MiB. */
export function chunkBytes(): number {
  return sizeFromEnv('LACUNA_QUEUE_CHUNK_BYTES', 64 * 1024 * 1024);
}

export function bytesOf(b: Bytes): Buffer {
  if (typeof b === 'string') return Buffer.from(b, 'base64');
  if (b instanceof FileBytes) return fs.readFileSync(b.path);
  return b;
}

const isBlobRef = (v: unknown): v is BlobRef => typeof (v as BlobRef)?.$lacunaBlob === 'string';
const isBytes = (v: unknown): v is Buffer | FileBytes => Buffer.isBuffer(v) || v instanceof FileBytes;
const sizeOf = (b: Buffer | FileBytes) => (Buffer.isBuffer(b) ? b.length : fs.statSync(b.path).size);

/** A copy of `value` with every Buffer or FileBytes (and BlobRef) replaced by what `swap` makes of it. */
async function mapBytes(value: unknown, swap: (b: Buffer | FileBytes | BlobRef) => Promise<unknown>): Promise<unknown> {
  if (isBytes(value) || isBlobRef(value)) return swap(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await mapBytes(v, swap));
    return out;
  }
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await mapBytes(v, swap);
    return out;
  }
  return value;
}

/** What a job or result became for the queue: its JSON value, and the files it sent by reference. */
export interface Packed { value: unknown; refs: BlobRef[]; jsonBytes: number; refBytes: number }

/**
 * `value` as the queue carries it: files inline as base64 when the whole fits in inlineBytes(),
 * else each file stored under `keyOf(sha256)` (content-addressed: a file already there is only
 * renewed) and replaced by its reference. `check` sees the sizes first (JSON besides the files,
 * and the files' bytes when they go by reference) and may throw before anything is stored.
 */
export async function packBytes(
  redis: IORedis, value: unknown, keyOf: (sha256: string) => string,
  check?: (sizes: { jsonBytes: number; refBytes: number; files: number }) => void,
): Promise<Packed> {
  let base64 = 0;
  let raw = 0;
  let files = 0;
  const skeleton = JSON.stringify(await mapBytes(value, async (b) => {
    if (isBlobRef(b)) return b;
    const size = sizeOf(b);
    raw += size;
    files++;
    base64 += 4 * Math.ceil(size / 3);
    return '';
  })) ?? '';
  if (skeleton.length + base64 <= inlineBytes()) {
    check?.({ jsonBytes: skeleton.length + base64, refBytes: 0, files: 0 });
    const inline = await mapBytes(value, async (b) => (isBlobRef(b) ? b : bytesOf(b).toString('base64')));
    return { value: inline, refs: [], jsonBytes: skeleton.length + base64, refBytes: 0 };
  }
  check?.({ jsonBytes: skeleton.length, refBytes: raw, files });
  const refs: BlobRef[] = [];
  const byRef = await mapBytes(value, async (b) => {
    if (isBlobRef(b)) return b;
    const ref = await putBlob(redis, bytesOf(b), keyOf);
    refs.push(ref);
    return ref;
  });
  return { value: byRef, refs, jsonBytes: JSON.stringify(byRef).length, refBytes: refs.reduce((n, r) => n + r.bytes, 0) };
}

/** Stores `data` in chunks under `keyOf(sha256)` (or renews the chunks already there). */
async function putBlob(redis: IORedis, data: Buffer, keyOf: (sha256: string) => string): Promise<BlobRef> {
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const size = chunkBytes();
  const chunks = Math.max(1, Math.ceil(data.length / size));
  const ref: BlobRef = { $lacunaBlob: keyOf(sha256), sha256, bytes: data.length, chunks };
  for (let i = 0; i < chunks; i++) {
    const key = `${ref.$lacunaBlob}:${i}`;
    // Renewed when present (another job sent the same bytes), else written.
    if (await redis.expire(key, BLOB_TTL_SECONDS) === 1) continue;
    await redis.set(key, data.subarray(i * size, (i + 1) * size), 'EX', BLOB_TTL_SECONDS);
  }
  return ref;
}

/** `value` with every reference replaced by its bytes (a Buffer), checked against its sha256; `refs` collects them. */
export async function unpackBytes(redis: IORedis, value: unknown, refs: BlobRef[] = []): Promise<unknown> {
  return mapBytes(value, async (b) => {
    if (!isBlobRef(b)) return b;
    const parts: Buffer[] = [];
    for (let i = 0; i < b.chunks; i++) {
      const part = await redis.getBuffer(`${b.$lacunaBlob}:${i}`);
      if (!part) {
        throw new ParameterError(`a file of ${formatBytes(b.bytes)} sent by reference (${b.$lacunaBlob}) is no longer`
          + ` in Redis (expired after ${BLOB_TTL_SECONDS / 86400} days, or removed): run the coordinator's command again to send it again`);
      }
      parts.push(part);
    }
    const data = Buffer.concat(parts);
    const sha256 = crypto.createHash('sha256').update(data).digest('hex');
    if (data.length !== b.bytes || sha256 !== b.sha256) {
      throw new Error(`${b.$lacunaBlob}: read ${data.length} bytes with sha256 ${sha256.slice(0, 12)},`
        + ` expected ${b.bytes} and ${b.sha256.slice(0, 12)}`);
    }
    refs.push(b);
    return data;
  });
}

/** Removes files sent by reference. */
export async function deleteBlobs(redis: IORedis, refs: readonly BlobRef[]): Promise<void> {
  const keys = [...new Set(refs.flatMap((r) => Array.from({ length: r.chunks }, (_, i) => `${r.$lacunaBlob}:${i}`)))];
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
}

/** Redis's maxmemory in bytes (0: no limit), or undefined when the server does not say. */
export async function redisMaxMemory(redis: IORedis): Promise<number | undefined> {
  const info = await redis.info('memory').catch(() => '');
  const m = /^maxmemory:(\d+)/m.exec(info);
  return m ? Number(m[1]) : undefined;
}

/** `bytes` for a message: `812 kB`, `3.2 GB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1e3)} kB`;
}
