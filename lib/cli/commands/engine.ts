import { Command } from '../main';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { ParameterError } from '../../util/errors';

export const command: Command = {
  summary: 'Show which engines lacuna uses (training on TensorFlow.js, inference native or not) and why',
  usage: `lacuna engine [--engine ${ENGINE_NAMES.join('|')}] [--json]

  --engine  force an engine (default: env LACUNA_ENGINE, else tfjs-node if it loads, else wasm;
            inference on onnxruntime-node when it loads). A TensorFlow.js engine named here also
            runs inference; onnx asks for native inference and fails when onnxruntime-node cannot load
  --json    print the engine description as JSON`,
  async run(flags) {
    const engine = flags.string('engine');
    if (engine !== undefined && !isEngineName(engine)) {
      throw new ParameterError(`--engine must be one of ${ENGINE_NAMES.join(', ')}; got "${engine}"`);
    }
    const json = flags.bool('json');
    const info = await initEngine({ engine, quiet: true });
    if (json) {
      console.log(JSON.stringify(info));
      return 0;
    }
    console.log(`engine:   ${info.name} (tf backend "${info.backend}", tfjs ${info.tfjsVersion})`);
    console.log(`reason:   ${info.reason}`);
    console.log(`inference: ${info.inference === 'onnx' ? 'onnx' : info.name} (${info.inferenceReason})`);
    if (info.kernelsRegistered.length) console.log(`kernels:  ${info.kernelsRegistered.join(', ')}`);
    if (info.name !== 'node') console.log('faster:   `npm run accelerate` installs the native engine (needs internet)');
    return 0;
  },
};
