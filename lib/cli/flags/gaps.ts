/**
 * How much is missing, one reader for every command: a single run's gap model (classify, embed,
 * reconstruct) and the lists a grid or study sweeps. The same names everywhere: --gap-length N
 * and --gap-lengths A,B for gap lengths, --loss-rate R and --loss-rates R,R for packet loss,
 * --burst B for its mean burst length.
 */
import type { CorruptionMode } from '../../experiments/types';
import type { GapModel } from '../../corrupt/gaps';
import { ParameterError } from '../../util/errors';
import type { Options, OptionGroup, OptionSpec } from '../../util/options';

const BURST: OptionSpec = {
  name: 'burst', type: 'number', value: 'B', unit: 'packets', min: 1, default: 3, help: 'packet loss: mean burst length',
};

/** The gap model of one run: single, multiple (four fragments) or packet loss. */
export const GAP_MODEL_GROUP: OptionGroup = {
  title: 'Gaps',
  options: [
    {
      name: 'gap-model', type: 'string', choices: ['single', 'multiple', 'packet-loss'], default: 'single',
      help: 'one gap, four fragments of N/4, or lost 20 ms packets',
    },
    { name: 'multiple', type: 'boolean', help: 'same as --gap-model multiple (the reference\'s switch)' },
    {
      name: 'gap-length', type: 'number', integer: true, min: 4, unit: 'samples', default: 4000,
      help: 'missing samples per clip for single and multiple',
    },
    {
      name: 'loss-rate', type: 'number', value: 'R', above: 0, below: 1, default: 0.1,
      help: 'packet loss: long-run fraction of lost 20 ms packets',
    },
    BURST,
  ],
};

/** The gap model the flags choose; flags of another gap model than the one chosen are errors. */
export function readGapModel(flags: Options): GapModel {
  const name = flags.has('gap-model') ? flags.string('gap-model', 'single') : flags.bool('multiple') ? 'multiple' : 'single';
  if (flags.bool('multiple') && name !== 'multiple') throw new ParameterError(`--multiple contradicts --gap-model ${name}`);
  if (name === 'single' || name === 'multiple') {
    for (const f of ['loss-rate', 'burst']) if (flags.has(f)) throw new ParameterError(`--${f} applies to --gap-model packet-loss only`);
    return { kind: name, gapSamples: flags.number('gap-length', 4000) };
  }
  if (name === 'packet-loss') {
    if (flags.has('gap-length')) {
      throw new ParameterError('--gap-length applies to single and multiple gaps; packet loss takes --loss-rate and --burst');
    }
    return { kind: 'packet-loss', lossRate: flags.number('loss-rate', 0.1), meanBurstPackets: flags.number('burst', 3) };
  }
  throw new ParameterError(`--gap-model must be one of single, multiple, packet-loss; got "${name}"`);
}

/** Which folds classify corrupts: the reference's two switches. */
export const CORRUPTION_MODE_GROUP: OptionGroup = {
  title: 'Which folds have gaps (neither: NC, both: C_all)',
  options: [
    { name: 'corrupt-train', type: 'boolean', help: 'corrupt the training folds (C_tr)' },
    { name: 'corrupt-test', type: 'boolean', help: 'corrupt the test folds (C_ts)' },
  ],
};

/** Mode from the reference's switches: neither → NC, train → C_tr, test → C_ts, both → C_all. */
export function modeFromFlags(flags: Options): CorruptionMode {
  const tr = flags.bool('corrupt-train');
  const ts = flags.bool('corrupt-test');
  return tr && ts ? 'C_all' : tr ? 'C_tr' : ts ? 'C_ts' : 'NC';
}

/** The gap lengths a sweep runs. */
export function gapLengthsOption(defaultText: string, help = 'missing samples per clip'): OptionSpec {
  return {
    name: 'gap-lengths', type: 'list', value: 'A,B', itemsName: 'gap lengths', integer: true, min: 4, unit: 'samples', defaultText, help,
  };
}

/** The packet-loss channels a sweep adds: `--loss-rates none` for none. */
export function lossRatesOptions(defaults: readonly number[], help: string): OptionSpec[] {
  return [
    {
      name: 'loss-rates', type: 'list', value: 'R,R', itemsName: 'loss rates', above: 0, below: 1, none: true, default: [...defaults],
      help,
    },
    BURST,
  ];
}

/** The packet-loss channels of a sweep, each with --burst; --burst without any channel is an error. */
export function readPacketLoss(flags: Options): { lossRate: number; meanBurstPackets: number }[] {
  const burst = flags.number('burst', 3);
  const rates = flags.numbers('loss-rates') ?? [];
  if (flags.has('burst') && rates.length === 0) throw new ParameterError('--burst applies to packet loss only: give --loss-rates');
  return rates.map((lossRate) => ({ lossRate, meanBurstPackets: burst }));
}
