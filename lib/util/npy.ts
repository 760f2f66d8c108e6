import * as fs from 'fs';
import { tempPathFor } from './atomic';
import { LacunaError } from './errors';

/**
 * NumPy .npy (format 1.0) for float32 / int32 / uint8 C-order arrays, so Python users can
 * `numpy.load` what lacuna caches. Writing streams rows to a temporary file and renames it at
 * the end, so a dataset larger than one Buffer can be written and a crash never leaves half a file.
 */
export type NpyDtype = 'float32' | 'int32' | 'uint8';
type NpyArray = Float32Array | Int32Array | Uint8Array;

const DESCR: Record<NpyDtype, string> = { float32: '<f4', int32: '<i4', uint8: '|u1' };
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

function headerBytes(shape: number[], dtype: NpyDtype): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Total header length (magic + version + len + dict + newline) must be a multiple of 64.
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

export class NpyWriter {
  private fd: number;
  private readonly tmp: string;
  private written = 0;
  private readonly expected: number;

  constructor(readonly file: string, readonly shape: number[], readonly dtype: NpyDtype = 'float32') {
    this.tmp = tempPathFor(file);
    this.fd = fs.openSync(this.tmp, 'w');
    fs.writeSync(this.fd, headerBytes(shape, dtype));
    this.expected = shape.reduce((a, b) => a * b, 1);
  }

  /** Appends values in C order. */
  write(values: NpyArray): void {
    fs.writeSync(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.written += values.length;
  }

  /** Checks the element count, syncs and renames into place. */
  close(): void {
    if (this.written !== this.expected) {
      this.abort();
      throw new LacunaError(`${this.file}: wrote ${this.written} values, shape needs ${this.expected}`);
    }
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
  }

  abort(): void {
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
    try { fs.unlinkSync(this.tmp); } catch { /* already gone */ }
  }
}

export function writeNpy(file: string, data: NpyArray, shape: number[]): void {
  const dtype: NpyDtype = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'uint8';
  const w = new NpyWriter(file, shape, dtype);
  w.write(data);
  w.close();
}

export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  dataOffset: number;
}

export function readNpyHeader(file: string): NpyHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const pre = Buffer.alloc(12);
    fs.readSync(fd, pre, 0, 12, 0);
    if (!pre.subarray(0, 6).equals(MAGIC)) throw new LacunaError(`${file}: not a .npy file`);
    const major = pre[6];
    const headerLen = major === 1 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    const start = major === 1 ? 10 : 12;
    const text = Buffer.alloc(headerLen);
    fs.readSync(fd, text, 0, headerLen, start);
    const dict = text.toString('latin1');
    const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
    const dtype = (Object.keys(DESCR) as NpyDtype[]).find((k) => DESCR[k] === descr);
    if (!dtype) throw new LacunaError(`${file}: unsupported dtype ${descr}`);
    if (/'fortran_order':\s*True/.test(dict)) throw new LacunaError(`${file}: Fortran order is not supported`);
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1] ?? '';
    const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    return { shape, dtype, dataOffset: start + headerLen };
  } finally {
    fs.closeSync(fd);
  }
}

function allocate(dtype: NpyDtype, n: number): NpyArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

/** Reads rows [rowStart, rowEnd) of an array whose first axis is rows. */
export function readNpyRows(file: string, rowStart?: number, rowEnd?: number): { data: NpyArray; shape: number[] } {
  const h = readNpyHeader(file);
  const rows = h.shape[0] ?? 1;
  const rowSize = h.shape.slice(1).reduce((a, b) => a * b, 1);
  const from = rowStart ?? 0;
  const to = rowEnd ?? rows;
  if (from < 0 || to > rows || from > to) throw new LacunaError(`${file}: rows ${from}..${to} outside 0..${rows}`);
  const out = allocate(h.dtype, (to - from) * rowSize);
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = new Uint8Array(out.buffer);
    const bytesPerRow = rowSize * out.BYTES_PER_ELEMENT;
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), h.dataOffset + from * bytesPerRow + done);
      if (n === 0) throw new LacunaError(`${file}: truncated .npy data`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { data: out, shape: [to - from, ...h.shape.slice(1)] };
}

export function readNpy(file: string): { data: NpyArray; shape: number[] } {
  return readNpyRows(file);
}
