import type { Command } from '../command';
import { initEngine } from '../../engine';
import { engineOption, readEngine } from '../flags/common';

export const command: Command = {
  summary: 'Show which engines lacuna uses (training on TensorFlow.js, inference native or not) and why',
  usage: 'lacuna engine [--engine NAME] [--json]',
  options: [{
    title: 'Options',
    options: [
      engineOption('force an engine (default: env LACUNA_ENGINE, else tfjs-node if it loads, else wasm;\n' +
        'inference on onnxruntime-node when it loads). A TensorFlow.js engine named here also\n' +
        'runs inference; onnx asks for native inference and fails when onnxruntime-node cannot load'),
      { name: 'json', type: 'boolean', help: 'print the engine description as JSON' },
    ],
  }],
  async run(flags) {
    const info = await initEngine({ engine: readEngine(flags), quiet: true });
    if (flags.bool('json')) {
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
