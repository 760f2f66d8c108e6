/**
 * Reads files from a zip archive held in memory — enough for the label list that TFLite model
 * metadata appends to the model file. Parses the end-of-central-directory record and the central
 * directory itself (stored and deflate entries; no zip64, no encryption). Offsets are corrected
 * for archives appended to other data, whose recorded offsets may be relative to the zip's start.
 */
import { inflateRawSync } from 'zlib';
import { ModelError } from '../../util/errors';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  /** Absolute offset of the local header in the buffer. */
  headerOffset: number;
}

/** Entries of the zip archive at the end of `bytes`; [] when there is none. */
export function zipEntries(bytes: Uint8Array, label = '<buffer>'): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The EOCD record is 22 bytes plus a comment of up to 65535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) return [];
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffsetRecorded = view.getUint32(eocd + 16, true);
  const cdStart = eocd - cdSize;
  if (cdStart < 0) throw new ModelError(`${label}: corrupt zip directory (size ${cdSize} before offset ${eocd})`);
  const shift = cdStart - cdOffsetRecorded;
  const entries: ZipEntry[] = [];
  let p = cdStart;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) throw new ModelError(`${label}: corrupt zip central directory at entry ${i}`);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    entries.push({
      name: Buffer.from(bytes.subarray(p + 46, p + 46 + nameLength)).toString('utf8'),
      method: view.getUint16(p + 10, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      headerOffset: view.getUint32(p + 42, true) + shift,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The bytes of one entry, inflated if deflated. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, label = '<buffer>'): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = entry.headerOffset;
  if (h < 0 || h + 30 > bytes.length || view.getUint32(h, true) !== LOCAL) throw new ModelError(`${label}: zip entry "${entry.name}" has no local header at ${h}`);
  const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = inflateRawSync(raw);
  else throw new ModelError(`${label}: zip entry "${entry.name}" uses unsupported compression method ${entry.method}`);
  if (data.length !== entry.size) throw new ModelError(`${label}: zip entry "${entry.name}" is ${data.length} bytes, directory says ${entry.size}`);
  return data;
}

/** Reads the named file from the zip at the end of `bytes` as UTF-8 text, or undefined if absent. */
export function readZipText(bytes: Uint8Array, name: string, label = '<buffer>'): string | undefined {
  const entry = zipEntries(bytes, label).find((e) => e.name === name);
  return entry ? Buffer.from(readZipEntry(bytes, entry, label)).toString('utf8') : undefined;
}
