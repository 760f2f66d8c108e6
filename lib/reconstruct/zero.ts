/**
 * Zero fill: the missing samples stay zero. What every classifier in lacuna saw so far, and the
 * floor every other method has to beat (0 dB SNR inside the gap by definition).
 */
import { checkRepairInput, inputMel } from './mel';
import type { Reconstructor, RepairInput, RepairOutput } from './types';

export function zeroFill(): Reconstructor {
  return {
    name: 'zero',
    domain: 'waveform',
    repair(input: RepairInput): RepairOutput {
      checkRepairInput(input);
      return { domain: 'waveform', mel: inputMel(input), waveform: input.corrupted.slice(), notes: [] };
    },
  };
}
