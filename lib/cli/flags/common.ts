/**
 * Flags many commands share, declared once: the engine, the YAMNet model file, seeds, folds,
 * outputs, worker threads. Each command may word the help for what the flag does there.
 */
import { ENGINE_NAMES } from '../../engine/choose';
import type { EngineName } from '../../engine/choose';
import type { Options, OptionSpec } from '../../util/options';

export function engineOption(help = 'compute engine (default: $LACUNA_ENGINE, else node if it loads, else wasm)'): OptionSpec {
  return { name: 'engine', type: 'string', choices: ENGINE_NAMES, help };
}

export function readEngine(flags: Options): EngineName | undefined {
  return flags.string('engine') as EngineName | undefined;
}

export const YAMNET_OPTION: OptionSpec = {
  name: 'yamnet', type: 'string', value: 'PATH', help: 'YAMNet .tflite',
  defaultText: '$LACUNA_YAMNET, then data/models/yamnet.tflite; npm run fetch:yamnet',
};

export function seedOption(help: string): OptionSpec {
  return { name: 'seed', type: 'number', integer: true, default: 0, help };
}

export function foldsOption(help: string, defaultText = 'all'): OptionSpec {
  return { name: 'folds', type: 'list', value: '1,2', itemsName: 'fold numbers', integer: true, min: 1, defaultText, help };
}

export function outputOption(help: string, defaultText?: string): OptionSpec {
  return { name: 'output', type: 'string', value: 'DIR', help, ...(defaultText ? { defaultText } : {}) };
}

export function overwriteOption(help: string): OptionSpec {
  return { name: 'overwrite', type: 'boolean', help };
}

export function workersOption(help: string): OptionSpec {
  return {
    name: 'workers', type: 'number', integer: true, min: 1, defaultText: '$LACUNA_WORKERS, else the cores (at most 2)',
    help: `${help} (1 = main thread only)`,
  };
}
