/**
 * WAV reading and writing. `wavefile` parses the RIFF container (chunks, fmt fields); the sample
 * bytes of the common encodings are decoded here straight from the file's buffer, because
 * wavefile's generic per-sample unpacking is several times slower and data creation reads
 * thousands of clips.
 */
import * as fs from 'fs';
import { WaveFile } from 'wavefile';
import { AudioData } from '../types';
import { AudioFileError, ParameterError } from '../util/errors';
import { writeFileAtomic } from '../util/atomic';

/** What a WAV file holds, before mixing down. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  /** Bits per sample as stored (8, 16, 24, 32 or 64). */
  bitDepth: number;
  /** 'pcm' (integer) or 'float'. */
  encoding: 'pcm' | 'float';
  /** Frames (samples per channel). */
  frames: number;
}

interface ParsedWav extends WavInfo {
  /** Interleaved sample bytes of the data chunk, little-endian. */
  bytes: Uint8Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

interface WavFmt {
  audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number; blockAlign: number;
  subformat?: number[];
}

/** Parses the container and checks the fields; throws AudioFileError naming `label`. */
function parseWav(buffer: Uint8Array, label: string): ParsedWav {
  if (buffer.length === 0) throw new AudioFileError(label, 'empty file (0 bytes)');
  if (buffer.length < 12) throw new AudioFileError(label, `not a WAV file (only ${buffer.length} bytes)`);
  const magic = String.fromCharCode(...buffer.subarray(0, 4));
  const form = String.fromCharCode(...buffer.subarray(8, 12));
  if (magic !== 'RIFF' || form !== 'WAVE') {
    throw new AudioFileError(label, `not a WAV file (starts with "${magic.replace(/[^\x20-\x7e]/g, '?')}", expected "RIFF....WAVE"; RIFX/RF64 are not supported)`);
  }
  const wav = new WaveFile();
  try {
    // Node Buffers slice as views, so the data chunk is not copied.
    wav.fromBuffer(buffer instanceof Buffer ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  } catch (err) {
    throw new AudioFileError(label, `unreadable WAV header (${(err as Error).message})`);
  }
  const fmt = wav.fmt as unknown as WavFmt;
  const data = wav.data as unknown as { chunkSize: number; samples: Uint8Array };
  let format = fmt.audioFormat;
  if (format === FORMAT_EXTENSIBLE && fmt.subformat) format = fmt.subformat[0];
  const bitDepth = fmt.bitsPerSample;
  const encoding = format === FORMAT_PCM ? 'pcm' : format === FORMAT_FLOAT ? 'float' : undefined;
  if (!encoding) throw new AudioFileError(label, `unsupported WAV encoding (format tag ${fmt.audioFormat}); lacuna reads PCM and IEEE float`);
  const supported = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!supported.includes(bitDepth)) throw new AudioFileError(label, `unsupported ${encoding} bit depth ${bitDepth}; expected one of ${supported.join(', ')}`);
  if (!(fmt.numChannels >= 1)) throw new AudioFileError(label, `invalid channel count ${fmt.numChannels}`);
  if (!(fmt.sampleRate > 0)) throw new AudioFileError(label, `invalid sample rate ${fmt.sampleRate}`);
  const frameBytes = (bitDepth / 8) * fmt.numChannels;
  const declared = data.chunkSize;
  const available = data.samples.length;
  if (declared > available) {
    throw new AudioFileError(label, `truncated WAV: data chunk declares ${declared} bytes but the file holds ${available}`);
  }
  const frames = Math.floor(declared / frameBytes);
  if (frames === 0) throw new AudioFileError(label, 'WAV file holds no samples');
  return {
    sampleRate: fmt.sampleRate, channels: fmt.numChannels, bitDepth, encoding, frames,
    bytes: data.samples.subarray(0, frames * frameBytes),
  };
}

/** Averages interleaved channels of a typed array into `out`, scaling by `scale`. */
function mixTyped(a: ArrayLike<number>, channels: number, scale: number, out: Float32Array): void {
  const frames = out.length;
  if (channels === 1) {
    for (let i = 0; i < frames; i++) out[i] = a[i] * scale;
  } else if (channels === 2) {
    const s = scale / 2;
    for (let f = 0, i = 0; f < frames; f++, i += 2) out[f] = (a[i] + a[i + 1]) * s;
  } else {
    const s = scale / channels;
    for (let f = 0, i = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, i++) sum += a[i];
      out[f] = sum * s;
    }
  }
}

/** Decodes interleaved samples and averages the channels into one mono track in [-1, 1]. */
function decodeMono(w: ParsedWav): Float32Array {
  const { channels, frames, bitDepth, encoding, bytes } = w;
  const out = new Float32Array(frames);
  const n = frames * channels;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Typed-array views need aligned offsets (usual, not guaranteed); otherwise read through DataView.
  const aligned = (size: number): boolean => bytes.byteOffset % size === 0;
  if (encoding === 'float' && bitDepth === 32 && aligned(4)) mixTyped(new Float32Array(bytes.buffer, bytes.byteOffset, n), channels, 1, out);
  else if (encoding === 'pcm' && bitDepth === 16 && aligned(2)) mixTyped(new Int16Array(bytes.buffer, bytes.byteOffset, n), channels, 1 / 32768, out);
  else if (encoding === 'pcm' && bitDepth === 32 && aligned(4)) mixTyped(new Int32Array(bytes.buffer, bytes.byteOffset, n), channels, 1 / 2147483648, out);
  else {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (encoding === 'float') values[i] = bitDepth === 32 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
      else if (bitDepth === 8) values[i] = (bytes[i] - 128) / 128;
      else if (bitDepth === 16) values[i] = view.getInt16(i * 2, true) / 32768;
      else if (bitDepth === 32) values[i] = view.getInt32(i * 4, true) / 2147483648;
      else {
        const b = i * 3;
        values[i] = (((bytes[b] | (bytes[b + 1] << 8) | (bytes[b + 2] << 16)) << 8) >> 8) / 8388608;
      }
    }
    mixTyped(values, channels, 1, out);
  }
  return out;
}

/** Format facts of a WAV held in memory (no sample decoding). */
export function wavInfo(bytes: Uint8Array, label = '<buffer>'): WavInfo {
  const { bytes: _ignored, ...info } = parseWav(bytes, label);
  return info;
}

/**
 * Decodes a WAV held in memory to mono float samples in [-1, 1].
 * Reads 8/16/24/32-bit PCM and 32/64-bit float, any channel count (averaged) and any rate.
 * Throws AudioFileError naming `label` for anything else, and for NaN or infinite samples.
 */
export function decodeWav(bytes: Uint8Array, label = '<buffer>'): AudioData & { info: WavInfo } {
  const parsed = parseWav(bytes, label);
  const samples = decodeMono(parsed);
  // Integer PCM is always finite; only float files can hold NaN or Infinity.
  for (let i = 0; parsed.encoding === 'float' && i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new AudioFileError(label, `non-finite sample (${samples[i]}) at frame ${i}`);
  }
  const { bytes: _ignored, ...info } = parsed;
  return { samples, sampleRate: parsed.sampleRate, info };
}

/** Reads a WAV file as mono audio at its own rate (see decodeWav for the formats). */
export function readWav(file: string): AudioData & { info: WavInfo } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'file not found' : e.code === 'EISDIR' ? 'is a directory' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new AudioFileError(file, `cannot read (${why})`);
  }
  return decodeWav(bytes, file);
}

export interface WavWriteOptions {
  /** 'pcm16' (default) or 'float32'. */
  format?: 'pcm16' | 'pcm24' | 'pcm8' | 'pcm32' | 'float32';
  /** Extra channels to interleave with `samples` (all the same length); default none (mono). */
  extraChannels?: Float32Array[];
}

const FORMAT_LAYOUT: Record<NonNullable<WavWriteOptions['format']>, { bits: number; tag: number }> = {
  pcm8: { bits: 8, tag: FORMAT_PCM }, pcm16: { bits: 16, tag: FORMAT_PCM }, pcm24: { bits: 24, tag: FORMAT_PCM },
  pcm32: { bits: 32, tag: FORMAT_PCM }, float32: { bits: 32, tag: FORMAT_FLOAT },
};

/**
 * Encodes audio as canonical WAV bytes (RIFF, 16-byte fmt chunk, data chunk). PCM samples are
 * clipped to [-1, 1] and rounded; float32 keeps the values. Default 16-bit PCM mono. Written here
 * rather than with wavefile, whose generic packing is ~10–100× slower for whole datasets.
 */
export function encodeWav(audio: AudioData, options: WavWriteOptions = {}): Uint8Array {
  const format = options.format ?? 'pcm16';
  const channels = [audio.samples, ...(options.extraChannels ?? [])];
  if (!(audio.sampleRate > 0 && Number.isInteger(audio.sampleRate))) {
    throw new ParameterError(`sampleRate must be a positive integer, got ${audio.sampleRate}`);
  }
  if (channels.some((c) => c.length !== audio.samples.length)) throw new ParameterError('all channels must have the same length');
  const layout = FORMAT_LAYOUT[format];
  if (!layout) throw new ParameterError(`format must be one of ${Object.keys(FORMAT_LAYOUT).join(', ')}, got "${format}"`);
  const bytesPer = layout.bits / 8;
  const frames = audio.samples.length;
  const blockAlign = bytesPer * channels.length;
  const dataBytes = frames * blockAlign;
  const pad = dataBytes % 2;
  const out = Buffer.alloc(44 + dataBytes + pad);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + dataBytes + pad, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(layout.tag, 20);
  out.writeUInt16LE(channels.length, 22);
  out.writeUInt32LE(audio.sampleRate, 24);
  out.writeUInt32LE(audio.sampleRate * blockAlign, 28);
  out.writeUInt16LE(blockAlign, 32);
  out.writeUInt16LE(layout.bits, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(dataBytes, 40);
  const full = 2 ** (layout.bits - 1);
  let at = 44;
  for (let f = 0; f < frames; f++) {
    for (const ch of channels) {
      const v = ch[f];
      if (format === 'float32') out.writeFloatLE(v, at);
      else {
        const q = Math.min(full - 1, Math.round(Math.max(-1, Math.min(1, v)) * full));
        if (format === 'pcm8') out[at] = q + 128;
        else if (format === 'pcm16') out.writeInt16LE(q, at);
        else if (format === 'pcm24') out.writeIntLE(q, at, 3);
        else out.writeInt32LE(q, at);
      }
      at += bytesPer;
    }
  }
  return out;
}

/** Writes a WAV file atomically (see encodeWav for the options). */
export function writeWav(file: string, audio: AudioData, options: WavWriteOptions = {}): void {
  writeFileAtomic(file, encodeWav(audio, options));
}
