/**
 * YAMNet's waveform front end: pad_waveform, then lacuna's log-mel spectrogram
 * (lib/audio/spectral, YAMNet defaults), then 96-frame patches with hop 48. Also reads the front
 * end's own constants (Hann window, mel matrix, log offset) out of the TFLite graph, so tests can
 * compare lacuna's front end with the one the official model computes.
 */
import { check, ModelError } from '../../util/errors';
import { frameCount, logMelSpectrogram, padForPatches, paddedLength, patches } from '../../audio/spectral';
import { TfliteModel, tensorValues } from './tflite';

export const YAMNET_SAMPLE_RATE = 16000;

/** YAMNet's framing: 400-sample frames with hop 160, 96-frame patches with hop 48. */
const WINDOW_SAMPLES = 400;
const HOP_SAMPLES = 160;
const PATCH_FRAMES = 96;
const PATCH_HOP_FRAMES = 48;
const PATCH_VALUES = PATCH_FRAMES * 64;
/** Samples one patch reads (15600) and between the first samples of two patches (7680). */
export const PATCH_SPAN_SAMPLES = (PATCH_FRAMES - 1) * HOP_SAMPLES + WINDOW_SAMPLES;
export const PATCH_HOP_SAMPLES = PATCH_HOP_FRAMES * HOP_SAMPLES;

/** Log-mel patches of a 16 kHz waveform in [-1, 1]: [patches, 96, 64] row-major. */
export function waveformToPatches(samples: Float32Array): { data: Float32Array; patches: number } {
  check(samples.length > 0, 'waveform is empty');
  const spec = logMelSpectrogram(padForPatches(samples));
  const p = patches(spec);
  return { data: p.data, patches: p.patches };
}

/**
 * Log-mel patches `selected` (ascending patch indices) of a 16 kHz waveform in [-1, 1]:
 * [selected.length, 96, 64], each bit for bit the patch waveformToPatches(samples) gives (a frame
 * depends only on its own 400 samples). A run of consecutive patches shares one spectrogram, so a
 * few patches cost a few patches' frames, not the clip's.
 */
export function waveformPatchesAt(samples: Float32Array, selected: readonly number[]): Float32Array {
  check(samples.length > 0, 'waveform is empty');
  const padded = padForPatches(samples);
  const total = patchCount(samples.length);
  const out = new Float32Array(selected.length * PATCH_VALUES);
  for (let k = 0; k < selected.length;) {
    let last = k;
    while (last + 1 < selected.length && selected[last + 1] === selected[last] + 1) last++;
    const first = selected[k];
    check(Number.isInteger(first) && first >= 0 && selected[last] < total && (k === 0 || first > selected[k - 1]),
      `patch indices must ascend within 0..${total - 1}, got ${selected.join(',')}`);
    const span = padded.subarray(first * PATCH_HOP_SAMPLES, selected[last] * PATCH_HOP_SAMPLES + PATCH_SPAN_SAMPLES);
    out.set(patches(logMelSpectrogram(span)).data, k * PATCH_VALUES);
    k = last + 1;
  }
  return out;
}

/**
 * The patches (of `patchesPerClip`) whose input a change of frames [fromFrame, toFrame) reaches:
 * [first, last], or undefined when the range is empty or past the last patch.
 */
export function patchesOfFrames(fromFrame: number, toFrame: number, patchesPerClip: number): { first: number; last: number } | undefined {
  // Patch p reads frames [48p, 48p + 96).
  const first = Math.max(0, Math.floor((fromFrame - PATCH_FRAMES) / PATCH_HOP_FRAMES) + 1);
  const last = Math.min(patchesPerClip - 1, Math.floor((toFrame - 1) / PATCH_HOP_FRAMES));
  return toFrame > fromFrame && first <= last ? { first, last } : undefined;
}

/**
 * The patches (of `patchesPerClip`) whose input a change of samples [from, to) reaches, with the
 * STFT window's overhang: a sample is read by every frame whose 400-sample window holds it, up to
 * 399 samples after the frame's start. [first, last], or undefined.
 */
export function patchesOfSamples(from: number, to: number, patchesPerClip: number): { first: number; last: number } | undefined {
  // Frame f reads samples [160f, 160f + 400).
  const fromFrame = Math.max(0, Math.floor((from - WINDOW_SAMPLES) / HOP_SAMPLES) + 1);
  const toFrame = Math.floor((to - 1) / HOP_SAMPLES) + 1;
  return to > from ? patchesOfFrames(fromFrame, toFrame, patchesPerClip) : undefined;
}

/**
 * Patches per clip: of `length` samples after YAMNet's padding (8 for 64000, 1 for 15600), or
 * of `length` spectrogram frames (`unit` 'frames': 8 for 432).
 */
export function patchCount(length: number, unit: 'samples' | 'frames' = 'samples'): number {
  const frames = unit === 'frames' ? length : frameCount(paddedLength(length), 400, 160);
  return frameCount(frames, 96, 48);
}

/**
 * What a mel spectrogram handed to YAMNet's body holds.
 * - `magnitude`: mel-weighted STFT magnitudes, what YAMNet's own front end computes
 *   (melSpectrogram(padForPatches(x)) of lib/audio/spectral); gives the waveform path's embeddings.
 * - `power`: mel-weighted |X|², what the reconstruction methods repair (lib/reconstruct MelPower).
 *   log(power + 0.001) is the reference study's recipe; it is not the feature YAMNet was trained
 *   on (a power is roughly a squared magnitude, so its log is about twice as large), and its
 *   embeddings differ from the waveform path's even for clean clips.
 */
export type MelScale = 'magnitude' | 'power';

const LOG_OFFSET = 0.001;

/**
 * YAMNet's patches from a mel spectrogram [frames, 64]: log(x + 0.001), then 96-frame patches
 * with hop 48. Values below zero (a generator's overshoot; a spectrogram has none) count as 0.
 * `scale` is recorded by callers; the arithmetic is the same for both (the reference's recipe).
 */
export function melToPatches(mel: Float32Array, frames: number, scale: MelScale): { data: Float32Array; patches: number } {
  check(scale === 'magnitude' || scale === 'power', `mel scale must be "magnitude" or "power", got "${String(scale)}"`);
  check(Number.isInteger(frames) && frames >= 96 && mel.length === frames * 64, `a mel spectrogram must be [frames >= 96, 64], got ${mel.length} values for ${frames} frames`);
  const logged = new Float32Array(mel.length);
  for (let i = 0; i < mel.length; i++) logged[i] = Math.log((mel[i] > 0 ? mel[i] : 0) + LOG_OFFSET);
  const p = patches({ data: logged, frames, nMels: 64 });
  return { data: p.data, patches: p.patches };
}

/** The front end constants stored in the TFLite graph (float32, as the official model uses them). */
export interface FileFrontend {
  /** [400] periodic Hann window. */
  window: Float32Array;
  /** [bins=257, nMels=64] row-major: the FULLY_CONNECTED weights [64, 257] transposed. */
  melMatrix: Float32Array;
  logOffset: number;
  /** Zero-padding of each 400-sample frame to the FFT length: [before, after]. */
  fftPadding: [number, number];
}

export function readFileFrontend(model: TfliteModel, label = '<model>'): FileFrontend {
  const mul = model.operators.find((op) => op.opcode === 'MUL' && model.tensors[op.inputs[1]]?.shape.length === 1);
  const fc = model.operators.find((op) => op.opcode === 'FULLY_CONNECTED' && model.tensors[op.inputs[0]]?.name.includes('magnitude'));
  const pad = model.operators.find((op) => op.opcode === 'PAD');
  if (!mul || !fc || !pad) throw new ModelError(`${label}: front end (window MUL, mel FULLY_CONNECTED, PAD) not found in the graph`);
  const window = tensorValues(model, model.tensors[mul.inputs[1]]);
  const melT = model.tensors[fc.inputs[1]];
  const [nMels, bins] = melT.shape;
  const src = tensorValues(model, melT);
  const melMatrix = new Float32Array(src.length);
  for (let m = 0; m < nMels; m++) for (let b = 0; b < bins; b++) melMatrix[b * nMels + m] = src[m * bins + b];
  const offsets = tensorValues(model, model.tensors[fc.inputs[2]]);
  const paddings = tensorValues(model, model.tensors[pad.inputs[1]]);
  return { window, melMatrix, logOffset: offsets[0], fftPadding: [paddings[2], paddings[3]] };
}
