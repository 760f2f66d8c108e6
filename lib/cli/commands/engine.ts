import { Command } from '../main';
import { ENGINE_NAMES, initEngine, isEngineName } from '../../engine';
import { ParameterError } from '../../util/errors';

export const command: Command = {
  summary: 'Show which TensorFlow.js engine lacuna uses and why',
  usage: `lacuna engine [--engine ${ENGINE_NAMES.join('|')}] [--json]

  --engine  force an engine (default: env LACUNA_ENGINE, else tfjs-node if it loads, else wasm)
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
    if (info.kernelsRegistered.length) console.log(`kernels:  ${info.kernelsRegistered.join(', ')}`);
    if (info.name !== 'node') console.log('faster:   `npm run accelerate` installs the native engine (needs internet)');
    return 0;
  },
};
