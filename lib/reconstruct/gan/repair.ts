import * as tf from '@tensorflow/tfjs';
import { melSpectrogram, padForPatches } from '../../audio/spectral';
import { ParameterError, check } from '../../util/errors';
import type { MelPower, Reconstructor, RepairInput, RepairOutput } from '../types';
import { readGeneratorArtifacts } from './checkpoint';
import { gapSpan } from '../geometry';
import { denormalize, normalize } from './normalize';
import { loadModelArtifacts } from './snapshot';
import type { GanModel } from './config';

/** The generator of the latest checkpoint in `dir` (as trainGan left it), ready to repair. */
export async function loadGan(dir: string): Promise<GanModel> {
  const { state, generator } = readGeneratorArtifacts(dir);
  return { generator: await loadModelArtifacts(generator), config: state.config, step: state.step, dir, replicas: 0 };
}

/** Frame index clamped into the clip; says how many requested frames fell outside it. */
function contextRows(values: Float32Array, frames: number, nMels: number, from: number, count: number): { rows: Float32Array; outside: number } {
  const rows = new Float32Array(count * nMels);
  let outside = 0;
  for (let i = 0; i < count; i++) {
    const f = from + i;
    const src = Math.min(frames - 1, Math.max(0, f));
    if (src !== f) outside++;
    rows.set(values.subarray(src * nMels, (src + 1) * nMels), i * nMels);
  }
  return { rows, outside };
}

/**
 * The GAN behind the common Reconstructor interface. Gaps are repaired one after another in
 * time order, each from the `gapFrames` frames before and after it (so a later gap's context
 * already holds the earlier repairs). A gap shorter than the model's gap is predicted as the
 * model's full window from its first frame, and only its own frames are written; a longer one
 * is an error (train a model for that length). Where context runs past the clip's edge, the
 * edge frame is repeated, and a note says so.
 */
/** The clip's mel power as a GAN repairs it (given, or computed as YAMNet's front end would), checked against the model. */
export function ganInputMel(input: RepairInput, nMels: number): MelPower {
  check(input.sampleRate === 16000, `the GAN works on 16 kHz mels; got sampleRate ${input.sampleRate}`);
  const mel: MelPower = input.melPower ?? { ...melSpectrogram(padForPatches(input.corrupted), { power: true }), nMels: 64 };
  check(mel.nMels === nMels, `the GAN was trained on ${nMels} mel bands, the clip has ${mel.nMels}`);
  return mel;
}

export function ganReconstructor(model: GanModel): Reconstructor {
  const { gapFrames, nMels, normalisation } = model.config;
  return {
    name: 'gan',
    domain: 'mel',
    repair(input: RepairInput): RepairOutput {
      const mel = ganInputMel(input, nMels);
      const values = normalize(mel.data, normalisation);
      const notes: string[] = [];
      const spans = input.gaps.map((g) => gapSpan(g)).sort((a, b) => a.startFrame - b.startFrame);
      for (const span of spans) {
        if (span.frameCount > gapFrames) {
          throw new ParameterError(`gap at sample ${span.gap.start} covers ${span.frameCount} frames; this GAN repairs gaps of up to ${gapFrames} frames (train one for this length)`);
        }
        const t = span.startFrame;
        const before = contextRows(values, mel.frames, nMels, t - gapFrames, gapFrames);
        const after = contextRows(values, mel.frames, nMels, t + gapFrames, gapFrames);
        const outside = before.outside + after.outside;
        if (outside > 0) notes.push(`gap at sample ${span.gap.start}: ${outside} context frames lie outside the clip; the edge frame was repeated in their place`);
        const predicted = tf.tidy(() => {
          const shape: [number, number, number, number] = [1, gapFrames, nMels, 1];
          const out = model.generator.predict([tf.tensor4d(before.rows, shape), tf.tensor4d(after.rows, shape)]) as tf.Tensor;
          return out.dataSync() as Float32Array;
        });
        const last = Math.min(mel.frames, t + span.frameCount);
        for (let f = Math.max(0, t); f < last; f++) values.set(predicted.subarray((f - t) * nMels, (f - t + 1) * nMels), f * nMels);
      }
      const repaired = denormalize(values, normalisation);
      // Frames outside every gap keep their exact input values (no log/exp round trip).
      const inGap = new Uint8Array(mel.frames);
      for (const s of spans) for (let f = Math.max(0, s.startFrame); f < Math.min(mel.frames, s.startFrame + s.frameCount); f++) inGap[f] = 1;
      for (let f = 0; f < mel.frames; f++) if (!inGap[f]) repaired.set(mel.data.subarray(f * nMels, (f + 1) * nMels), f * nMels);
      return { domain: 'mel', mel: { data: repaired, frames: mel.frames, nMels }, notes };
    },
  };
}
