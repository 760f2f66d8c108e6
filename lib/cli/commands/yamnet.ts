import { Command } from '../main';
import { Flags } from '../args';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { readWav } from '../../audio/io';
import { resample } from '../../audio/resample';
import { ParameterError } from '../../util/errors';
import { classifyWaveform, loadYamnet, topClasses } from '../../models/yamnet/model';
import { YAMNET_SAMPLE_RATE } from '../../models/yamnet/frontend';

export const command: Command = {
  summary: 'classify a WAV file with the pretrained YAMNet (AudioSet classes, scores averaged over patches)',
  usage: `lacuna yamnet FILE.wav [--top 5] [--yamnet PATH] [--engine ${ENGINE_NAMES.join('|')}] [--int8]

  Prints one "label<TAB>score" line per class, best first. Any sample rate and channel count:
  the audio is mixed to mono and resampled to 16 kHz.
  --top     number of classes to print (default 5)
  --yamnet  model file (default: $LACUNA_YAMNET, then data/models/yamnet.tflite; npm run fetch:yamnet)
  --int8    round activations to the official int8 model's grid (closer to the TFLite classifier)`,
  async run(flags: Flags) {
    const [file, ...extra] = flags.positional;
    if (!file) throw new ParameterError('lacuna yamnet needs a WAV file: lacuna yamnet FILE.wav');
    if (extra.length) throw new ParameterError(`lacuna yamnet takes one file, got ${flags.positional.length}`);
    const top = flags.number('top', 5);
    if (!(Number.isInteger(top) && top >= 1)) throw new ParameterError(`--top must be an integer >= 1, got ${top}`);
    const engine = flags.string('engine');
    if (engine !== undefined && !isEngineName(engine)) throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
    const audio = readWav(file);
    const samples = audio.sampleRate === YAMNET_SAMPLE_RATE ? audio.samples : resample(audio.samples, audio.sampleRate, YAMNET_SAMPLE_RATE);
    await initEngine({ engine, quiet: true });
    const model = loadYamnet({ path: flags.string('yamnet'), emulateInt8: flags.bool('int8') });
    try {
      const result = await classifyWaveform(model, samples);
      for (const c of topClasses(result.scores, model.labels, top)) console.log(`${c.label}\t${c.score.toFixed(4)}`);
    } finally {
      model.dispose();
    }
    return 0;
  },
};
