/**
 * The benches' command lines, on lacuna's declared grammar (lib/util/options) as its commands are:
 * each bench declares its options as data, `--help` is printed from the declaration, and a flag it
 * does not declare stops it before anything runs, named (with the flag meant, for a near miss).
 */
import { CommandHelp, commandHelp, commandOptions } from '../lib/cli/command';
import { ParameterError } from '../lib/util/errors';
import { Options, OptionSpec, RenamedFlag, parseOptions } from '../lib/util/options';

export interface BenchCommandLine extends Omit<CommandHelp, 'options' | 'usage'> {
  /** The file, as errors and the help name it: `bench/head.ts`. */
  name: string;
  options: readonly OptionSpec[];
  /** Flags the bench used to take: an error that names the new one. */
  renamed?: readonly RenamedFlag[];
}

/** Parses `argv` against the bench's declaration; prints the help (exit 0) or the error (exit 1). */
export function benchOptions(bench: BenchCommandLine, argv: readonly string[] = process.argv.slice(2)): Options {
  const declared = { ...bench, usage: `npx tsx ${bench.name} [options]`, options: [{ title: 'Options', options: bench.options }] };
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(commandHelp(declared));
    process.exit(0);
  }
  try {
    return parseOptions(argv, commandOptions(declared), {
      command: bench.name, renamed: bench.renamed, seeAlso: `; see \`npx tsx ${bench.name} --help\``,
    });
  } catch (err) {
    if (!(err instanceof ParameterError)) throw err;
    console.error(err.message.includes(bench.name) ? err.message : `${bench.name}: ${err.message}`);
    process.exit(1);
  }
}

/** A whole number of something (rows, rounds, clips), `>= min`; its default a number or in words. */
export function countOption(name: string, help: string, fallback: number | string, min = 1): OptionSpec {
  const shown = typeof fallback === 'number' ? { default: fallback } : { defaultText: fallback };
  return { name, type: 'number', integer: true, min, help, ...shown };
}

export function switchOption(name: string, help: string): OptionSpec {
  return { name, type: 'boolean', help };
}

/** Rounds in which the configurations alternate, because the machine is shared; a figure is the median over rounds. */
export const roundsOption = (fallback: number): OptionSpec =>
  countOption('rounds', 'rounds of alternating configurations (figures are their median)', fallback);

export const NO_PEER_OPTION: OptionSpec = switchOption('no-peer', 'skip the PyTorch peer (../shared/peers)');
