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

/** Log-mel patches of a 16 kHz waveform in [-1, 1]: [patches, 96, 64] row-major. */
export function waveformToPatches(samples: Float32Array): { data: Float32Array; patches: number } {
  check(samples.length > 0, 'waveform is empty');
  const spec = logMelSpectrogram(padForPatches(samples));
  const p = patches(spec);
  return { data: p.data, patches: p.patches };
}

/** Patches per clip of `length` samples after YAMNet's padding (8 for 64000, 1 for 15600). */
export function patchCount(length: number): number {
  return frameCount(frameCount(paddedLength(length), 400, 160), 96, 48);
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
