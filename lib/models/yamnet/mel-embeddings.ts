/**
 * YAMNet embeddings from mel spectrograms instead of waveforms, for audio that exists as a
 * spectrogram (a reconstruction method's repaired mel power spectrogram): [frames, 64] per clip →
 * log(x + 0.001) → 96 x 64 patches with hop 48 → YAMNet's body without its waveform front end →
 * [N, patches, 1024]. Cached and resumed exactly as the waveform embeddings (embeddings.ts), under
 * a key over the spectrogram values, their scale and the model.
 *
 *   const mels = repaired.map((r) => r.mel);                       // lib/reconstruct MelPower, 432 x 64 each
 *   const e = await cachedMelEmbeddings(yamnet, mels, cacheDir, { scale: 'power' });   // [N, 8, 1024]
 */
import * as crypto from 'crypto';
import { check } from '../../util/errors';
import { PATCH_BANDS } from './network';
import { patchCount } from './frontend';
import type { MelScale } from './frontend';
import type { Yamnet } from './model';
import { CachedEmbeddings, EmbedOptions, EmbedSource, cachedSource, embedAll } from './embeddings';

/** One clip's spectrogram, frame-major (the shape of lib/reconstruct's MelPower). */
export interface MelClip {
  data: Float32Array;
  frames: number;
  nMels: number;
}

/** Clips of equal length one after another: [clips, frames, 64]. */
export interface MelStack {
  data: Float32Array;
  frames: number;
}

export interface MelEmbedOptions extends Omit<EmbedOptions, 'scaling' | 'minMax'> {
  /**
   * What the spectrogram values are: `magnitude` (YAMNet's own front end: the same embeddings as
   * the waveform path) or `power` (the reference's recipe for repaired spectrograms). No default:
   * the two give different embeddings, so callers say which they hold.
   */
  scale: MelScale;
}

const MEL_FRONTEND = { nMels: PATCH_BANDS, logOffset: 0.001, patchFrames: 96, patchHop: 48, negativeAs: 0 };

/** Stacks per-clip spectrograms (all [frames, 64], same frames) into one array. */
export function stackMels(clips: readonly MelClip[]): MelStack {
  check(clips.length > 0, 'no spectrograms to embed');
  const frames = clips[0].frames;
  const out = new Float32Array(clips.length * frames * PATCH_BANDS);
  clips.forEach((c, i) => {
    check(c.nMels === PATCH_BANDS, `spectrogram ${i} has ${c.nMels} mel bands; YAMNet takes ${PATCH_BANDS}`);
    check(c.frames === frames, `spectrogram ${i} has ${c.frames} frames, the first has ${frames}; embed clips of one length together`);
    check(c.data.length === c.frames * c.nMels, `spectrogram ${i} holds ${c.data.length} values, not frames x mels = ${c.frames * c.nMels}`);
    out.set(c.data, i * frames * PATCH_BANDS);
  });
  return { data: out, frames };
}

function melSource(mels: MelStack | readonly MelClip[], scale: MelScale): EmbedSource {
  const stack = Array.isArray(mels) ? stackMels(mels as readonly MelClip[]) : (mels as MelStack);
  const clipValues = stack.frames * PATCH_BANDS;
  check(scale === 'magnitude' || scale === 'power', `scale must be "magnitude" or "power", got "${String(scale)}"`);
  check(Number.isInteger(stack.frames) && stack.frames >= 96, `a spectrogram needs at least one patch (96 frames), got ${stack.frames}`);
  check(stack.data.length > 0 && stack.data.length % clipValues === 0, `spectrograms (${stack.data.length} values) must be a whole number of clips of ${stack.frames} x ${PATCH_BANDS}`);
  return { values: stack.data, clipValues, patchesPerClip: patchCount(stack.frames, 'frames'), settings: { source: 'mel', frames: stack.frames, scale } };
}

/** sha256 of the spectrogram values and everything their embeddings depend on. */
export function melEmbeddingKey(mels: MelStack, modelSha256: string, scale: MelScale): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ source: 'mel', frames: mels.frames, scale, modelSha256, MEL_FRONTEND }));
  h.update(new Uint8Array(mels.data.buffer, mels.data.byteOffset, mels.data.byteLength));
  return h.digest('hex');
}

/** Embeddings of every spectrogram, no caching: [N * patches * 1024]. */
export async function embedMelSpectrograms(model: Yamnet, mels: MelStack | readonly MelClip[], options: MelEmbedOptions): Promise<Float32Array> {
  return embedAll(model, melSource(mels, options.scale), { ...options, label: options.label ?? 'yamnet embeddings (spectrograms)' });
}

/**
 * Embeddings of every spectrogram, cached under `cacheDir/<key>/` like cachedEmbeddings
 * (embeddings.npy [N, patches, 1024] + manifest.json; reused when complete, resumed by parts).
 */
export async function cachedMelEmbeddings(model: Yamnet, mels: MelStack | readonly MelClip[], cacheDir: string, options: MelEmbedOptions): Promise<CachedEmbeddings> {
  const source = melSource(mels, options.scale);
  const stack = { data: source.values, frames: source.clipValues / PATCH_BANDS };
  const key = melEmbeddingKey(stack, model.file.sha256, options.scale);
  return cachedSource(model, source, cacheDir, key, {
    kind: 'lacuna-yamnet-mel-embeddings', scale: options.scale, frames: stack.frames, frontend: MEL_FRONTEND,
  }, { ...options, label: options.label ?? 'yamnet embeddings (spectrograms)' });
}
